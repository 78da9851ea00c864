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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from atlas import schema
from atlas.coordinates import BasisError, basis_radius_km, border_path
from atlas.grid import Cell
from atlas.layout import VIEWPORT, MapView, Tray, layout_marks
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
POINT_RADIUS_KM = {g.code: g.radius_km for g in schema.GEO_PRECISIONS}
TOOLTIP = {
    "text": "{title}\n{type_label} · {date_text}\nPeople: {people_label}\n"
    "Place: {location_name} ({geo_precision})\nSources ({n_sources}): {sources_text}",
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
# What the map reads of an incident and of a place: the incident table has ~40 columns
# (quotes, notes, keys) and places a geometry; every selection of rows copies each column,
# which was most of building a deck (py-spy, bench/load.py). Narrowed once, on the way in.
MARK_COLUMNS = [
    *POINT_COLUMNS,
    "event_type",
    "in_period",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "coord_basis",
    "people_min",
    "people_max",
    "sources",
    "place_names",
]
PLACE_COLUMNS = [c for c in schema.PLACE_COLUMNS if c not in ("place_id", "note")]


def _narrow(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns of `frame` the map reads, as a plain frame (no geometry), text as Python
    objects: on a few hundred rows, pyarrow's per-column `take` costs more than the copy
    (the same deck JSON; map built in 77-84 ms against 122-132 ms, bench scenario)."""
    out = pd.DataFrame(frame[[c for c in dict.fromkeys(columns) if c in frame]])
    text = out.select_dtypes(include="str").columns
    return out.astype(dict.fromkeys(text, object)) if len(text) else out


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
            # the place's own columns win (admin1: Liaoning for a transfer's destination)
            columns=["latitude", "longitude", "geo_precision", "location_name", "coord_basis"]
            + [c for c in ("admin1", "country") if c in places]
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
    """The points as records at their own place."""
    return _rows(points, extra, points["longitude"].tolist(), points["latitude"].tolist())


def _rows(frame: pd.DataFrame, extra: list[str], lon: list, lat: list) -> list[dict]:
    """Records of the point columns and `extra` of `frame`, with `lon` and `lat`. Built
    from the columns' values (`Series.tolist`: Python scalars, as `to_dict` gives) rather
    than a copy of the columns and `to_dict("records")`: the same records in a fifth of the
    time on a map's few dozen marks (two thirds of it was pandas' per-call overhead)."""
    cols = [c for c in POINT_COLUMNS + extra if c in frame]
    names = [*cols, "lon", "lat"]
    values = [*(frame[c].tolist() for c in cols), lon, lat]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


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


def crossing_records(crossings: pd.DataFrame) -> list[dict]:
    """The located crossings as the crossings layer draws them."""
    located = crossings[crossings["located"]]
    return located.assign(lon=located["longitude"], lat=located["latitude"])[
        ["crossing_id", "name", "lon", "lat"]
    ].to_dict("records")


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


def map_marks(
    visible: pd.DataFrame,
    places: pd.DataFrame,
    width: float = VIEWPORT[0],
    height: float = VIEWPORT[1],
) -> tuple[pd.DataFrame, MapView, Tray | None]:
    """Every mark of the in-period rows `visible`, laid out (atlas.layout): located ones at
    their place (around it when shared), whole-country/region/unstated ones in the tray.
    Border-precision incidents are drawn along the border (`incidents-border`) instead."""
    visible, places = _narrow(visible, MARK_COLUMNS), _narrow(places, PLACE_COLUMNS)
    return _laid_out(_points(visible, places), width, height)


def _points(visible: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """The points of the (narrowed) rows `visible` before layout: `map_points`, then the
    unlocated rows, those of border precision left out. Row by row: the points of some
    rows are those rows' points among all rows' (what `MarkSource` keeps)."""
    points = map_points(visible, places)
    loose = visible[visible["latitude"].isna() & (visible["geo_precision"] != "multiple")]
    if len(loose):
        loose = loose.assign(
            sources_text=loose["sources"].apply(", ".join),
            colour=[_colour(t) for t in loose["event_type"]],
            radius=[
                pixel_radius(hi, lo)
                for hi, lo in zip(loose["people_max"], loose["people_min"], strict=True)
            ],
            halo_m=0.0,
        )
        points = pd.concat([points, loose], ignore_index=True) if len(points) else loose
    if len(points):
        points = points[points["geo_precision"] != "border"]
    return points


def _laid_out(
    points: pd.DataFrame, width: float, height: float
) -> tuple[pd.DataFrame, MapView, Tray | None]:
    if points.empty:
        points = pd.DataFrame(
            columns=[*POINT_COLUMNS, "event_type", "longitude", "latitude", "radius", "colour"]
        )
    return layout_marks(points, width, height)


def _border_records(visible: pd.DataFrame) -> list[dict]:
    """Border-precision rows of the (narrowed) `visible`, as the border layer draws them."""
    rows = visible[visible["geo_precision"] == "border"]
    return [
        {**r, "path": border_path(), "colour": _colour(r["event_type"], 150)}
        for r in _records(
            rows.assign(sources_text=rows["sources"].apply(", ".join)), ["event_type"]
        )
    ]


@dataclass(frozen=True)
class MarkSource:
    """What the incident map draws of each incident of a table, worked out once: its points
    before layout, its movement arcs, its border record, and the crossings' records. A
    filter set's deck (`deck_and_marks(..., source=)`) takes its incidents' share instead
    of working them out from its rows again (~2/3 of building a deck on a small table,
    most of it pandas' per-call overhead). Built by `mark_source` for a table that is
    whole: the frames given with it must be filtered from that table."""

    points: pd.DataFrame
    point_ids: tuple[str, ...]  # points["incident_id"], for membership tests
    arcs: Mapping[str, tuple[dict, ...]]
    border: Mapping[str, dict]
    crossings: tuple[dict, ...]

    def points_of(self, ids) -> pd.DataFrame:
        """The points of the incidents `ids`, in this source's order."""
        wanted = set(ids)
        keep = [i in wanted for i in self.point_ids]
        return self.points if all(keep) else self.points[keep]

    def arcs_of(self, ids) -> list[dict]:
        """The arcs of the incidents `ids`, in their order (copies: decks own their data)."""
        return [dict(arc) for i in ids for arc in self.arcs.get(i, ())]

    def border_of(self, ids) -> list[dict]:
        return [dict(self.border[i]) for i in ids if i in self.border]


def mark_source(table: pd.DataFrame, places: pd.DataFrame, crossings: pd.DataFrame) -> MarkSource:
    """The `MarkSource` of every row of `table` (the unfiltered incident table)."""
    rows, places = _narrow(table, MARK_COLUMNS), _narrow(places, PLACE_COLUMNS)
    points = _points(rows, places).reset_index(drop=True)
    arcs: dict[str, list[dict]] = {}
    for arc in arc_segments(rows, places):
        arcs.setdefault(arc["incident_id"], []).append(arc)
    return MarkSource(
        points=points,
        point_ids=tuple(points["incident_id"]),
        arcs={i: tuple(a) for i, a in arcs.items()},
        border={r["incident_id"]: r for r in _border_records(rows)},
        crossings=tuple(crossing_records(crossings)),
    )


def _mark_records(marks: pd.DataFrame, extra: list[str]) -> list[dict]:
    """The marks as records, drawn where the layout put them (`x_lon`, `x_lat`)."""
    return _rows(marks, extra, marks["x_lon"].round(5).tolist(), marks["x_lat"].round(5).tolist())


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
    for rec in _mark_records(marks, ["radius"]) if len(marks) else []:
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
        rows = _narrow(frame, MARK_COLUMNS)
        source = mark_source(rows[shown], places, crossings)
    ids = frame["incident_id"].to_numpy()[shown]
    marks, view, tray = _laid_out(source.points_of(ids), width, height)
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
            data=_records(
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
            data=_mark_records(marks[filled], ["colour", "radius"]),
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
            data=_mark_records(marks[~filled], ["colour", "radius"]),
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


def arc_segments(visible: pd.DataFrame, places: pd.DataFrame) -> list[dict]:
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
