"""The map of a large filtered set: grid cells with their counts (atlas.grid), one
pickable square each, instead of one mark per incident (atlas.mapspec)."""

from __future__ import annotations

import math

import pandas as pd
import pydeck as pdk

from atlas.grid import Cell
from atlas.mapspec import CompactDeck, base_layers, basemap_options, crossings_layer, view_of

CELL_LAYER = "cells"
CELL_TOOLTIP = {
    "text": "{count_text} incidents in this cell\n{types_text}\nClick to show them",
    "style": {"maxWidth": "360px", "whiteSpace": "pre-wrap", "fontSize": "12px"},
}


def cell_colour(count: int, top: int) -> list[int]:
    """Yellow (few) to dark red (most), on a log scale relative to the fullest cell."""
    share = math.log1p(count) / math.log1p(max(top, 1))
    low, high = (254, 204, 92), (177, 0, 38)
    return [round(a + (b - a) * share) for a, b in zip(low, high, strict=True)] + [215]


CELL_GAP = 0.04  # of a cell's side, on each side of its square


def build_grid_deck(
    cells: pd.DataFrame,
    crossings: pd.DataFrame,
    selected_cell: Cell | None = None,
    *,
    online_basemap: bool = False,
) -> pdk.Deck:
    """The deck for a large filtered set: grid cells (from `atlas.grid.grid_cells`) with
    their counts, one pickable square each (layer `CELL_LAYER`), instead of incidents."""
    top = int(cells["count"].max()) if len(cells) else 1
    size = float(cells["cell"].iloc[0].split("/")[0]) if len(cells) else 0.0
    # Each square drawn a little inside its cell, so that neighbours stay apart with the
    # map showing between them. Not an outline: picking a stroked polygon layer draws its
    # outline paths too, which in software WebGL (headless Chromium) held a click ~290 ms
    # at 100k incidents, past the 250 ms after which deck.gl no longer counts a press as a
    # click (without them ~45 ms); an outline layer of its own would add ~120 KB per rerun.
    pad = size * CELL_GAP
    digits = max(3, -math.floor(math.log10(pad))) if pad > 0 else 3

    def square(lon: float, lat: float) -> list[list[float]]:
        west, east = round(lon + pad, digits), round(lon + size - pad, digits)
        south, north = round(lat + pad, digits), round(lat + size - pad, digits)
        return [[west, south], [east, south], [east, north], [west, north]]

    records = [
        {
            "cell": c.cell,
            "polygon": square(c.lon, c.lat),
            "count_text": f"{c.count:,}",
            "types_text": c.types_text,
            "colour": cell_colour(c.count, top),
        }
        for c in cells[["cell", "lon", "lat", "count", "types_text"]].itertuples(index=False)
    ]
    layers = base_layers()
    layers.append(
        pdk.Layer(
            "PolygonLayer",
            id=CELL_LAYER,
            data=records,
            get_polygon="polygon",
            get_fill_color="colour",
            stroked=False,
            filled=True,
            pickable=True,
        )
    )
    if selected_cell is not None:  # the cell being drilled into, outlined
        x, y, s = selected_cell.lon, selected_cell.lat, selected_cell.size
        layers.append(
            pdk.Layer(
                "PolygonLayer",
                id="selected-cell",
                data=[{"polygon": [[x, y], [x + s, y], [x + s, y + s], [x, y + s]]}],
                get_polygon="polygon",
                filled=False,
                stroked=True,
                get_line_color=[0, 0, 0, 255],
                line_width_min_pixels=2,
                pickable=False,
            )
        )
    layers.append(crossings_layer(crossings, pickable=False))
    return CompactDeck(
        layers=layers,
        initial_view_state=view_of(selected_cell),
        tooltip=CELL_TOOLTIP,
        **basemap_options(online_basemap),
    )
