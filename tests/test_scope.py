"""atlas.scope: the documents and the years each reports on (context events left out)."""

from __future__ import annotations

from atlas.scope import covered_years, document_scope


def test_every_document_with_its_years(bundled):
    scope = document_scope(bundled)
    assert len(scope) == len(bundled.documents) == 5
    assert list(scope["published"]) == sorted(scope["published"])
    rfa = scope[scope["publisher"].str.contains("Radio Free Asia")].iloc[0]
    assert (rfa["first"], rfa["last"]) == (2021, 2022)
    assert (scope["incidents"] > 0).all()


def test_background_treaties_do_not_widen_the_years(bundled):
    # ThinkChina (2024) cites the 1960 treaty: background, not a year it reports on
    scope = document_scope(bundled)
    thinkchina = scope[scope["publisher"].str.startswith("ThinkChina")].iloc[0]
    assert thinkchina["first"] > 2000
    low, high = covered_years(scope)
    assert low > 2000 and high == 2024


def test_no_reports_no_years(bundled):
    empty = document_scope(bundled).assign(first=None, last=None)
    assert covered_years(empty) is None
