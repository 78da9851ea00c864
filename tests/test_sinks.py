"""No text from the URL or the data renders as more than text, on any page.

Every page runs with hostile URL parameters and with a hostile import (ids, titles,
sources, quotes, summaries and notes carrying payloads); every Markdown-rendered body in
the AppTest tree is parsed (tests/markdown_sinks.py) and must hold no link, image, HTML,
autolink, directive or math. The payloads point at 127.0.0.1:9 (discard port): nothing
here opens a connection."""

from __future__ import annotations

import csv
import io

import pytest
from streamlit.testing.v1 import AppTest

from atlas.intake import combine, import_file
from atlas.loading import COLUMNS, FILES, read_table
from atlas.paths import BUNDLED_DATA_DIR
from tests.apptest import open_tab, run_app
from tests.markdown_sinks import dangers, live
from ui.text import md

PAGES = ["views/dashboard.py", "views/sources.py", "views/incident.py", "views/data.py"]
HOST = "http://127.0.0.1:9"
PAYLOADS = [
    f"![x]({HOST}/b.png)",
    f"[Session expired, log in]({HOST}/p)",
    f"<img src={HOST}/i.png>",
    f"<{HOST}/angle>",
    f"{HOST}/bare",
    "HTTPS://127.0.0.1:9/upper",
    "www.example.com/w",
    "someone@example.com",
    "mailto:someone@example.com",
    ":red[alert] :blue-background[x] :material/warning: :streamlit:",
    "$x^2$ and $\\undefined$",
    "$$a$$",
    "[ref]\n\n[ref]: http://127.0.0.1:9/ref",
]
FORMATTING = [  # not live, but shown as written
    "`code` ``two``",
    "**bold** _em_ ~~gone~~",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "| a | b | c |",
    "&lt;b&gt; &#x3C;img&#x3E;",
    "paid $500 and police $300",
    "http://a.org/x a@b.org www.x.org :red[y]",
    "a -> b <-> c -- d >= e <= f ~= g, at 10:30",
]
ALL = " ".join(PAYLOADS + FORMATTING)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_leaves_nothing_live(payload):
    assert dangers(payload), "the check must see each payload as live when unescaped"
    assert dangers(md(payload)) == []
    assert dangers(f"**Source:** {md(payload)} · {md(payload)}") == []


@pytest.mark.parametrize("text", FORMATTING + PAYLOADS[:-1])
def test_md_keeps_the_visible_text(text):
    """What the reader sees is the text itself (escapes and word joiners are invisible)."""
    from html import unescape

    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(md(text))
    visible = html.removeprefix("<p>").removesuffix("</p>\n").replace("\u2060", "")
    assert unescape(visible) == text


def hostile_import():
    ids = [f"`x` ![i]({HOST}/id.png) `y`", f"k2 [l]({HOST}/l)", f"{HOST}/id3 :red[z]"]
    buf = io.StringIO()
    writer = csv.writer(buf)
    columns = ["id", "title", "date", "type", "place", "lat", "lon", "people", "source"]
    writer.writerow([*columns, "quote", "url", "notes", "summary"])
    for n, (id_, place) in enumerate(zip(ids, ["Kunming", "Dandong", "Yanji"], strict=True)):
        writer.writerow(
            [id_, f"T{n} {ALL}", f"201{n + 3}-11-15", "detention", place, "", "", "13"]
            + [f"S{n} {ALL}", f"Q {ALL}", f"{HOST}/u", f"N {ALL}", f"Sum {ALL}"]
        )
    result = import_file(buf.getvalue().encode("utf-8"), "hostile.csv")
    assert result.loaded == 3, result.errors
    return result.dataset, ids


@pytest.fixture(scope="module")
def hostile():
    return hostile_import()


def run(params=None, page=None, dataset=None) -> AppTest:
    return run_app(params, page, dataset)


