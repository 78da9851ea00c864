"""What changed and when, from the `history` table (migration 0003h): "changed since a
date" and the dataset "as of" a time.

Triggers write a history row for every insert, update and delete of incidents, reports and
places, with who (`atlas.user`) and why (`atlas.reason`): the transaction's settings, set
here with `set_config(..., true)` and bound parameters (never formatted into SQL). An import
replaces the dataset: it records one `dataset` marker row and every imported row at once
(`begin_import` / `record_import`), so "as of" a time is the newest history row of each
row id since the latest import marker up to that time. Documents are not versioned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from atlas.db import tables
from atlas.loading import FILES

TRACKED = ("incidents", "reports", "places")
KEYS = {name: tables.KEY_COLUMNS[name][0] for name in TRACKED}
# What a review transition is called in the "changed since" list (new state → words).
STATE_CHANGES = {
    "draft": "returned to draft",
    "in_review": "submitted for review",
    "published": "published",
    "retracted": "retracted",
}


def has_history(connection: sa.Connection) -> bool:
    """Whether the database is at migration 0003h or later (it has the history table)."""
    return connection.execute(sa.text("SELECT to_regclass('history') IS NOT NULL")).scalar_one()


def set_actor(connection: sa.Connection, user: str, reason: str = "") -> None:
    """Who changes rows in this transaction, and why: what the triggers record."""
    connection.execute(
        sa.text(
            "SELECT set_config('atlas.user', :user, true), set_config('atlas.reason', :why, true)"
        ),
        {"user": user, "why": reason},
    )


def begin_import(connection: sa.Connection) -> bool:
    """Turn the row triggers off for this transaction (an import records itself in
    `record_import`); False when the database has no history yet."""
    if not has_history(connection):
        return False
    connection.execute(sa.text("SELECT set_config('atlas.history', 'import', true)"))
    return True


def record_import(connection: sa.Connection) -> None:
    """Record the imported rows, set-based, after `begin_import` and the COPY."""
    connection.execute(sa.text("SELECT record_import()"))
    connection.execute(sa.text("SELECT set_config('atlas.history', '', true)"))


def change_kind(operation: str, state: str | None, previous_state: str | None) -> str:
    """A history row in words: added, edited, deleted, imported, or a review transition."""
    if operation == "import":
        return "imported"
    if operation == "insert":
        return "added"
    if operation == "delete":
        return "deleted"
    if state != previous_state and state in STATE_CHANGES:
        return STATE_CHANGES[state]
    return "edited"


CHANGES_COLUMNS = ("changed_at", "change", "table", "row_id", "label", "by", "reason", "state")


def changed_since(connection: sa.Connection, since: date | datetime) -> pd.DataFrame:
    """Every change after `since`, newest first: when, what kind (added, edited, published,
    retracted, deleted, imported…), which row (table, row id, its title or source), who and
    why, and the row's review state after the change. An import is one line."""
    h = tables.history
    p = h.alias("p")
    previous = (
        sa.select(p.c.review_state.label("previous_state"))
        .where(p.c.table_name == h.c.table_name, p.c.row_id == h.c.row_id, p.c.id < h.c.id)
        .order_by(p.c.id.desc())
        .limit(1)
        .lateral("previous")
    )
    label = sa.func.coalesce(
        h.c.row["title"].astext, h.c.row["source"].astext, h.c.row["location_name"].astext
    )
    query = (
        sa.select(
            h.c.changed_at,
            h.c.operation,
            h.c.table_name,
            h.c.row_id,
            label.label("label"),
            h.c.changed_by,
            h.c.reason,
            h.c.review_state,
            previous.c.previous_state,
        )
        .select_from(h.outerjoin(previous, sa.true()))
        .where(
            h.c.changed_at > since,
            sa.or_(h.c.operation != "import", h.c.table_name == "dataset"),
        )
        .order_by(h.c.id.desc())
    )
    rows = connection.execute(query).all()
    return pd.DataFrame(
        [
            (
                r.changed_at,
                change_kind(r.operation, r.review_state, r.previous_state),
                r.table_name,
                r.row_id,
                r.label or "",
                r.changed_by or "",
                r.reason or "",
                r.review_state or "",
            )
            for r in rows
        ],
        columns=list(CHANGES_COLUMNS),
    )


@dataclass(frozen=True)
class AsOf:
    """The dataset as it stood at `when`: text tables as `read_text_tables` gives them
    (documents as they are now: they are not versioned), each incident's and report's
    review state then, and a data version for that state (the newest history row then)."""

    when: datetime
    tables: dict[str, pd.DataFrame]
    review_states: dict[str, dict[str, str]]
    version: str


def as_of(connection: sa.Connection, when: datetime) -> AsOf:
    """The dataset as it stood at `when`, from history."""
    from atlas.db.transfer import _text  # transfer imports this module

    h = tables.history
    cutoff = (
        sa.select(sa.func.coalesce(sa.func.max(h.c.id), 0))
        .where(h.c.table_name == "dataset", h.c.operation == "import", h.c.changed_at <= when)
        .scalar_subquery()
    )
    newest = connection.execute(
        sa.select(sa.func.max(h.c.id)).where(h.c.changed_at <= when)
    ).scalar()
    out: dict[str, pd.DataFrame] = {}
    states: dict[str, dict[str, str]] = {}
    for name in TRACKED:
        columns = tables.SCHEMA_COLUMNS[name]
        latest = (
            sa.select(h.c.row_id, h.c.operation, h.c.review_state, h.c.row)
            .where(h.c.table_name == name, h.c.id >= cutoff, h.c.changed_at <= when)
            .order_by(h.c.row_id, h.c.id.desc())
            .ext(distinct_on(h.c.row_id))
            .subquery()
        )
        rows = connection.execute(
            sa.select(
                latest.c.review_state,
                *(latest.c.row[c].astext.label(c) for c in columns),
            )
            .where(latest.c.operation != "delete")
            .order_by(latest.c.row["row_order"].astext.cast(sa.Integer))
        ).all()
        out[name] = pd.DataFrame(
            [[("" if v is None else v) for v in row[1:]] for row in rows],
            columns=list(columns),
            dtype=object,
        ).astype("str")
        states[name] = {row[1 + columns.index(KEYS[name])]: row[0] or "" for row in rows}
    documents = tables.documents
    doc_columns = tables.SCHEMA_COLUMNS["documents"]
    doc_rows = connection.execute(
        sa.select(*(documents.c[c] for c in doc_columns)).order_by(documents.c.row_order)
    ).all()
    out["documents"] = pd.DataFrame(
        [[_text(v) for v in row] for row in doc_rows], columns=list(doc_columns), dtype=object
    ).astype("str")
    return AsOf(
        when=when,
        tables={name: out[name] for name in FILES},  # the files' order
        review_states=states,
        version=f"history-{newest or 0}",
    )
