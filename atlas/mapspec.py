"""The map as data: `build_deck` returns a pydeck Deck that tests inspect without a browser.

Offline by default: no basemap provider; base outlines are GeoJSON files under static/geo/
that the browser fetches once (Streamlit static serving), not data re-sent every rerun.
Everything from the data reaches the browser as values and is shown through deck.gl's
plain-text tooltip, never as HTML.
"""

from __future__ import annotations

import json
import math
from functools import cache

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from atlas import schema
from atlas.coordinates import BasisError, basis_radius_km, border_path
from atlas.grid import Cell

STATIC_GEO = "app/static/geo"  # relative to the page: works behind iframes and on any port
BASE_LAYERS = (  # (file, fill RGBA, line RGBA, line width px)
    ("countries.geojson", [245, 243, 238, 255], [120, 120, 120, 255], 1),
    ("provinces.geojson", [0, 0, 0, 0], [185, 185, 185, 255], 0.5),
    ("rivers.geojson", [0, 0, 0, 0], [110, 160, 210, 255], 1),
    ("border.geojson", [0, 0, 0, 0], [60, 60, 60, 255], 2),
)
VIEW = pdk.ViewState(longitude=116.0, latitude=34.0, zoom=3.4, min_zoom=2, max_zoom=11)
# pydeck reads any plain string as an accessor expression ("@@=pixels"): constants that are
# strings must be wrapped.
PIXELS, METERS = pdk.types.String("pixels"), pdk.types.String("meters")
WIDE = ("country", "region")  # drawn as thin faint rings: they span most of the map
POINT_RADIUS_KM = {g.code: g.radius_km for g in schema.GEO_PRECISIONS}
TOOLTIP = {
    "text": "{title}\n{type_label} · {date_text}\nPeople: {people_label}\n"
    "Place: {location_name} ({geo_precision})\nSources ({n_sources}): {sources_text}",
    "style": {"maxWidth": "360px", "whiteSpace": "pre-wrap", "fontSize": "12px"},
}
CELL_LAYER = "cells"
CELL_TOOLTIP = {
    "text": "{count_text} incidents in this cell\n{types_text}\nClick to show them",
    "style": {"maxWidth": "360px", "whiteSpace": "pre-wrap", "fontSize": "12px"},
}
POINT_COLUMNS = [
    "incident_id",
    "title",
    "type_label",
    "date_text",
    "people_label",
    "location_name",
    "geo_precision",
    "n_sources",
    "sources_text",
]


# one polygon area per distinct basis, not per point (thousands of points share a province)
_basis_radius_km = cache(basis_radius_km)


def halo_km(precision: str, basis: str, admin1: str) -> float:
    """Radius of the uncertainty drawn around a point: the precision's nominal radius, else
    the size of the area its basis names; a province-level point without such a basis (an
    import, e.g. ACLED geo_precision 3) takes the size of the province its row names."""
    radius = POINT_RADIUS_KM.get(precision) or _basis_radius_km(basis)
    if radius is None and precision == "province" and admin1:
        try:
            radius = _basis_radius_km(f"ne_admin1:{admin1}")
        except BasisError:  # not a province of the outlines: no halo rather than a wrong one
            radius = None
    return radius or 0.0


def _colour(event_type: str, alpha: int = 230) -> list[int]:
    return [*schema.EVENT_TYPE_BY_CODE[event_type].colour, alpha]


def pixel_radius(people_max, people_min) -> float:
    """Square-root scale: area proportional to people (max of the range when known)."""
    count = people_max if not pd.isna(people_max) else people_min
    return 5.0 if pd.isna(count) else 5.0 + 1.6 * math.sqrt(float(count))


