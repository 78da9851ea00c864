"""Offline geocoding of imported rows that name a place but give no coordinates.

Each distinct (name, country, admin1) is looked up once in the project's gazetteer
(`geo.gazetteer.resolve`, no network). A unique match gives the row its coordinates,
precision and a basis naming the gazetteer record; an ambiguous name is never resolved
silently: the row stays unlocated until a person chooses a candidate (`Mapping.places`),
and the review lists every candidate. The review is a table a person reads before use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from atlas import schema
from atlas.intake.row import NO_PLACE, Row
from geo.gazetteer import Resolution, resolve
from geo.places import Place

if TYPE_CHECKING:
    from atlas.intake.mapping import Mapping


def candidate_key(place: Place) -> str:
    """A stable, readable key for a candidate: 'name | admin1 | country'."""
    return " | ".join((place.name, place.admin1 or "", place.country or ""))


def describe(place: Place) -> str:
    """'Dandong (Liaoning, CN)'; a name with its own qualifier, "Ji'an (Jilin)", adds only
    the country."""
    admin1 = None if place.name.endswith(")") else place.admin1
    where = ", ".join(p for p in (admin1, place.country) if p)
    return f"{place.name} ({where})" if where else place.name


@dataclass(frozen=True)
class Lookup:
    name: str
    country: str
    admin1: str
    status: str  # found, chosen, ambiguous, not_found
    place: Place | None
    candidates: tuple[Place, ...]
    others: tuple[Place, ...] = ()

    def basis(self) -> str:
        place = self.place
        if place is None:
            return ""
        ref = f"geonames:{place.geonameid}" if place.geonameid else f"curated:{place.place_id}"
        return f"gazetteer {ref}"


def _resolve(name: str, country: str, admin1: str) -> Resolution:
    for args in ((country or None, admin1 or None), (country or None, None), (None, None)):
        try:
            return resolve(name, args[0], admin1=args[1])
        except ValueError:  # a country or province the gazetteer does not know
            continue
    return Resolution(name, "not_found")


def geocode(
    keys: list[tuple[str, str, str]],
    chosen: dict[str, str],
    progress: Callable[[int, int], None] | None = None,
) -> dict[tuple[str, str, str], Lookup]:
    """Look up each (name, country, admin1) once. `chosen` maps a name to the
    `candidate_key` a person picked among its candidates."""
    out = {}
    distinct = list(dict.fromkeys(keys))
    for n, key in enumerate(distinct, start=1):
        name, country, admin1 = key
        result = _resolve(name, country, admin1)
        candidates = tuple(p for p in result.candidates if p.located)
        pick = chosen.get(name)
        picked = next((p for p in result.candidates if candidate_key(p) == pick), None)
        if picked is not None and picked.located:
            out[key] = Lookup(name, country, admin1, "chosen", picked, candidates, result.others)
        elif result.status == "found" and result.match is not None and result.match.located:
            out[key] = Lookup(
                name, country, admin1, "found", result.match, candidates, result.others
            )
        elif result.status == "ambiguous":
            out[key] = Lookup(
                name, country, admin1, "ambiguous", None, result.candidates, result.others
            )
        else:
            out[key] = Lookup(name, country, admin1, "not_found", None, (), result.others)
        if progress is not None:
            progress(n, len(distinct))
    return out


def locate_rows(rows: list[Row], mapping: Mapping, progress) -> pd.DataFrame:
    """Geocode rows with a place name and no coordinates; returns the review table."""

    def key(r: Row) -> tuple[str, str, str]:
        return (r.incident["location_name"], r.incident["country"], r.incident["admin1"])

    wanted: dict[int, tuple[str, str, str]] = {}  # position → key; rows stay packed (`Row`)
    for n, r in enumerate(rows):
        inc = r.incident
        if (
            not inc["latitude"]
            and not inc["longitude"]
            and inc["location_name"]
            and inc["geo_precision"] not in schema.NO_COORDINATE_PRECISIONS
        ):
            wanted[n] = key(r)
        r.pack()
    found = geocode(list(wanted.values()), mapping.places, progress) if wanted else {}
    texts: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}
    for n, r in enumerate(rows):
        inc = r.incident
        if n in wanted:
            hit: Lookup = found[wanted[n]]
            if hit.place is not None:
                place = hit.place
                if wanted[n] not in texts:  # one set of strings per place, not per row
                    texts[wanted[n]] = (
                        str(place.longitude),  # x = longitude (EPSG:4326)
                        str(place.latitude),
                        hit.basis(),
                        f"Geocoded offline from '{hit.name}' to {describe(place)} "
                        f"({place.precision}, confidence {place.confidence:.2f}"
                        f"{', chosen by a person' if hit.status == 'chosen' else ''}).",
                    )
                lon, lat, basis, note = texts[wanted[n]]
                inc["longitude"], inc["latitude"] = lon, lat
                inc["geo_precision"] = place.precision
                inc["admin1"] = inc["admin1"] or (place.admin1 or "")
                inc["country"] = inc["country"] or (place.country or "")
                inc["coord_basis"], inc["coord_note"] = basis, note
                r.pack()
                continue
            if hit.status == "ambiguous":
                message = "the place name is ambiguous: " + "; ".join(
                    describe(p) for p in hit.candidates
                )
                fix = "choose the place on the Data page (saved in the mapping), or give the "
                fix += "province or country"
            else:
                message = "the place name is not in the offline gazetteer"
                fix = "give latitude and longitude, or a better-known name of the place"
            r.fail(
                "location_name",
                hit.name,
                f"{message}. The row loads without a place on the map",
                fix,
                "warning",
            )
            inc["geo_precision"] = "unlocated"
            inc["coord_note"] = f"Place as written: {hit.name} (not located)."
        if not inc["latitude"] and not inc["longitude"] and not inc["geo_precision"]:
            inc["geo_precision"] = "unlocated"
        if not inc["location_name"]:
            inc["location_name"] = NO_PLACE
        r.pack()
    rows_of = Counter(k[0] for k in wanted.values())
    records = []
    for hit in found.values():
        records.append(
            {
                "place as written": hit.name,
                "rows": rows_of[hit.name],
                "status": hit.status,
                "match": describe(hit.place) if hit.place else "",
                "precision": hit.place.precision if hit.place else "",
                "confidence": round(hit.place.confidence, 2) if hit.place else None,
                "candidates": [candidate_key(p) for p in hit.candidates if p.located],
                "minor namesakes": len(hit.others),
            }
        )
    return pd.DataFrame(records)
