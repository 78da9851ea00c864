"""The shared filter sidebar, drawn once in app.py for every page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas import schema
from atlas.filters import PRESETS, Filters, Vocabulary, people_range, visible_rows
from ui.state import W, current, set_widgets

COUNTRY_NAMES = {
    "CN": "China",
    "KP": "North Korea (DPRK)",
    "KR": "South Korea",
    "US": "United States",
    "CH": "Switzerland",
}


def _apply_preset(vocab: Vocabulary) -> None:
    _, start, end = PRESETS[st.session_state["f_preset"]]
    st.session_state[W["period"]] = (start or vocab.first, end or vocab.last)


def _reset(vocab: Vocabulary) -> None:
    set_widgets(Filters(), vocab)


def show_filters(vocab: Vocabulary) -> Filters:
    """Draw the filters; return the state they hold."""
    sb = st.sidebar
    sb.header("Filters")
    sb.selectbox(
        "Period preset",
        list(PRESETS),
        key="f_preset",
        index=None,
        format_func=lambda k: PRESETS[k][0],
        placeholder="Choose a preset…",
        on_change=_apply_preset,
        args=(vocab,),
    )
    sb.date_input(
        "Period",
        key=W["period"],
        min_value=vocab.first,
        max_value=vocab.last,
        format="YYYY-MM-DD",
        help="Incidents whose date span overlaps the period. Drag across the timeline to set it.",
    )
    sb.multiselect(
        "Event type",
        schema.EVENT_TYPE_CODES,
        key=W["types"],
        format_func=lambda c: schema.EVENT_TYPE_BY_CODE[c].label,
        placeholder="All event types",
    )
    sb.multiselect("Source", sorted(vocab.sources), key=W["sources"], placeholder="All sources")
    sb.multiselect(
        "Place or province",
        sorted(vocab.places),
        key=W["places"],
        format_func=lambda p: COUNTRY_NAMES.get(p, p),
        placeholder="All places",
    )
    sb.multiselect(
        "Status",
        list(schema.STATUSES),
        key=W["statuses"],
        format_func=lambda s: s.replace("_", " "),
        placeholder="Any status",
    )
    col1, col2 = sb.columns(2)
    col1.number_input(
        "Min. sources",
        min_value=0,
        step=1,
        key=W["min_sources"],
        help="Independent sources reporting the incident.",
    )
    col2.number_input(
        "Min. people",
        min_value=0,
        step=1,
        key=W["min_people"],
        help="Lower bound of the people count; unknown counts are excluded when this is above 0.",
    )
    sb.button("Reset all filters", on_click=_reset, args=(vocab,), width="stretch", key="f_reset")
    return current(vocab)


def show_counts(frame: pd.DataFrame) -> None:
    """Matching incidents and people (min–max), always visible at the top of the sidebar."""
    visible = visible_rows(frame)
    lo, hi = people_range(visible)
    people = (
        f"{lo:,}–{hi:,}"
        if hi is not None and hi != lo
        else (f"{lo:,}" if hi is not None else f"at least {lo:,}")
    )
    if not visible["people_min"].notna().any():
        people = "no count stated"  # not 0: nobody said how many
    affected = int(visible["event_type"].isin(schema.PEOPLE_EVENT_TYPES).sum())
    st.sidebar.metric("Matching incidents", f"{len(visible):,}")
    st.sidebar.caption(
        f"People in {affected:,} detentions, transfers and repatriations: **{people}** "
        "(summed per incident; the same people may be counted once detained and again "
        "when returned)."
    )
