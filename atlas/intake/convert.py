"""A table as read (`RawTable`) → the dataset's four tables of strings, row by row.

Each row of the file becomes one incident and one report per source it names, all with the
row's number in `_line`, so that every later problem points to the row of the file. What
cannot be read (a date, a count) is a problem on that row, and the row is left out; what
the file does not say is filled only where the rule is stated here and shown to the user:

- no id: `row-N`; no title: "type · place · date"; no summary: the title;
- no status: `corroborated` when the row names two or more sources, else `single_source`
  (the definitions in `atlas.schema.STATUSES`);
- coordinates without a precision: `city`; a place name without coordinates: geocoded
  offline (`atlas.intake.geocode`), or `unlocated` when not found or ambiguous;
- no source: the file itself is the row's source;
- 03/04/2013: read in the mapping's date order, else in the order the column's
  unambiguous dates show (25/12/2013 is day/month); an error when nothing settles it.

ACLED exports (detected by their columns) are read with ACLED's own codes:
time_precision 1 = the day, 2 = the week around event_date (±3 days), 3 = the month;
geo_precision 1 = the town (`city`), 2 = near or part of a region (`near`), 3 = a larger
region, coded to its capital (`province`); `source` lists sources separated by ';', each a
report. ACLED's event types are mapped by `ACLED_EVENT_TYPES` (overridable per value in the
mapping). ACLED's fatalities, tags, actor codes and timestamp are not carried: the atlas
counts people detained or returned, not deaths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from atlas import schema
from atlas.intake.formats import GEOMETRY_PRECISION, RawTable
from atlas.intake.geocode import Lookup, candidate_key, describe, geocode
from atlas.intake.mapping import Mapping, column_key
from atlas.intake.values import (
    DateSpan,
    ValueProblem,
    check_not_future,
    event_type_code,
    numeric_order,
    parse_count,
    parse_date,
    parse_people,
    parse_span,
)
from atlas.loading import COLUMNS
from atlas.validation import Problem, records

ACLED_REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
)
# ACLED sub-event type (first) or event type → the atlas's event type.
ACLED_EVENT_TYPES = {
    "Arrests": "detention",
    "Abduction/forced disappearance": "detention",
    "Violence against civilians": "crackdown",
    "Strategic developments": "context",
    "Protests": "context",
    "Riots": "context",
    "Battles": "context",
    "Explosions/Remote violence": "context",
}
ACLED_GEO_PRECISION = {"1": "city", "2": "near", "3": "province"}
NO_PLACE = "(no place stated)"


def is_acled(columns: list[str]) -> bool:
    keys = {column_key(c) for c in columns}
    return set(ACLED_REQUIRED) <= keys


@dataclass
class Converted:
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    review: pd.DataFrame = field(default_factory=pd.DataFrame)  # geocoding, one row a name
    layout: str = "flat"


class _Row:
    """One row of the file being turned into an incident; problems collect on it."""

    def __init__(self, file: str, line: int):
        self.file, self.line = file, line
        self.problems: list[Problem] = []
        self.incident: dict[str, str] = {c: "" for c in schema.INCIDENT_COLUMNS}
        self.sources: list[str] = []
        self.report: dict[str, str] = {}

    def fail(
        self, column: str, value: str, message: str, fix: str, severity: str = "error"
    ) -> None:
        self.problems.append(
            Problem(self.file, self.line, column, value[:200], message, fix, severity)
        )


def _set_dates(row: _Row, span: DateSpan, raw: str, today: date, column: str) -> None:
    try:
        check_not_future(span, raw, today)
    except ValueProblem as exc:
        row.fail(column, raw, exc.message, exc.fix)
        return
    row.incident.update(
        date_start=span.start.isoformat(),
        date_end=span.end.isoformat(),
        date_precision=span.precision,
        date_text=raw,
        date_basis=span.basis,
    )


def _status(row: _Row, given: str) -> str:
    return given or ("corroborated" if len(set(row.sources)) >= 2 else "single_source")


def _country(raw: str) -> str:
    from geo.places import country_code

    value = raw.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return (country_code(value) if value else None) or value


def _admin1(raw: str, country: str) -> str:
    from geo.admin import find_provinces

    if not raw:
        return ""
    try:
        found = find_provinces(raw, country or None)
    except (ValueError, KeyError):
        return raw
    return found[0] if len(found) == 1 else raw


def _title(row: _Row) -> str:
    label = schema.EVENT_TYPE_BY_CODE.get(row.incident["event_type"])
    parts = (
        label.label if label else row.incident["event_type"],
        row.incident["location_name"],
        row.incident["date_text"],
    )
    return " · ".join(p for p in parts if p and p != NO_PLACE)


def _flat_row(rec: dict[str, str], raw: RawTable, mapping: Mapping, today: date) -> _Row:
    row = _Row(raw.file, int(rec["_line"]))

    def get(name: str) -> str:
        column = mapping.column(name)
        return rec.get(column, "").strip() if column else ""

    def col(name: str) -> str:
        return mapping.column(name) or name

    inc = row.incident
    inc["incident_id"] = get("incident_id") or f"row-{row.line}"
    inc["title"] = get("title")  # empty: made from type, place and date in `convert`
    inc["event_type"] = event_type_code(get("event_type"), mapping.event_types)
    try:
        if get("date_start") or get("date_end"):
            start, end = get("date_start") or get("date_end"), get("date_end") or get("date_start")
            span = parse_span(start, end, mapping.date_order)
            raw_text = start if start == end else f"{start} – {end}"
            _set_dates(row, span, raw_text, today, col("date_start"))
        else:
            _set_dates(
                row, parse_date(get("date"), mapping.date_order), get("date"), today, col("date")
            )
    except ValueProblem as exc:
        column = col("date") if mapping.column("date") else col("date_start")
        row.fail(column, get("date") or get("date_start"), exc.message, exc.fix)
    inc["country"] = _country(get("country"))
    inc["admin1"] = _admin1(get("admin1"), inc["country"])
    inc["location_name"] = get("location_name")
    inc["latitude"], inc["longitude"] = get("latitude"), get("longitude")
    inc["geo_precision"] = get("geo_precision").lower()
    if not inc["geo_precision"] and mapping.column("latitude") == "geometry_latitude":
        inc["geo_precision"] = rec.get(GEOMETRY_PRECISION, "")  # an area's, by its size
    if inc["latitude"] or inc["longitude"]:
        if not inc["geo_precision"]:
            inc["geo_precision"] = "city"
            inc["coord_note"] = "The file gives no location precision: drawn as city-level."
        inc["coord_basis"] = f"imported: {raw.file}, row {row.line}"
        if not inc["location_name"]:
            inc["location_name"] = f"{inc['latitude']}, {inc['longitude']}"
    people_raw = get("people")
    if people_raw:
        try:
            people = parse_people(people_raw)
            inc["people_min"] = "" if people.low is None else str(people.low)
            inc["people_max"] = "" if people.high is None else str(people.high)
            inc["people_qualifier"], inc["people_text"] = people.qualifier, people.text
        except ValueProblem as exc:
            row.fail(col("people"), people_raw, exc.message, exc.fix)
    elif get("people_min") or get("people_max"):
        for name in ("people_min", "people_max"):
            try:
                count = parse_count(get(name))
                inc[name] = "" if count is None else str(count)
            except ValueProblem as exc:
                row.fail(col(name), get(name), exc.message, exc.fix)
        inc["people_qualifier"] = _qualifier(inc["people_min"], inc["people_max"])
    else:
        inc["people_qualifier"] = "unknown"
    inc["actor"], inc["summary"] = get("actor"), get("summary")
    row.sources = [s.strip() for s in get("source").replace("\n", ";").split(";") if s.strip()]
    inc["status"] = _status(row, get("status").lower().replace(" ", "_"))
    row.report = {
        "source_type": get("source_type").lower().replace(" ", "_"),
        "url": get("url"),
        "quote": get("quote"),
    }
    return row


def _qualifier(low: str, high: str) -> str:
    if low and high:
        return "exact" if low == high else "range"
    if low:
        return "at_least"
    return "unknown" if not high else "range"  # max alone: the rules report it


def _acled_row(rec: dict[str, str], raw: RawTable, mapping: Mapping, today: date) -> _Row:
    keys = {column_key(c): c for c in raw.columns}
    row = _Row(raw.file, int(rec["_line"]))

    def get(name: str) -> str:
        return rec.get(keys.get(name, ""), "").strip()

    inc = row.incident
    inc["incident_id"] = get("event_id_cnty") or f"row-{row.line}"
    sub, main = get("sub_event_type"), get("event_type")
    code = mapping.event_types.get(sub) or mapping.event_types.get(main)
    inc["event_type"] = code or ACLED_EVENT_TYPES.get(sub) or ACLED_EVENT_TYPES.get(main) or main
    raw_date, precision = get("event_date"), get("time_precision")
    try:
        day = parse_date(raw_date, "DMY")
        if day.precision != "day":
            raise ValueProblem(f"{raw_date!r} is not a day", "ACLED's event_date is a day")
        if precision == "1":
            span = day
        elif precision == "2":
            d = day.start
            span = DateSpan(
                d - timedelta(days=3),
                d + timedelta(days=3),
                "range",
                "ACLED time_precision 2: some day in the week around event_date",
            )
        elif precision == "3":
            month = parse_date(day.start.strftime("%Y-%m"))
            span = DateSpan(month.start, month.end, "month", "ACLED time_precision 3: the month")
        else:
            raise ValueProblem(
                f"time_precision {precision!r} is not an ACLED code",
                "use 1 (day), 2 (week) or 3 (month)",
            )
        _set_dates(row, span, raw_date, today, keys.get("event_date", "event_date"))
    except ValueProblem as exc:
        row.fail(
            keys.get("time_precision" if "time_precision" in exc.message else "event_date", ""),
            precision if "time_precision" in exc.message else raw_date,
            exc.message,
            exc.fix,
        )
    inc["country"] = _country(get("country"))
    inc["admin1"] = _admin1(get("admin1"), inc["country"])
    inc["location_name"] = get("location")
    inc["latitude"], inc["longitude"] = get("latitude"), get("longitude")
    geo = get("geo_precision")
    inc["geo_precision"] = ACLED_GEO_PRECISION.get(geo, "")
    if not inc["geo_precision"]:
        row.fail(
            keys.get("geo_precision", ""),
            geo,
            "is not an ACLED geo_precision code",
            "use 1 (town), 2 (near or part of a region) or 3 (region)",
        )
    inc["coord_basis"] = f"ACLED geo_precision {geo}"
    inc["people_qualifier"] = "unknown"
    actors = [a for a in (get("actor1"), get("actor2")) if a]
    inc["actor"] = "; ".join(actors)
    inc["summary"] = get("notes")
    inc["title"] = " — ".join(p for p in (sub or main, get("location")) if p)
    row.sources = [s.strip() for s in get("source").split(";") if s.strip()]
    inc["status"] = _status(row, "")
    scale = get("source_scale")
    row.report = {"note": f"ACLED source_scale: {scale}" if scale else ""}
    return row


def _locate(rows: list[_Row], mapping: Mapping, progress) -> pd.DataFrame:
    """Geocode rows with a place name and no coordinates; returns the review table."""
    wanted = [
        r
        for r in rows
        if not r.incident["latitude"]
        and not r.incident["longitude"]
        and r.incident["location_name"]
        and r.incident["geo_precision"] not in schema.NO_COORDINATE_PRECISIONS
    ]

    def key(r: _Row) -> tuple[str, str, str]:
        return (r.incident["location_name"], r.incident["country"], r.incident["admin1"])

    found = geocode([key(r) for r in wanted], mapping.places, progress) if wanted else {}
    asked = {id(r) for r in wanted}
    for r in rows:
        inc = r.incident
        if id(r) in asked:
            hit: Lookup = found[key(r)]
            if hit.place is not None:
                place = hit.place
                inc["longitude"] = str(place.longitude)  # x = longitude (EPSG:4326)
                inc["latitude"] = str(place.latitude)
                inc["geo_precision"] = place.precision
                inc["admin1"] = inc["admin1"] or (place.admin1 or "")
                inc["country"] = inc["country"] or (place.country or "")
                inc["coord_basis"] = hit.basis()
                inc["coord_note"] = (
                    f"Geocoded offline from '{hit.name}' to {describe(place)} "
                    f"({place.precision}, confidence {place.confidence:.2f}"
                    f"{', chosen by a person' if hit.status == 'chosen' else ''})."
                )
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
    rows_of = Counter(key(r)[0] for r in wanted)
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


def convert(
    raw: RawTable,
    mapping: Mapping,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Converted:
    """Turn `raw` into the four tables; rows with problems that are errors are left out."""
    today = today or date.today()
    acled = is_acled(raw.columns)
    missing = [] if acled else _missing_fields(mapping)
    if missing or not acled and set(mapping.columns.values()) - set(raw.columns):
        problems = [
            Problem(
                raw.file,
                None,
                name,
                "",
                "no column is mapped to this required field",
                "choose its column on the Data page (or in the mapping file)",
            )
            for name in missing
        ]
        problems += [
            Problem(
                raw.file,
                None,
                column,
                name,
                f"the mapping takes '{name}' from this column, which the file does not have",
                "choose one of the file's columns on the Data page (or fix the mapping file)",
            )
            for name, column in mapping.columns.items()
            if not acled and column not in raw.columns
        ]
        return Converted(_empty_tables(), problems, layout="flat")
    if not acled and mapping.date_order == "auto":
        mapping = replace(mapping, date_order=_column_order(raw, mapping))
    build = _acled_row if acled else _flat_row
    bad_lines = {p.row for p in raw.problems if p.is_error}
    rows = [
        build(rec, raw, mapping, today)
        for rec in records(raw.frame)
        if int(rec["_line"]) not in bad_lines
    ]
    review = _locate(rows, mapping, progress)
    incidents, reports = [], []
    for row in rows:
        inc = row.incident
        inc["title"] = inc["title"] or _title(row)
        inc["summary"] = inc["summary"] or inc["title"]
        if any(p.is_error for p in row.problems):
            continue
        incidents.append({**inc, "_line": row.line})
        sources = row.sources or [raw.file]
        for k, source in enumerate(sources, start=1):
            report = {c: "" for c in schema.REPORT_COLUMNS}
            report.update(
                report_id=f"r{row.line}-{k}",  # unique by construction: row and position
                incident_id=inc["incident_id"],
                source=source,
                document=raw.file,
                _line=row.line,
            )
            if k == 1:  # one quote or link on the row: it goes with the first source
                report.update({key: v for key, v in row.report.items() if key != "note"})
            report["source_type"] = row.report.get("source_type", "")
            report["note"] = row.report.get("note", "") or (
                "" if row.sources else "The row names no source: the imported file is its source."
            )
            reports.append(report)
    tables = _empty_tables()
    tables["incidents"] = _table(incidents, "incidents")
    tables["reports"] = _table(reports, "reports")
    tables["documents"] = _table(
        [{"document": raw.file, "title": raw.file, "kind": "import", "_line": 2}], "documents"
    )
    problems = [p for row in rows for p in row.problems]
    return Converted(tables, problems, review, "ACLED" if acled else "flat")


def _column_order(raw: RawTable, mapping: Mapping) -> str:
    """'DMY' or 'MDY' when the date columns' unambiguous dd/mm/yyyy values settle it (25/12
    is day/month, so 03/04 in the same column is too), else 'auto'."""
    columns = [mapping.column(n) for n in ("date", "date_start", "date_end")]
    values = [v for c in columns if c in raw.frame for v in raw.frame[c]]
    return numeric_order(values) or "auto"


def _missing_fields(mapping: Mapping) -> list[str]:
    missing = []
    if not mapping.column("event_type"):
        missing.append("event_type")
    if not (mapping.column("date") or mapping.column("date_start")):
        missing.append("date")
    return missing


def _table(records: list[dict], name: str) -> pd.DataFrame:
    columns = [*COLUMNS[name], "_line"]
    frame = pd.DataFrame(records, columns=columns)
    for column in COLUMNS[name]:
        frame[column] = frame[column].astype(object).fillna("")  # unfilled: float NaN
    return frame


def _empty_tables() -> dict[str, pd.DataFrame]:
    return {name: _table([], name) for name in COLUMNS}
