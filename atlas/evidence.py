"""Rules on what the reports support, beside the per-file rules of `atlas.rules`.

The curated dataset states five things that can be checked (data/README.md, "Rules behind
the data"): how many *independent* sources an incident has (a report that restates others,
`relies_on`, adds none), whether and on what they *disagree* (`disagreement`), that a
*stock* of people held is never typed as a flow, that an *area* coordinate says in words
that it is a representative point, and which counts *may overlap*. Pure: frames of strings
in, Problems out.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from atlas import schema
from atlas.crossrow import IncidentFacts
from atlas.validation import Problem, _vocab, parse_int, records, row_of


def split_ids(value: str) -> list[str]:
    """The items of a ';'-separated cell, stripped, empty ones dropped."""
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def independent_sources(reports: pd.DataFrame) -> dict[str, set[str]]:
    """incident → the distinct sources of its reports that rest on no other source.

    An incident whose every report restates others (e.g. a summary citing outlets that
    are not in the dataset) rests on one line of reporting: `independent_count` counts it
    as one."""
    out: dict[str, set[str]] = defaultdict(set)
    relies = reports["relies_on"] if "relies_on" in reports else pd.Series("", index=reports.index)
    for incident, source, rests_on in zip(
        reports["incident_id"], reports["source"], relies.fillna(""), strict=True
    ):
        out[incident]  # noqa: B018 - every incident with a report gets an entry
        if not str(rests_on).strip():
            out[incident].add(source)
    return out


def independent_counts(reports: pd.DataFrame) -> dict[str, int]:
    """incident → `independent_count`, for every incident with a report: counted without a
    set per incident (200,000 sets of an import took more memory than its table)."""
    relies = reports["relies_on"] if "relies_on" in reports else pd.Series("", index=reports.index)
    own = relies.fillna("").astype(str).str.strip() == ""
    pairs = reports.loc[own, ["incident_id", "source"]].drop_duplicates()
    counted = pairs.groupby("incident_id", sort=False).size().to_dict()
    return {i: max(1, counted.get(i, 0)) for i in reports["incident_id"].unique()}


def independent_count(incident: str, independent: dict[str, set[str]]) -> int:
    if incident not in independent:
        return 0
    return max(1, len(independent[incident]))


def count_claims(reports: pd.DataFrame) -> dict[str, set[tuple[int | None, int | None]]]:
    """incident → the distinct (min, max) counts its reports state."""
    out: dict[str, set[tuple[int | None, int | None]]] = defaultdict(set)
    for incident, lo, hi in zip(
        reports["incident_id"], reports["people_min"], reports["people_max"], strict=True
    ):
        lo_i, hi_i = _int(lo), _int(hi)
        if lo_i is not None or hi_i is not None:
            out[incident].add((lo_i, hi_i))
    return out


def _int(value) -> int | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return parse_int(str(value)) if isinstance(value, str) else int(value)


def _problem(
    file: str, row: int, column: str, value: str, message: str, fix: str, severity: str = "error"
) -> Problem:
    return Problem(file, row, column, value, message, fix, severity)


def validate_incident_model(
    frame: pd.DataFrame,
    file: str = "incidents.csv",
    *,
    strict: bool = True,
    facts: IncidentFacts | None = None,
) -> list[Problem]:
    """Row rules of the model: stocks vs flows, disagreement codes, border rows, area notes,
    possible overlaps, a reason for 'disputed'. Imports (strict=False) get the stock rule
    as a warning and the overlap and vocabulary rules; the rest is the curated data's.
    `facts`: the whole incidents.csv's, when `frame` is one block of it."""
    problems: list[Problem] = []
    facts = facts or IncidentFacts.of(frame)
    for i, rec in enumerate(records(frame)):
        row = row_of(rec, i)
        kind, precision = rec["event_type"], rec["date_precision"]
        has_people = bool(rec["people_min"] or rec["people_max"])
        if kind in schema.FLOW_TYPES and precision == "as_of" and has_people:
            problems.append(
                _problem(
                    file,
                    row,
                    "event_type",
                    kind,
                    "people held as of a date are a stock, and a stock never carries a flow type",
                    "use event type 'held' (or date the detention/transfer/return itself)",
                    "error" if strict else "warning",
                )
            )
        if kind in schema.STOCK_TYPES and precision != "as_of":
            problems.append(
                _problem(
                    file,
                    row,
                    "date_precision",
                    precision,
                    "a stock (people held) is dated 'as_of' the date it was current",
                    "set date_precision to 'as_of'",
                )
            )
        for code in split_ids(rec.get("disagreement", "")):
            problems += _vocab(file, row, "disagreement", code, schema.DISAGREEMENTS)
        if strict and rec["geo_precision"] == "border" and rec["country"]:
            problems.append(
                _problem(
                    file,
                    row,
                    "country",
                    rec["country"],
                    "a border row lies in two countries (its point may be on either side)",
                    "leave country empty for geo_precision 'border'",
                )
            )
        if strict and rec["geo_precision"] in schema.AREA_PRECISIONS and rec["latitude"]:
            note = rec.get("coord_note", "")
            if not (note.startswith("Representative point of ") and ", not a location." in note):
                problems.append(
                    _problem(
                        file,
                        row,
                        "coord_note",
                        note,
                        f"a '{rec['geo_precision']}' coordinate is a representative point of an "
                        "area and its note must say so",
                        "begin coord_note with "
                        + schema.REPRESENTATIVE_POINT.format(area=rec["location_name"]),
                    )
                )
        for other in split_ids(rec.get("may_overlap", "")):
            if other == rec["incident_id"] or facts.event_type(other) != kind:
                message = "names no other incident of the same event type"
            elif kind not in schema.FLOW_TYPES:
                message = "only flows (detention, transfer, repatriation) may overlap"
            elif not (facts.counted(other) and facts.counted(rec["incident_id"])):
                message = "both incidents must state a count of people"
            else:
                continue
            problems.append(
                _problem(
                    file,
                    row,
                    "may_overlap",
                    other,
                    message,
                    "name a counted incident of the same flow type whose people may be the same",
                )
            )
        if strict and rec["status"] == "disputed" and not rec.get("status_note", ""):
            problems.append(
                _problem(
                    file,
                    row,
                    "status_note",
                    "",
                    "'disputed' needs the words that contest it",
                    "quote the denial or the missing confirmation in status_note",
                )
            )
    return problems


