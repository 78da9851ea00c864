"""The map as data: `build_deck` returns a pydeck Deck that tests inspect without a browser.

Offline by default: no basemap provider; base outlines are GeoJSON files under static/geo/
that the browser fetches once (Streamlit static serving), not data re-sent every rerun.
Everything from the data reaches the browser as values and is shown through deck.gl's
plain-text tooltip, never as HTML.
"""

from __future__ import annotations

import copy
import json
import math
import weakref
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from atlas import schema
from atlas.grid import Cell
from atlas.layout import VIEWPORT, Tray
from atlas.marks import (
    MarkSource,
    crossing_records,
    laid_out,
    mark_records,
    period_source,
    point_records,
)
from atlas.paths import GEO_DATA_DIR

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
TOOLTIP = {
    "text": "{title}\n{type_label} · {date_text}\nPeople: {people_label}\n"
    "Place: {location_name} ({geo_precision})\nSources ({n_sources}): {sources_text}",
    "style": {"maxWidth": "360px", "whiteSpace": "pre-wrap", "fontSize": "12px"},
}


class CompactDeck(pdk.Deck):
    """A Deck whose JSON (what Streamlit sends every rerun) has no indentation: pydeck
    pretty-prints it, which makes point data about four times larger. Text stays UTF-8
    rather than \\u escapes (six bytes for each "·" of a cell's tooltip, or any Korean or
    Chinese character).

    `freeze()` serialises it once: a deck shared by many sessions (ui.data caches them) is
    not turned into JSON again on every rerun that draws it, and must not change after."""

    _frozen: str | None = None

    def to_json(self) -> str:
        if self._frozen is not None:
            return self._frozen
        return json.dumps(
            self,
            sort_keys=True,
            default=default_serialize,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def freeze(self) -> CompactDeck:
        """Keep this deck's JSON from now on (what Streamlit sends); returns the deck.
        Frames in layers become records first, as `st.pydeck_chart` does before it
        serialises (pydeck cannot serialise a pandas 3 frame)."""
        for layer in self.layers:
            data = getattr(layer, "data", None)
            data = data() if isinstance(data, weakref.ref) else data
            if isinstance(data, pd.DataFrame):
                layer.data = data.to_dict(orient="records")
        self._frozen = None
        self._frozen = self.to_json()
        return self

    def with_layer(self, layer: pdk.Layer) -> CompactDeck:
        """A frozen copy with `layer` drawn last (the selection ring over a shared deck):
        this deck is left as it is, its layers' data already records."""
        out = copy.copy(self)
        out.layers = [*self.layers, layer]
        return out.freeze()


def base_layers() -> list[pdk.Layer]:
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


def basemap_options(online: bool) -> dict:
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


def crossings_layer(crossings: pd.DataFrame | list[dict], *, pickable: bool = True) -> pdk.Layer:
    """The border crossings (a frame, or its `crossing_records`) as white dots."""
    return pdk.Layer(
        "ScatterplotLayer",
        id="crossings",
        data=crossings if isinstance(crossings, list) else crossing_records(crossings),
        get_position=["lon", "lat"],
        get_radius=4,
        radius_units=PIXELS,
        get_fill_color=[255, 255, 255, 255],
        get_line_color=[40, 40, 40, 255],
        stroked=True,
        line_width_min_pixels=1.5,
        pickable=pickable,
    )


@cache
def _province_shapes() -> dict[str, dict]:
    with open(GEO_DATA_DIR / "provinces.geojson", encoding="utf-8") as f:
        return {feat["properties"]["name_en"]: feat for feat in json.load(f)["features"]}


def _province_layers(marks: pd.DataFrame) -> list[pdk.Layer]:
    """Province-level places: the province's outline and its name, not a point's ring."""
    rows = marks[(marks["geo_precision"] == "province") & marks["admin1"].notna()]
    rows = rows.drop_duplicates("admin1")
    shapes = _province_shapes()
    feats = [shapes[n] for n in rows["admin1"] if n in shapes]
    return [
        pdk.Layer(
            "GeoJsonLayer",
            id="province-outlines",
            data={"type": "FeatureCollection", "features": feats},
            stroked=True,
            filled=False,
            get_line_color=[70, 70, 70, 220],
            line_width_min_pixels=2,
            pickable=False,
        ),
        pdk.Layer(
            "TextLayer",
            id="province-labels",
            data=[
                {"text": f"{n} (whole province)", "lon": lon, "lat": lat}
                for n, lon, lat in zip(
                    rows["admin1"], rows["longitude"], rows["latitude"], strict=True
                )
            ],
            get_position=["lon", "lat"],
            get_text="text",
            get_size=12,
            get_color=[50, 50, 50, 255],
            get_pixel_offset=[0, 22],
            character_set=pdk.types.String("auto"),
            pickable=False,
        ),
    ]


def _tray_layers(tray: Tray | None) -> list[pdk.Layer]:
    if tray is None:
        return []
    return [
        pdk.Layer(
            "PolygonLayer",
            id="tray",
            data=[{"polygon": tray.polygon()}],
            get_polygon="polygon",
            get_fill_color=[255, 255, 255, 235],
            get_line_color=[90, 90, 90, 255],
            stroked=True,
            filled=True,
            line_width_min_pixels=1,
            pickable=False,
        ),
        pdk.Layer(
            "TextLayer",
            id="tray-label",
            data=[{"text": tray.label, "lon": tray.west, "lat": tray.north}],
            get_position=["lon", "lat"],
            get_text="text",
            get_size=12,
            get_color=[40, 40, 40, 255],
            get_text_anchor=pdk.types.String("start"),
            get_alignment_baseline=pdk.types.String("top"),
            get_pixel_offset=[6, 4],
            pickable=False,
        ),
    ]


def build_deck(
    frame: pd.DataFrame,
    places: pd.DataFrame,
    crossings: pd.DataFrame,
    selected: str | None = None,
    *,
    online_basemap: bool = False,
    cell: Cell | None = None,
    height: int = VIEWPORT[1],
    width: int = VIEWPORT[0],
) -> pdk.Deck:
    """The deck for the in-period rows of `frame` (the one filtered frame), one mark per
    incident and place, fitted to them in a map `height` px tall; centred on `cell` when
    one is selected (and `width` px wide: the embed fits its frame); `selected` ringed."""
    deck, marks = deck_and_marks(
        frame, places, crossings, online_basemap=online_basemap, cell=cell, height=height,
        width=width,
    )  # fmt: skip
    if selected:
        deck.layers.append(selection_layer(selection_rings(marks).get(selected, [])))
    return deck


def selection_rings(marks: pd.DataFrame) -> dict[str, list[dict]]:
    """Per incident, the ring records of its marks (a multi-place incident has several)."""
    rings: dict[str, list[dict]] = {}
    for rec in mark_records(marks, ["radius"]) if len(marks) else []:
        rings.setdefault(rec["incident_id"], []).append(rec)
    return rings


def selection_layer(rings: list[dict]) -> pdk.Layer:
    """The black ring around each mark of the selected incident, drawn over everything."""
    return pdk.Layer(
        "ScatterplotLayer",
        id="selection",
        data=rings,
        get_position=["lon", "lat"],
        get_radius="radius + 4",
        radius_units=PIXELS,
        filled=False,
        stroked=True,
        get_line_color=[0, 0, 0, 255],
        line_width_min_pixels=3,
        pickable=False,
    )


def deck_and_marks(
    frame: pd.DataFrame,
    places: pd.DataFrame,
    crossings: pd.DataFrame,
    *,
    online_basemap: bool = False,
    cell: Cell | None = None,
    height: int = VIEWPORT[1],
    width: int = VIEWPORT[0],
    source: MarkSource | None = None,
) -> tuple[CompactDeck, pd.DataFrame]:
    """`build_deck` without a selection, and the marks it draws (`map_marks`). `source`:
    the `MarkSource` of the table `frame` was filtered from (ui.data keeps a small
    table's), else the in-period rows' own is worked out."""
    shown = frame["in_period"].to_numpy(dtype=bool)
    if source is None:
        source = period_source(frame, places, crossings)
    ids = frame["incident_id"].to_numpy()[shown]
    marks, view, tray = laid_out(source.points_of(ids), width, height)
    filled = marks["people_min"].notna() if len(marks) else marks.index == 0
    located = marks[~marks["in_tray"]] if len(marks) else marks
    layers = base_layers()
    if len(located):
        layers += _province_layers(located)
    layers += _tray_layers(tray)
    layers.append(
        pdk.Layer(
            "PathLayer",
            id="incidents-border",
            data=source.border_of(ids),
            get_path="path",
            get_color="colour",
            width_min_pixels=6,
            pickable=True,
        )
    )
    near = located[located["geo_precision"] == "near"] if len(located) else located
    layers.append(
        pdk.Layer(  # "near": a thin ring of the real uncertainty around the true place
            "ScatterplotLayer",
            id="incidents-area",
            data=point_records(
                near.assign(colour=[c[:3] + [200] for c in near["colour"]]), ["colour", "halo_m"]
            )
            if len(near)
            else [],
            get_position=["lon", "lat"],
            get_radius="halo_m",
            radius_units=METERS,
            filled=False,
            stroked=True,
            get_line_color="colour",
            get_line_width=1.5,
            line_width_units=PIXELS,
            pickable=False,
        )
    )
    layers.append(
        pdk.Layer(
            "ArcLayer",
            id="movements",
            data=source.arcs_of(ids),
            get_source_position="from",
            get_target_position="to",
            get_source_color="colour",
            get_target_color="colour",
            get_width=3,
            pickable=True,
            # an arc rises in 3D: without this it wins the depth test over the marks drawn
            # after it (the Kunming detention lay under its transfer's arc)
            parameters={"depthWriteEnabled": False, "depthTest": False},
        )
    )
    spread = located[located["shared"] > 1] if len(located) else located
    layers.append(
        pdk.Layer(  # from a shared place to each of its marks
            "LineLayer",
            id="shared-leaders",
            data=[
                {"from": [a, b], "to": [c, d]}
                for a, b, c, d in zip(
                    spread["longitude"],
                    spread["latitude"],
                    spread["x_lon"],
                    spread["x_lat"],
                    strict=True,
                )
            ],
            get_source_position="from",
            get_target_position="to",
            get_color=[60, 60, 60, 200],
            get_width=1,
            pickable=False,
        )
    )
    layers.append(crossings_layer([dict(r) for r in source.crossings]))
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            id="incidents",
            data=mark_records(marks[filled], ["colour", "radius"]),
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
            data=mark_records(marks[~filled], ["colour", "radius"]),
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units=PIXELS,
            get_fill_color=[255, 255, 255, 1],  # nearly clear, so the whole disc picks
            get_line_color="colour",
            filled=True,
            stroked=True,
            line_width_min_pixels=2.5,
            pickable=True,
        )
    )
    fitted = pdk.ViewState(
        longitude=view.longitude,
        latitude=view.latitude,
        zoom=view.zoom,
        min_zoom=min(VIEW.min_zoom, view.zoom),
        max_zoom=VIEW.max_zoom,
    )
    deck = CompactDeck(
        layers=layers,
        initial_view_state=view_of(cell) if cell else fitted,
        tooltip=TOOLTIP,
        **basemap_options(online_basemap),
    )
    return deck, marks


