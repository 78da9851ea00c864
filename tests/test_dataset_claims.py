"""The bundled data says what the documents say (issue 12): each corrected error, the
stock/flow model, the totals the documents support, and the incidents once missing."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from atlas import schema
from atlas.incidents import incident_table
from atlas.paths import BUNDLED_DATA_DIR
from atlas.people import flow_total, flow_totals, stocks


@pytest.fixture(scope="module")
def table(bundled) -> pd.DataFrame:
    return incident_table(bundled)


def _row(bundled, incident_id: str) -> pd.Series:
    return bundled.incidents.set_index("incident_id").loc[incident_id]


def _reports(bundled, incident_id: str) -> pd.DataFrame:
    return bundled.reports[bundled.reports["incident_id"] == incident_id]


def _years(table: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    years = table["date_start"].dt.year
    return table[(years >= first) & (table["date_end"].dt.year <= last)]


# --- stocks are not events ---------------------------------------------------------------


def test_stocks_are_their_own_kind_and_never_flows(bundled):
    held = bundled.incidents[bundled.incidents["event_type"].isin(schema.STOCK_TYPES)]
    assert set(held["incident_id"]) == {"2021-08-detained-1170", "2024-06-detained-about-2000"}
    assert (held["date_precision"] == "as_of").all()
    flows = bundled.incidents[bundled.incidents["event_type"].isin(schema.FLOW_TYPES)]
    counted = flows[flows["people_min"].notna()]
    assert not (counted["date_precision"] == "as_of").any()


def test_no_sum_of_detentions_reaches_the_stocks(table):
    detained = flow_total(table, "detention")
    assert detained.low < 1170  # was ≥ 3,236 with the stocks typed as detentions
    with pytest.raises(ValueError, match="stocks are never summed"):
        flow_total(table, "held")
    assert list(stocks(table)["incident_id"]) == [
        "2024-06-detained-about-2000",
        "2021-08-detained-1170",
    ]


def test_returns_2023_2024_are_what_the_document_supports(table):
    returns = flow_total(_years(table, 2023, 2024), "repatriation")
    assert (returns.low, returns.high) == (560, 660)
    assert returns.approximate == ("60 or so",)
    assert returns.label() == "560–660 (approximate: '60 or so')"
    totals = {t.event_type: t for t in flow_totals(_years(table, 2023, 2024))}
    assert totals["detention"].counted == 0  # the 2,000 held is a stock, not a detention


def test_possible_overlap_is_shown_both_ways(table):
    returns = flow_total(_years(table, 2012, 2012), "repatriation")
    assert (returns.low, returns.low_distinct, returns.high) == (30, 39, 39)
    assert "30 if they are, 39 if not" in returns.label()


# --- the five errors ---------------------------------------------------------------------


def test_consequence_quotes_no_longer_prop_up_the_2012_detentions(bundled, table):
    reports = _reports(bundled, "2012-02-liaoning-jilin-detentions")
    assert len(reports) == 3
    assert not bundled.reports["quote"].str.contains("may face execution").any()
    row = table.set_index("incident_id").loc["2012-02-liaoning-jilin-detentions"]
    assert row.n_sources == 3


def test_guidelines_rest_on_their_own_report_and_date(bundled):
    reports = _reports(bundled, "2013-11-crime-against-state-guidelines")
    assert list(reports["source"]) == ["Chosun Ilbo"]
    row = _row(bundled, "2013-11-crime-against-state-guidelines")
    assert row.date_precision == "on_or_before" and row.date_end == pd.Timestamp("2013-11-21")


def test_return_of_the_five_is_not_placed_near_beijing(bundled):
    row = _row(bundled, "2013-11-08-repatriation-near-beijing")
    assert row.geo_precision == "country" and row.coord_basis == "ne_admin0:CHN"


def test_kunming_transfer_says_what_the_count_may_include(bundled):
    row = _row(bundled, "2013-11-kunming-liaoning-transfer")
    assert "2,500" not in row.summary and "km" not in row.summary
    assert "guides" in row.people_text and (row.people_min, row.people_max) == (11, 15)


def test_veto_signal_and_south_korean_request_are_their_own_claims(bundled):
    dialogue = _reports(bundled, "2014-03-17-china-unhrc-dialogue")
    assert list(dialogue["source"]) == ["OHCHR"]
    assert "veto" not in _row(bundled, "2014-03-17-china-unhrc-dialogue").summary
    veto = _row(bundled, "2014-03-china-veto-signal")
    assert veto.date_precision == "on_or_before" and veto.geo_precision == "unlocated"
    request = _reports(bundled, "2014-03-17-south-korea-asks-china-back-un")
    assert list(request["source"]) == ["Yonhap News Agency"]


# --- rules applied everywhere ------------------------------------------------------------


def test_independence_is_apart_from_disagreement(bundled, table):
    by_id = table.set_index("incident_id")
    kunming = by_id.loc["2013-11-15-kunming-detention"]
    assert kunming.status == "corroborated" and kunming.disagreement == "count"
    assert kunming.n_sources == 4 and kunming.n_sources_cited == 5  # the CECC summary adds none
    for treaty in ("1960-prc-dprk-extradition-treaty", "1982-china-accedes-refugee-protocol"):
        assert by_id.loc[treaty, "disagreement"] == "date"
        assert by_id.loc[treaty, "status"] == "corroborated"


def test_places_the_documents_do_not_name_are_not_drawn(bundled):
    names = set(bundled.places["location_name"]) | set(bundled.incidents["location_name"])
    assert not any("Sinuiju" in n or n == "Seoul" for n in names)
    assert "MMR" not in " ".join(bundled.incidents["coord_basis"].fillna(""))
    border = bundled.incidents[bundled.incidents["geo_precision"] == "border"]
    assert len(border) and (border["country"] == "").all()


def test_quotes_attached_by_assumption_are_their_own_claims(bundled):
    for moved, incident in (
        (
            "those returned would not be punished",
            "2014-02-china-answers-coi-returnees-not-punished",
        ),
        ("There is no good reason to define them as refugees", "2012-02-29-hong-lei-caijing"),
    ):
        holders = set(
            bundled.reports.loc[bundled.reports["quote"].str.contains(moved), "incident_id"]
        )
        assert holders == {incident}
    letter = _reports(bundled, "2021-08-un-letter-1170")
    assert letter["quote"].str.contains("in August").any()


def test_dates_say_no_more_than_the_words(bundled):
    hyesan = _row(bundled, "2024-03-01-hyesan-border-fortifications")
    assert hyesan.date_precision == "as_of"
    for reported_in in ("2021-07-dandong-repatriation-50", "2021-08-spouse-arrests"):
        assert _row(bundled, reported_in).date_precision == "on_or_before"
    arrivals = _row(bundled, "2013-12-drop-in-southeast-asia-arrivals")
    assert arrivals.date_end == pd.Timestamp("2013-11-19")  # its earliest report
    law = _row(bundled, "2012-06-exit-entry-law")
    assert (law.date_start.year, law.date_end.year) == (2012, 2013)


def test_types_are_consistent(bundled):
    assert _row(bundled, "1998-jilin-frontier-regulations").event_type == "context"
    assert _row(bundled, "2012-01-three-generations-threat").event_type == "official_statement"


@pytest.mark.parametrize(
    "incident",
    [
        "2014-03-17-south-korea-asks-china-back-un",
        "2012-02-advocates-appeal-no-repatriation",
        "2014-02-china-rejects-unreasonable-criticism",
        "2012-02-29-hong-lei-caijing",
        "2014-03-china-veto-signal",
        "2014-03-17-coi-presents-to-unhrc",
        "2015-11-north-koreans-caught-trying-to-escape",
    ],
)
def test_missing_incidents_are_added_with_their_words(bundled, incident):
    assert incident in set(bundled.incidents["incident_id"])
    assert len(_reports(bundled, incident)) >= 1


def test_changelog_names_existing_incidents_and_every_added_one(bundled):
    text = (BUNDLED_DATA_DIR / "CHANGES.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(\d{4}-[a-z0-9-]+)`", text))
    ids = set(bundled.incidents["incident_id"])
    assert named and named <= ids
    added = text.split("### Incidents added", 1)[1].split("###", 1)[0]
    assert set(re.findall(r"`(\d{4}-[a-z0-9-]+)`", added)) == {
        "2012-02-advocates-appeal-no-repatriation",
        "2012-02-29-hong-lei-caijing",
        "2014-02-china-answers-coi-returnees-not-punished",
        "2014-02-china-rejects-unreasonable-criticism",
        "2014-03-17-coi-presents-to-unhrc",
        "2014-03-17-south-korea-asks-china-back-un",
        "2014-03-china-veto-signal",
        "2015-11-north-koreans-caught-trying-to-escape",
    }
    assert f"62 → {len(ids)}" in text
