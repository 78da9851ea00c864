"""Edits of incidents and reports on the team database, and their review transitions.

A save is checked by the rules the files go through (atlas.db.checks: atlas.rules on a
one-row frame), one Problem per line; with any error nothing is written. Rows in review or
published must also pass the rules across files (a report for every incident, status from
independent sources…).
A save names the `row_version` it was opened at: when someone else saved the row since, the
save returns a `Conflict` with both versions instead of overwriting theirs.

Review: draft → in_review → published → retracted, and in_review → draft. Only a reviewer
(`ATLAS_REVIEWERS`, comma-separated identities) publishes or retracts; a retraction needs a
reason. A save or transition on a connection with no transaction commits its own; inside
the caller's transaction (SQLAlchemy begins one at the first statement, a `read_row`
too) it is a savepoint and the caller commits. Every change is kept by the history
triggers with who and why (atlas/db/history.py). After a change that touches published
rows the public copy is refreshed in the same transaction
(`atlas.db.publish.refresh_public`, when that module exists).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import sqlalchemy as sa

from atlas.db import history, tables
from atlas.db.checks import incident_problems, report_problems
from atlas.db.transfer import _cell, _text
from atlas.validation import Problem

log = logging.getLogger(__name__)

REVIEWERS_VARIABLE = "ATLAS_REVIEWERS"
NEW_STATE = "draft"  # a new row starts as a draft
# (from, to) → whether only a reviewer may make it
TRANSITIONS = {
    ("draft", "in_review"): False,
    ("in_review", "draft"): False,
    ("in_review", "published"): True,
    ("published", "retracted"): True,
}
NEEDS_REASON = ("retracted",)
LINKED_STATES = ("in_review", "published")  # states that need the rules across files


@dataclass(frozen=True)
class Saved:
    table: str
    row_id: str
    version: int  # the row_version now
    review_state: str
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Refused:
    """Nothing was written: one Problem per line (the caller keeps the user's input)."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Conflict:
    """Someone else saved the row after it was opened: nothing was written. `fields` lists
    (column, mine, theirs) for every column where the two differ."""

    table: str
    row_id: str
    mine: dict[str, str]
    theirs: dict[str, str]
    their_version: int
    their_state: str
    their_by: str

    @property
    def fields(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(
            (c, self.mine.get(c, ""), self.theirs.get(c, ""))
            for c in tables.SCHEMA_COLUMNS[self.table]
            if self.mine.get(c, "") != self.theirs.get(c, "")
        )


Result = Saved | Refused | Conflict


class _Abort(Exception):
    def __init__(self, result: Refused | Conflict):
        self.result = result


def _refuse(label: str, column: str, value: str, message: str, fix: str) -> _Abort:
    return _Abort(Refused((Problem(label, None, column, value, message, fix),)))


def _conflict(table: str, row_id: str, mine: dict[str, str], theirs: Stored) -> _Abort:
    return _Abort(
        Conflict(
            table, row_id, mine, theirs.row, theirs.version, theirs.review_state, theirs.updated_by
        )
    )


def reviewers() -> frozenset[str]:
    """The identities that may publish and retract (ATLAS_REVIEWERS, comma-separated)."""
    listed = os.environ.get(REVIEWERS_VARIABLE, "")
    return frozenset(name.strip() for name in listed.split(",") if name.strip())


def allowed_transitions(state: str, user: str) -> tuple[str, ...]:
    """The review states `user` may move a row in `state` to."""
    is_reviewer = user in reviewers()
    return tuple(
        to
        for (frm, to), reviewer_only in TRANSITIONS.items()
        if frm == state and (is_reviewer or not reviewer_only)
    )


@dataclass(frozen=True)
class Stored:
    """A row as the database holds it now: its text (as the files hold it) and review."""

    row: dict[str, str]
    version: int
    review_state: str
    updated_by: str


def read_row(connection: sa.Connection, table: str, row_id: str) -> Stored | None:
    t = tables.TABLES[table]
    columns = tables.SCHEMA_COLUMNS[table]
    found = connection.execute(
        sa.select(
            *(t.c[c] for c in columns), t.c.row_version, t.c.review_state, t.c.updated_by
        ).where(t.c[tables.KEY_COLUMNS[table][0]] == row_id)
    ).one_or_none()
    if found is None:
        return None
    return Stored(
        {c: _text(v) for c, v in zip(columns, found[: len(columns)], strict=True)},
        found.row_version,
        found.review_state,
        found.updated_by or "",
    )


def _refresh_public(connection: sa.Connection) -> None:
    """Refresh the public tier's copy (helper H4's atlas.db.publish) when it exists."""
    try:
        from atlas.db.publish import refresh_public
        from atlas.policy import load_policy
    except ImportError:
        log.warning(
            "TODO(issue 17): atlas.db.publish.refresh_public is not in this build; "
            "the public copy was not refreshed"
        )
        return
    refresh_public(connection, load_policy())


def _in_transaction(connection: sa.Connection):
    """Its own transaction when the connection has none (committed here), else a savepoint
    in the caller's (who commits): either way a refused save leaves nothing behind."""
    return connection.begin_nested() if connection.in_transaction() else connection.begin()


def _save(
    connection: sa.Connection,
    table: str,
    row: dict,
    expected_version: int | None,
    user: str,
    reason: str,
) -> Result:
    key = tables.KEY_COLUMNS[table][0]
    row_id = str(row.get(key, "") or "")
    label = f"{table[:-1]} {row_id}".strip()
    if not user:
        return _refuse(
            label,
            "updated_by",
            "",
            "no editor is identified",
            "sign in (or have the proxy name you) before saving",
        ).result
    check = incident_problems if table == "incidents" else report_problems
    t = tables.TABLES[table]
    try:
        with _in_transaction(connection):
            history.set_actor(connection, user, reason)
            stored = read_row(connection, table, row_id) if row_id else None
            if expected_version is None and stored is not None:
                raise _refuse(
                    label,
                    key,
                    row_id,
                    f"a {table[:-1]} with this id exists already",
                    "choose another id, or open the existing row to edit it",
                )
            if expected_version is not None and stored is None:
                raise _refuse(
                    label,
                    key,
                    row_id,
                    "no longer exists (someone deleted it)",
                    "save it as a new row if it should exist",
                )
            state = stored.review_state if stored else NEW_STATE
            problems = check(connection, row, linked=state in LINKED_STATES)
            if any(p.is_error for p in problems):
                raise _Abort(Refused(tuple(problems)))
            values = {
                c: _cell(table, c, str(row.get(c, "") or "")) for c in tables.SCHEMA_COLUMNS[table]
            }
            stamp = {"updated_by": user, "updated_at": sa.func.now()}
            if expected_version is None:
                order = sa.select(sa.func.coalesce(sa.func.max(t.c.row_order), -1) + 1)
                statement = t.insert().values(
                    **values,
                    **stamp,
                    row_order=order.scalar_subquery(),
                    review_state=NEW_STATE,
                    row_version=1,
                )
            else:
                statement = (
                    t.update()
                    .where(t.c[key] == row_id, t.c.row_version == expected_version)
                    .values(**values, **stamp, row_version=t.c.row_version + 1)
                )
            done = connection.execute(
                statement.returning(t.c.row_version, t.c.review_state)
            ).one_or_none()
            if done is None:  # someone saved it since it was opened: theirs as it is now
                theirs = read_row(connection, table, row_id) or stored
                mine = {c: str(row.get(c, "") or "") for c in tables.SCHEMA_COLUMNS[table]}
                raise _conflict(table, row_id, mine, theirs)
            if done.review_state == "published":
                _refresh_public(connection)
    except _Abort as abort:
        return abort.result
    except sa.exc.IntegrityError as error:  # a constraint no rule checks
        detail = getattr(error.orig, "diag", None)
        message = detail.message_primary if detail else str(error.orig)
        return Refused((Problem(label, None, key, row_id, message, "correct the row"),))
    return Saved(
        table,
        row_id,
        done.row_version,
        done.review_state,
        tuple(p for p in problems if not p.is_error),
    )


def save_incident(
    connection: sa.Connection, row: dict, expected_version: int | None, user: str, reason: str = ""
) -> Result:
    """Save an incident (text values as in incidents.csv). `expected_version` is the
    row_version it was opened at, None for a new incident (saved as a draft)."""
    return _save(connection, "incidents", row, expected_version, user, reason)


def save_report(
    connection: sa.Connection, row: dict, expected_version: int | None, user: str, reason: str = ""
) -> Result:
    """Save a report (text values as in reports.csv); as `save_incident`."""
    return _save(connection, "reports", row, expected_version, user, reason)


def review(
    connection: sa.Connection,
    table: str,
    row_id: str,
    to_state: str,
    expected_version: int,
    user: str,
    reason: str = "",
) -> Result:
    """Move a row to `to_state` (see TRANSITIONS): only a reviewer publishes or retracts,
    a retraction needs a reason, a row in review or published passes the rules across
    files. Refreshes the public copy when the row enters or leaves 'published'."""
    key = tables.KEY_COLUMNS[table][0]
    label = f"{table[:-1]} {row_id}"
    t = tables.TABLES[table]
    try:
        with _in_transaction(connection):
            history.set_actor(connection, user, reason)
            stored = read_row(connection, table, row_id)
            if stored is None:
                raise _refuse(label, key, row_id, "does not exist", "reload the page")
            if stored.version != expected_version:
                raise _conflict(table, row_id, stored.row, stored)
            move = (stored.review_state, to_state)
            if move not in TRANSITIONS:
                raise _refuse(
                    label,
                    "review_state",
                    stored.review_state,
                    f"cannot go from '{stored.review_state}' to '{to_state}'",
                    "draft → in_review → published → retracted, or in_review → draft",
                )
            if TRANSITIONS[move] and user not in reviewers():
                raise _refuse(
                    label,
                    "review_state",
                    to_state,
                    f"only a reviewer may make a row '{to_state}'",
                    f"ask a reviewer (named in {REVIEWERS_VARIABLE})",
                )
            if to_state in NEEDS_REASON and not reason.strip():
                raise _refuse(
                    label,
                    "reason",
                    "",
                    "a retraction needs a reason",
                    "say why the row is retracted (it stays in the history)",
                )
            if to_state in LINKED_STATES:
                check = incident_problems if table == "incidents" else report_problems
                problems = [p for p in check(connection, stored.row, linked=True) if p.is_error]
                if problems:
                    raise _Abort(Refused(tuple(problems)))
            done = connection.execute(
                t.update()
                .where(t.c[key] == row_id, t.c.row_version == expected_version)
                .values(
                    review_state=to_state,
                    row_version=t.c.row_version + 1,
                    updated_by=user,
                    updated_at=sa.func.now(),
                )
                .returning(t.c.row_version, t.c.review_state)
            ).one_or_none()
            if done is None:
                raise _conflict(table, row_id, stored.row, stored)
            if "published" in move:
                _refresh_public(connection)
    except _Abort as abort:
        return abort.result
    return Saved(table, row_id, done.row_version, done.review_state)
