"""serve.py (what `make run` and the browser tests start): the app and its /oembed route
under one server, on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

from tests.browser.harness import app_server


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (loopback only)
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_runs_the_app_and_answers_oembed_for_its_own_views_only():
    with app_server(script="serve.py", extra_env={"ATLAS_PUBLIC_URL": ""}) as base:
        status, page = _get(base + "/")
        assert status == 200 and b'<div id="root">' in page  # the app itself
        status, _ = _get(base + "/app/static/geo/countries.geojson")
        assert status == 200  # static serving still on
        view = f"{base}/?type=detention"
        status, body = _get(f"{base}/oembed?url={quote(view, safe='')}&maxwidth=640")
        answer = json.loads(body)
        assert status == 200 and answer["type"] == "rich" and answer["width"] == 640
        assert "type=detention&amp;embed=true" in answer["html"]
        status, _ = _get(f"{base}/oembed?url={quote('https://evil.example/', safe='')}")
        assert status == 404
