"""The map's layout (atlas.layout via atlas.mapspec.map_marks): every mark visible, apart
from the others, at its magnitude, inside the fitted view; the same in the figures."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.layout import MAP_HEIGHT, MARGIN, VIEWPORT, layout_marks, to_world
from atlas.mapspec import legend_entries, map_marks, pixel_radius

NOV_2013 = Filters(start=date(2013, 11, 1), end=date(2013, 11, 30))
POST_2020 = Filters(start=date(2021, 1, 1))
FLOWS = ("detention", "transfer", "repatriation", "held")


def _view(bundled, filters, height=VIEWPORT[1]):
    frame = apply_filters(incident_table(bundled), filters)
    visible = frame[frame["in_period"]]
    return visible, *map_marks(visible, bundled.places, VIEWPORT[0], height)


def _screen(marks, view):
    """Screen pixels of each mark in a viewport of the view's size."""
    scale = 2**view.zoom
    cx, cy = to_world(view.longitude, view.latitude)
    return [
        ((x - cx) * scale + view.width / 2, (y - cy) * scale + view.height / 2)
        for x, y in (
            to_world(lo, la) for lo, la in zip(marks["x_lon"], marks["x_lat"], strict=True)
        )
    ]


@pytest.mark.parametrize(
    ("filters", "fits"),
    [(NOV_2013, True), (POST_2020, True), (Filters(), True)],
    ids=["2013-11", "post-2020", "all"],
)
@pytest.mark.parametrize("height", sorted({VIEWPORT[1], *MAP_HEIGHT.values()}))
def test_no_mark_touches_another_and_all_are_in_view(bundled, filters, fits, height):
    visible, marks, view, _ = _view(bundled, filters, height)
    pos = _screen(marks, view)
    radii = list(marks["radius"])
    for a in range(len(pos)):
        for b in range(a + 1, len(pos)):
            assert math.dist(pos[a], pos[b]) >= radii[a] + radii[b], (
                marks["incident_id"].iloc[a],
                marks["incident_id"].iloc[b],
            )
    if fits:
        for (x, y), r in zip(pos, radii, strict=True):
            assert -1 <= x - r and x + r <= view.width + 1
            assert -1 <= y - r and y + r <= view.height + 1
    # every in-period incident but those along the border has a mark
    expected = set(visible.loc[visible["geo_precision"] != "border", "incident_id"])
    assert set(marks["incident_id"]) == expected


def test_november_2013_every_flow_has_its_mark_and_detentions_are_drawn_last(bundled):
    visible, marks, _, _ = _view(bundled, NOV_2013)
    flows = set(visible.loc[visible["event_type"].isin(FLOWS), "incident_id"])
    assert flows <= set(marks["incident_id"])
    assert {"2013-11-15-kunming-detention", "2013-11-kunming-liaoning-transfer"} <= flows
    # Kunming: the detention and the transfer's origin share the place, side by side
    kunming = marks[(marks["longitude"] - 102.7183).abs() < 1e-3]
    assert len(kunming) == 2 and (kunming["shared"] == 2).all()
    assert kunming["x_lat"].nunique() == 2
    ranks = [("detention" == t) for t in marks["event_type"]]
    assert ranks == sorted(ranks)  # every detention after every other mark: on top


def test_post_2020_largest_counts_are_marks_of_their_size_in_the_tray(bundled):
    _, marks, _, tray = _view(bundled, POST_2020)
    by_id = marks.set_index("incident_id")
    for incident, (lo, hi) in {
        "2023-10-repatriation-500-600": (500, 600),
        "2024-03-repatriation-60": (60, 60),
        "2024-06-detained-about-2000": (2000, 2000),
        "2021-08-detained-1170": (1170, None),
    }.items():
        row = by_id.loc[incident]
        assert row["in_tray"]
        assert row["radius"] == pixel_radius(hi if hi else float("nan"), lo)
        assert tray.west <= row["x_lon"] <= tray.east and tray.south <= row["x_lat"] <= tray.north
    assert by_id.loc["2021-07-dandong-repatriation-50", "in_tray"] == False  # noqa: E712
    assert "place not stated" in tray.label


def test_a_single_place_is_centred_and_not_zoomed_to_a_street():
    points = pd.DataFrame(
        {
            "incident_id": ["a", "b", "c"],
            "event_type": ["repatriation", "detention", "transfer"],
            "geo_precision": ["city", "city", "city"],
            "longitude": [124.3947] * 3,
            "latitude": [40.1292] * 3,
            "radius": [10.0, 10.0, 10.0],
        }
    )
    marks, view, tray = layout_marks(points, 400, 300)
    assert tray is None and view.zoom == 7.0
    assert list(marks["event_type"])[-1] == "detention"  # drawn last
    top = marks.loc[marks["x_lat"].idxmax(), "event_type"]
    assert top == "detention"  # primary at the top of the ring
    assert abs(view.longitude - 124.3947) < 0.01
    assert MARGIN > 0


def test_legend_lists_only_what_is_drawn(bundled):
    frame = apply_filters(incident_table(bundled), POST_2020)
    labels = [e.label for e in legend_entries(frame)]
    assert "Transfer inside China" not in labels and "Held in detention (stock)" in labels
    assert "box: whole country / not stated / elsewhere" in labels
    assert not any(label.startswith("ring: near") for label in labels)
