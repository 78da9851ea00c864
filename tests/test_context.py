"""The words a graphic carries outside the app (atlas.context): a real as-of date, a title
derived from the filters, the sources of the shown incidents."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from atlas.context import as_of, as_of_words, sources_line, sources_of, view_title
from atlas.filters import Filters

FIRST, LAST = date(2011, 1, 1), date(2024, 6, 7)


def test_as_of_is_the_newest_dated_report_or_document(bundled):
    newest = max(
        pd.to_datetime(bundled.reports["published"], errors="coerce").max(),
        pd.to_datetime(bundled.documents["published"], errors="coerce").max(),
    ).date()
    assert as_of(bundled) == newest
    assert as_of_words(bundled) == f"Data as of {newest.day} {newest:%b %Y}"


def test_as_of_skips_undated_rows_and_never_stands_in_today(bundled):
    undated = bundled.reports.assign(published="not dated")
    docs = bundled.documents.assign(published="")
    empty = replace(bundled, reports=undated, documents=docs)
    assert as_of(empty) is None
    assert "not stated" in as_of_words(empty)
    one = undated.copy()
    one.loc[one.index[0], "published"] = "2019-03-04"
    assert as_of(replace(bundled, reports=one, documents=docs)) == date(2019, 3, 4)


def test_view_title_from_filters():
    nov = Filters(start=date(2013, 11, 1), end=date(2013, 11, 30), types=("detention",))
    assert view_title(nov, FIRST, LAST) == "Detention / arrest, Nov 2013"
    two = Filters(start=date(2020, 1, 1), types=("detention", "repatriation"))
    assert view_title(two, FIRST, LAST).endswith("and Forced repatriation, Jan 2020 – Jun 2024")
    assert view_title(Filters(), FIRST, LAST).endswith(", Jan 2011 – Jun 2024")


def test_sources_line_lists_the_shown_incidents_sources_only():
    reports = pd.DataFrame(
        {"incident_id": ["a", "a", "b", "c"], "source": ["Yonhap", "AP", "HRW", "zeta"]}
    )
    visible = pd.DataFrame({"incident_id": ["a", "c"]})
    assert sources_of(visible, reports) == ["AP", "Yonhap", "zeta"]
    assert sources_line(visible, reports, limit=2) == "Sources: AP, Yonhap and 1 more"
    assert sources_line(visible.iloc[:0], reports) == "Sources: none"