def map_points(frame: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """One row per drawn point: located incidents, plus each place of a multi-place one."""
    own = frame[frame["latitude"].notna()].copy()
    multi = frame[frame["geo_precision"] == "multiple"]
    extra = places[places["incident_id"].isin(multi["incident_id"])].merge(
        multi.drop(
            columns=["latitude", "longitude", "geo_precision", "location_name", "coord_basis"]
        ),
        on="incident_id",
    )
    extra["location_name"] = extra["location_name"] + " (one of " + extra["place_names"] + ")"
    points = pd.concat([own, extra], ignore_index=True)
    if points.empty:
        return points.assign(sources_text="", colour=[], radius=[], halo_m=[])
    points["sources_text"] = points["sources"].apply(", ".join)
    points["colour"] = [_colour(t) for t in points["event_type"]]
    points["radius"] = [
        pixel_radius(hi, lo)
        for hi, lo in zip(points["people_max"], points["people_min"], strict=True)
    ]
    points["halo_m"] = [
        1000 * halo_km(p, b, a)
        for p, b, a in zip(
            points["geo_precision"],
            points["coord_basis"].fillna(""),
            points["admin1"].fillna(""),
            strict=True,
        )
    ]
    return points


def _records(points: pd.DataFrame, extra: list[str]) -> list[dict]:
    cols = [c for c in POINT_COLUMNS + extra if c in points]
    out = points[cols].copy()
    out["lon"], out["lat"] = points["longitude"], points["latitude"]
    return out.to_dict("records")


class CompactDeck(pdk.Deck):
    """A Deck whose JSON (what Streamlit sends every rerun) has no indentation: pydeck
    pretty-prints it, which makes point data about four times larger. Text stays UTF-8
    rather than \\u escapes (six bytes for each "·" of a cell's tooltip, or any Korean or
    Chinese character)."""

    def to_json(self) -> str:
        return json.dumps(
            self,
            sort_keys=True,
            default=default_serialize,
            separators=(",", ":"),
            ensure_ascii=False,
        )


def _base_layers() -> list[pdk.Layer]:
    return [
        pdk.Layer(
            "GeoJsonLayer",
            id=f"base-{name.split('.')[0]}",
            data=f"{STATIC_GEO}/{name}",
            stroked=True,
            filled=fill[3] > 0,
            get_fill_color=fill,
            get_line_color=line,
            line_width_min_pixels=width,
            pickable=False,
        )
        for name, fill, line, width in BASE_LAYERS
    ]


def _basemap(online: bool) -> dict:
    # Offline: map_provider=None and map_style left unset draw no basemap and make no
    # request (map_style=None would make Streamlit fetch a Carto basemap).
    return {"map_provider": "carto", "map_style": "light"} if online else {"map_provider": None}


CELL_VIEW_PX = 300  # a selected cell's height on the map


def view_of(cell: Cell | None) -> pdk.ViewState:
    """The whole region, or centred on a selected grid cell so that its height (the larger
    side in Web Mercator) is ~300 px: the world is 512 px wide at deck.gl's zoom 0, and a
    degree of latitude 1/cos(latitude) times longer than one of longitude."""
    if cell is None:
        return VIEW
    lon, lat = cell.centre()
    zoom = min(
        VIEW.max_zoom,
        math.log2(CELL_VIEW_PX * 360 * math.cos(math.radians(lat)) / (512 * cell.size)),
    )
    return pdk.ViewState(
        longitude=lon, latitude=lat, zoom=round(zoom, 2), min_zoom=2, max_zoom=VIEW.max_zoom
    )


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
    layers = _base_layers()
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
    layers.append(_crossings_layer(crossings, pickable=False))
    return CompactDeck(
        layers=layers,
        initial_view_state=view_of(selected_cell),
        tooltip=CELL_TOOLTIP,
        **_basemap(online_basemap),
    )


def _crossings_layer(crossings: pd.DataFrame, *, pickable: bool = True) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        id="crossings",
        data=crossings[crossings["located"]]
        .assign(lon=crossings["longitude"], lat=crossings["latitude"])[
            ["crossing_id", "name", "lon", "lat"]
        ]
        .to_dict("records"),
        get_position=["lon", "lat"],
        get_radius=4,
        radius_units=PIXELS,
        get_fill_color=[255, 255, 255, 255],
        get_line_color=[40, 40, 40, 255],
        stroked=True,
        line_width_min_pixels=1.5,
        pickable=pickable,
    )


