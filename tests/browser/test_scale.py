"""A generated 100k-incident set in the browser: the aggregated map draws, a click on a cell
selects it (URL, count, list, map drill-down), a brush on the timeline narrows map and
timeline. The generated data are deterministic, so their columnar copy (atlas.store) is
kept in the project's git-ignored cache between runs: only the first run pays the load."""

from __future__ import annotations

import re

import pytest

from atlas import synthetic
from atlas.store import default_cache_root
from tests.browser.harness import (
    CELL_COLOURS,
    DARKEST_CELL,
    MAP,
    TIMELINE,
    app_server,
    click_until,
    coloured_pixels,
    metric_value,
    wait_for_map,
    wait_until,
)
from tests.browser.test_dashboard import query

N = 100_000
DETENTION = [(217, 110, 25)]  # a detention bar (opacity 0.9) on white
OVERVIEW_CHART = '[data-testid="stVegaLiteChart"] >> nth=1'  # the timeline's whole-range strip


@pytest.fixture(scope="module")
def big_server(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic") / "data"
    synthetic.write(N, 1, folder)
    cache = {"ATLAS_CACHE_DIR": str(default_cache_root().parent / "store-browser-tests")}
    with app_server(folder, extra_env=cache) as url:
        yield url


def count(page) -> int:
    return int(metric_value(page).replace(",", ""))


def map_caption(page) -> str:
    captions = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    return next((c for c in captions if "grid cells" in c), "")


def test_click_on_a_cell_selects_it_and_narrows_every_view(big_server, page):
    page.goto(big_server)
    wait_for_map(page, timeout=240, colours=CELL_COLOURS)  # first run: loads the data
    assert wait_until(lambda: count(page) == N, timeout=60)
    assert map_caption(page).startswith(f"{N:,} incidents shown as ")
    hits = wait_for_map(page, colours=DARKEST_CELL)  # the busiest cells
    click_until(page, hits, lambda: "cell" in query(page))
    cell = query(page)["cell"][0]
    assert re.fullmatch(r"0\.5/\d+\.\d{3}/\d+\.\d{3}", cell)
    inside = wait_until(lambda: 0 < count(page) < N and count(page), timeout=30)
    assert wait_until(lambda: "selected map cell" in page.content(), timeout=30)
    # the list and the map's switch caption speak of the cell's incidents only
    assert wait_until(lambda: f"of {inside:,} incidents" in page.content(), timeout=30)
    assert map_caption(page).startswith(f"{inside:,} incidents shown as ")
    assert "grid cells of 0.05°" in map_caption(page)  # drilled down
    wait_for_map(page, colours=CELL_COLOURS)


def test_brush_on_the_timeline_narrows_map_and_timeline(big_server, page):
    page.goto(big_server)
    wait_for_map(page, timeout=240, colours=CELL_COLOURS)
    assert wait_until(lambda: count(page) == N, timeout=60)
    chart = page.locator(TIMELINE)
    overview = page.locator(OVERVIEW_CHART)  # the whole-range strip under the detail
    chart.scroll_into_view_if_needed()
    wait_until(lambda: len(coloured_pixels(chart.screenshot(), DETENTION, 40)) > 50, timeout=60)
    before = len(coloured_pixels(overview.screenshot(), DETENTION, 40))
    box = chart.bounding_box()
    y = box["y"] + box["height"] * 0.35
    page.mouse.move(box["x"] + box["width"] * 0.55, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.70, y, steps=12)
    page.mouse.up()
    wait_until(lambda: "from" in query(page) and "to" in query(page), timeout=60)
    after = wait_until(lambda: 0 < count(page) < N and count(page), timeout=60)
    # the map counts only the brushed period …
    assert wait_until(lambda: map_caption(page).startswith(f"{after:,} incidents shown"), 60)
    page.locator(MAP).scroll_into_view_if_needed()
    wait_for_map(page, colours=CELL_COLOURS)
    # … the detail now spans it, and the overview fades the months outside it: fewer
    # full-colour detention bars in the whole-range strip
    overview.scroll_into_view_if_needed()
    assert wait_until(
        lambda: len(coloured_pixels(overview.screenshot(), DETENTION, 40)) < before * 0.8, 60
    )
