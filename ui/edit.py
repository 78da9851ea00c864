"""The editing page's forms: an incident and its reports (save, problems, conflicts,
review buttons). Who edits: ui.identity; the history part: ui.history.

The rules live in atlas.db.edits (validation, transitions, who may make them) and
atlas.db.history; these modules only show them. Every value from the data reaches Markdown
through `md`; tables are st.dataframe (plain text cells).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from atlas.db import edits, tables
from atlas.validation import Problem
from ui import data
from ui.text import md

LONG_TEXT = ("summary", "date_basis", "coord_note", "status_note", "people_text", "quote")
SAVE = {"incidents": edits.save_incident, "reports": edits.save_report}
NOUN = {"incidents": "incident", "reports": "report"}
REASON = "edit_reason"
MANY = 5_000  # more incidents than a select box should send to the browser: type the id


def key(table: str, part: str) -> str:
    """Session-state key of a part of `table`'s form (pick, save, field_x, choice_x…)."""
    return f"edit_{table}_{part}"


def field_key(table: str, column: str) -> str:
    return key(table, f"field_{column}")


def pick_key(table: str) -> str:
    return key(table, "pick")


# this session's state of a form: the open row (id, version, state), the last outcome, a
# conflict to resolve
def _open(table: str) -> str:
    return f"_edit_{table}_open"


def _outcome(table: str) -> str:
    return f"_edit_{table}_outcome"


def _conflict(table: str) -> str:
    return f"_edit_{table}_conflict"


def _engine() -> sa.Engine:
    return data.database_backend().engine


def _values(table: str) -> dict[str, str]:
    return {c: st.session_state.get(field_key(table, c), "") for c in tables.SCHEMA_COLUMNS[table]}


def _load(table: str, row_id: str | None, defaults: dict[str, str] | None = None) -> None:
    """Fill `table`'s form with a stored row (or `defaults`, for a new one)."""
    stored = None
    if row_id:
        with _engine().connect() as connection:
            stored = edits.read_row(connection, table, row_id)
    values = stored.row if stored else (defaults or {})
    for column in tables.SCHEMA_COLUMNS[table]:
        st.session_state[field_key(table, column)] = values.get(column, "")
    st.session_state[_open(table)] = (
        (row_id, stored.version, stored.review_state) if stored else None
    )
    st.session_state.pop(_conflict(table), None)
    st.session_state.pop(_outcome(table), None)


def _picked(table: str, defaults: dict[str, str]) -> None:
    choice = st.session_state.get(pick_key(table))
    _load(table, None if choice in (None, "", _new(table)) else choice, defaults)
    if table == "incidents":  # another incident: its reports' form starts over
        st.session_state.pop(pick_key("reports"), None)
        st.session_state.pop(_open("reports"), None)


def _new(table: str) -> str:
    return f"(new {md(NOUN[table])})"


def _ids(table: str, where) -> list[str] | None:
    """The ids to pick from, or None when there are too many for a select box."""
    t = tables.TABLES[table]
    with _engine().connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(t).where(where))
        if count.scalar_one() > MANY:
            return None
        column = t.c[tables.KEY_COLUMNS[table][0]]
        return list(
            connection.execute(sa.select(column).where(where).order_by(t.c.row_order)).scalars()
        )


def _pick(table: str, where, defaults: dict[str, str]) -> None:
    ids = _ids(table, where)
    label = NOUN[table].capitalize()
    if ids is None:
        st.text_input(
            f"{md(label)} id (empty: a new {md(NOUN[table])})",
            key=pick_key(table),
            on_change=_picked,
            args=(table, defaults),
        )
    else:
        st.selectbox(
            md(label),
            [_new(table), *ids],
            index=None,
            key=pick_key(table),
            on_change=_picked,
            args=(table, defaults),
        )


def _problems(problems: tuple[Problem, ...]) -> None:
    st.error(
        f"Not saved; your input is kept. {len(problems)} problem(s):\n\n"
        + "\n".join(f"- {md(str(p))}" for p in problems),
        icon=":material/error:",
    )


def _save(user: str, table: str, values: dict[str, str], version: int | None) -> None:
    reason = st.session_state.get(REASON, "")
    with _engine().connect() as connection:  # no transaction yet: the save commits its own
        result = SAVE[table](connection, values, version, user, reason)
    st.session_state[_outcome(table)] = result
    if isinstance(result, edits.Conflict):
        st.session_state[_conflict(table)] = result
    elif isinstance(result, edits.Saved):
        st.session_state.pop(_conflict(table), None)
        st.session_state[_open(table)] = (result.row_id, result.version, result.review_state)


def _submitted(user: str, table: str) -> None:
    opened = st.session_state.get(_open(table))
    _save(user, table, _values(table), opened[1] if opened else None)


