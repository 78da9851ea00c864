"""The editing page's parts: who edits, the incident form (save, problems, conflicts, review
buttons) and the history (changed since a date, the incidents as of a date).

The rules live in atlas.db.edits (validation, transitions, who may make them) and
atlas.db.history; this module only shows them. Every value from the data reaches Markdown
through `md`; tables are st.dataframe (plain text cells).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from atlas.db import edits, history, tables
from atlas.validation import Problem
from ui import data
from ui.text import md

# The request header a trusted proxy sets to the signed-in editor: deploy/nginx.conf.template
# sets USER_HEADER to nginx's own authenticated user (and so drops a client's). Read only
# when ATLAS_USER_HEADER names it: behind such a proxy, with Streamlit not reachable around it.
USER_HEADER_VARIABLE = "ATLAS_USER_HEADER"
USER_HEADER = "X-Atlas-User"
TIER_VARIABLE = "ATLAS_TIER"
COLUMNS = tables.SCHEMA_COLUMNS["incidents"]
LONG_TEXT = ("summary", "date_basis", "coord_note", "status_note", "people_text")
NEW = "(new incident)"
PICK, OPEN, REASON = "edit_pick", "_edit_open", "edit_reason"
OUTCOME, CONFLICT = "_edit_outcome", "_edit_conflict"
MANY = 5_000  # more incidents than a select box should send to the browser: type the id


def field_key(column: str) -> str:
    return f"edit_field_{column}"


def tier() -> str:
    """The tier this deployment serves (atlas.policy.tier when present)."""
    try:
        from atlas.policy import tier as policy_tier
    except ImportError:  # TODO(issue 17): H3's atlas.policy; same variable, same default
        return os.environ.get(TIER_VARIABLE, "team").strip() or "team"
    return policy_tier()


def editing_enabled() -> bool:
    """The editing page exists on the team database of a team deployment only."""
    return tier() != "public" and data.database_backend() is not None


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def identity(user: Mapping, headers: Mapping, header: str) -> str | None:
    """The editor: the identity provider's signed-in user (st.user), else the value of
    `header` (empty: no header is trusted), else None."""
    if user.get("is_logged_in", False):
        return str(user.get("email") or user.get("name") or user.get("sub") or "") or None
    named = (headers.get(header) or "").strip() if header else ""
    return named or None


def editor() -> str | None:
    """Who is editing (`identity` of st.user and the request's headers); None after
    showing a sign-in button (st.login configured) or why nobody may edit."""
    header = os.environ.get(USER_HEADER_VARIABLE, "").strip()
    found = identity(st.user, st.context.headers, header)
    if found:
        return found
    if _auth_configured():
        st.info("Sign in to edit.", icon=":material/login:")
        st.button("Sign in", on_click=st.login, icon=":material/login:")
        return None
    st.error(
        "Editing needs to know who you are, and this deployment names nobody: configure "
        "an identity provider ([auth] in .streamlit/secrets.toml, st.login) or a proxy that "
        f"signs editors in and sets {USER_HEADER}, named by {USER_HEADER_VARIABLE} (README, "
        "Editing, review and history).",
        icon=":material/person_off:",
    )
    return None


def _engine() -> sa.Engine:
    return data.database_backend().engine


def _load(row_id: str | None) -> None:
    """Fill the form with a stored incident (or empty, for a new one)."""
    stored = None
    if row_id:
        with _engine().connect() as connection:
            stored = edits.read_row(connection, "incidents", row_id)
    values = stored.row if stored else {}
    for column in COLUMNS:
        st.session_state[field_key(column)] = values.get(column, "")
    st.session_state[OPEN] = (row_id, stored.version, stored.review_state) if stored else None
    st.session_state.pop(CONFLICT, None)
    st.session_state.pop(OUTCOME, None)


def _picked() -> None:
    choice = st.session_state.get(PICK)
    _load(None if choice in (None, NEW) else choice)


def _pick() -> None:
    with _engine().connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(tables.incidents))
        if count.scalar_one() > MANY:
            ids = None
        else:
            t = tables.incidents
            ids = list(
                connection.execute(sa.select(t.c.incident_id).order_by(t.c.row_order)).scalars()
            )
    if ids is None:
        st.text_input("Incident id (empty: a new incident)", key=PICK, on_change=_picked)
    else:
        st.selectbox("Incident", [NEW, *ids], index=None, key=PICK, on_change=_picked)


def _problems(problems: tuple[Problem, ...]) -> None:
    st.error(
        "Not saved; your input is kept. "
        + str(len(problems))
        + " problem(s):\n\n"
        + "\n".join(f"- {md(str(p))}" for p in problems),
        icon=":material/error:",
    )


def _save(user: str, values: dict[str, str], version: int | None) -> None:
    reason = st.session_state.get(REASON, "")
    with _engine().connect() as connection:
        result = edits.save_incident(connection, values, version, user, reason)
    st.session_state[OUTCOME] = result
    if isinstance(result, edits.Conflict):
        st.session_state[CONFLICT] = result
    elif isinstance(result, edits.Saved):
        st.session_state.pop(CONFLICT, None)
        st.session_state[OPEN] = (result.row_id, result.version, result.review_state)


def _submitted(user: str) -> None:
    opened = st.session_state.get(OPEN)
    values = {c: st.session_state.get(field_key(c), "") for c in COLUMNS}
    _save(user, values, opened[1] if opened else None)


def _resolve(user: str, conflict: edits.Conflict, save: bool) -> None:
    """Take the chosen side of every differing field into the form; with `save`, save them
    over the other editor's version (which the editor has now seen)."""
    for column, mine, theirs in conflict.fields:
        keep_mine = st.session_state.get(f"edit_choice_{column}") == "mine"
        st.session_state[field_key(column)] = mine if keep_mine else theirs
    st.session_state[OPEN] = (conflict.row_id, conflict.their_version, conflict.their_state)
    st.session_state.pop(CONFLICT, None)
    st.session_state.pop(OUTCOME, None)
    if save:
        values = {c: st.session_state.get(field_key(c), "") for c in COLUMNS}
        _save(user, values, conflict.their_version)


def _show_conflict(user: str, conflict: edits.Conflict) -> None:
    st.warning(
        f"{md(conflict.their_by or 'Someone')} saved this incident after you opened it "
        f"(now version {conflict.their_version}). Nothing of yours was written: choose, "
        "field by field, which value to keep.",
        icon=":material/merge:",
    )
    st.dataframe(
        pd.DataFrame(conflict.fields, columns=["field", "yours", "theirs"]),
        hide_index=True,
        width="stretch",
    )
    for column, _, _ in conflict.fields:
        st.radio(column, ["mine", "theirs"], horizontal=True, key=f"edit_choice_{column}")
    left, right = st.columns(2)
    left.button("Save the chosen values", on_click=_resolve, args=(user, conflict, True))
    right.button("Put them in the form", on_click=_resolve, args=(user, conflict, False))


def _review(user: str, to_state: str) -> None:
    row_id, version, _ = st.session_state[OPEN]
    with _engine().connect() as connection:
        result = edits.review(
            connection,
            "incidents",
            row_id,
            to_state,
            version,
            user,
            st.session_state.get(REASON, ""),
        )
    st.session_state[OUTCOME] = result
    if isinstance(result, edits.Saved):
        st.session_state[OPEN] = (row_id, result.version, result.review_state)


def show_editor(user: str) -> None:
    """Pick an incident (or a new one), edit it, save; the review buttons this user may use."""
    _pick()
    if OPEN not in st.session_state:  # nothing picked yet
        return
    opened = st.session_state.get(OPEN)
    if opened:
        st.caption(f"Incident {md(opened[0])}: version {opened[1]}, review state {md(opened[2])}")
    else:
        st.caption("A new incident (saved as a draft).")
    st.text_input("Reason for the change (kept in the history)", key=REASON)
    with st.form("edit_form"):
        for column in COLUMNS:
            widget = st.text_area if column in LONG_TEXT else st.text_input
            widget(column, key=field_key(column), disabled=bool(opened) and column == "incident_id")
        st.form_submit_button("Save", key="edit_save", on_click=_submitted, args=(user,))
    outcome = st.session_state.get(OUTCOME)
    if isinstance(outcome, edits.Refused):
        _problems(outcome.problems)
    elif isinstance(outcome, edits.Saved):
        st.success(
            f"Saved {md(outcome.row_id)}: version {outcome.version}, {md(outcome.review_state)}.",
            icon=":material/check:",
        )
        for problem in outcome.warnings:
            st.warning(md(str(problem)), icon=":material/warning:")
    conflict = st.session_state.get(CONFLICT)
    if conflict is not None:
        _show_conflict(user, conflict)
    if opened:
        moves = edits.allowed_transitions(opened[2], user)
        if moves:
            columns = st.columns(len(moves))
            for column, to_state in zip(columns, moves, strict=True):
                column.button(
                    f"Move to {to_state}",
                    key=f"edit_review_{to_state}",
                    on_click=_review,
                    args=(user, to_state),
                )
            if "retracted" in moves:
                st.caption("A retraction needs a reason (the field above).")


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def show_history() -> None:
    """ "Changed since <date>" and the incidents "as of <date>" (with their counts)."""
    today = datetime.now(UTC).date()
    since = st.date_input("Changed since", today - timedelta(days=7), key="history_since")
    with _engine().connect() as connection:
        changes = history.changed_since(connection, datetime.combine(since, time.min, tzinfo=UTC))
    st.caption(f"{len(changes):,} change(s) since {since.isoformat()} (UTC), newest first.")
    st.dataframe(changes, hide_index=True, width="stretch", key="history_changes")
    day = st.date_input("As of (end of the day, UTC)", today, key="history_as_of")
    # the whole dataset rebuilt from history: asked for, not on every rerun of the page
    if not st.toggle("Show the incidents as they stood then", key="history_show_as_of"):
        return
    with _engine().connect() as connection:
        snapshot = history.as_of(connection, _end_of(day))
    incidents = snapshot.tables["incidents"]
    states = pd.Series(snapshot.review_states["incidents"], dtype="str")
    counted = states.value_counts()
    st.caption(
        f"As of {day.isoformat()}: {len(incidents):,} incidents ("
        + ", ".join(f"{n:,} {state}" for state, n in counted.items())
        + f"), {len(snapshot.tables['reports']):,} reports; data version {snapshot.version}."
    )
    shown = incidents[
        ["incident_id", "title", "date_start", "location_name", "people_min", "people_max"]
    ].assign(review_state=incidents["incident_id"].map(states).fillna(""))
    st.dataframe(shown, hide_index=True, width="stretch", key="history_table")
