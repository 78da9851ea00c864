"""The map figure (and the briefing, which draws its map with the same `draw_map`) shows
the web map's design: each mark where atlas.marks.map_marks puts it, in its own colour,
nothing on top of it; the largest counts in the tray at their size."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pytest

from atlas.export.figures import _to_mercator_xy, draw_map, map_figure
from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.marks import map_marks

VIEWS = {
    "2013-11": (
        Filters(start=date(2013, 11, 1), end=date(2013, 11, 30)),
        ("detention", "transfer", "repatriation"),
        6,
    ),
    "post-2020": (Filters(start=date(2021, 1, 1)), ("repatriation", "held"), 5),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_flow_shows_in_its_colour_in_the_map_figure(bundled, crossings, name):
    filters, types, n_incidents = VIEWS[name]
    frame = apply_filters(incident_table(bundled), filters)
    fig = map_figure(frame, bundled.places, crossings)
    ax = fig.axes[0]
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)
    height = pixels.shape[0]
    # the layout the figure used: the axes' shape, scaled as in draw_map
    marks = _figure_marks(ax, frame, bundled)
    flows = marks[marks["event_type"].isin(types)]
    assert flows["incident_id"].nunique() == n_incidents
    for rec in flows.to_dict("records"):
        x, y = ax.transData.transform(_to_mercator_xy(rec["x_lon"], rec["x_lat"]))
        got = pixels[round(height - y), round(x)]
        want = np.array(rec["colour"][:3])
        assert np.abs(got - want).sum() < 70, (rec["incident_id"], got, want)
    plt.close(fig)


def _figure_marks(ax, frame, bundled):
    from atlas.export.figures import MIN_LAYOUT_PX, _axes_points

    w_pt, h_pt = _axes_points(ax)
    h_px = max(h_pt, MIN_LAYOUT_PX)
    marks, _, _ = map_marks(frame[frame["in_period"]], bundled.places, h_px * w_pt / h_pt, h_px)
    return marks


def test_draw_map_sizes_follow_the_people_scale(bundled, crossings):
    from atlas.export.figures import MIN_LAYOUT_PX, _axes_points
    from atlas.marks import pixel_radius

    frame = apply_filters(incident_table(bundled), VIEWS["post-2020"][0])
    fig, ax = plt.subplots(figsize=(8, 6))
    draw_map(ax, frame, bundled.places, crossings)
    w_pt, h_pt = _axes_points(ax)
    to_pt = w_pt / (max(h_pt, MIN_LAYOUT_PX) * w_pt / h_pt)
    sizes = sorted(s for c in ax.collections for s in getattr(c, "get_sizes", list)())
    # the ~2,000 held is the largest mark, of the web map's radius scaled to the axes
    assert sizes[-1] == pytest.approx((2 * pixel_radius(2000, 2000) * to_pt) ** 2)
    assert sizes[-2] == pytest.approx((2 * pixel_radius(float("nan"), 1170) * to_pt) ** 2)
    plt.close(fig)
