"""The dataset's rules, file by file and across files. Pure: frames of strings in, Problems out."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping

import pandas as pd

from atlas import schema
from atlas.crossrow import IncidentFacts, facts_of, lines, repeated_ids, source_types
from atlas.evidence import validate_evidence, validate_incident_model
from atlas.validation import (
    ISO2,
    PARTIAL_DATE,
    SLUG,
    Problem,
    _vocab,
    check_coordinates,
    check_counts,
    check_dates,
    check_people,
    records,
    row_of,
    unknown_incident,
)


def _required_text(
    file: str, row: int, rec: dict[str, str], columns: tuple[str, ...]
) -> list[Problem]:
    return [
        Problem(file, row, col, "", "is empty", f"fill in '{col}' (see data/README.md)")
        for col in columns
        if not rec.get(col, "").strip()
    ]


def check_sensitivity(file: str, row: int, rec: dict) -> list[Problem]:
    """An empty sensitivity is "not rated" (the policy's default level); else a level."""
    level = rec.get("sensitivity", "")
    if not level:
        return []
    return _vocab(file, row, "sensitivity", level, schema.SENSITIVITY_LEVELS)


def _duplicates(
    file: str, frame: pd.DataFrame, column: str, repeated: Mapping[str, int] | None = None
) -> list[Problem]:
    """Rows whose id is used on another row. `repeated` (id → the line it is first used on,
    for the ids used more than once) is the whole file's, when `frame` is one block of it."""
    rows = lines(frame)
    if repeated is None:
        repeated = repeated_ids(lambda: [frame.assign(_line=rows)], column)
    return [
        Problem(
            file,
            line,
            column,
            value,
            f"duplicate id (first used on row {repeated[value]})"
            if repeated[value] != line
            else "duplicate id (also on another row)",
            "give every row its own id",
        )
        for value, line in zip(frame[column], rows, strict=True)
        if value and value in repeated
    ]


def _invisible(char: str) -> bool:
    """Control and format characters, line and paragraph separators: RTL overrides and
    other bidi controls, zero-width characters, U+2028 (they hide or reorder an id)."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _id_text(file: str, row: int, value: str) -> list[Problem]:
    """Imported ids may be any text, except what breaks lists and links, or hides."""
    if value and (";" in value or len(value) > 200 or any(map(_invisible, value))):
        return [
            Problem(
                file,
                row,
                "incident_id",
                value,
                "an id may not contain ';', control characters or invisible format "
                "characters (bidi controls such as U+202E, zero-width characters, line "
                "separators), nor exceed 200 characters",
                "shorten the id or replace those characters",
            )
        ]
    return []


def validate_incidents(
    frame: pd.DataFrame,
    file: str = "incidents.csv",
    *,
    strict: bool = True,
    facts: IncidentFacts | None = None,
) -> list[Problem]:
    """`strict` is the curated dataset's provenance rules (slug ids, a coord_basis for every
    coordinate); imports (strict=False) keep every other rule. `facts`: those of the whole
    incidents.csv when `frame` is one block of it (default: `frame`'s own)."""
    facts = facts or IncidentFacts.of(frame)
    problems = _duplicates(file, frame, "incident_id", facts.repeated)
    for i, rec in enumerate(records(frame)):
        row = row_of(rec, i)
        problems += _required_text(
            file, row, rec, ("incident_id", "title", "date_text", "location_name", "summary")
        )
        if not strict:
            problems += _id_text(file, row, rec["incident_id"])
        elif rec["incident_id"] and not SLUG.match(rec["incident_id"]):
            problems.append(
                Problem(
                    file,
                    row,
                    "incident_id",
                    rec["incident_id"],
                    "is not a slug",
                    "use lower-case letters, digits and '-'",
                )
            )
        problems += _vocab(
            file,
            row,
            "event_type",
            rec["event_type"],
            schema.EVENT_TYPE_CODES,
            schema.EVENT_TYPE_HINTS,
        )
        problems += _vocab(file, row, "status", rec["status"], schema.STATUSES)
        problems += check_sensitivity(file, row, rec)
        problems += check_dates(file, row, rec)
        precision = rec["geo_precision"]
        problems += _vocab(file, row, "geo_precision", precision, schema.GEO_PRECISION_CODES)
        if precision in schema.GEO_PRECISION_CODES:
            needs_point = precision not in schema.NO_COORDINATE_PRECISIONS
            problems += check_coordinates(file, row, rec, required=needs_point)
            if strict and needs_point and rec["latitude"] and not rec.get("coord_basis", ""):
                problems.append(
                    Problem(
                        file,
                        row,
                        "coord_basis",
                        "",
                        "coordinates without a stated basis",
                        "name the basis, e.g. 'geonames:2037886' (see atlas/coordinates.py)",
                    )
                )
        if rec["country"] and not ISO2.match(rec["country"]):
            problems.append(
                Problem(
                    file,
                    row,
                    "country",
                    rec["country"],
                    "is not an ISO 3166-1 alpha-2 code",
                    "e.g. CN, KP, KR",
                )
            )
        event_type = rec["event_type"] if rec["event_type"] in schema.EVENT_TYPE_CODES else None
        problems += check_people(file, row, rec, event_type)
        for related in filter(None, rec.get("related_ids", "").split(";")):
            if related.strip() not in facts:
                problems.append(
                    Problem(
                        file,
                        row,
                        "related_ids",
                        related,
                        "names no incident in incidents.csv",
                        "fix the id or remove it",
                    )
                )
    return problems + validate_incident_model(frame, file, strict=strict, facts=facts)


def validate_places(
    frame: pd.DataFrame,
    incidents: pd.DataFrame | IncidentFacts,
    file: str = "places.csv",
    *,
    repeated: Mapping[str, int] | None = None,
) -> list[Problem]:
    """`incidents`: the incidents frame or the whole file's `IncidentFacts`; `repeated`: the
    whole file's repeated place ids when `frame` is one block of it."""
    problems = _duplicates(file, frame, "place_id", repeated)
    facts = facts_of(incidents)
    for i, rec in enumerate(records(frame)):
        row = row_of(rec, i)
        problems += _required_text(file, row, rec, ("place_id", "location_name"))
        incident = rec["incident_id"]
        if incident not in facts:
            problems.append(unknown_incident(file, row, incident))
        elif facts.geo_precision(incident) != "multiple":
            problems.append(
                Problem(
                    file,
                    row,
                    "incident_id",
                    incident,
                    "places are only for incidents with geo_precision 'multiple'",
                    "set the incident's geo_precision to "
                    "'multiple' or put the place on the incident",
                )
            )
        problems += _vocab(file, row, "role", rec["role"], schema.PLACE_ROLES)
        allowed = [
            c for c in schema.GEO_PRECISION_CODES if c not in schema.NO_COORDINATE_PRECISIONS
        ]
        problems += _vocab(file, row, "geo_precision", rec["geo_precision"], allowed)
        problems += check_coordinates(file, row, rec, required=True)
    return problems


def validate_reports(
    frame: pd.DataFrame,
    incidents: pd.DataFrame | IncidentFacts,
    documents: set[str],
    file: str = "reports.csv",
    *,
    strict: bool = True,
    repeated: Mapping[str, int] | None = None,
) -> list[Problem]:
    """`strict`: the curated dataset's provenance rules (a verbatim quote, a source type and
    a publication date on every report); imports may leave those empty. `incidents` and
    `repeated` as for `validate_places`."""
    problems = _duplicates(file, frame, "report_id", repeated)
    ids = facts_of(incidents)
    required = ("report_id", "source", "quote") if strict else ("report_id", "source")
    for i, rec in enumerate(records(frame)):
        row = row_of(rec, i)
        problems += _required_text(file, row, rec, required)
        if rec["incident_id"] not in ids:
            problems.append(unknown_incident(file, row, rec["incident_id"]))
        if strict or rec["source_type"]:
            problems += _vocab(file, row, "source_type", rec["source_type"], schema.SOURCE_TYPES)
        problems += check_sensitivity(file, row, rec)
        if (strict or rec["published"]) and not PARTIAL_DATE.match(rec["published"]):
            problems.append(
                Problem(
                    file,
                    row,
                    "published",
                    rec["published"],
                    "is not an ISO date",
                    "write YYYY, YYYY-MM or YYYY-MM-DD",
                )
            )
        if rec["document"] not in documents:
            problems.append(
                Problem(
                    file,
                    row,
                    "document",
                    rec["document"],
                    "is not listed in documents.csv",
                    "use the source document's file name and list it there",
                )
            )
        problems += check_counts(file, row, rec)[0]
    return problems


# The columns `validate_links` (with `atlas.evidence.validate_evidence`) reads of places and
# reports, beside `_line`: a chunked check keeps only these of the rows it holds back.
LINK_COLUMNS: dict[str, tuple[str, ...]] = {
    "places": ("incident_id",),
    "reports": ("incident_id", "source", "source_type", "relies_on", "people_min", "people_max"),
}


def validate_links(
    incidents: pd.DataFrame,
    places: pd.DataFrame,
    reports: pd.DataFrame,
    file: str = "incidents.csv",
    reports_file: str = "reports.csv",
    *,
    strict: bool = True,
    types: Mapping[str, set[str]] | None = None,
) -> list[Problem]:
    """Rules across files, applied to the rows that passed their own file's rules (with
    `atlas.evidence.validate_evidence`: status from independent sources, disagreements).
    `places` and `reports` must hold every row of the incidents in `incidents`; `types`
    (`atlas.crossrow.source_types`) is the whole folder's, when the reports are a part."""
    reported = set(reports["incident_id"])  # not a set of sources each: 200,000 sets
    place_count = Counter(places["incident_id"])
    problems = []
    for i, rec in enumerate(records(incidents)):
        row = row_of(rec, i)
        incident = rec["incident_id"]
        if incident not in reported:
            problems.append(
                Problem(
                    file,
                    row,
                    "incident_id",
                    incident,
                    "has no valid report in reports.csv",
                    "add a report with a verbatim quote from its document",
                )
            )
        if rec["geo_precision"] == "multiple" and place_count[incident] < 2:
            problems.append(
                Problem(
                    file,
                    row,
                    "geo_precision",
                    "multiple",
                    f"has {place_count[incident]} place(s) in places.csv",
                    "list at least two places, or give the incident one place",
                )
            )
    types = source_types(reports) if types is None else types
    for i, rec in enumerate(records(reports)):
        if len(types.get(rec["source"], ())) > 1:
            problems.append(
                Problem(
                    reports_file,
                    row_of(rec, i),
                    "source_type",
                    rec["source_type"],
                    f"source '{rec['source']}' has several types {sorted(types[rec['source']])}",
                    "give each source one type",
                )
            )
    return problems + validate_evidence(incidents, reports, file, strict=strict)


def validate_admin1(
    incidents: pd.DataFrame,
    places: pd.DataFrame,
    files: tuple[str, str] = ("incidents.csv", "places.csv"),
    severity: str = "error",
) -> list[Problem]:
    """Coordinates must fall in the admin-1 a row names (point-in-polygon, geo.admin).
    Imports report a mismatch as a warning: the row loads and a reviewer checks it."""
    return admin1_problems(incidents, files[0], severity) + admin1_problems(
        places, files[1], severity
    )


def admin1_problems(frame: pd.DataFrame, file: str, severity: str = "error") -> list[Problem]:
    """`validate_admin1` of one file's rows (a row's own rule: any block of rows)."""
    located = frame[(frame["admin1"] != "") & (frame["latitude"] != "")]
    if located.empty:
        return []
    from geo.admin import check_admin1  # geopandas work: only when rows have coordinates

    located = located.assign(
        latitude=pd.to_numeric(located["latitude"]),
        longitude=pd.to_numeric(located["longitude"]),
    )
    problems = []
    for miss in check_admin1(located, id_col="_line", country_col="country"):
        where = f"the point lies in {miss.found}" if miss.found else "no province"
        message = (
            "is not a province name in geo/data/provinces.geojson"
            if miss.reason == "unknown admin1"
            else f"does not contain the coordinates ({where})"
        )
        problems.append(
            Problem(
                file,
                int(miss.row_id),
                "admin1",
                miss.admin1,
                message,
                "correct the coordinates or the admin1 (name_en of the province)",
                severity,
            )
        )
    return problems


def unloaded(
    places: pd.DataFrame,
    reports: pd.DataFrame,
    kept: set[str],
    problems: list[Problem],
    files: tuple[str, str, str] = ("incidents.csv", "places.csv", "reports.csv"),
) -> list[Problem]:
    """Places and reports valid themselves whose incident did not load (not in `kept`),
    except rows with an error of their own in `problems` (an import's row is one)."""
    incidents_file, *files_of = files
    flagged = {(p.file, p.row) for p in problems if p.is_error}
    out = []
    for file, frame in zip(files_of, (places, reports), strict=True):
        for incident, line in zip(frame["incident_id"], lines(frame), strict=True):
            if incident in kept or (file, line) in flagged:
                continue
            out.append(
                Problem(
                    file,
                    line,
                    "incident_id",
                    incident,
                    "not loaded because its incident has errors",
                    f"fix the incident's row in {incidents_file}",
                )
            )
    return out
