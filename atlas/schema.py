"""The dataset's columns and controlled vocabularies.

This module is the single source of truth for what a valid row looks like; data/README.md
documents the same vocabularies and tests/test_schema_documented.py fails when the two
drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- event types -------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    code: str
    label: str
    description: str
    colour: tuple[int, int, int]  # Okabe–Ito palette: distinguishable with colour-blindness


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("detention", "Detention / arrest", "People detained or arrested.", (213, 94, 0)),
    EventType(
        "transfer",
        "Transfer inside China",
        "Detainees moved between places in China.",
        (230, 159, 0),
    ),
    EventType(
        "repatriation", "Forced repatriation", "People returned to the DPRK.", (204, 121, 167)
    ),
    EventType(
        "crackdown",
        "Border security / crackdown",
        "Border security, policing or crackdown measures.",
        (0, 114, 178),
    ),
    EventType(
        "official_statement",
        "Official statement",
        "A statement or position of the Chinese (or DPRK) authorities or state media.",
        (86, 180, 233),
    ),
    EventType(
        "international_response",
        "International response",
        "UN bodies, governments, hearings, letters.",
        (0, 158, 115),
    ),
    EventType(
        "context",
        "Context",
        "Background events: deaths, executions, treaties, laws, games.",
        (120, 120, 120),
    ),
    EventType(
        "held",
        "Held in detention (stock)",
        "People held as of a date (a count of detainees at a time, not an event).",
        (240, 228, 66),
    ),
)
EVENT_TYPE_CODES = tuple(e.code for e in EVENT_TYPES)
# Words people use for the types, offered as suggestions (never applied without a person).
EVENT_TYPE_HINTS = {
    "arrest": "detention",
    "arrested": "detention",
    "arrests": "detention",
    "detained": "detention",
    "abduction": "detention",
    "deportation": "repatriation",
    "deported": "repatriation",
    "refoulement": "repatriation",
    "returned": "repatriation",
    "forced return": "repatriation",
    "repatriated": "repatriation",
    "moved": "transfer",
    "statement": "official_statement",
    "raid": "crackdown",
    "border control": "crackdown",
    "un": "international_response",
    "background": "context",
}
EVENT_TYPE_BY_CODE = {e.code: e for e in EVENT_TYPES}

# Flows: events that happen to people (detained, moved, returned). Their counts add up per
# type over a period. Stocks: people held as of a date (everyone known to be detained at
# one time); a stock is a state, never an event, and is never added to a flow nor to
# another stock. Only these types carry people counts: statements, responses and context
# carry none, so totals never count the same people twice through a letter about them.
FLOW_TYPES = ("detention", "transfer", "repatriation")
STOCK_TYPES = ("held",)
PEOPLE_EVENT_TYPES = (*FLOW_TYPES, *STOCK_TYPES)

# --- dates -------------------------------------------------------------------------------

DATE_PRECISIONS: dict[str, str] = {
    "day": "A single known day: date_start = date_end.",
    "range": "Somewhere between date_start and date_end (both bounds stated or reasoned).",
    "month_part": "Early (1–10), mid (11–20) or late (21–end) part of a month.",
    "month": "Some time in the month: first to last day.",
    "year": "Some time in the year: 1 January to 31 December.",
    "on_or_before": "Known only from a report: date_start = date_end = its date (the last day "
    "of its month when only the month is given).",
    "as_of": "A state (people held, fortifications standing) seen or reported as current on "
    "or over these dates; not an event of those dates.",
}

# --- places ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeoPrecision:
    code: str
    meaning: str
    radius_km: float | None  # nominal uncertainty drawn on the map; None = drawn as an area


GEO_PRECISIONS: tuple[GeoPrecision, ...] = (
    GeoPrecision("exact", "A specific site.", 0.5),
    GeoPrecision("city", "A city or town: the GeoNames point of the place named.", 10.0),
    GeoPrecision("near", "Near a named place: the place's point, uncertain by tens of km.", 50.0),
    GeoPrecision("border", "Along the China–DPRK border: a point on the border line.", None),
    GeoPrecision("province", "A province (admin-1): its representative point.", None),
    GeoPrecision("region", "Several provinces or countries: their representative point.", None),
    GeoPrecision("country", "A whole country: its representative point.", None),
    GeoPrecision("multiple", "Several places: see data/places.csv; no single coordinate.", None),
    GeoPrecision(
        "unlocated", "No place stated: on the timeline and in lists, not on the map.", None
    ),
)
GEO_PRECISION_CODES = tuple(g.code for g in GEO_PRECISIONS)
GEO_PRECISION_BY_CODE = {g.code: g for g in GEO_PRECISIONS}
NO_COORDINATE_PRECISIONS = ("multiple", "unlocated")
# The coordinate of these is a representative point of an area (or line), not a location:
# exports never give it as a bare point, and its note says so in words.
AREA_PRECISIONS = ("border", "province", "region", "country")
POINT_PRECISIONS = ("exact", "city", "near")
REPRESENTATIVE_POINT = "Representative point of {area}, not a location."

PLACE_ROLES: dict[str, str] = {
    "site": "Where it happened (one of several places).",
    "origin": "Where a movement started.",
    "destination": "Where a movement ended.",
}

# --- status, sources, people -------------------------------------------------------------

STATUSES: dict[str, str] = {
    "single_source": "One independent source (reports that rest on it do not add one).",
    "corroborated": "Two or more independent sources (reports with an empty relies_on).",
    "officially_confirmed": "On the record from the actor itself or an official body.",
    "disputed": "Denied, or said by a source to be unconfirmed (status_note quotes it).",
}

# What independent sources disagree on; kept apart from the status (how many independent
# sources there are). Several codes are separated by ';'.
DISAGREEMENTS: dict[str, str] = {
    "count": "The reports give different numbers of people.",
    "date": "The reports (or one document) give different dates.",
    "place": "The reports give different places.",
}

SOURCE_TYPES: dict[str, str] = {
    "media": "Independent news media.",
    "state_media": "State-run media.",
    "ngo": "Non-governmental organisation.",
    "un": "United Nations body or mandate holder.",
    "government": "A government, ministry or legislature.",
    "academic": "Academic or think-tank author.",
}

PEOPLE_QUALIFIERS: dict[str, str] = {
    "exact": "A stated number: min = max.",
    "approximate": "'approximately', 'about', 'or so': min = max = the stated number.",
    "range": "'13 to 15': min < max.",
    "at_least": "'at least', 'dozens': min set, no max.",
    "unknown": "No number stated: min and max empty.",
}

# How much of a row may be published (the public tier); what each level hides in each
# output is the policy file's (data/policy.toml, atlas.policy), not this module's. An empty
# cell is "not rated": the policy's `default_level` applies (the bundled policy treats it
# as sensitive). Optional on import: a file without the column loads, every row not rated.
SENSITIVITY_LEVELS: dict[str, str] = {
    "open": "From published material, safe to publish as it is.",
    "sensitive": "Published only in a reduced form (the policy says how: place, date, count, "
    "text, source).",
    "confidential": "Never published: the team tier only.",
}

# --- columns -----------------------------------------------------------------------------

INCIDENT_COLUMNS = (
    "incident_id",
    "title",
    "event_type",
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "date_basis",
    "location_name",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "coord_basis",
    "coord_note",
    "people_min",
    "people_max",
    "people_qualifier",
    "people_text",
    "status",
    "status_note",
    "actor",
    "related_ids",
    "summary",
    "disagreement",
    "may_overlap",
    "sensitivity",
)
PLACE_COLUMNS = (
    "place_id",
    "incident_id",
    "role",
    "location_name",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "coord_basis",
    "note",
)
REPORT_COLUMNS = (
    "report_id",
    "incident_id",
    "source",
    "source_type",
    "source_as_cited",
    "published",
    "document",
    "quote",
    "claim",
    "people_min",
    "people_max",
    "people_text",
    "url",
    "note",
    "relies_on",
    "sensitivity",
)
DOCUMENT_COLUMNS = (
    "document",
    "title",
    "publisher",
    "author",
    "published",
    "published_basis",
    "kind",
)

# Columns a file must have to load at all; the rest may be absent (filled empty).
REQUIRED_INCIDENT_COLUMNS = (
    "incident_id",
    "title",
    "event_type",
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "location_name",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "people_min",
    "people_max",
    "status",
    "summary",
)
REQUIRED_REPORT_COLUMNS = (
    "report_id",
    "incident_id",
    "source",
    "source_type",
    "published",
    "document",
    "quote",
    "people_min",
    "people_max",
    "url",
)
REQUIRED_PLACE_COLUMNS = (
    "place_id",
    "incident_id",
    "role",
    "location_name",
    "latitude",
    "longitude",
    "geo_precision",
)
