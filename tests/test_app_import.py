"""AppTest: every page works on imported data as on the bundled data, alone or alongside it.

The import is put in the session as the Data page's buttons put it (AppTest cannot upload a
file; the upload itself is tested in tests/browser/test_import.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from atlas.intake import combine, import_file
from atlas.loading import COLUMNS, FILES, read_table
from atlas.paths import BUNDLED_DATA_DIR
from tests.apptest import run_app

PAGES = ["views/dashboard.py", "views/sources.py", "views/incident.py", "views/data.py"]
SHEET = (
    "id,date,type,place,lat,lon,people,source,notes\n"
    "k1,2013-11-15,detention,Kunming,25.0389,102.7183,13-15,Test source A; Test source B,"
    "Test row: 탈북자 13-15명\n"
    "k2,2012-02,repatriation,Dandong,,,about 30,Test source A,Test row: 遣返\n"
    "k3,2004,international_response,,,,,Test source C,Test row: no place\n"
    "k4,2013-02-30,detention,Yanji,,,,Test source A,Test row: impossible date\n"
)


@pytest.fixture(scope="module")
def imported():
    result = import_file(SHEET.encode("utf-8"), "sheet.csv")
    assert result.loaded == 3 and len(result.errors) == 1
    return result.dataset


def run(dataset, page: str | None = None, params: dict | None = None) -> AppTest:
    return run_app(params, page, dataset)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_import(imported, page):
    at = run(imported, page)
    assert at.title


def test_dashboard_counts_and_filters_the_import(imported):
    at = run(imported)
    assert at.sidebar.metric[0].value == "3"
    assert any("your import" in i.value for i in at.sidebar.info)
    at.sidebar.multiselect(key="f_types").set_value(["detention"]).run()
    assert at.sidebar.metric[0].value == "1"
    assert at.query_params["type"] in ("detention", ["detention"])


def test_selection_by_url_opens_the_imported_card(imported):
    at = run(imported, params={"incident": "k2"})
    card = " ".join(m.value for m in at.markdown)
    assert "遣返" in card and "about 30" in card.replace("\\", "")
    assert any("Geocoded offline from 'Dandong'" in c.value.replace("\\", "") for c in at.caption)


def _bundled_raw() -> dict:
    return {name: read_table(BUNDLED_DATA_DIR / FILES[name], COLUMNS[name]) for name in FILES}


def test_import_alongside_the_bundled_data(imported, bundled):
    both = combine(bundled, imported, _bundled_raw())
    at = run(both)
    assert at.sidebar.metric[0].value == str(len(bundled.incidents) + 3)


def test_an_id_the_bundled_data_uses_is_reported_not_merged(bundled):
    taken = bundled.incidents["incident_id"].iloc[0]
    clash = import_file(SHEET.replace("k1,", f"{taken},").encode(), "sheet.csv").dataset
    both = combine(bundled, clash, _bundled_raw())
    assert len(both.incidents) == len(bundled.incidents) + 2
    assert any(p.value == taken and "already has" in p.message for p in both.problems)


def test_a_large_import_is_shown_aggregated_on_every_page():
    """Above atlas.grid.DETAIL_LIMIT in-period incidents, an import goes through the same
    aggregated map, binned timeline and source index as a large data folder."""
    from atlas import grid
    from bench.imports import as_csv, sheet_rows

    n = grid.DETAIL_LIMIT + 500
    dataset = import_file(as_csv(sheet_rows(n)), "sheet.csv").dataset
    assert len(dataset.incidents) == n
    for page in PAGES:
        at = run(dataset, page)
        if page == "views/dashboard.py":
            assert any("grid cells" in c.value for c in at.caption)


def test_no_count_is_said_as_such_and_no_legal_background_toggle():
    sheet = "date,type,place,lat,lon\n2019-03-12,detention,Dandong,40.1292,124.3947\n"
    at = run(import_file(sheet.encode(), "sheet.csv").dataset)
    assert any("no count stated" in c.value for c in at.sidebar.caption)
    assert not [t for t in at.toggle if t.key == "full_timeline"]  # the bundled set's only
