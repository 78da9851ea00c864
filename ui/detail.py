"""The incident detail card: everything needed to cite one incident."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from atlas import schema
from atlas.sources import incident_claims
from ui.text import md

Line = tuple[str, str]  # ("markdown" or "caption", its Markdown, data escaped by `md`)


def show_detail(lines: tuple[Line, ...]) -> None:
    """Render an incident's card (`card`) in its bordered box."""
    with st.container(border=True, key="detail"):
        for kind, text in lines:
            (st.caption if kind == "caption" else st.markdown)(text)


def card(
    row: pd.Series, reports: pd.DataFrame, documents: pd.DataFrame, places: pd.DataFrame
) -> tuple[Line, ...]:
    """The card for one incident row of the incident table, as the Markdown of its lines
    (kept per incident and filters by ui.data.card: building it reads the incident's
    reports, places and documents, which costs more than drawing it)."""
    lines: list[Line] = []

    def markdown(text: str) -> None:
        lines.append(("markdown", text))

    def caption(text: str) -> None:
        lines.append(("caption", text))

    markdown(f"#### {md(row['title'])}")
    caption(
        f"{md(row['type_label'])} · id {md(row['incident_id'])} · "
        f"status: **{md(row['status'].replace('_', ' '))}**"
        + (f" — {md(row['status_note'])}" if row["status_note"] else "")
    )
    if row.get("disagreement"):
        caption(
            "Independent sources disagree on: "
            + "; ".join(
                md(schema.DISAGREEMENTS.get(code.strip(), code.strip()))
                for code in str(row["disagreement"]).split(";")
                if code.strip()
            )
        )
    markdown(md(row["summary"]))
    start, end = row["date_start"].date(), row["date_end"].date()
    span = f"{start}" if start == end else f"{start} to {end}"
    markdown(f"**Date:** {md(row['date_text'])} — {md(row['date_precision'])}: {md(span)}")
    if row["date_basis"]:
        caption(f"Date reasoning: {md(row['date_basis'])}")
    precision = schema.GEO_PRECISION_BY_CODE[row["geo_precision"]].meaning
    where = row["location_name"] + (f", {row['admin1']}" if row["admin1"] else "")
    markdown(f"**Place:** {md(where)} — {md(row['geo_precision'])}: {md(precision)}")
    own = places[places["incident_id"] == row["incident_id"]]
    for place in own.to_dict("records"):
        caption(
            f"{md(place['role'])}: {md(place['location_name'])} "
            f"({md(place['geo_precision'])}) {md(place['note'])}"
        )
    if row["coord_note"]:
        caption(md(row["coord_note"]))
    if not row["mapped"]:
        caption("Not on the map: the documents state no place for it.")
    people = f"**People:** {md(row['people_label'])}"
    if row["people_text"]:
        people += f" (as written: {md(row['people_text'])})"
    markdown(people)
    if row.get("may_overlap"):
        caption(
            f"May be the same people as: {md(row['may_overlap'])} (people totals show both sums)."
        )
    if row["actor"]:
        markdown(f"**Actor:** {md(row['actor'])}")
    if row["related_ids"]:
        links = ", ".join(
            f"[{md(r)}](/incident?incident={quote(r.strip(), safe='')})"
            for r in row["related_ids"].split(";")
        )
        markdown(f"**Related:** {links}")
    markdown(
        f"**Reports ({row['n_reports']:,}, from {row['n_sources']:,} "
        + ("source):**" if row["n_sources"] == 1 else "sources):**")
    )
    titles = dict(zip(documents["document"], documents["title"], strict=True))
    for rep in incident_claims(row["incident_id"], reports).to_dict("records"):
        count = f" · count: {md(rep['count'])}" if rep["count"] else ""
        markdown(
            f"- **{md(rep['source'])}** ({md(rep['source_type'])}), "
            f"{md(rep['published'])} — {md(rep['claim'])}{count}"
        )
        if rep["quote"]:
            markdown(f"> {md(rep['quote'])}")
        cite = (
            f"Cited as: {md(rep['source_as_cited'])} · read in: "
            f"{md(titles.get(rep['document'], rep['document']))} "
            f"({md(rep['document'])})"
        )
        if rep["url"]:
            cite += f" · {md(rep['url'])}"
        if rep["note"]:
            cite += f" · note: {md(rep['note'])}"
        if rep.get("relies_on"):
            cite += f" · rests on: {md(rep['relies_on'])} (not counted as independent)"
        caption(cite)
    return tuple(lines)
