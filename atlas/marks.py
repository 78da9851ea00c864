"""What the incident map draws of each incident, before the deck (atlas.mapspec): its
points (located ones at their place, each place of a multi-place one, the unlocated ones
for the tray), sized by people (`pixel_radius`), coloured by type, with the uncertainty
they carry (`halo_km`), laid out so that none hides another (`map_marks`, atlas.layout);
its movement arcs and border line; and the records the deck's layers read.

`MarkSource` holds all of that for every incident of a table, worked out once: a filter
set's map takes its incidents' share (ui.data keeps a small table's per version).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd

from atlas import schema
from atlas.coordinates import BasisError, basis_radius_km, border_path
from atlas.layout import VIEWPORT, MapView, Tray, layout_marks

POINT_RADIUS_KM = {g.code: g.radius_km for g in schema.GEO_PRECISIONS}
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
    (the same deck JSON; a map built in 77-84 ms against 122-132 ms when this came in,
    2026-11, bench scenario)."""
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


def point_records(points: pd.DataFrame, extra: list[str]) -> list[dict]:
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


def crossing_records(crossings: pd.DataFrame) -> list[dict]:
    """The located crossings as the crossings layer draws them."""
    located = crossings[crossings["located"]]
    return located.assign(lon=located["longitude"], lat=located["latitude"])[
        ["crossing_id", "name", "lon", "lat"]
    ].to_dict("records")


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
    return laid_out(_points(visible, places), width, height)


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


def laid_out(
    points: pd.DataFrame, width: float, height: float
) -> tuple[pd.DataFrame, MapView, Tray | None]:
    """`points` laid out (atlas.layout.layout_marks) in a map of `width` × `height` px."""
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
        for r in point_records(
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
    return _source_of(_narrow(table, MARK_COLUMNS), places, crossings)


def _source_of(rows: pd.DataFrame, places: pd.DataFrame, crossings: pd.DataFrame) -> MarkSource:
    """The `MarkSource` of the (narrowed) incident `rows`."""
    places = _narrow(places, PLACE_COLUMNS)
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


def mark_records(marks: pd.DataFrame, extra: list[str]) -> list[dict]:
    """The marks as records, drawn where the layout put them (`x_lon`, `x_lat`)."""
    return _rows(marks, extra, marks["x_lon"].round(5).tolist(), marks["x_lat"].round(5).tolist())


def period_source(frame: pd.DataFrame, places: pd.DataFrame, crossings: pd.DataFrame) -> MarkSource:
    """The `MarkSource` of a filtered frame's in-period rows alone, when no table's is kept
    (a large table filtered to few rows, the team database's frame, a session's import)."""
    rows = _narrow(frame, MARK_COLUMNS)
    return _source_of(rows[rows["in_period"].to_numpy(dtype=bool)], places, crossings)


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
