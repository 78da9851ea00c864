"""The map's layout (atlas.layout via atlas.marks.map_marks): every mark visible, apart
from the others, at its magnitude, inside the fitted view; the same in the figures."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.layout import MAP_HEIGHT, MARGIN, VIEWPORT, layout_marks, to_world
from atlas.mapspec import legend_entries
from atlas.marks import map_marks, pixel_radius

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


def _spread_every_pair(anchors, radii):
    """The layout's first version of `atlas.layout._spread`: every pair compared, clusters
    relabelled pair by pair. Kept here as the reference the faster one must equal."""
    from atlas.layout import GAP, _ring

    cluster = {i: i for i in anchors}
    order = list(anchors)[::-1]
    offsets = {i: (0.0, 0.0) for i in anchors}
    for _round in range(20):
        members = {}
        for i in order:
            members.setdefault(cluster[i], []).append(i)
        for group in members.values():
            cx = sum(anchors[i][0] for i in group) / len(group)
            cy = sum(anchors[i][1] for i in group) / len(group)
            for i, (dx, dy) in zip(group, _ring([radii[i] for i in group]), strict=True):
                offsets[i] = (cx + dx - anchors[i][0], cy + dy - anchors[i][1])
        pos = {i: (anchors[i][0] + offsets[i][0], anchors[i][1] + offsets[i][1]) for i in anchors}
        touching = [
            (i, j)
            for a, i in enumerate(order)
            for j in order[a + 1 :]
            if cluster[i] != cluster[j]
            and math.dist(pos[i], pos[j]) < radii[i] + radii[j] + GAP / 2
        ]
        if not touching:
            break
        for i, j in touching:
            old, new = cluster[j], cluster[i]
            for k in cluster:
                if cluster[k] == old:
                    cluster[k] = new
    sizes = {i: sum(cluster[k] == cluster[i] for k in anchors) for i in anchors}
    return offsets, sizes


@pytest.mark.parametrize("seed", range(12))
def test_the_spread_of_marks_is_the_every_pair_comparison(seed):
    """atlas.layout._spread compares neighbours only and joins clusters by union-find: the
    same offsets and cluster sizes as comparing every pair, for scattered marks, marks
    sharing a few places and chains that join across rounds."""
    import random

    from atlas.layout import _spread

    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    n = rng.choice([1, 2, 5, 40, 150])
    places = [(rng.uniform(0, 600), rng.uniform(0, 400)) for _ in range(rng.choice([1, 3, 12]))]
    anchors = {}
    for i in range(n):
        if seed % 3 == 0:  # scattered, closely: pairs touch across the bins of _touching
            anchors[i] = (rng.uniform(0, 300), rng.uniform(0, 200))
        else:  # on a few places, some a little off them
            x, y = rng.choice(places)
            anchors[i] = (x + rng.choice([0.0, rng.uniform(-20, 20)]), y)
    big = seed % 2 == 0  # every mark large: two may touch at twice the largest radius
    radii = {i: 25.0 if big else rng.choice([3.0, 5.0, rng.uniform(2, 30)]) for i in anchors}
    fast, slow = _spread(anchors, radii), _spread_every_pair(anchors, radii)
    assert fast[1] == slow[1]
    assert fast[0].keys() == slow[0].keys()
    for i in fast[0]:
        assert fast[0][i] == pytest.approx(slow[0][i], abs=1e-9)


def test_a_mark_touching_the_larger_of_two_at_one_spot_joins_them_at_once():
    """Two marks at one spot (a small one first in draw order, then a large one) and a third
    that touches only the large one: one ring of three from the first round, as comparing
    every pair gives, not a ring of two that the third meets later."""
    from atlas.layout import _spread

    anchors = {0: (0.0, 0.0), 1: (0.0, 0.0), 2: (30.0, 0.0)}
    radii = {0: 25.0, 1: 3.0, 2: 5.0}
    fast, slow = _spread(anchors, radii), _spread_every_pair(anchors, radii)
    assert fast[1] == slow[1] == {0: 3, 1: 3, 2: 3}
    for i in anchors:
        assert fast[0][i] == pytest.approx(slow[0][i], abs=1e-9)


def test_a_world_pixel_past_the_mercator_square_stays_at_its_edge():
    from atlas.layout import from_world

    for y, lat in ((-1e6, 85.0511), (1e6, -85.0511), (256.0, 0.0)):
        assert from_world(256.0, y) == pytest.approx((0.0, lat), abs=1e-4)
