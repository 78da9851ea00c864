"""The URL the server's own Chromium opens for a screenshot: loopback, the server's port,
a known page, validated filters. Nothing a client reports can change host, port or path."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

import ui.exports
from atlas.export.screenshot import NOT_SHOT, PAGES, loopback_url
from atlas.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_CLIENT_URLS = [
    "http://169.254.169.254:80/latest/meta-data/",
    "http://127.0.0.1:22/",
    "http://evil.example:8501/incident",
    "http://127.0.0.1:8501@evil.example/",
    "http://127.0.0.1:8501/../../admin?x=1#frag",
    "javascript:alert(1)",
    "",
]


def fake_streamlit(url: str, options: dict) -> SimpleNamespace:
    return SimpleNamespace(context=SimpleNamespace(url=url), get_option=options.get)


@pytest.mark.parametrize("client_url", HOSTILE_CLIENT_URLS)
def test_a_hostile_client_url_cannot_change_host_port_or_path(client_url, monkeypatch):
    options = {"server.port": 8765, "server.baseUrlPath": ""}
    monkeypatch.setattr(ui.exports, "st", fake_streamlit(client_url, options))
    filters = Filters(start=date(2013, 1, 1), sources=("A/B?#@evil:1",), incident="x/../y")
    url = urlsplit(ui.exports.local_view_url(filters))
    assert (url.scheme, url.hostname, url.port, url.path) == ("http", "127.0.0.1", 8765, "/")
    assert url.username is None and url.fragment == ""
    assert parse_qs(url.query) == {
        "from": ["2013-01-01"],
        "source": ["A/B?#@evil:1"],
        "incident": ["x/../y"],
    }


def test_the_base_path_comes_from_the_server_config(monkeypatch):
    options = {"server.port": 8501, "server.baseUrlPath": "/atlas/"}
    monkeypatch.setattr(ui.exports, "st", fake_streamlit("http://evil:1/other/", options))
    assert ui.exports.local_view_url(Filters()) == "http://127.0.0.1:8501/atlas"


@pytest.mark.parametrize(
    ("port", "page", "base"),
    [
        (0, "", ""),
        (70000, "", ""),
        ("8501", "", ""),
        (8501, "admin", ""),
        (8501, "../x", ""),
        (8501, "//evil.example", ""),
        (8501, "", "a/../b"),
        (8501, "", "@evil.example"),
    ],
)
def test_loopback_url_refuses_what_is_not_the_apps(port, page, base):
    with pytest.raises(ValueError):
        loopback_url(port, page, "", base)


def test_pages_are_the_pages_app_py_declares():
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    declared = {""}  # the default page is at the root
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            declared |= {k.value.value for k in node.keywords if k.arg == "url_path"}
    assert declared == set(PAGES) | set(NOT_SHOT)
    assert not set(PAGES) & set(NOT_SHOT)
