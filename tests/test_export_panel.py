"""AppTest of the Export tab: a prepared figure or briefing follows the view (withdrawn
when the filters change), the data downloads in every format, the static embed snippet."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.apptest import run_app
from ui.exports import static_snippet


def downloads(at) -> dict[str, str]:
    return {b.key: b.label for b in at.get("download_button")}


def test_a_prepared_figure_is_withdrawn_when_the_filters_change():
    at = run_app({"type": "detention"})
    at.selectbox(key="fig_kind").set_value("timeline").run()
    at.button(key="fig_go").click().run()
    assert not at.exception
    assert (
        downloads(at)["figure_download"].replace("\\", "")
        == "Download repatriation-atlas-timeline.png"
    )
    at.multiselect(key="f_types").set_value(["transfer"]).run()
    assert not at.exception
    assert "figure_download" not in downloads(at)  # the stale file cannot be downloaded
    assert any("prepared for a different view" in w.value for w in at.warning)
    at.run()  # still gone on the next run; prepared again, it is offered again
    assert "figure_download" not in downloads(at)
    at.button(key="fig_go").click().run()
    assert "figure_download" in downloads(at)


def test_a_prepared_figure_stays_while_the_view_is_the_same():
    at = run_app({"type": "detention"})
    at.selectbox(key="fig_kind").set_value("timeline").run()
    at.button(key="fig_go").click().run()
    at.toggle(key="basemap").set_value(True).run()  # not a filter
    assert (
        downloads(at)["figure_download"].replace("\\", "")
        == "Download repatriation-atlas-timeline.png"
    )
    assert not any("different view" in w.value for w in at.warning)


def test_briefing_offers_a4_and_letter():
    at = run_app({"type": "detention"})
    assert at.selectbox(key="fig_paper").options == ["A4", "Letter"]


def test_data_downloads_in_every_format_with_the_excel_csv():
    at = run_app({"type": "detention"})
    labels = downloads(at)
    assert labels["download_csv-excel"] == "CSV for Excel (ZIP)"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_static_snippet_is_a_linked_picture_then_the_iframe():
    url = 'https://atlas.example.org/?type=detention&x="><script>'
    parser = _Tags()
    parser.feed(static_snippet(url, "https://atlas.example.org/v.png", 'Detentions "2013"'))
    assert [t for t, _ in parser.tags] == ["a", "img", "iframe"]
    assert parser.tags[0][1]["href"] == url  # escaped in the markup, the same URL parsed
    assert parser.tags[1][1]["src"] == "https://atlas.example.org/v.png"
    assert parser.tags[1][1]["alt"] == 'Detentions "2013"'
    assert "embed=true" in parser.tags[2][1]["src"]


def test_embed_code_pairs_the_iframe_with_a_picture():
    at = run_app({"type": "detention"})
    snippets = [c.value for c in at.code]
    assert snippets[0].startswith("<iframe ")
    assert snippets[1].startswith('<a href="') and "<img " in snippets[1]
    assert 'alt="Detention / arrest, ' in snippets[1]  # the view's title
    assert "local address" in " ".join(c.value for c in at.caption)
