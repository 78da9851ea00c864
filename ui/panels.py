"""Per-source panel and incident list for the filtered set."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.sources import source_summary

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
    """Selectable list of the filtered incidents (selecting a row selects the incident)."""
    st.session_state["_list_ids"] = list(visible["incident_id"])
    table = visible[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
    table.insert(0, "●", ["●" if i == selected else "" for i in visible["incident_id"]])
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
    if unmapped:
        st.caption(
            f"{unmapped} of these have no stated place: they are on the timeline and "
            "in this list, not on the map."
        )


def show_source_panel(visible: pd.DataFrame, reports: pd.DataFrame) -> None:
    summary = source_summary(visible, reports)
    st.caption(
        "Each source's reports on the incidents shown; 'disagrees on' lists incidents "
        "where sources give different counts."
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
