"""Per-source panel and incident list for the filtered set."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas import grid
from atlas.sources import ReportIndex, source_summary, source_summary_large

LIST_LIMIT = 1_000  # rows sent to the incident list: ~100 KB, whatever the filtered set

LIST_COLUMNS = {
    "date_text": "Date (as written)",
    "title": "Incident",
    "type_label": "Type",
    "location_name": "Place",
    "people_label": "People",
    "n_sources": "Sources",
    "status": "Status",
}


def show_incident_list(visible: pd.DataFrame, selected: str | None) -> None:
    """Selectable list of the filtered incidents (selecting a row selects the incident);
    the first `LIST_LIMIT` by date when there are more, with a note saying so."""
    shown = visible.head(LIST_LIMIT)
    st.session_state["_list_ids"] = list(shown["incident_id"])
    table = shown[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
    table.insert(0, "●", ["●" if i == selected else "" for i in shown["incident_id"]])
    unmapped = int((~visible["mapped"]).sum())
    st.dataframe(
        table,
        key="list",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=300,
    )
    if len(visible) > LIST_LIMIT:
        st.caption(
            f"Showing the first {LIST_LIMIT:,} of {len(visible):,} incidents (by date): "
            "narrow the filters, brush the timeline or select a map cell to list the rest."
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
) -> None:
    """Per-source summary of `visible`; above `DETAIL_LIMIT` incidents (with the dataset's
    `ReportIndex`) computed vectorised, with its lists cut to a few distinct items."""
    large = index is not None and len(visible) > grid.DETAIL_LIMIT
    if large:
        summary = source_summary_large(visible, reports, index, table_size)
    else:
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
