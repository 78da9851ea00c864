"""Issue 13, the map's Done-when items in a real browser: for November 2013 every
detention, transfer and return shows in its own colour where the layout puts it and opens
from a click; after 2020 the 500-600 and ~60 returns and the held stocks do too."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.layout import MAP_HEIGHT, VIEWPORT, to_world
from atlas.marks import map_marks
from tests.browser.harness import MAP, browser_page, wait_for_map, wait_until
from tests.browser.test_dashboard import query

VIEWS = {
    "2013-11": (
        "from=2013-11-01&to=2013-11-30",
        Filters(start=date(2013, 11, 1), end=date(2013, 11, 30)),
        ("detention", "transfer", "repatriation"),
    ),
    "post-2020": ("from=2021-01-01", Filters(start=date(2021, 1, 1)), ("repatriation", "held")),
}


def _targets(bundled, filters, types, canvas_w, canvas_h) -> list[dict]:
    """Every mark of an incident of `types`: its screen position in the map's canvas (deck.gl
    centres the view in the canvas), its colour and its radius."""
    frame = apply_filters(incident_table(bundled), filters)
    marks, view, _ = map_marks(
        frame[frame["in_period"]], bundled.places, VIEWPORT[0], MAP_HEIGHT["dashboard"]
    )
    scale = 2**view.zoom
    cx, cy = to_world(view.longitude, view.latitude)
    out = []
    for rec in (
        marks[marks["event_type"].isin(types)].drop_duplicates("incident_id").to_dict("records")
    ):
        x, y = to_world(rec["x_lon"], rec["x_lat"])
        out.append(
            {
                "id": rec["incident_id"],
                "x": (x - cx) * scale + canvas_w / 2,
                "y": (y - cy) * scale + canvas_h / 2,
                "colour": rec["colour"][:3],
                "radius": rec["radius"],
            }
        )
    return out


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_flow_is_visible_in_its_colour_and_opens_from_the_map(
    server, chromium, bundled, name
):
    params, filters, types = VIEWS[name]
    with browser_page(1440, 900) as page:
        page.goto(f"{server}/?{params}")
        wait_for_map(page)
        box = page.locator(MAP).bounding_box()
        targets = _targets(bundled, filters, types, box["width"], box["height"])
        assert len({t["id"] for t in targets}) == (6 if name == "2013-11" else 5)
        png = page.locator(MAP).screenshot()
        image = Image.open(io.BytesIO(png)).convert("RGB")
        sx = image.width / box["width"]
        for t in targets:  # the mark's own colour at its centre: nothing on top of it
            r, g, b = image.getpixel((round(t["x"] * sx), round(t["y"] * sx)))
            want = t["colour"]
            assert abs(r - want[0]) + abs(g - want[1]) + abs(b - want[2]) < 70, (t, (r, g, b))
        for t in {t["id"]: t for t in targets}.values():  # a click on one mark of each
            box = page.locator(MAP).bounding_box()
            for _attempt in range(3):  # software GL: a click may land before picking is ready
                page.mouse.click(box["x"] + t["x"], box["y"] + t["y"])
                try:
                    wait_until(lambda t=t: query(page).get("incident") == [t["id"]], timeout=15)
                    break
                except AssertionError:
                    continue
            assert query(page).get("incident") == [t["id"]], t
