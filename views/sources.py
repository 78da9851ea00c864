"""All sources: their reporting over time and a source × incident matrix."""

from __future__ import annotations

import altair as alt
import streamlit as st

from atlas.sources import source_matrix, source_summary
from ui import data

dataset, table, vocab = data.load()
frame = st.session_state["view"]["frame"]
visible = frame[frame["in_period"]]
st.title("Sources")
st.caption(
    "Every source in the dataset. A source's silence on an incident means only that "
    "the five documents cite no claim of it, not that nothing happened."
)
st.dataframe(source_summary(table, dataset.reports), hide_index=True, width="stretch")

reports = dataset.reports.assign(year=dataset.reports["published"].str[:4].astype(int))
st.subheader("Reporting over time")
st.altair_chart(
    alt.Chart(reports)
    .mark_tick(thickness=3, size=14)
    .encode(
        x=alt.X("year:O", title="Year published"),
        y=alt.Y("source:N", title=None),
        color=alt.Color("source_type:N", title="Type"),
        tooltip=["source", "published", "claim", "incident_id"],
    ),
    width="stretch",
)

st.subheader("Source × incident (filtered incidents)")
st.caption("Cells give the count a source claims, or ✓ when it gives none.")
st.dataframe(source_matrix(visible, dataset.reports), width="stretch")
