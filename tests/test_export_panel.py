"""AppTest of the Export tab: a prepared figure, briefing or data file follows the view
(withdrawn when the filters change), the data files in every format, the static embed
snippet."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser

import openpyxl
import pytest

from atlas.export.data import FORMATS
from tests.apptest import open_tab, run_app
from ui.exports import DATA_PREPARED, static_snippet

EXPORT_TAB = "Export & embed"
KUNMING = "2013-11-15-kunming-detention"


def export_tab(params: dict) -> object:
    """The app at `params` with its Export tab open (the dashboard's tabs are lazy)."""
    return open_tab(run_app(params), EXPORT_TAB)


def downloads(at) -> dict[str, str]:
    return {b.key: b.label.replace("\\", "") for b in at.get("download_button")}


def incidents_of(fmt: str, data: bytes) -> str:
    """The incidents part of a data file, as text."""
    if fmt == "geojson":
        return data.decode("utf-8")
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)
    return zipfile.ZipFile(io.BytesIO(data)).read("incidents.csv").decode("utf-8-sig")


def prepare_data(at, fmt: str):
    at.selectbox(key="data_fmt").set_value(fmt).run()
    at.button(key="data_go").click().run()
    assert not at.exception, at.exception
    return at


def test_a_prepared_figure_is_withdrawn_when_the_filters_change():
    at = export_tab({"type": "detention"})
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
    at = export_tab({"type": "detention"})
    at.selectbox(key="fig_kind").set_value("timeline").run()
    at.button(key="fig_go").click().run()
    at.toggle(key="basemap").set_value(True).run()  # not a filter
    assert (
        downloads(at)["figure_download"].replace("\\", "")
        == "Download repatriation-atlas-timeline.png"
    )
    assert not any("different view" in w.value for w in at.warning)


def test_briefing_offers_a4_and_letter():
    at = export_tab({"type": "detention"})
    assert at.selectbox(key="fig_paper").options == ["A4", "Letter"]


def test_data_formats_are_chosen_then_prepared_on_request():
    at = export_tab({"type": "detention"})
    choice = at.selectbox(key="data_fmt")
    assert choice.options == [f.label for f in FORMATS.values()]
    assert choice.value == "csv"
    assert "data_download" not in downloads(at)  # nothing is built before "Prepare"
    assert DATA_PREPARED not in at.session_state


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("csv", "repatriation-atlas.zip"),
        ("csv-excel", "repatriation-atlas-excel.zip"),
        ("geojson", "repatriation-atlas.geojson"),
        ("xlsx", "repatriation-atlas.xlsx"),
    ],
)
def test_a_prepared_data_file_is_offered_as_bytes_of_this_view(fmt, name):
    at = prepare_data(export_tab({"type": "detention"}), fmt)
    assert downloads(at)["data_download"] == f"Download {name}"
    (button,) = [b for b in at.get("download_button") if b.key == "data_download"]
    # bytes the session holds (a /media/ file), not data built on the click (deferred)
    assert button.proto.url.startswith("/mock/media/") and not button.proto.deferred_file_id
    prepared = at.session_state[DATA_PREPARED]
    assert prepared.name == name and prepared.mime == FORMATS[fmt].mime
    assert KUNMING in incidents_of(fmt, prepared.data)
    assert [s.label for s in at.status] == ["Ready to download"]


def test_the_excel_csv_starts_with_a_byte_order_mark():
    at = prepare_data(export_tab({"type": "detention"}), "csv-excel")
    archive = zipfile.ZipFile(io.BytesIO(at.session_state[DATA_PREPARED].data))
    assert archive.read("incidents.csv").startswith(b"\xef\xbb\xbf")


def test_a_prepared_data_file_is_withdrawn_when_the_filters_change():
    at = prepare_data(export_tab({"type": "detention"}), "csv")
    at.multiselect(key="f_types").set_value(["repatriation"]).run()
    assert not at.exception
    assert "data_download" not in downloads(at)  # the stale file cannot be downloaded
    assert DATA_PREPARED not in at.session_state  # nor is it kept in memory
    assert any(
        "repatriation-atlas.zip was prepared for a different view" in w.value.replace("\\", "")
        for w in at.warning
    )
    prepare_data(at, "csv")  # prepared again: the repatriations, not the detentions
    assert KUNMING not in incidents_of("csv", at.session_state[DATA_PREPARED].data)


def test_only_the_last_prepared_data_file_is_kept():
    at = prepare_data(export_tab({"type": "detention"}), "csv")
    prepare_data(at, "geojson")
    assert downloads(at)["data_download"] == "Download repatriation-atlas.geojson"
    assert at.session_state[DATA_PREPARED].name == "repatriation-atlas.geojson"
    at.toggle(key="basemap").set_value(True).run()  # not a filter: the file stays
    assert downloads(at)["data_download"] == "Download repatriation-atlas.geojson"


def test_a_large_set_selects_its_rows_only_when_a_file_is_prepared(monkeypatch):
    import ui.data
    import ui.exports

    monkeypatch.setattr(ui.exports.grid, "DETAIL_LIMIT", 5)  # the bundled set is "large"
    selections = []
    real = ui.data.export_rows  # the export's rows (atlas.export.selection.subset, or the database)
    monkeypatch.setattr(ui.data, "export_rows", lambda *a: selections.append(1) or real(*a))
    at = export_tab({"type": "detention"})
    assert not selections  # the page itself re-reads nothing
    prepare_data(at, "geojson")
    assert selections == [1]
    assert KUNMING in incidents_of("geojson", at.session_state[DATA_PREPARED].data)


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
    at = export_tab({"type": "detention"})
    snippets = [c.value for c in at.code]
    assert snippets[0].startswith("<iframe ")
    assert snippets[1].startswith('<a href="') and "<img " in snippets[1]
    assert 'alt="Detention / arrest, ' in snippets[1]  # the view's title
    assert "local address" in " ".join(c.value for c in at.caption)
