"""AppTest: the entrypoint and every page run; URL state round-trips; ?incident= opens a card."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from atlas.filters import Filters, Vocabulary, apply_filters, to_query
from atlas.incidents import incident_table
from tests.apptest import open_tab, run_app

PAGES = ["views/dashboard.py", "views/sources.py", "views/incident.py", "views/data.py"]


def run(params: dict | None = None, page: str | None = None) -> AppTest:
    return run_app(params, page)


def url_of(at: AppTest) -> dict[str, list[str]]:
    """AppTest's query params, every value as a list (repeated keys come back as lists)."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def matching(bundled, filters: Filters) -> int:
    frame = apply_filters(incident_table(bundled), filters)
    return int(frame["in_period"].sum())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = run(page=page)
    assert at.title  # every page has a title


URL_CASES = [
    {},
    {"type": ["detention", "repatriation"]},
    {"from": "2013-10-01", "to": "2014-03-31"},
    {"place": "Liaoning", "min_sources": "2"},
    {"status": "corroborated", "min_people": "10"},
    {"source": "Chosun Ilbo", "incident": "2013-11-15-kunming-detention"},
]


@pytest.mark.parametrize("params", URL_CASES, ids=lambda p: "&".join(p) or "default")
def test_url_state_round_trip(params, bundled):
    at = run(params)
    expected = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    assert url_of(at) == expected
    vocab = Vocabulary.of(incident_table(bundled))
    from atlas.filters import from_query

    filters, _ = from_query(expected, vocab)
    assert to_query(filters) == expected
    assert at.metric[0].value == str(matching(bundled, filters))
    assert not at.warning


@pytest.mark.parametrize(
    "params",
    [
        {"type": "riot"},
        {"from": "yesterday"},
        {"incident": "no-such-id"},
        {"min_people": "ten"},
        {"place": "<script>alert(1)</script>"},
    ],
)
def test_bad_parameter_falls_back_with_visible_notice(params, bundled):
    at = run(params)
    assert len(at.warning) == 1 and "default is used" in at.warning[0].value
    assert at.metric[0].value == str(matching(bundled, Filters()))
    assert dict(at.query_params) == {}  # the bad value is dropped from the URL


def test_incident_page_card(bundled):
    at = run({"incident": "2013-11-15-kunming-detention"}, page="views/incident.py")
    text = " ".join(m.value for m in at.markdown)
    assert "13 to 15 North Korean refugees detained" in text
    assert "JoongAng Daily" in text and "15 Defectors Nabbed by China Police in Kunming" in text
    assert "13–15" in text


def test_dashboard_shows_detail_for_selected_incident():
    at = run({"incident": "2012-03-repatriation-approx-30"})
    text = " ".join(m.value for m in at.markdown)
    assert "government\\-level confirmation" in text  # escaped data text
    assert "approximately 30" in text


def test_filter_widget_change_rewrites_url():
    at = run()
    at.multiselect(key="f_types").set_value(["transfer"]).run()
    assert url_of(at)["type"] == ["transfer"]
    assert at.metric[0].value == "1"


def test_reset_button_clears_filters(bundled):
    at = run({"type": "transfer", "min_people": "5"})
    at.button(key="f_reset").click().run()
    assert url_of(at) == {} and at.metric[0].value == str(len(bundled.incidents))


def test_people_are_counted_per_flow_type_and_stocks_never_added():
    at = run({"from": "2023-01-01", "to": "2024-06-07"})
    text = " ".join(c.value for c in at.sidebar.caption)
    assert "Forced repatriation (2): 560–660" in text and "60 or so" in text
    assert "Held as of 2024-06-07: ≈2,000" in text
    assert "2,560" not in text and "2,660" not in text  # the stock is never added


def test_stale_selection_is_dropped_when_filters_exclude_it():
    at = run({"incident": "2013-11-15-kunming-detention", "type": "repatriation"})
    assert url_of(at) == {"type": ["repatriation"]}
    text = " ".join(m.value for m in at.markdown)
    assert "JoongAng Daily" not in text  # no stale detail card


def test_export_tab_prepares_each_data_format_and_shows_the_embed_code():
    at = run({"type": "detention"})
    open_tab(at, "Export & embed")
    assert at.selectbox(key="data_fmt").options == [
        "CSV files (ZIP)",
        "CSV for Excel (ZIP)",
        "GeoJSON",
        "Excel workbook (XLSX)",
    ]
    at.button(key="data_go").click().run()
    labels = {b.key: b.label.replace("\\", "") for b in at.get("download_button")}
    assert labels == {"data_download": "Download repatriation-atlas.zip"}
    snippet = at.code[0].value
    assert snippet.startswith("<iframe ") and "type=detention" in snippet
    assert "embed=true" in snippet


def test_empty_filter_says_so_and_offers_no_download():
    at = run({"type": "transfer", "min_people": "100000"})
    open_tab(at, "Export & embed")
    assert at.metric[0].value == "0"
    assert any("No incident matches" in i.value for i in at.info)
    assert not list(at.get("download_button"))
    assert not [b for b in at.button if b.key == "data_go"]  # nothing to prepare


def test_briefing_is_prepared_on_request_and_offered_for_download():
    at = run({"type": "detention"})
    open_tab(at, "Export & embed")
    at.button(key="fig_go").click().run()
    assert not at.exception
    downloads = {b.key: b.label for b in at.get("download_button")}
    label = downloads["figure_download"].replace("\\", "")  # escaped for Markdown (ui.text.md)
    assert label == "Download repatriation-atlas-briefing.pdf"


def test_the_bundled_set_offers_its_legal_background_on_the_timeline():
    at = run()
    (toggle,) = [t for t in at.toggle if t.key == "full_timeline"]
    assert "1960" in toggle.label


def test_detail_card_names_disagreement_overlap_and_dependent_reports():
    at = run({"incident": "2013-11-15-kunming-detention"})
    captions = " ".join(c.value for c in at.caption)
    assert "disagree on: The reports give different numbers of people" in captions
    assert "rests on: Korea Herald; Daily NK; JoongAng Daily" in captions
    at = run({"incident": "2012-02-amnesty-nine-returned"})
    captions = " ".join(c.value for c in at.caption)
    assert "May be the same people as: 2012\\-03\\-repatriation\\-approx\\-30" in captions