def validate_evidence(
    incidents: pd.DataFrame,
    reports: pd.DataFrame,
    file: str = "incidents.csv",
    *,
    strict: bool = True,
) -> list[Problem]:
    """Status from the number of independent sources; a count disagreement among reports
    is flagged as one (and only then). Imports (strict=False) keep only the first rule:
    'corroborated' needs two independent sources."""
    independent = independent_counts(reports)
    claims = count_claims(reports)
    problems: list[Problem] = []
    for i, rec in enumerate(records(incidents)):
        row, incident = row_of(rec, i), rec["incident_id"]
        n = independent.get(incident, 0)
        if n == 0:
            continue  # `validate_links` reports an incident without reports
        if rec["status"] == "corroborated" and n < 2:
            problems.append(
                _problem(
                    file,
                    row,
                    "status",
                    "corroborated",
                    f"only {n} independent source(s) report it (distinct sources, none restating)",
                    "add the other sources' reports or use 'single_source'",
                )
            )
        if not strict:
            continue
        if rec["status"] == "single_source" and n > 1:
            problems.append(
                _problem(
                    file,
                    row,
                    "status",
                    "single_source",
                    f"{n} independent sources report it",
                    "use 'corroborated', or name in relies_on the source a report restates",
                )
            )
        flagged = "count" in split_ids(rec.get("disagreement", ""))
        differ = len(claims.get(incident, ())) > 1
        if differ != flagged:
            stated = "; ".join(sorted(_claim_text(c) for c in claims.get(incident, ())))
            problems.append(
                _problem(
                    file,
                    row,
                    "disagreement",
                    rec.get("disagreement", ""),
                    f"the reports state counts {stated or 'none'}: "
                    + ("they disagree on the count" if differ else "no disagreement on count"),
                    "add 'count' to disagreement" if differ else "remove 'count'",
                )
            )
    return problems


def _claim_text(claim: tuple[int | None, int | None]) -> str:
    lo, hi = claim
    if hi is None:
        return f"≥{lo}"
    return f"{lo}" if lo == hi else f"{lo}–{hi}"
