"""URL state and filters: parametrized round trips, bad parameters, filter semantics."""

from __future__ import annotations

from datetime import date

import pytest

from atlas import people
from atlas.filters import (
    Filters,
    Vocabulary,
    apply_filters,
    from_query,
    selected_incident,
    to_query,
)
from atlas.incidents import incident_table, people_label


@pytest.fixture(scope="module")
def table(bundled):
    return incident_table(bundled)


@pytest.fixture(scope="module")
def vocab(table):
    return Vocabulary.of(table)


ROUND_TRIPS = [
    Filters(),
    Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)),
    Filters(types=("detention", "repatriation")),
    Filters(sources=("Chosun Ilbo", "JoongAng Daily"), min_sources=2),
    Filters(places=("Liaoning", "CN"), statuses=("corroborated",)),
    Filters(min_people=10, incident="2013-11-15-kunming-detention"),
]


@pytest.mark.parametrize("filters", ROUND_TRIPS, ids=lambda f: str(to_query(f)) or "default")
def test_url_round_trip(filters, vocab):
    parsed, notices = from_query(to_query(filters), vocab)
    assert parsed == filters and notices == []


def test_defaults_leave_the_url_empty():
    assert to_query(Filters()) == {}


BAD = [
    ({"from": ["2013-13-01"]}, "not a date"),
    ({"from": ["2014-01-01"], "to": ["2013-01-01"]}, "ends before it starts"),
    ({"type": ["riot"]}, "not a known event type"),
    ({"source": ["Nobody News"]}, "not a known source"),
    ({"place": ["Atlantis"]}, "not a known place"),
    ({"status": ["rumour"]}, "not a known status"),
    ({"min_people": ["-3"]}, "not a whole number"),
    ({"min_sources": ["__import__('os')"]}, "not a whole number"),
    ({"incident": ["nope"]}, "no such incident"),
]


@pytest.mark.parametrize(("params", "fragment"), BAD)
def test_bad_parameter_falls_back_with_notice(params, fragment, vocab):
    parsed, notices = from_query(params, vocab)
    assert parsed == Filters()
    assert len(notices) == 1 and fragment in notices[0]


def test_good_parameters_survive_a_bad_neighbour(vocab):
    parsed, notices = from_query({"type": ["detention", "riot"], "min_people": ["5"]}, vocab)
    assert parsed.types == ("detention",) and parsed.min_people == 5 and len(notices) == 1


def test_period_overlap_and_in_period(table):
    frame = apply_filters(table, Filters(start=date(2012, 3, 1), end=date(2012, 3, 31)))
    inside = set(frame.loc[frame["in_period"], "incident_id"])
    assert "2012-03-repatriation-approx-30" in inside  # span Feb 1 – Mar 9 overlaps March
    assert "2013-11-15-kunming-detention" not in inside
    assert len(frame) == len(table)  # out-of-period rows stay for the timeline, dimmed


@pytest.mark.parametrize(
    ("filters", "expect_in", "expect_out"),
    [
        (
            Filters(types=("transfer",)),
            "2013-11-kunming-liaoning-transfer",
            "2013-11-15-kunming-detention",
        ),
        (
            Filters(places=("Yunnan",)),
            "2013-11-kunming-liaoning-transfer",
            "2021-07-dandong-repatriation-50",
        ),
        (
            Filters(places=("Jilin",)),
            "2013-11-02-detentions-shenyang-yanji-dandong",
            "2013-11-15-kunming-detention",
        ),
        (Filters(min_sources=3), "2013-11-15-kunming-detention", "2012-03-14-ban-ki-moon"),
        (
            Filters(min_people=100),
            "2023-10-repatriation-500-600",
            "2021-07-dandong-repatriation-50",
        ),
        (
            Filters(sources=("JoongAng Daily",)),
            "2013-11-15-kunming-detention",
            "2013-11-02-detentions-shenyang-yanji-dandong",
        ),
        (
            Filters(statuses=("disputed",)),
            "2012-03-repatriation-approx-30",
            "2013-11-15-kunming-detention",
        ),
    ],
)
def test_filter_semantics(table, filters, expect_in, expect_out):
    ids = set(apply_filters(table, filters)["incident_id"])
    assert expect_in in ids and expect_out not in ids


def test_stale_selection_is_dropped(table):
    chosen = Filters(incident="2013-11-15-kunming-detention")
    assert selected_incident(apply_filters(table, chosen), chosen) == chosen.incident
    narrowed = Filters(types=("repatriation",), incident=chosen.incident)
    assert selected_incident(apply_filters(table, narrowed), narrowed) is None


def test_people_totals_are_open_when_a_count_has_no_maximum(table):
    feb = apply_filters(
        table, Filters(types=("detention",), start=date(2012, 2, 1), end=date(2012, 2, 29))
    )
    total = people.flow_total(feb[feb["in_period"]], "detention")
    assert (total.low, total.high) == (24, None)
    nov = apply_filters(
        table, Filters(types=("detention",), start=date(2013, 11, 1), end=date(2013, 11, 30))
    )
    total = people.flow_total(nov[nov["in_period"]], "detention")
    assert (total.low, total.high) == (17 + 5 + 13, 17 + 5 + 15)
    with pytest.raises(ValueError, match="stocks are never summed"):
        people.flow_total(nov, "held")


@pytest.mark.parametrize(
    ("lo", "hi", "qualifier", "label"),
    [
        (13, 15, "range", "13–15"),
        (30, 30, "approximate", "≈30"),
        (24, None, "at_least", "≥24"),
        (17, 17, "exact", "17"),
        (None, None, "unknown", "unknown"),
        (1170, None, "at_least", "≥1,170"),
    ],
)
def test_people_label(lo, hi, qualifier, label):
    import pandas as pd

    assert (
        people_label(pd.NA if lo is None else lo, pd.NA if hi is None else hi, qualifier) == label
    )