@dataclass(frozen=True)
class LegendEntry:
    kind: str  # type, unknown, near, province, tray, crossing
    label: str
    colour: tuple[int, int, int] | None = None


def legend_entries(frame: pd.DataFrame) -> list[LegendEntry]:
    """The compact legend: the event types present in the period, then how to read only the
    kinds of mark drawn (hollow = count unknown, ring = near, outline = province, tray)."""
    # the three columns read as arrays, not the visible rows of every column (per rerun)
    shown = frame["in_period"].to_numpy(dtype=bool)
    present = set(frame["event_type"].to_numpy()[shown])
    entries = [
        LegendEntry("type", e.label, e.colour) for e in schema.EVENT_TYPES if e.code in present
    ]
    precision = set(frame["geo_precision"].to_numpy()[shown])
    if frame["people_min"].isna().to_numpy()[shown].any():
        entries.append(LegendEntry("unknown", "hollow: count not stated"))
    entries.append(LegendEntry("type", "size: people (area)", None))
    if "near" in precision:
        entries.append(LegendEntry("near", "ring: near a place (~50 km)"))
    if "province" in precision or "multiple" in precision:
        entries.append(LegendEntry("province", "outline: a whole province"))
    if precision & {"country", "region", "unlocated"}:
        entries.append(LegendEntry("tray", "box: whole country / not stated / elsewhere"))
    entries.append(LegendEntry("crossing", "white dot: border crossing"))
    return entries
