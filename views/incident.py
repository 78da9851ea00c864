"""One incident by URL (?incident=<id>), for citing."""

from __future__ import annotations

import streamlit as st

from atlas.filters import Filters
from ui import data
from ui.detail import show_detail

dataset, table, vocab = data.load()
incident = st.session_state.get("incident")
st.title("Incident")
if not incident:
    st.info("Open an incident with `?incident=<id>`, or pick one below.")
    if (
        data.size(dataset) > 5_000 or table.empty
    ):  # a million options would not reach the browser: type the id
        typed = st.text_input("Incident id", key="incident_typed").strip()
        choice = typed if typed in vocab.incidents else None
        if typed and choice is None:
            st.warning("No incident has this id.")
    else:
        choice = st.selectbox("Incident", table["incident_id"], index=None, format_func=lambda i: i)
    if choice:
        st.session_state["incident"] = choice
        st.rerun()
elif (card := data.card(incident, Filters())) is not None:  # fetched by id on a database
    show_detail(card)
