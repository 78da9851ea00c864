"""Admin-1 units (provinces) and countries: which one a point is in, and checks.

Province names are the ``name_en`` values of geo/data/provinces.geojson ("Liaoning",
"Jilin", "North Pyongan" ...); every module that stores an admin-1 uses them.

Functions take coordinates as longitude, latitude (in that order), EPSG:4326.

Points near the China–DPRK border need care. The boundary runs down the Yalu and
Tumen rivers, the towns face each other across them, and the 1:10m polygons are
simplified to about 600 m. Plain point-in-polygon puts the GeoNames point of Hyesan
(DPRK) in Jilin and those of Musan and Chunggang in China. So `assign_admin1` can be told
each point's country, and can accept the nearest province of that country within a
small tolerance; `check_admin1` accepts a point that lies within `ADMIN1_TOLERANCE_DEG`
of the province it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.layers import COUNTRIES_PATH, CRS, PROVINCES_PATH, read_layer
from geo.names import ADMIN_SUFFIXES, CITY_SUFFIXES, loose_key, name_key

# 0.05° is about 5.5 km north-south and 4 km east-west at 42° N. It covers the width of
# the border rivers, the ~600 m simplification of the polygons, the ~100 m gap between
# the rivers and the drawn boundary, and towns on an estuary or coast that the 1:10m
# coastline leaves in the sea (measured: the worst crossing town is 0.7 km outside its
# province). It is far smaller than any province, so a point in the wrong province
# is still caught unless it lies right on that province's edge.
ADMIN1_TOLERANCE_DEG = 0.05

_LABEL_COLUMNS = ("name", "name_en", "name_zh", "name_ko", "name_local", "iso_3166_2")
# Spellings the layer lacks: South Korean (Revised Romanization) names of DPRK provinces,
# short Korean forms, and the DPRK's "Ryanggang" as Seoul writes it. Keyed by name_en.
ADMIN1_ALIASES: dict[str, tuple[str, ...]] = {
    "North Pyongan": ("Pyonganbuk-do", "Pyongan-bukdo", "평북"),
    "South Pyongan": ("Pyongannam-do", "Pyongan-namdo", "평남"),
    "Chagang": ("Jagang", "Jagang-do"),
    "Ryanggang": ("Yanggang", "Yanggang-do", "양강도"),
    "North Hamgyong": ("Hamgyongbuk-do", "Hamgyong-bukdo", "함북"),
    "South Hamgyong": ("Hamgyongnam-do", "Hamgyong-namdo", "함남"),
    "North Hwanghae": ("Hwanghaebuk-do", "황북"),
    "South Hwanghae": ("Hwanghaenam-do", "황남"),
    "Rason": ("Rajin-Sonbong", "Rasŏn", "라선"),
}


@cache
def load_provinces() -> gpd.GeoDataFrame:
    """The admin-1 layer (EPSG:4326), read once; do not modify the returned frame."""
    return read_layer(PROVINCES_PATH)


@cache
def load_countries() -> gpd.GeoDataFrame:
    """The admin-0 layer (EPSG:4326), read once; do not modify the returned frame."""
    return read_layer(COUNTRIES_PATH)


def _label_keys(label: str) -> set[str]:
    # "Jilin Sheng", "吉林省", "Chagang-do" and "Jilin", "吉林", "Chagang" agree.
    return {name_key(label), loose_key(label, ADMIN_SUFFIXES + CITY_SUFFIXES)} - {""}


@cache
def _province_keys() -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(name_en, iso_a2, label keys) for every province."""
    out = []
    for row in load_provinces().itertuples(index=False):
        labels: set[str] = set()
        for column in _LABEL_COLUMNS:
            value = getattr(row, column)
            if isinstance(value, str):
                # name_local holds variants separated by "|", some with stray tabs
                for part in value.split("|"):
                    labels |= _label_keys(part.strip())
        for alias in ADMIN1_ALIASES.get(row.name_en, ()) if row.iso_a2 == "KP" else ():
            labels |= _label_keys(alias)
        out.append((row.name_en, row.iso_a2, frozenset(labels)))
    return tuple(out)


