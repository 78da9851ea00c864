"""The shared filter sidebar, drawn once in app.py for every page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from atlas import schema
from atlas.filters import PRESETS, Filters, Vocabulary, visible_rows
from atlas.people import PeopleTotal, flow_totals, stocks
from ui.state import W, current, set_widgets
from ui.text import md

STOCKS_SHOWN = 3
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


def show_counts(
    frame: pd.DataFrame,
    counted: tuple[Sequence[PeopleTotal], pd.DataFrame, int] | None = None,
    matching: int | None = None,
) -> None:
    """Matching incidents and people per flow type (detained, transferred, returned), always
    visible at the top of the sidebar. Types are never added to each other (the same people
    may be detained and later returned), and stocks (people held as of a date) are listed
    with their dates, never added to anything (`atlas.people`). `counted`: (`flow_totals`,
    the latest `stocks`, how many stocks) of the visible rows when the caller has them
    (ui.data caches them); `matching` the number of in-period incidents when `frame` is
    capped (the team database's)."""
    if counted is None:
        visible = visible_rows(frame)
        held = stocks(visible)
        counted = (flow_totals(visible), held, len(held))
    totals, held, n_held = counted
    n = int(frame["in_period"].sum()) if matching is None else matching  # len(visible_rows)
    st.sidebar.metric("Matching incidents", f"{n:,}")
    lines = []
    for total in totals:
        if total.incidents:
            label = schema.EVENT_TYPE_BY_CODE[total.event_type].label
            lines.append(f"- {md(label)} ({total.incidents:,}): {md(total.label())}")
    listed = held.head(STOCKS_SHOWN)[["date_start", "date_end", "people_label"]]
    for rec in listed.to_dict("records"):  # three columns: to_dict of all costs ~40 ms
        start, end = f"{rec['date_start']:%Y-%m-%d}", f"{rec['date_end']:%Y-%m-%d}"
        when = start if start == end else f"{start} to {end}"
        lines.append(f"- Held as of {when}: {md(rec['people_label'])} (a stock, not added)")
    if n_held > STOCKS_SHOWN:
        lines.append(f"- … and {n_held - STOCKS_SHOWN:,} more stocks")
    if lines:
        # Labels carry data words (an approximate count as written): escaped by `md`.
        st.sidebar.caption("People, per type (never summed across types):\n" + "\n".join(lines))
    else:
        st.sidebar.caption("People: no detention, transfer, return or stock in the selection.")
