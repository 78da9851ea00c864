"""The files' rules on one row of the team database (atlas.db.edits' saves and review
transitions): `atlas.rules` on a frame of the edited row, with the rows the rules need for
context read from the database (the incidents it names, its incident, its places and
reports, the documents). Only the edited row's problems are returned, named as the form's
("incident <id>, column 'title': …"), one Problem per line.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import sqlalchemy as sa

from atlas import rules
from atlas.db import tables
from atlas.db.transfer import _text
from atlas.evidence import split_ids
from atlas.loading import marker_source
from atlas.validation import Problem

LINE = 2  # the edited row's line in the frame (header is line 1); context rows follow


def _rows(connection: sa.Connection, table: str, where) -> pd.DataFrame:
    t = tables.TABLES[table]
    columns = tables.SCHEMA_COLUMNS[table]
    found = connection.execute(
        sa.select(*(t.c[c] for c in columns)).where(where).order_by(t.c.row_order)
    ).all()
    return pd.DataFrame(
        [[_text(v) for v in row] for row in found], columns=list(columns), dtype=object
    ).astype("str")


def _frame(table: str, row: dict, others: pd.DataFrame | None = None) -> pd.DataFrame:
    """The edited row at line LINE, then `others` (context) on the lines after it."""
    columns = list(tables.SCHEMA_COLUMNS[table])
    edited = pd.DataFrame([[str(row.get(c, "") or "") for c in columns]], columns=columns)
    frame = pd.concat([edited, others], ignore_index=True) if others is not None else edited
    frame = frame.astype("str")
    frame["_line"] = range(LINE, LINE + len(frame))
    return frame


def _strict(connection: sa.Connection) -> bool:
    """The curated dataset's provenance rules apply unless the data came from an import."""
    marker = connection.execute(sa.select(tables.dataset_version.c.import_marker)).scalar()
    return marker_source(marker) is None


def _own(problems: list[Problem], file: str, label: str) -> list[Problem]:
    """The problems of the edited row, named as the form's (no line: there is no file)."""
    return [
        dataclasses.replace(p, file=label, row=None)
        for p in problems
        if p.file == file and p.row == LINE
    ]


def incident_problems(connection: sa.Connection, row: dict, *, linked: bool) -> list[Problem]:
    """The file rules on an incident row (with the incidents it names, for context); with
    `linked`, also the rules across files on it with its places and reports."""
    strict = _strict(connection)
    named = set(split_ids(row.get("related_ids", ""))) | set(split_ids(row.get("may_overlap", "")))
    key = tables.incidents.c.incident_id
    named.discard(row.get("incident_id", ""))
    context = _rows(connection, "incidents", key.in_(sorted(named))) if named else None
    frame = _frame("incidents", row, context)
    file = "incidents.csv"
    problems = rules.validate_incidents(frame, file, strict=strict)
    label = f"incident {row.get('incident_id', '')}".strip()
    own = _own(problems, file, label)
    if any(p.is_error for p in own):
        return own
    empty_places = pd.DataFrame(columns=[*tables.SCHEMA_COLUMNS["places"], "_line"])
    edited = frame.iloc[:1]
    own += _own(
        rules.validate_admin1(
            edited, empty_places, (file, "places.csv"), "error" if strict else "warning"
        ),
        file,
        label,
    )
    if linked and not any(p.is_error for p in own):
        incident_id = row.get("incident_id", "")
        places = _rows(connection, "places", tables.places.c.incident_id == incident_id)
        reports = _rows(connection, "reports", tables.reports.c.incident_id == incident_id)
        own += _own(rules.validate_links(edited, places, reports, file, strict=strict), file, label)
    return own


def report_problems(connection: sa.Connection, row: dict, *, linked: bool) -> list[Problem]:
    """The file rules on a report row (with its incident and the documents); with `linked`,
    also the rules across files on its incident with the report as edited."""
    strict = _strict(connection)
    incident_id = row.get("incident_id", "")
    incident = _rows(connection, "incidents", tables.incidents.c.incident_id == incident_id)
    documents = set(connection.execute(sa.select(tables.documents.c.document)).scalars())
    file = "reports.csv"
    frame = _frame("reports", row)
    label = f"report {row.get('report_id', '')}".strip()
    own = _own(rules.validate_reports(frame, incident, documents, file, strict=strict), file, label)
    if linked and not any(p.is_error for p in own) and len(incident):
        r = tables.reports.c
        others = _rows(
            connection,
            "reports",
            sa.and_(
                sa.or_(r.incident_id == incident_id, r.source == row.get("source", "")),
                r.report_id != row.get("report_id", ""),
            ),
        )
        reports = _frame("reports", row, others)
        incidents = incident.assign(_line=LINE)
        places = _rows(connection, "places", tables.places.c.incident_id == incident_id)
        problems = rules.validate_links(
            incidents, places, reports, "incidents.csv", file, strict=strict
        )
        own += _own(problems, file, label)
        own += _own(problems, "incidents.csv", f"incident {incident_id}")
    return own