def find_provinces(label: str, country: str | None = None) -> list[str]:
    """Return the `name_en` of every province that `label` can name.

    `label` is compared, ignoring case, diacritics and suffixes such as " Sheng", "省" or
    "-do", with each province's name, name_en, name_zh, name_ko, name_local and ISO
    3166-2 code. Several can match ("강원도" is Kangwon in the DPRK and Gangwon in the
    ROK); `country` (ISO2) narrows the search.
    """
    keys = _label_keys(label)
    return [
        name
        for name, iso_a2, labels in _province_keys()
        if keys & labels and (country is None or iso_a2 == country)
    ]


def _as_country_list(country: str | Sequence[str | None] | None, n: int) -> list[str | None]:
    if country is None or isinstance(country, str):
        return [country] * n
    countries = list(country)
    if len(countries) != n:
        raise ValueError(f"{len(countries)} countries for {n} points")
    return countries


def assign_admin1(
    lon: Sequence[float],
    lat: Sequence[float],
    *,
    country: str | Sequence[str | None] | None = None,
    tolerance: float = 0.0,
) -> list[str | None]:
    """Return the admin-1 `name_en` containing each (lon, lat) point, or None.

    Note the order: longitudes first, then latitudes (EPSG:4326).

    `country` (one ISO2 code, or one per point) restricts each point to provinces of
    that country. With `tolerance` > 0 (degrees), a point in no such province takes
    the nearest one within that distance (a border-river or coastal town). Points
    with missing coordinates, or outside the layer (it covers lon 92..136, lat 8..47),
    get None.
    """
    lons = np.asarray(lon, dtype=float)
    lats = np.asarray(lat, dtype=float)
    if lons.shape != lats.shape:
        raise ValueError("lon and lat differ in length")
    countries = _as_country_list(country, len(lons))
    provinces = load_provinces()[["name_en", "iso_a2", "geometry"]]
    points = gpd.GeoDataFrame(
        {"country": countries}, geometry=gpd.points_from_xy(lons, lats), crs=CRS
    )
    valid = np.isfinite(lons) & np.isfinite(lats)
    joined = gpd.sjoin(points[valid], provinces, how="inner", predicate="intersects")
    wanted = joined["country"].isna() | (joined["country"] == joined["iso_a2"])
    joined = joined[wanted].sort_values("index_right", kind="stable")
    found = joined.groupby(level=0)["name_en"].first()
    result: list[str | None] = [found.get(i) for i in range(len(lons))]

    missing = [i for i in range(len(lons)) if result[i] is None and valid[i]]
    if tolerance > 0 and missing:
        geometries = points.geometry.values[missing]
        near_point, near_province = provinces.sindex.query(
            geometries, predicate="dwithin", distance=tolerance
        )
        best: dict[int, tuple[float, int]] = {}
        for p, q in zip(near_point, near_province, strict=True):
            i = missing[p]
            if countries[i] is not None and provinces["iso_a2"].iat[q] != countries[i]:
                continue
            distance = shapely.distance(geometries[p], provinces.geometry.iat[q])
            if i not in best or (distance, q) < best[i]:
                best[i] = (distance, q)
        for i, (_, q) in best.items():
            result[i] = provinces["name_en"].iat[q]
    return result


@dataclass(frozen=True)
class Mismatch:
    """A row whose coordinates do not lie in the admin-1 unit it names."""

    row_id: object
    admin1: str  # as written in the row
    found: str | None  # the province (name_en) the point lies in, if any
    distance_deg: float | None  # from the named province; None if the name is unknown
    reason: Literal["outside", "unknown admin1"]


