"""Repatriation Atlas — entrypoint: navigation, shared filters, page routing.

Page scripts live in views/, not pages/: Streamlit 1.67 runs any app with a pages/ folder
beside its entrypoint in the legacy multipage mode (PagesManager.uses_pages_directory),
which runs /incident etc. without this entrypoint and resets the sidebar's widgets.
"""

from __future__ import annotations

import streamlit as st

from atlas.policy import PolicyError
from ui import data, heap, state
from ui.busy import show_busy_notice
from ui.identity import editing_enabled
from ui.sidebar import show_counts, show_filters
from ui.text import md

st.set_page_config(page_title="Repatriation Atlas", page_icon="🗺️", layout="wide")
editing = (  # the team database of a team deployment only (ui.edit)
    [st.Page("views/edit.py", title="Edit & review", icon=":material/edit:", url_path="edit")]
    if editing_enabled()
    else []
)
pages = st.navigation(
    [
        st.Page("views/dashboard.py", title="Map & timeline", icon=":material/map:", default=True),
        st.Page(
            "views/sources.py", title="Sources", icon=":material/newspaper:", url_path="sources"
        ),
        st.Page(
            "views/incident.py", title="Incident", icon=":material/push_pin:", url_path="incident"
        ),
        st.Page(
            "views/data.py",
            title="Data & attribution",
            icon=":material/description:",
            url_path="data",
        ),
        *editing,
    ]
)

show_busy_notice()  # words beside Streamlit's running icon when a rerun takes long
embedded = st.context.is_embedded or st.query_params.get("embed") == "true"
if embedded:  # chrome-less view for iframes and screenshots; state still comes from the URL
    hidden = (
        "stSidebar",
        "stSidebarCollapsedControl",
        "stExpandSidebarButton",
        "stHeader",
        "stToolbar",
        "stDecoration",
    )
    selectors = ",".join(f"[data-testid='{t}']" for t in hidden)
    st.html(f"<style>{selectors}{{display:none !important}}</style>")

try:
    data.publication()  # an unknown ATLAS_TIER or a bad policy file: nothing is served
except PolicyError as refused:
    st.error(md(str(refused)), icon=":material/error:")
    st.stop()
if data.IN_USE not in st.session_state and (problem := data.unusable()) is not None:
    st.error(md(problem), icon=":material/error:")
    st.stop()
dataset, table, vocab = data.load()
notices = state.init_from_url(vocab)
state.apply_selections(vocab)
filters = show_filters(vocab)
frame = data.filtered(filters)  # the one filtered frame every page reads (capped on a database)
selected = data.selected(frame, filters)
if filters.incident and selected is None:
    st.toast("The selected incident is outside the current filters and was deselected.")
    state.select(None)
    filters = filters.with_selection(None)
state.write_url(filters)
counted = data.people(filters)  # cached per dataset version and filters (ui.data)
show_counts(frame, counted.counted(), counted.matching)
if data.IN_USE in st.session_state:
    st.sidebar.info(
        "Showing your import (this session only). Data page: switch back.",
        icon=":material/upload_file:",
    )
for notice in notices:  # notices repeat URL values: escaped like data
    st.warning(md(notice), icon=":material/warning:")

st.session_state["view"] = {
    "frame": frame,
    "visible": data.visible(frame, filters),  # its in-period rows (capped on a database)
    "filters": filters,
    "selected": selected,
    "embedded": embedded,
}
pages.run()
heap.freeze_once()  # serve.py's servers: once, after the first complete run
