"""All sources: their reporting over time and a source × incident matrix."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from atlas import grid
from atlas.sources import source_matrix
from ui import data
from ui.panels import show_source_panel

MATRIX_LIMIT = 200  # incidents (columns) in the matrix: beyond, the page would not draw

dataset, table, vocab = data.load()
visible = st.session_state["view"]["visible"]
st.title("Sources")
st.caption(
    "Every source in the dataset. A source's silence on an incident means only that "
    "the documents cite no claim of it, not that nothing happened."
)
shown = visible.head(MATRIX_LIMIT)
on_db = data.sources_page(shown)  # the team database's answers (the replica holds no rows)
if on_db is not None:
    summary, reports, matrix_reports = on_db
    show_source_panel(table, dataset.reports, summary=summary)
    dated = pd.Series(True, index=reports.index)  # counted per year by the database
    reports = reports.assign(published=lambda r: r["year"].astype(str), claim="", incident_id="")
else:
    matrix_reports = dataset.reports
    index = data.report_index()  # of the data in use (the folder's, or this session's import)
    show_source_panel(
        table, dataset.reports, index if index.version == dataset.version else None, len(table)
    )
    dated = dataset.reports["published"].str.match(r"^\d{4}")  # imports may give no date
    reports = dataset.reports[dated].assign(year=lambda r: r["published"].str[:4].astype(int))
if on_db is None and len(reports) > grid.DETAIL_LIMIT:  # one tick per source and year
    reports = (
        reports.groupby(["source", "source_type", "year"], observed=True)
        .size()
        .rename("reports")
        .reset_index()
        .assign(published=lambda r: r["year"].astype(str), claim="", incident_id="")
    )
st.subheader("Reporting over time")
if not dated.all():
    st.caption(f"{int((~dated).sum()):,} report(s) give no publication date: not drawn here.")
if reports.empty:
    st.info("No report gives a publication date.")
else:
    st.altair_chart(
        alt.Chart(reports)
        .mark_tick(thickness=3, size=14)
        .encode(
            x=alt.X(  # a continuous axis: years with no report show as gaps, not as nothing
                "year:Q",
                title="Year published",
                scale=alt.Scale(
                    domain=[int(reports["year"].min()) - 1, int(reports["year"].max()) + 1]
                ),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y("source:N", title=None),
            color=alt.Color("source_type:N", title="Type"),
            tooltip=["source", "published", "claim", "incident_id"],
        ),
        width="stretch",
    )

st.subheader("Source × incident (filtered incidents)")
st.caption("Cells give the count a source claims, or ✓ when it gives none.")
matching = data.people(st.session_state["view"]["filters"]).matching
if matching > MATRIX_LIMIT:
    st.caption(
        f"The first {MATRIX_LIMIT:,} of {matching:,} filtered incidents (by date): narrow "
        "the filters or select a map cell to see others."
    )
st.dataframe(source_matrix(shown, matrix_reports), width="stretch")