HOSTILE_URLS = [  # (parameters, a fragment of the one notice they give)
    ({"from": f"![x]({HOST}/b.png)"}, "not a date"),
    ({"to": f"[Session expired, log in]({HOST}/p)"}, "not a date"),
    ({"type": f"[Session expired, log in]({HOST}/p)"}, "not a known event type"),
    ({"source": ":red[Your session expired]"}, "not a known source"),
    ({"place": ":material/warning: $x$ and $y$"}, "not a known place"),
    ({"status": f"{HOST}/bare"}, "not a known status"),
    ({"incident": "someone@example.com"}, "no such incident"),
    ({"cell": "www.example.com"}, "not a map grid cell"),
    ({"min_sources": f"<img src={HOST}/i.png>"}, "not a whole number"),
    ({"min_people": "²"}, "not a whole number"),
    ({"min_people": "٣"}, "not a whole number"),
    ({"min_people": "9" * 40}, "too large"),
    ({"to": "2030-01-01"}, "after the data's last date"),
    ({"from": "1959-12-31"}, "before the data's first date"),
    ({"from": "2030-01-01"}, "after the data's last date"),
    ({"to": "1900-01-01"}, "before the data's first date"),
]


@pytest.mark.parametrize(("params", "fragment"), HOSTILE_URLS, ids=lambda v: repr(v)[:40])
def test_hostile_url_gives_one_plain_notice(params, fragment):
    at = run(params)
    notices = [w.value for w in at.warning]
    assert len(notices) == 1 and fragment in notices[0].replace("\\", ""), notices
    assert live(at) == []


@pytest.mark.parametrize("page", PAGES)
def test_every_page_with_hostile_url_renders_text_only(page):
    params = {"from": PAYLOADS[0], "type": PAYLOADS[1], "source": PAYLOADS[9]}
    at = run(params, page)
    assert len(at.warning) >= 3
    assert live(at) == []


@pytest.fixture(scope="module")
def combined(hostile, bundled):
    """The hostile import alongside the bundled data (the Data page's second button)."""
    raw = {name: read_table(BUNDLED_DATA_DIR / FILES[name], COLUMNS[name]) for name in FILES}
    return combine(bundled, hostile[0], raw)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("alone", [True, False], ids=["import", "combined"])
def test_every_page_with_hostile_import_renders_text_only(page, alone, hostile, combined):
    dataset, ids = hostile
    at = run({"incident": ids[0]}, page, dataset if alone else combined)
    assert live(at) == []
    if page == "views/dashboard.py":  # its lazy tabs: each one's content, opened
        for tab in ("Sources for these incidents", "Export & embed"):
            assert live(open_tab(at, tab)) == []
    if page == "views/incident.py":
        assert any(m.value.startswith("Sum ") for m in at.markdown)  # the card's summary


def test_hostile_card_is_shown_with_its_id_as_text(hostile):
    dataset, ids = hostile
    at = run({"incident": ids[0]}, "views/incident.py", dataset)
    text = " ".join(m.value for m in [*at.markdown, *at.caption])
    assert md(ids[0]) in text  # the id is on the card, escaped
    assert live(at) == []


def test_briefing_of_hostile_data_renders_and_its_failure_shows_text(hostile, monkeypatch):
    dataset, _ = hostile
    at = open_tab(run(dataset=dataset), "Export & embed")
    at.button(key="fig_go").click().run()
    assert not at.exception and not at.error  # `$\undefined$` no longer breaks it
    assert at.get("download_button")[-1].label.endswith(".pdf")

    import ui.exports

    def broken(*args, **kwargs):
        raise ValueError(f"bad title {PAYLOADS[0]} {PAYLOADS[1]}")

    monkeypatch.setattr(ui.exports, "briefing_pdf", broken)
    at.button(key="fig_go").click().run()
    assert len(at.error) == 1 and "could not be rendered" in at.error[0].value
    assert live(at) == []
