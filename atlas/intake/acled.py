"""ACLED exports, read with ACLED's own columns and codes.

Detected by their columns (`is_acled`).
time_precision 1 = the day, 2 = the week around event_date (±3 days), 3 = the month;
geo_precision 1 = the town (`city`), 2 = near or part of a region (`near`), 3 = a larger
region, coded to its capital (`province`); `source` lists sources separated by ';', each a
report. ACLED's event types are mapped by `ACLED_EVENT_TYPES` (overridable per value in the
mapping). ACLED's fatalities, tags, actor codes and timestamp are not carried: the atlas
counts people detained or returned, not deaths.
"""

from __future__ import annotations

from datetime import date, timedelta

from atlas.intake.formats import RawTable
from atlas.intake.mapping import Mapping, column_key
from atlas.intake.row import DATE_FIELDS, Row, admin1_name, default_status, set_country, set_dates
from atlas.intake.values import DateSpan, ValueProblem, ascii_number, parse_date

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


def is_acled(columns: list[str]) -> bool:
    keys = {column_key(c) for c in columns}
    return set(ACLED_REQUIRED) <= keys


def acled_row(rec: dict[str, str], raw: RawTable, mapping: Mapping, today: date) -> Row:
    keys = {column_key(c): c for c in raw.columns}
    row = Row(raw.file, int(rec["_line"]))

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
        set_dates(row, span, raw_date, today, keys.get("event_date", "event_date"))
    except ValueProblem as exc:
        row.fail(
            keys.get("time_precision" if "time_precision" in exc.message else "event_date", ""),
            precision if "time_precision" in exc.message else raw_date,
            exc.message,
            exc.fix,
            fields=DATE_FIELDS,
        )
    set_country(row, get("country"), keys.get("country", "country"))
    inc["admin1"] = admin1_name(get("admin1"), inc["country"])
    inc["location_name"] = get("location")
    inc["latitude"], inc["longitude"] = (
        ascii_number(get("latitude")),
        ascii_number(get("longitude")),
    )
    geo = get("geo_precision")
    inc["geo_precision"] = ACLED_GEO_PRECISION.get(geo, "")
    if not inc["geo_precision"]:
        row.fail(
            keys.get("geo_precision", ""),
            geo,
            "is not an ACLED geo_precision code",
            "use 1 (town), 2 (near or part of a region) or 3 (region)",
            fields=("geo_precision", "latitude", "longitude"),
        )
    inc["coord_basis"] = f"ACLED geo_precision {geo}"
    inc["people_qualifier"] = "unknown"
    actors = [a for a in (get("actor1"), get("actor2")) if a]
    inc["actor"] = "; ".join(actors)
    inc["summary"] = get("notes")
    inc["title"] = " — ".join(p for p in (sub or main, get("location")) if p)
    row.sources = [s.strip() for s in get("source").split(";") if s.strip()]
    inc["status"] = default_status(row)
    scale = get("source_scale")
    row.report = {"note": f"ACLED source_scale: {scale}" if scale else ""}
    return row
