"""The scope line, the "About the data" note and the summary row above the map.

People are totalled per flow type through `atlas.people` (the same totals as the
sidebar): detained, transferred and returned are never added to each other, and stocks
(people held as of a date) are listed apart, never added to anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from atlas import schema
from atlas.loading import Dataset
from atlas.people import PeopleTotal, flow_totals, stocks
from ui import data
from ui.text import md

FLOW_NAMES = {"detention": "Detained", "transfer": "Transferred", "repatriation": "Returned"}


def show_scope(dataset: Dataset, key: str = "about", data_page: str | None = None) -> None:
    """The scope line and an "About the data" note listing each document and its years;
    with `data_page` (the Data page's script, as given to st.navigation) a link to it."""
    line, documents = data.scope_words(dataset)  # written once per dataset version
    # The button first and no wrapping: the line stays one row high at 1280 px and above.
    with st.container(
        horizontal=True, vertical_alignment="center", gap="small", wrap=False, key=f"{key}_line"
    ):
        about = st.popover("About the data", type="tertiary", icon=":material/info:", key=key)
        st.caption(line)
    with about:
        st.markdown(documents)
        st.markdown(
            "Each incident rests on verbatim quotes from these documents. Years between "
            "their reports (2015–2020 in the bundled data) look quiet because nothing here "
            "reports on them, not because nothing happened. People are counted per flow "
            "type (detained, transferred, returned), never added across types; people held "
            "as of a date are stocks, listed apart. Years before 2011 are legal background."
        )
        st.markdown(
            "Data dictionary: every column and rule is in data/README.md of the project; the "
            "Data & attribution page lists the documents, the data's problems and the credits."
        )
        if data_page:  # a page link (a widget: no Markdown link, which the sink checks ban)
            st.page_link(data_page, label="Open the Data & attribution page")


def flow_value(total: PeopleTotal) -> str:
    """A metric's short value: '17', '560–660', 'at least 24', '—' (no count stated)."""
    if not total.counted:
        return "—"
    if total.high is None:
        return f"≥ {total.low:,}"
    return f"{total.low:,}" if total.high == total.low else f"{total.low:,}–{total.high:,}"


def show_summary(
    visible: pd.DataFrame,
    period: tuple[date, date],
    key: str = "summary",
    counted: tuple[Sequence[PeopleTotal], pd.DataFrame, int] | None = None,
    matching: int | None = None,
) -> None:
    """One row: matching incidents (`matching`, else the rows of `visible`), people per
    flow type, the period; stocks under it.
    `counted` is (`flow_totals(visible)`, the latest `stocks(visible)`, how many stocks)
    when the caller has them already (ui.data caches them)."""
    if counted is None:
        every = stocks(visible)
        counted = (flow_totals(visible), every, len(every))
    totals_of, held, n_held = counted
    totals = {t.event_type: t for t in totals_of}
    with st.container(key=key, horizontal=True, gap="small"):
        n = len(visible) if matching is None else matching
        st.metric("Matching incidents", f"{n:,}", width="content")
        for code, name in FLOW_NAMES.items():
            total = totals[code]
            st.metric(
                md(name),
                flow_value(total),
                help=f"{total.incidents:,} {md(schema.EVENT_TYPE_BY_CODE[code].label)} "
                f"incident(s): {md(total.label())}. Never added to the other types.",
                width="content",
            )
        st.metric("Period", f"{period[0]:%Y-%m} – {period[1]:%Y-%m}", width="content")
        if n_held:  # the latest stock, in the row but apart: a state, never a flow
            rec = held.iloc[0]
            st.metric(
                f"Held as of {rec['date_end']:%Y-%m} (stock)",
                str(rec["people_label"]),
                help=f"People held as of a date: a stock, not added to the flows. Stocks in "
                f"the selection: {n_held:,} (the sidebar lists them).",
                width="content",
            )