def check_admin1(
    frame: pd.DataFrame,
    lon_col: str = "longitude",
    lat_col: str = "latitude",
    admin1_col: str = "admin1",
    id_col: str | None = None,
    country_col: str | None = None,
    tolerance: float = ADMIN1_TOLERANCE_DEG,
) -> list[Mismatch]:
    """Return the rows whose point lies outside the admin-1 they name.

    A point within `tolerance` degrees of its named province counts as consistent (see
    `ADMIN1_TOLERANCE_DEG`). Rows without coordinates or without an admin-1 are
    skipped. An admin-1 that names no known province is reported as "unknown admin1".
    `id_col` identifies rows in the result (the frame's index if None); `country_col`
    (ISO2) narrows which provinces a name can refer to.
    """
    provinces = load_provinces().set_index("name_en")
    lon = pd.to_numeric(frame[lon_col], errors="coerce")
    lat = pd.to_numeric(frame[lat_col], errors="coerce")
    label = frame[admin1_col].astype("string").str.strip()
    usable = (lon.notna() & lat.notna() & label.notna() & (label != "")).to_numpy()
    ids = frame.index.to_series() if id_col is None else frame[id_col]
    countries = (
        frame[country_col].astype("string").fillna("")
        if country_col
        else pd.Series("", index=frame.index)
    )
    found: list[tuple[int, Mismatch]] = []
    # One lookup per (admin1, country) and one vectorised distance per group: fast at
    # hundreds of thousands of imported rows.
    positions = pd.Series(range(len(frame)), index=frame.index)[usable]
    groups = pd.DataFrame(
        {"label": label[usable], "country": countries[usable], "pos": positions}
    ).groupby(["label", "country"], sort=False)["pos"]
    for (name, country), rows in groups:
        where = rows.to_numpy()
        names = find_provinces(str(name), country or None)
        if not names:
            found += [
                (i, Mismatch(ids.iloc[i], str(name), None, None, "unknown admin1")) for i in where
            ]
            continue
        points = shapely.points(lon.to_numpy()[where], lat.to_numpy()[where])
        distance = np.min([shapely.distance(points, g) for g in provinces.geometry[names]], axis=0)
        far = distance > tolerance
        if not far.any():
            continue
        inside = assign_admin1(
            list(lon.to_numpy()[where][far]),
            list(lat.to_numpy()[where][far]),
            country=country or None,
        )
        for i, d, province in zip(where[far], distance[far], inside, strict=True):
            found.append(
                (i, Mismatch(ids.iloc[i], str(name), province, round(float(d), 4), "outside"))
            )
    return [m for _, m in sorted(found, key=lambda pair: pair[0])]


def representative_point(
    kind: Literal["admin1", "admin0"], names: str | Sequence[str]
) -> tuple[float, float]:
    """Return (lon, lat), rounded to 4 decimals, of a point inside the named unit(s).

    `kind` "admin1" takes provinces by `name_en`, "admin0" countries by ADM0_A3 code.
    Several names give a point inside their union (e.g. "Northeast China"). The point
    is shapely's representative point, computed in degrees: guaranteed to lie inside
    the polygon, which is all a province- or country-level coordinate claims. This
    matches the ``ne_admin1:``/``ne_admin1_union:``/``ne_admin0:`` coordinate bases.
    """
    wanted = [names] if isinstance(names, str) else list(names)
    if kind == "admin1":
        layer, column = load_provinces(), "name_en"
        values = layer[column].str.casefold()
        wanted_values = [n.casefold() for n in wanted]
    elif kind == "admin0":
        layer, column = load_countries(), "ADM0_A3"
        values, wanted_values = layer[column], wanted
    else:
        raise ValueError(f"unknown kind {kind!r}")
    geometries = []
    for name, value in zip(wanted, wanted_values, strict=True):
        match = layer.geometry[values == value]
        if len(match) != 1:
            raise ValueError(f"{kind} {name!r} matches {len(match)} features, not 1")
        geometries.append(match.iloc[0])
    # One polygon is used as it is: a union would re-node it and move the point.
    geometry = geometries[0] if len(geometries) == 1 else shapely.union_all(geometries)
    point = geometry.representative_point()
    return (round(point.x, 4), round(point.y, 4))