def _resolve(user: str, conflict: edits.Conflict, save: bool) -> None:
    """Take the chosen side of every differing field into the form; with `save`, save them
    over the other editor's version (which the editor has now seen)."""
    table = conflict.table
    for column, mine, theirs in conflict.fields:
        keep_mine = st.session_state.get(key(table, f"choice_{column}")) == "mine"
        st.session_state[field_key(table, column)] = mine if keep_mine else theirs
    st.session_state[_open(table)] = (conflict.row_id, conflict.their_version, conflict.their_state)
    st.session_state.pop(_conflict(table), None)
    st.session_state.pop(_outcome(table), None)
    if save:
        _save(user, table, _values(table), conflict.their_version)


def _show_conflict(user: str, conflict: edits.Conflict) -> None:
    st.warning(
        f"{md(conflict.their_by or 'Someone')} saved this {md(NOUN[conflict.table])} after you "
        f"opened it (now version {conflict.their_version:,}). Nothing of yours was written: "
        "choose, field by field, which value to keep.",
        icon=":material/merge:",
    )
    st.dataframe(
        pd.DataFrame(conflict.fields, columns=["field", "yours", "theirs"]),
        hide_index=True,
        width="stretch",
    )
    for column, _, _ in conflict.fields:
        st.radio(
            md(column),
            ["mine", "theirs"],
            horizontal=True,
            key=key(conflict.table, f"choice_{column}"),
        )
    left, right = st.columns(2)
    left.button(
        "Save the chosen values",
        key=key(conflict.table, "resolve_save"),
        on_click=_resolve,
        args=(user, conflict, True),
    )
    right.button(
        "Put them in the form",
        key=key(conflict.table, "resolve_form"),
        on_click=_resolve,
        args=(user, conflict, False),
    )


def _review(user: str, table: str, to_state: str) -> None:
    row_id, version, _ = st.session_state[_open(table)]
    with _engine().connect() as connection:
        result = edits.review(
            connection, table, row_id, to_state, version, user, st.session_state.get(REASON, "")
        )
    st.session_state[_outcome(table)] = result
    if isinstance(result, edits.Saved):
        st.session_state[_open(table)] = (row_id, result.version, result.review_state)


def _show_form(user: str, table: str) -> None:
    """`table`'s form for the open row: fields, Save, the outcome, a conflict, review."""
    opened = st.session_state.get(_open(table))
    noun = NOUN[table]
    if opened:
        st.caption(
            f"{md(noun.capitalize())} {md(opened[0])}: version {opened[1]:,}, review state "
            f"{md(opened[2])}"
        )
    else:
        st.caption(f"A new {md(noun)} (saved as a draft).")
    with st.form(key(table, "form")):
        for column in tables.SCHEMA_COLUMNS[table]:
            widget = st.text_area if column in LONG_TEXT else st.text_input
            fixed = bool(opened) and column == tables.KEY_COLUMNS[table][0]
            widget(column, key=field_key(table, column), disabled=fixed)
        st.form_submit_button(
            "Save", key=key(table, "save"), on_click=_submitted, args=(user, table)
        )
    outcome = st.session_state.get(_outcome(table))
    if isinstance(outcome, edits.Refused):
        _problems(outcome.problems)
    elif isinstance(outcome, edits.Saved):
        st.success(
            f"Saved {md(outcome.row_id)}: version {outcome.version:,}, {md(outcome.review_state)}.",
            icon=":material/check:",
        )
        for problem in outcome.warnings:
            st.warning(md(str(problem)), icon=":material/warning:")
    conflict = st.session_state.get(_conflict(table))
    if conflict is not None:
        _show_conflict(user, conflict)
    if opened:
        moves = edits.allowed_transitions(opened[2], user)
        for column, to_state in zip(st.columns(max(len(moves), 1)), moves, strict=False):
            column.button(
                f"Move to {md(to_state)}",
                key=key(table, f"review_{to_state}"),
                on_click=_review,
                args=(user, table, to_state),
            )
        if "retracted" in moves:
            st.caption("A retraction needs a reason (the field above).")


def show_editor(user: str) -> None:
    """Pick an incident (or a new one) and edit it; then its reports. The reason field
    serves every save and review transition of the page."""
    st.text_input("Reason for the change (kept in the history)", key=REASON)
    _pick("incidents", sa.true(), {})
    if _open("incidents") not in st.session_state:  # nothing picked yet
        return
    _show_form(user, "incidents")
    opened = st.session_state.get(_open("incidents"))
    if not opened:
        return  # a new incident: its reports once it is saved
    incident = opened[0]
    st.subheader(f"Reports of {md(incident)}")
    _pick("reports", tables.reports.c.incident_id == incident, {"incident_id": incident})
    if _open("reports") in st.session_state:
        _show_form(user, "reports")
