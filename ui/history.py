"""The editing page's History part: "changed since <date>" and the incidents "as of <date>"
(with their counts), from atlas.db.history. Tables are st.dataframe (plain text cells)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from atlas.db import history
from ui import data
from ui.text import md


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def show_history() -> None:
    """The changes since a date, and the incidents as of a date (with their counts)."""
    today = datetime.now(UTC).date()
    since = st.date_input("Changed since", today - timedelta(days=7), key="history_since")
    with data.database_backend().engine.connect() as connection:
        changes = history.changed_since(connection, datetime.combine(since, time.min, tzinfo=UTC))
    st.caption(f"{len(changes):,} change(s) since {md(since.isoformat())} (UTC), newest first.")
    st.dataframe(changes, hide_index=True, width="stretch", key="history_changes")
    day = st.date_input("As of (end of the day, UTC)", today, key="history_as_of")
    # the whole dataset rebuilt from history: asked for, not on every rerun of the page
    if not st.toggle("Show the incidents as they stood then", key="history_show_as_of"):
        return
    with data.database_backend().engine.connect() as connection:
        snapshot = history.as_of(connection, _end_of(day))
    incidents = snapshot.tables["incidents"]
    states = pd.Series(snapshot.review_states["incidents"], dtype="str")
    counted = states.value_counts()
    st.caption(
        f"As of {md(day.isoformat())}: {len(incidents):,} incidents ("
        + ", ".join(f"{n:,} {md(state)}" for state, n in counted.items())
        + f"), {len(snapshot.tables['reports']):,} reports; data version {md(snapshot.version)}."
    )
    shown = incidents[
        ["incident_id", "title", "date_start", "location_name", "people_min", "people_max"]
    ].assign(review_state=incidents["incident_id"].map(states).fillna(""))
    st.dataframe(shown, hide_index=True, width="stretch", key="history_table")
