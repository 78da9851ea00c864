"""The zooming timeline as data: brushes and presets → period, dodged lanes, the map's size
scale, fixed rows, focus + context, and the stretches no document covers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

import atlas.marks
import atlas.timeline
from atlas import schema
from atlas.coverage import coverage_gaps, covered_spans
from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.timeline import (
    AXIS_PX,
    BRUSH,
    DETAIL_WIDTH,
    LABEL_WIDTH,
    OVERVIEW,
    PICK,
    ROW_PX,
    dodge_lanes,
    focus_context_chart,
    timeline_chart,
    timeline_frame,
)
from atlas.zoom import brush_period, period_domain, zoom_anchor, zoom_period

FIRST, LAST = date(1960, 1, 1), date(2024, 6, 7)
WHOLE = ("2011-01-01T00:00:00Z", "2025-01-01T00:00:00Z")
LATE_2013 = 182  # days shown by the late-2013 preset (Oct 2013 – Mar 2014)


def ms(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000


@pytest.fixture(scope="module")
def table(bundled):
    return incident_table(bundled)


# --- brushes → period -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lo", "hi", "view_days", "expected"),
    [
        # wide views snap to the nearest month boundary: a sloppy drag still hits November
        (
            "2013-10-31T12:00",
            "2013-12-01T09:00",
            LATE_2013,
            (date(2013, 11, 1), date(2013, 11, 30)),
        ),
        (
            "2013-10-18T00:00",
            "2013-12-14T00:00",
            LATE_2013,
            (date(2013, 11, 1), date(2013, 11, 30)),
        ),
        ("2013-11-03T00:00", "2013-11-28T00:00", 5000, (date(2013, 11, 1), date(2013, 11, 30))),
        # zoomed in (a month), to the nearest day, end exclusive
        ("2013-11-01T20:00", "2013-11-08T03:00", 30, (date(2013, 11, 2), date(2013, 11, 7))),
        # narrower than one unit: no period
        ("2013-11-10T00:00", "2013-11-12T00:00", LATE_2013, None),
        ("2013-11-10T02:00", "2013-11-10T05:00", 30, None),
        # clamped to the data's range
        ("2024-05-20T00:00", "2024-09-01T00:00", 30, (date(2024, 5, 20), LAST)),
    ],
)
def test_brush_snaps_to_the_calendar(lo, hi, view_days, expected):
    assert brush_period([ms(lo), ms(hi)], view_days, FIRST, LAST) == expected
    assert brush_period([ms(hi), ms(lo)], view_days, FIRST, LAST) == expected  # either way


@pytest.mark.parametrize("bounds", [[], None, [1.0], [1.0, 2.0, 3.0]])
def test_an_empty_brush_sets_no_period(bounds):
    assert brush_period(bounds, 100, FIRST, LAST) is None


def test_a_brush_across_november_2013_selects_exactly_the_november_incidents(table):
    # a drag from a little before 1 November to a little after 1 December in the late-2013
    # view: the 1 December crackdowns and statements stay out, every November one is in
    start, end = brush_period(
        [ms("2013-10-29T00:00"), ms("2013-12-03T00:00")], LATE_2013, FIRST, LAST
    )
    chosen = apply_filters(table, Filters(start=start, end=end))
    chosen = set(chosen.loc[chosen["in_period"], "incident_id"])
    overlaps = (table["date_start"] <= "2013-11-30") & (table["date_end"] >= "2013-11-01")
    assert chosen == set(table.loc[overlaps, "incident_id"])
    assert "2013-11-15-kunming-detention" in chosen
    assert not any(table.set_index("incident_id").loc[list(chosen), "date_start"] >= "2013-12-01")


# --- zoom presets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "unit", "expected"),
    [
        (date(2013, 11, 15), "year", (date(2013, 1, 1), date(2013, 12, 31))),
        (date(2013, 11, 15), "quarter", (date(2013, 10, 1), date(2013, 12, 31))),
        (date(2013, 2, 15), "quarter", (date(2013, 1, 1), date(2013, 3, 31))),
        (date(2013, 11, 15), "month", (date(2013, 11, 1), date(2013, 11, 30))),
        (date(2012, 2, 29), "month", (date(2012, 2, 1), date(2012, 2, 29))),
        (date(2024, 6, 1), "quarter", (date(2024, 4, 1), LAST)),  # clamped
    ],
)
def test_zoom_presets(anchor, unit, expected):
    assert zoom_period(anchor, unit, FIRST, LAST) == expected


def test_an_unknown_zoom_is_refused():
    with pytest.raises(ValueError, match="zoom 'week'"):
        zoom_period(date(2013, 1, 1), "week", FIRST, LAST)


def test_zoom_centres_on_the_selection_else_the_first_incident(table):
    frame = apply_filters(table, Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)))
    assert zoom_anchor(frame, "2013-11-15-kunming-detention", FIRST) == date(2013, 11, 15)
    first = frame.loc[frame["in_period"], "date_start"].min().date()
    assert zoom_anchor(frame, None, FIRST) == first
    assert zoom_anchor(frame.iloc[0:0], None, date(2013, 10, 1)) == date(2013, 10, 1)


def test_the_detail_spans_the_period_filter():
    assert period_domain(date(2013, 11, 1), date(2013, 11, 30), WHOLE) == (
        "2013-11-01T00:00:00Z",
        "2013-12-01T00:00:00Z",
    )
    assert period_domain(None, None, WHOLE) == WHOLE


# --- lanes, sizes, rows -----------------------------------------------------------------


def test_dodge_puts_overlapping_marks_of_a_row_in_different_lanes():
    left = pd.Series([0.0, 5.0, 8.0, 100.0, 0.0]).to_numpy()
    right = left + 10
    rows = pd.Series(["a", "a", "a", "a", "b"]).to_numpy()
    lanes = dodge_lanes(left, right, rows)
    assert len(set(lanes[:3])) == 3  # three marks on one spot: three lanes
    assert lanes[3] == 0 and lanes[4] == 0  # apart in time, or in another row


@pytest.mark.parametrize(
    "period",
    [(date(2013, 11, 1), date(2013, 11, 30)), (date(2013, 10, 1), date(2014, 3, 31)), (None, None)],
)
def test_marks_in_a_row_do_not_overlap_at_the_zoom_shown(table, period):
    frame = apply_filters(table, Filters(start=period[0], end=period[1]))
    domain = period_domain(*period, WHOLE)
    rows = timeline_frame(frame, None, domain)
    d0 = pd.Timestamp(domain[0]).value
    per_ns = DETAIL_WIDTH / (pd.Timestamp(domain[1]).value - d0)
    rows["x"] = (pd.to_datetime(rows["mid"]).astype("int64") - d0) * per_ns
    rows["r"] = rows["size"] ** 0.5 / 2
    rows = rows[rows["x"].between(0, DETAIL_WIDTH)]  # a point outside is clipped, unseen
    clashes = 0
    for _, group in rows.groupby(["type_label", "lane"]):
        marks = group.sort_values("x")[["x", "r"]].to_numpy()
        clashes += sum(
            b[0] - b[1] < a[0] + a[1] for a, b in zip(marks[:-1], marks[1:], strict=True)
        )
    if period[0] is not None:
        assert clashes == 0  # three lanes a row are enough at these zooms
    else:
        assert clashes <= 12  # the whole range: crowded months share lanes (smaller on top)


def test_sizes_are_the_maps_pixel_radius(table):
    assert atlas.timeline.pixel_radius is atlas.marks.pixel_radius  # imported, not copied
    rows = timeline_frame(apply_filters(table, Filters()), None)
    radius = [
        atlas.marks.pixel_radius(h, lo)
        for h, lo in zip(table["people_max"], table["people_min"], strict=True)
    ]
    assert rows["size"].tolist() == pytest.approx([(2 * r) ** 2 for r in radius], abs=0.1)
    held = rows[rows["type_label"] == schema.EVENT_TYPE_BY_CODE["held"].label]
    assert len(held) and set(held["shape"]) == {"square"}  # a stock, not an event


@pytest.mark.parametrize("types", [(), ("detention",), ("held", "context")])
def test_rows_and_labels_never_move(table, types):
    spec = timeline_chart(apply_filters(table, Filters(types=types)), None, WHOLE).to_dict()
    y = spec["layer"][-1]["encoding"]["y"]
    assert y["scale"]["domain"] == [e.label for e in schema.EVENT_TYPES]
    assert y["axis"]["minExtent"] == y["axis"]["maxExtent"] == LABEL_WIDTH
    assert spec["height"] == ROW_PX * len(schema.EVENT_TYPES) + AXIS_PX


# --- focus + context --------------------------------------------------------------------


def test_focus_context_spec(table, bundled):
    period = ("2013-11-01T00:00:00Z", "2013-12-01T00:00:00Z")
    gaps = coverage_gaps(
        covered_spans(bundled.documents, bundled.reports, bundled.incidents),
        pd.Timestamp("2011-01-01"),
        pd.Timestamp("2025-01-01"),
    )
    frame = apply_filters(table, Filters(start=date(2013, 11, 1), end=date(2013, 11, 30)))
    detail, overview = (c.to_dict() for c in focus_context_chart(frame, None, period, WHOLE, gaps))
    params = {p["name"]: p for p in detail["params"] + overview["params"]}
    assert {p["name"] for p in detail["params"]} == {BRUSH, PICK}
    assert {p["name"] for p in overview["params"]} == {OVERVIEW}
    assert params[BRUSH]["select"]["encodings"] == params[OVERVIEW]["select"]["encodings"] == ["x"]
    assert detail["layer"][-1]["encoding"]["x"]["scale"] == {"type": "utc", "domain": list(period)}
    assert overview["layer"][-1]["encoding"]["x"]["scale"]["domain"] == list(WHOLE)
    assert overview["layer"][0]["mark"]["type"] == "rect"  # the shaded gaps, behind
    bars = next(v for v in overview["layer"] if v["mark"]["type"] == "bar")
    assert bars["encoding"]["y"]["axis"]["minExtent"] == LABEL_WIDTH  # aligned with the detail


def test_large_sets_keep_the_brush_in_both_views(table):
    frame = apply_filters(table, Filters())
    detail, overview = (
        c.to_dict() for c in focus_context_chart(frame, None, WHOLE, WHOLE, large=True)
    )
    assert detail["mark"]["type"] == "bar"
    assert [p["name"] for p in detail["params"]] == [BRUSH]
    assert [p["name"] for p in overview["params"]] == [OVERVIEW]


# --- document coverage ------------------------------------------------------------------


def test_the_bundled_gaps(bundled):
    covered = covered_spans(bundled.documents, bundled.reports, bundled.incidents)
    gaps = coverage_gaps(covered, pd.Timestamp("2011-01-01"), pd.Timestamp("2025-01-01"))
    assert gaps.to_dict("list") == {
        "start": [
            "2018-01-01T00:00:00Z",
            "2022-04-01T00:00:00Z",
            "2023-11-01T00:00:00Z",
            "2024-06-08T00:00:00Z",
        ],
        "end": [
            "2021-07-01T00:00:00Z",
            "2023-10-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            "2025-01-01T00:00:00Z",
        ],
    }


def test_coverage_reads_partial_dates_generously():
    documents = pd.DataFrame(
        {"document": ["a", "b", "c"], "published": ["2017", "2022-03", "not a date"]}
    )
    reports = pd.DataFrame(
        {
            "document": ["a", "b", "b"],
            "published": ["2016-02-26", "2021-07", "bad"],
            "incident_id": ["x", "y", "z"],
        }
    )
    covered = covered_spans(documents, reports)
    assert covered == [
        (pd.Timestamp("2016-02-26"), pd.Timestamp("2018-01-01")),
        (pd.Timestamp("2021-07-01"), pd.Timestamp("2022-04-01")),
    ]
    gaps = coverage_gaps(covered, pd.Timestamp("2015-01-01"), pd.Timestamp("2023-01-01"))
    assert gaps["start"].tolist() == [
        "2015-01-01T00:00:00Z",
        "2018-01-01T00:00:00Z",
        "2022-04-01T00:00:00Z",
    ]


def test_a_reported_incident_covers_its_own_span():
    documents = pd.DataFrame({"document": ["a"], "published": ["2024-06-07"]})
    reports = pd.DataFrame({"document": ["a"], "published": ["2024-03-01"], "incident_id": ["x"]})
    incidents = pd.DataFrame(
        {
            "incident_id": ["x", "unreported"],
            "date_start": pd.to_datetime(["2023-10-01", "2020-01-01"]),
            "date_end": pd.to_datetime(["2023-10-31", "2020-01-31"]),
        }
    )
    assert covered_spans(documents, reports, incidents) == [
        (pd.Timestamp("2023-10-01"), pd.Timestamp("2023-11-01")),
        (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-06-08")),
    ]


def test_no_documents_no_coverage():
    empty = pd.DataFrame(columns=["document", "published", "incident_id"])
    assert covered_spans(empty[["document", "published"]], empty) == []
    gaps = coverage_gaps([], pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01"))
    assert len(gaps) == 1


def test_every_mark_of_the_period_is_inside_the_view_on_its_span(table):
    # year-precision statements of 2013 reach across November: their points move into it
    frame = apply_filters(table, Filters(start=date(2013, 11, 1), end=date(2013, 11, 30)))
    domain = period_domain(date(2013, 11, 1), date(2013, 11, 30), WHOLE)
    rows = timeline_frame(frame, None, domain)
    assert set(rows["incident_id"]) == set(frame.loc[frame["in_period"], "incident_id"])
    assert rows["mid"].between(domain[0], domain[1]).all()
    assert (rows["start"] <= rows["mid"]).all() and (rows["mid"] <= rows["end"]).all()
    assert (rows["start"] < domain[0]).any()  # some span does reach outside


def test_the_readme_states_the_snapping_rule():
    from pathlib import Path

    from atlas.zoom import MONTH_SNAP_DAYS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"view spans {MONTH_SNAP_DAYS} days or less" in " ".join(readme.split())
