"""Export panel: screenshot of the view, embed code, and (from atlas.export) downloads."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlparse

import pandas as pd
import streamlit as st

from atlas import grid
from atlas.export.briefing import briefing_pdf
from atlas.export.data import FORMATS, export_bytes, subset, visible_ids
from atlas.export.figures import FORMATS as FIGURE_FORMATS
from atlas.export.figures import export_figure
from atlas.export.screenshot import (
    PRESETS,
    ScreenshotError,
    embed_url,
    loopback_url,
    screenshot,
)
from atlas.filters import Filters, to_query
from atlas.loading import Dataset
from atlas.paths import DATA_DIR
from ui.text import md


def view_url(filters: Filters) -> str:
    """The URL that reopens this view as the browser sees it (for the person's own links:
    the embed code, the briefing's footer). Never fetched by the server."""
    seen = urlparse(st.context.url or "http://localhost:8501/")
    query = urlencode(to_query(filters), doseq=True)
    return f"{seen.scheme}://{seen.netloc}{seen.path}" + (f"?{query}" if query else "")


def local_view_url(filters: Filters, page: str = "") -> str:
    """Where the server's own Chromium opens the view: its loopback address and port from
    the server's config, a known page and the validated filters; nothing from the client."""
    return loopback_url(
        int(st.get_option("server.port") or 8501),
        page,
        urlencode(to_query(filters), doseq=True),
        st.get_option("server.baseUrlPath") or "",
    )


def iframe_snippet(url: str, height: int = 900) -> str:
    """The iframe markup for the chrome-less, still interactive embed of a view."""
    return (
        f'<iframe src="{escape(embed_url(url), quote=True)}" width="100%" height="{height}" '
        'style="border:0" title="Repatriation Atlas" loading="lazy"></iframe>'
    )


def show_screenshot(filters: Filters) -> None:
    """A PNG of this view in the embed layout, at a preset size (atlas.export.screenshot)."""
    col1, col2 = st.columns([3, 1])
    preset = col1.selectbox(
        "Size",
        list(PRESETS),
        format_func=lambda k: f"{PRESETS[k][0]} ({PRESETS[k][1]}×{PRESETS[k][2]})",
        key="shot_preset",
    )
    scale = col2.selectbox("Scale", [1, 2], index=1, format_func="{}×".format, key="shot_scale")
    _label, width, height = PRESETS[preset]
    if st.button("Take screenshot of this view", key="shot_go"):
        with st.status("Rendering the view in headless Chromium…", expanded=False) as status:
            try:
                png = screenshot(
                    local_view_url(filters), width=width, height=height, scale=float(scale)
                )
            except ScreenshotError as exc:
                status.update(label="Screenshot failed", state="error")
                st.error(f"Screenshot failed: {md(exc)}")
                return
            status.update(label="Screenshot ready", state="complete")
        st.session_state["_shot"] = png
    if st.session_state.get("_shot"):
        st.download_button(
            "Download PNG", st.session_state["_shot"], "atlas-view.png", "image/png", key="shot_dl"
        )


def show_embed(filters: Filters) -> None:
    st.caption(
        "Paste into an intranet page: the view stays interactive, without the "
        "sidebar, header or toolbar. The copy button is at the top right."
    )
    st.code(iframe_snippet(view_url(filters)), language="html")


def show_data_downloads(dataset: Dataset, frame: pd.DataFrame) -> None:
    """The filtered incidents with their places, reports and documents, in three formats.
    Files are built only when a button is clicked (deferred download data); for a dataset
    of more than `DETAIL_LIMIT` incidents the selection itself is deferred too (it re-reads
    the dataset's CSVs)."""
    n = int(frame["in_period"].sum())
    if not n:
        st.caption("No incident matches the filters: nothing to download.")
        return
    if len(dataset.incidents) > grid.DETAIL_LIMIT:

        def build(key: str) -> bytes:
            return export_bytes(subset(dataset, visible_ids(frame), DATA_DIR), key)

        st.caption(
            f"{n:,} incidents, plus any related incidents they name, with their places, "
            "reports (quotes) and source documents; large files take a while to build. "
            "Spreadsheet formulas in text are neutralised."
        )
    else:
        chosen = subset(dataset, visible_ids(frame), DATA_DIR)
        extra = (
            f" plus {len(chosen.related):,} related incident(s) they name" if chosen.related else ""
        )
        st.caption(
            f"{n:,} incident(s){extra}, with their places, reports (quotes) and "
            "source documents. Spreadsheet formulas in text are neutralised."
        )

        def build(key: str) -> bytes:
            return export_bytes(chosen, key)

    columns = st.columns(len(FORMATS))
    for column, (key, fmt) in zip(columns, FORMATS.items(), strict=True):
        column.download_button(
            fmt.label,
            lambda key=key: build(key),
            file_name=f"repatriation-atlas.{fmt.extension}",
            mime=fmt.mime,
            key=f"download_{key}",
            on_click="ignore",
        )


MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def show_figures(
    dataset: Dataset, frame: pd.DataFrame, filters: Filters, vocab, crossings: pd.DataFrame
) -> None:
    """Citable static figures (no browser needed) and the one-page briefing PDF. They take
    one to three seconds, so they are prepared on request with a visible status."""
    from datetime import UTC, datetime

    from atlas.context import filters_in_words

    if not frame["in_period"].any():
        st.caption("No incident matches the filters: no figure to draw.")
        return
    choices = {
        "briefing": "One-page briefing (PDF)",
        "map": "Map figure",
        "timeline": "Timeline figure",
    }
    col1, col2, col3 = st.columns([2, 1, 1])
    kind = col1.selectbox("Figure", list(choices), format_func=choices.get, key="fig_kind")
    fmt = "pdf" if kind == "briefing" else col2.selectbox("Format", FIGURE_FORMATS, key="fig_fmt")
    if col3.button("Prepare", key="fig_go"):
        with st.status(f"Rendering the {md(choices[kind].lower())}…") as status:
            try:
                if kind == "briefing":
                    data = briefing_pdf(
                        dataset,
                        frame,
                        filters,
                        crossings,
                        first=vocab.first,
                        last=vocab.last,
                        url=view_url(filters),
                        generated_at=datetime.now(UTC),
                    )
                else:
                    data = export_figure(
                        kind,
                        fmt,
                        frame,
                        dataset.places,
                        crossings,
                        selected=filters.incident,
                        period=(filters.start, filters.end),
                        title="Repatriation Atlas",
                        subtitle=filters_in_words(filters, vocab.first, vocab.last),
                    )
            except Exception as exc:  # shown to the user, never swallowed
                status.update(label="Export failed", state="error")
                st.error(f"The {md(choices[kind].lower())} could not be rendered: {md(exc)}")
                return
            status.update(label="Ready to download", state="complete")
        st.session_state["_figure"] = (f"repatriation-atlas-{kind}.{fmt}", data, MIME[fmt])
    if st.session_state.get("_figure"):
        name, data, mime = st.session_state["_figure"]
        st.download_button(
            f"Download {name}",
            data,
            file_name=name,
            mime=mime,
            key="figure_download",
            on_click="ignore",
        )