def build_deck(
    frame: pd.DataFrame,
    places: pd.DataFrame,
    crossings: pd.DataFrame,
    selected: str | None = None,
    *,
    online_basemap: bool = False,
    cell: Cell | None = None,
) -> pdk.Deck:
    """The deck for the in-period rows of `frame` (the one filtered frame), one mark per
    incident; centred on `cell` when one is selected."""
    visible = frame[frame["in_period"]]
    points = map_points(visible, places)
    exact = points[points["geo_precision"].isin(("exact", "city"))] if len(points) else points
    areas = points[~points.index.isin(exact.index)] if len(points) else points
    known = exact[exact["people_min"].notna()] if len(exact) else exact
    unknown = exact[exact["people_min"].isna()] if len(exact) else exact
    layers = _base_layers()
    border_rows = visible[visible["geo_precision"] == "border"]
    layers.append(
        pdk.Layer(
            "PathLayer",
            id="incidents-border",
            data=[
                {**r, "path": border_path(), "colour": _colour(r["event_type"], 150)}
                for r in _records(
                    border_rows.assign(sources_text=border_rows["sources"].apply(", ".join)),
                    ["event_type"],
                )
            ],
            get_path="path",
            get_color="colour",
            width_min_pixels=6,
            pickable=True,
        )
    )
    if len(areas):  # country/region halos span most of the map: thin and faint
        wide = areas["geo_precision"].isin(WIDE)
        areas = areas.assign(
            colour=[c[:3] + [70 if w else 220] for c, w in zip(areas["colour"], wide, strict=True)],
            ring_px=[1.0 if w else 2.5 for w in wide],
        )
    layers.append(
        pdk.Layer(  # areas and "near": a halo the size of the uncertainty
            "ScatterplotLayer",
            id="incidents-area",
            data=_records(areas, ["colour", "halo_m", "ring_px"]),
            get_position=["lon", "lat"],
            get_radius="halo_m",
            radius_units=METERS,
            get_fill_color=[0, 0, 0, 0],
            get_line_color="colour",
            stroked=True,
            filled=False,
            get_line_width="ring_px",
            line_width_units=PIXELS,
            pickable=True,
        )
    )
    layers.append(
        pdk.Layer(
            "ArcLayer",
            id="movements",
            data=_arcs(visible, places),
            get_source_position="from",
            get_target_position="to",
            get_source_color="colour",
            get_target_color="colour",
            get_width=3,
            pickable=True,
        )
    )
    layers.append(_crossings_layer(crossings))
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            id="incidents",
            data=_records(known, ["colour", "radius"]),
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units=PIXELS,
            get_fill_color="colour",
            get_line_color=[255, 255, 255, 255],
            stroked=True,
            line_width_min_pixels=1,
            pickable=True,
        )
    )
    layers.append(
        pdk.Layer(  # unknown counts: hollow rings, never a size that pretends
            "ScatterplotLayer",
            id="incidents-unknown-count",
            data=_records(unknown, ["colour", "radius"]),
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units=PIXELS,
            filled=False,
            stroked=True,
            get_line_color="colour",
            line_width_min_pixels=2.5,
            pickable=True,
        )
    )
    if selected:
        sel = points[points["incident_id"] == selected]
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="selection",
                data=_records(sel, ["radius"]),
                get_position=["lon", "lat"],
                get_radius="radius + 6",
                radius_units=PIXELS,
                filled=False,
                stroked=True,
                get_line_color=[0, 0, 0, 255],
                line_width_min_pixels=3,
                pickable=False,
            )
        )
    return CompactDeck(
        layers=layers, initial_view_state=view_of(cell), tooltip=TOOLTIP, **_basemap(online_basemap)
    )


def _arcs(visible: pd.DataFrame, places: pd.DataFrame) -> list[dict]:
    arcs = []
    for rec in visible[visible["geo_precision"] == "multiple"].to_dict("records"):
        own = places[places["incident_id"] == rec["incident_id"]]
        origins, ends = own[own["role"] == "origin"], own[own["role"] == "destination"]
        for o in origins.to_dict("records"):
            for d in ends.to_dict("records"):
                arcs.append(
                    {
                        "incident_id": rec["incident_id"],
                        "title": rec["title"],
                        "type_label": rec["type_label"],
                        "date_text": rec["date_text"],
                        "people_label": rec["people_label"],
                        "location_name": f"{o['location_name']} → {d['location_name']}",
                        "geo_precision": "movement",
                        "n_sources": rec["n_sources"],
                        "sources_text": ", ".join(rec["sources"]),
                        "from": [o["longitude"], o["latitude"]],
                        "to": [d["longitude"], d["latitude"]],
                        "colour": _colour(rec["event_type"]),
                    }
                )
    return arcs
