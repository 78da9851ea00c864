"""Per-source panel and incident list for the filtered set."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import streamlit as st

from atlas import grid
from atlas.sources import ReportIndex, source_summary, source_summary_large
from ui import state

LIST_LIMIT = 1_000  # rows sent to the incident list: ~100 KB, whatever the filtered set

LIST_COLUMNS = {
    "start": "Start",
    "end": "End",
    "date_text": "Date (as written)",
    "title": "Incident",
    "type_label": "Type",
    "location_name": "Place",
    "people_label": "People",
    "n_sources": "Sources",
    "status": "Status",
}


SCROLL_TO_CARD = "_scroll_to_card"  # set by a click in the list, read by the page


def incident_label(row: pd.Series) -> str:
    """'2013-11-02 · 17 North Korean refugees detained …' (a select option: plain text)."""
    start, end = f"{row['date_start']:%Y-%m-%d}", f"{row['date_end']:%Y-%m-%d}"
    return f"{start if start == end else f'{start} – {end}'} · {row['title']}"


def newest_first(visible: pd.DataFrame, limit: int = LIST_LIMIT) -> pd.DataFrame:
    """The list's rows: newest first (latest end, then latest start), at most `limit`, with
    ISO `start` and `end` dates (text: sortable as dates, the same in every time zone)."""
    rows = visible.sort_values(["date_end", "date_start", "incident_id"], ascending=False)
    rows = rows.head(limit)
    return rows.assign(
        start=rows["date_start"].dt.strftime("%Y-%m-%d"),
        end=rows["date_end"].dt.strftime("%Y-%m-%d"),
    )


def _clicked() -> None:
    st.session_state[SCROLL_TO_CARD] = True


def _picked() -> None:
    state.select(st.session_state.get("list_pick"))
    st.session_state[SCROLL_TO_CARD] = True


MARK = "●"  # the list's first column: the selected incident's row


class ListRows(NamedTuple):
    """The list as shown (`newest_first`, columns renamed, the ids as its index), each row's
    label for the pick box, and the same rows as the Arrow table st.dataframe sends, with an
    empty MARK column first (pandas converted once, not on every rerun)."""

    frame: pd.DataFrame
    labels: dict[str, str]
    arrow: pa.Table


def list_rows(visible: pd.DataFrame) -> ListRows:
    """The list's rows (cached per filters by ui.data.incident_list)."""
    shown = newest_first(visible)
    labels = dict(
        zip(shown["incident_id"], map(incident_label, shown.to_dict("records")), strict=True)
    )
    table = shown.set_index("incident_id")[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
    unmarked = table.reset_index(drop=True)
    unmarked.insert(0, MARK, "")
    # as Streamlit converts a pandas frame (its default RangeIndex kept as metadata only)
    return ListRows(table, labels, pa.Table.from_pandas(unmarked))


def marked(rows: ListRows, selected: str | None) -> pa.Table:
    """The list's Arrow table with MARK in the selected incident's row."""
    field = rows.arrow.schema.field(MARK)  # its type as pandas converted it
    marks = pa.array([MARK if i == selected else "" for i in rows.frame.index], field.type)
    return rows.arrow.set_column(0, field, marks)


def show_incident_list(
    visible: pd.DataFrame, selected: str | None, rows: ListRows | None = None
) -> None:
    """Selectable list of the filtered incidents, newest first (selecting a row selects the
    incident and scrolls its card into view); the newest `LIST_LIMIT` when there are more,
    with a note saying so. Every column sorts by a click on its header. `rows` is
    `list_rows(visible)` when the caller has it already (ui.data caches it)."""
    rows = rows if rows is not None else list_rows(visible)
    labels = rows.labels
    st.session_state["_list_ids"] = list(rows.frame.index)
    unmapped = int((~visible["mapped"]).sum())
    st.caption(
        "Every incident of the map and timeline, as a list: the keyboard and screen-reader "
        "alternative to the map. Choose one in the box below (type to narrow it, Enter to "
        "open) or click a row; start and end are ISO dates (a span when the date is "
        "imprecise); click a column header to sort."
    )
    if st.session_state.get("list_pick") not in labels:
        st.session_state.pop("list_pick", None)  # a choice the filters left out
    st.selectbox(
        "Open an incident of the list",
        list(labels),
        key="list_pick",
        format_func=labels.__getitem__,
        index=None,
        placeholder="Newest first: type a date or words of the title…",
        on_change=_picked,
    )
    st.dataframe(
        marked(rows, selected),
        key="list",
        on_select=_clicked,
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=300,
        column_config={
            "Start": st.column_config.TextColumn(width="small"),
            "End": st.column_config.TextColumn(width="small"),
        },
    )
    if len(visible) > LIST_LIMIT:
        st.caption(
            f"Showing the newest {LIST_LIMIT:,} of {len(visible):,} incidents: narrow the "
            "filters, brush the timeline or select a map cell to list the rest."
        )
    if unmapped:
        st.caption(
            f"{unmapped:,} of these have no stated place: they are on the timeline and "
            "in this list, not on the map."
        )


def show_source_panel(
    visible: pd.DataFrame,
    reports: pd.DataFrame,
    index: ReportIndex | None = None,
    table_size: int = 0,
    summary: pd.DataFrame | None = None,
) -> None:
    """Per-source summary of `visible`; above `DETAIL_LIMIT` incidents (with the dataset's
    `ReportIndex`) computed vectorised, with its lists cut to a few distinct items.
    `summary` is that summary when the caller has it already (ui.data caches it)."""
    large = index is not None and len(visible) > grid.DETAIL_LIMIT
    if summary is None and large:
        summary = source_summary_large(visible, reports, index, table_size)
    elif summary is None:
        summary = source_summary(visible, reports)
    st.caption(
        "Each source's reports on the incidents shown; 'disagrees on' lists incidents "
        "where sources give different counts."
        + (" Long lists show their first distinct items and how many more." if large else "")
    )
    st.dataframe(
        summary.rename(
            columns={
                "source": "Source",
                "source_type": "Type",
                "incidents": "Incidents",
                "reports": "Reports",
                "first": "First",
                "last": "Last",
                "counts_claimed": "Counts claimed",
                "disagrees_on": "Disagrees on",
            }
        ),
        hide_index=True,
        width="stretch",
    )
