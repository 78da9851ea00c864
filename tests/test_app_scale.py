"""AppTest: the aggregated views (grid cells, monthly bins) and the selected map cell."""

from __future__ import annotations

import json

import pytest

from atlas import grid
from atlas.filters import Filters, apply_filters
from atlas.grid import cell_of
from atlas.gridmap import CELL_LAYER
from atlas.incidents import incident_table
from tests.test_app import run, url_of


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _chart(at) -> dict:
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)


@pytest.fixture
def low_limit(monkeypatch):
    """Aggregate the bundled data as if it were large."""
    monkeypatch.setattr(grid, "DETAIL_LIMIT", 5)


def test_large_sets_are_drawn_as_cells_and_monthly_bins(low_limit):
    at = run()
    layers = {layer["id"]: layer for layer in _deck(at)["layers"]}
    assert CELL_LAYER in layers and "incidents" not in layers
    assert layers[CELL_LAYER]["pickable"]
    counted = sum(int(r["count_text"].replace(",", "")) for r in layers[CELL_LAYER]["data"])
    captions = [c.value for c in at.caption]
    switch = next(c for c in captions if "grid cells" in c)
    assert switch.startswith(
        f"{at.metric[0].value} incidents shown as {len(layers[CELL_LAYER]['data'])}"
    )
    assert 0 < counted < int(at.metric[0].value)  # unlocated incidents are in no cell
    chart = _chart(at)  # the detail (monthly bins over the period), above the overview
    assert chart["mark"]["type"] == "bar"
    assert chart["params"][0]["name"] == "brush"


def test_small_sets_stay_individual_incidents():
    at = run()
    layers = {layer["id"] for layer in _deck(at)["layers"]}
    assert "incidents" in layers and CELL_LAYER not in layers
    assert not any("grid cells" in c.value for c in at.caption)


def test_a_cell_in_the_url_narrows_every_view(bundled):
    table = incident_table(bundled)
    first = table[table["longitude"].notna()].iloc[0]
    cell = cell_of(first["longitude"], first["latitude"], 0.5)
    at = run({"cell": cell.name})
    expected = int(apply_filters(table, Filters(cell=cell))["in_period"].sum())
    assert at.metric[0].value == str(expected) and expected < len(table)
    assert url_of(at) == {"cell": [cell.name]}
    assert any("selected map cell" in c.value for c in at.caption)
    view = _deck(at)["initialViewState"]
    assert (view["longitude"], view["latitude"]) == cell.centre()
    at.button(key="cell_clear").click().run()
    assert url_of(at) == {} and at.metric[0].value == str(len(table))


def test_a_bad_cell_in_the_url_is_reported():
    at = run({"cell": "0.5/124.3/40", "type": "detention"})
    assert url_of(at) == {"type": ["detention"]}
    assert any("cell=" in w.value.replace("\\", "") for w in at.warning)  # shown escaped


def test_selected_cell_drills_down_to_finer_cells(low_limit, bundled):
    table = incident_table(bundled)
    cells = grid.grid_cells(apply_filters(table, Filters()), 0.5)
    busiest = cells.iloc[0]
    assert busiest["count"] > 5  # still above the (lowered) limit inside the cell
    at = run({"cell": busiest["cell"]})
    data = {layer["id"]: layer for layer in _deck(at)["layers"]}[CELL_LAYER]["data"]
    assert data and all(r["cell"].startswith("0.05/") for r in data)
