"""The search box: a query over the incidents that the filters leave; its newest match is
selected at once (through `ui.state.select`), the others are offered in a list to pick.

The query is the reader's own text: it is shown only through `md`, and searched as
literal text (`atlas.search`), never as a pattern.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.filters import Filters
from atlas.search import SearchResult, search_frame
from ui import data, state
from ui.panels import incident_label
from ui.text import md

MATCHES_SHOWN = 200  # options of the pick list: a large dataset may match 100,000 rows
PLACEHOLDER = "Title, place (Yanji, 延吉, 연길), source or id"


def _on_query(key: str, frame: pd.DataFrame, filters: Filters | None) -> None:
    """A new query selects its newest match (and puts it first in the pick list)."""
    result, _ = _search(frame, filters, st.session_state.get(key) or "")
    if result.ids:
        state.select(result.ids[0])
        st.session_state[f"{key}_pick"] = result.ids[0]


def _search(
    frame: pd.DataFrame, filters: Filters | None, query: str
) -> tuple[SearchResult, pd.DataFrame]:
    if filters is None:  # a frame of its own (not the dashboard's data)
        return search_frame(frame, query, MATCHES_SHOWN)
    return data.search(frame, filters, query, MATCHES_SHOWN)


def _on_pick(key: str) -> None:
    state.select(st.session_state.get(f"{key}_pick"))


def show(
    frame: pd.DataFrame, filters: Filters | None = None, key: str = "search"
) -> SearchResult | None:
    """Draw the search box over `frame` (the incidents in the filtered period; on the team
    database, whose frame is capped, the database searches every incident `filters`
    keep); return the result of its query, or None while the box is empty."""
    query = st.text_input(
        "Search incidents",
        key=key,
        placeholder=PLACEHOLDER,
        on_change=_on_query,
        args=(key, frame, filters),
        help="Searches the incidents that match the filters: titles, places (also by their "
        "Chinese and Korean names), sources and ids. Enter selects the newest match.",
    )
    if not query or not query.strip():
        return None
    result, rows = _search(frame, filters, query)
    if not result.ids:
        st.caption(f"No incident under the current filters matches “{md(query)}”.")
        return result
    ids = list(result.ids[:MATCHES_SHOWN])
    labels = {i: incident_label(r) for i, r in rows.loc[ids].iterrows()}
    pick = f"{key}_pick"
    if st.session_state.get(pick) not in labels:
        st.session_state[pick] = result.ids[0]
    st.selectbox(
        f"Matches, newest first: {result.found:,}",
        ids,
        key=pick,
        format_func=labels.__getitem__,
        on_change=_on_pick,
        args=(key,),
        help="Choose a match to select it on the map, the timeline and the list.",
    )
    if result.found > MATCHES_SHOWN:
        st.caption(f"The newest {MATCHES_SHOWN:,} are listed; add words to narrow the search.")
    if result.places:
        st.caption(f"“{md(query)}” names a place: {md(', '.join(result.places))}.")
    return result
