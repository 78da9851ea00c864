"""Map, timeline, detail card, incident list and source panel over the filtered frame."""

from __future__ import annotations

import streamlit as st

from atlas import schema
from atlas.mapspec import build_deck
from atlas.timeline import timeline_chart
from geo import ATTRIBUTION
from ui import data
from ui.detail import show_detail
from ui.panels import show_incident_list, show_source_panel

dataset, table, vocab = data.load()
view = st.session_state["view"]
frame, selected = view["frame"], view["selected"]
visible = frame[frame["in_period"]]

st.title("Repatriation Atlas")
if visible.empty:
    st.info("No incident matches these filters.")
    if st.button("Reset all filters", key="empty_reset"):
        st.session_state["_url_loaded"] = False
        st.query_params.clear()
        st.rerun()

legend = " &nbsp; ".join(
    f"<span style='color:rgb{e.colour}'>●</span> {e.label}" for e in schema.EVENT_TYPES
)
st.markdown(
    legend + " &nbsp; ○ count unknown &nbsp; ◯ area/halo = imprecise place "
    "&nbsp; ◇ white dot = border crossing",
    unsafe_allow_html=True,
)  # static text only

map_col, detail_col = st.columns([3, 2])
with map_col:
    online = st.toggle("Online basemap (sends map requests to Carto)", value=False, key="basemap")
    st.pydeck_chart(
        build_deck(frame, dataset.places, data.crossings(), selected, online_basemap=online),
        on_select="rerun",
        selection_mode="single-object",
        key="map",
        height=520,
    )
    st.caption(ATTRIBUTION)
with detail_col:
    if selected:
        show_detail(
            table[table["incident_id"] == selected].iloc[0],
            dataset.reports,
            dataset.documents,
            dataset.places,
        )
    else:
        st.info(
            "Select an incident on the map, the timeline or the list to see its sources and quotes."
        )

full = st.toggle("Timeline from 1960 (legal background)", value=False, key="full_timeline")
first_year = vocab.first.year if full else 2011  # the incidents start in 2011
domain = (f"{first_year}-01-01T00:00:00Z", f"{vocab.last.year + 1}-01-01T00:00:00Z")
st.altair_chart(
    timeline_chart(frame, selected, domain), key="timeline", on_select="rerun", width="stretch"
)
st.caption(
    "Drag across the timeline to set the period; click a mark to select it. Spans are "
    "imprecise dates; faded marks are outside the period."
)

list_tab, source_tab = st.tabs(["Incidents", "Sources for these incidents"])
with list_tab:
    show_incident_list(visible, selected)
with source_tab:
    show_source_panel(visible, dataset.reports)
