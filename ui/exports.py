"""Export panel: screenshot of the view, embed code, and (from atlas.export) downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode, urlparse

import pandas as pd
import streamlit as st

from atlas import grid
from atlas.context import filters_in_words, stamp, view_title
from atlas.export.briefing import PAPERS, briefing_pdf
from atlas.export.data import FORMATS, export_bytes
from atlas.export.figures import FORMATS as FIGURE_FORMATS
from atlas.export.figures import export_figure
from atlas.export.links import Link, PublicUrlError, reopen_link
from atlas.export.metadata import export_context
from atlas.export.prepared import Prepared, ViewKey, view_key
from atlas.export.screenshot import (
    PRESETS,
    ScreenshotError,
    loopback_url,
    screenshot,
)
from atlas.export.snippets import iframe_snippet, static_snippet
from atlas.filters import Filters, to_query
from atlas.loading import Dataset
from ui.text import md


def browser_url(filters: Filters) -> str:
    """The URL that reopens this view as the browser sees it. Never fetched by the
    server."""
    seen = urlparse(st.context.url or "http://localhost:8501/")
    query = urlencode(to_query(filters), doseq=True)
    return f"{seen.scheme}://{seen.netloc}{seen.path}" + (f"?{query}" if query else "")


def view_link(filters: Filters) -> Link:
    """The link that reopens this view in files that leave the app (embed code, briefing,
    exports): under ATLAS_PUBLIC_URL, else the browser's address marked as local. An
    invalid ATLAS_PUBLIC_URL is reported and the local address used."""
    try:
        return reopen_link(filters, browser_url(filters))
    except PublicUrlError as exc:
        st.warning(md(exc), icon=":material/link_off:")
        return Link(browser_url(filters), shareable=False)


def view_url(filters: Filters) -> str:
    """`view_link(filters).url`."""
    return view_link(filters).url


def local_view_url(filters: Filters, page: str = "") -> str:
    """Where the server's own Chromium opens the view: its loopback address and port from
    the server's config, a known page and the validated filters; nothing from the client."""
    return loopback_url(
        int(st.get_option("server.port") or 8501),
        page,
        urlencode(to_query(filters), doseq=True),
        st.get_option("server.baseUrlPath") or "",
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


def show_embed(filters: Filters, title: str, png: str = "") -> None:
    """The iframe code, and the same paired with a linked picture (static fallback) whose
    alt text is `title` (atlas.context.view_title of the view). `png` is
    where the picture is served; without one, the screenshot's file name stands in."""
    link = view_link(filters)
    st.caption(
        "Paste into an intranet page: the view stays interactive, without the "
        "sidebar, header or toolbar. The copy button is at the top right."
    )
    st.code(iframe_snippet(link.url), language="html")
    st.caption(
        "Where iframes are not allowed (slides, documents, e-mail): a picture of the view "
        "that links to it, with the iframe for pages that take one."
        + ("" if png else " Upload the screenshot above and put its address in src.")
    )
    st.code(static_snippet(link.url, png or "atlas-view.png", title), language="html")
    if not link.shareable:
        st.caption(f"The links are a {md(link.note)}.")


def _context(dataset: Dataset, frame: pd.DataFrame, filters: Filters, link: Link):
    """What the exports say about the view (atlas.export.metadata); built with the file
    (only for a view with incidents: the caller offers no file otherwise)."""
    from ui import data

    first, last = data.date_span(frame, filters)
    return export_context(dataset, filters, first, last, link.url, link.note)


def _prepared_for(slot: str, current: ViewKey) -> Prepared | None:
    """The file prepared in session state `slot` (figure, data) if it was made for the
    `current` view; one made for another view (the filters or the data changed since) is
    withdrawn, with a note saying so, so that it cannot be downloaded as if current."""
    prepared: Prepared | None = st.session_state.get(slot)
    if prepared is None or prepared.is_for(current):
        return prepared
    del st.session_state[slot]
    st.warning(
        f"The {md(prepared.name)} was prepared for a different view (the "
        "filters or the data changed since) and has been withdrawn: prepare it again.",
        icon=":material/history:",
    )
    return None


def _offer(prepared: Prepared, key: str) -> None:
    """The download of a prepared file, as bytes: Streamlit keeps them (a /media/ file)
    while this session shows the button. Pressing it does not rerun the page."""
    st.download_button(
        f"Download {md(prepared.name)}",
        prepared.data,
        file_name=prepared.name,
        mime=prepared.mime,
        key=key,
        on_click="ignore",
    )


DATA_PREPARED = "_data"  # session state: the last prepared data file (one per session)


def show_data_downloads(
    dataset: Dataset,
    frame: pd.DataFrame,
    filters: Filters | None = None,
    matching: int | None = None,
) -> None:
    """The filtered incidents with their places, reports and documents, in a format of
    `atlas.export.data.FORMATS` chosen in a select box, with its context (filters, as-of
    date, link). The file is built when "Prepare" is pressed and offered as bytes, which
    Streamlit keeps while this session shows the button: a file built on the click of a
    download button (deferred data) belongs to no session, and other sessions' runs
    delete it within two runs, so under load its download failed with a 404. Like a
    figure, a prepared file is withdrawn once the filters or the data change. `matching`:
    the number of in-period incidents when `frame` is capped (the team database's)."""
    from ui import data

    filters = filters or st.session_state["view"]["filters"]
    current = view_key(filters, dataset.version)
    prepared = _prepared_for(DATA_PREPARED, current)
    n = int(frame["in_period"].sum()) if matching is None else matching
    if not n:
        st.caption("No incident matches the filters: nothing to download.")
        return
    large = data.size(dataset) > grid.DETAIL_LIMIT
    if large:  # the selection re-reads the dataset's CSVs: only when a file is prepared
        chosen = None
        st.caption(
            f"{n:,} incidents, plus any related incidents they name, with their places, "
            "reports (quotes) and source documents; large files take a while to build. "
            "Spreadsheet formulas in text are neutralised."
        )
    else:
        chosen = data.export_rows(dataset, frame, filters)
        extra = (
            f" plus {len(chosen.related):,} related incident(s) they name" if chosen.related else ""
        )
        st.caption(
            f"{n:,} incident(s){extra}, with their places, reports (quotes) and "
            "source documents. Spreadsheet formulas in text are neutralised."
        )
    st.caption(
        "Each file records the filters, the as-of date, the data version and the link to "
        "this view (XLSX: sheet “about”; ZIP: metadata.json; GeoJSON: “metadata”). "
        "Numbers are numbers. “CSV for Excel” is UTF-8 with a byte order mark, so that "
        "Excel shows Korean and Chinese text."
    )
    # the figures' grid: both "Prepare" buttons in one column, level with their boxes
    col1, _, col3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    key = col1.selectbox(
        "Data format", list(FORMATS), format_func=lambda k: FORMATS[k].label, key="data_fmt"
    )
    fmt = FORMATS[key]
    if col3.button("Prepare", key="data_go"):
        link = view_link(filters)  # the browser's address is known in this run only

        def build() -> bytes:
            rows = chosen if chosen is not None else data.export_rows(dataset, frame, filters)
            return export_bytes(rows, key, context=_context(dataset, frame, filters, link))

        data = _built(f"Building the {fmt.label}", f"The {fmt.label} could not be built", build)
        if data is None:
            return
        suffix = "-excel" if key == "csv-excel" else ""
        name = f"repatriation-atlas{suffix}.{fmt.extension}"
        # Replaces any earlier data file: one per session, as a set of 1M incidents makes
        # files of hundreds of MB held in this process while the button is shown.
        prepared = Prepared(name, data, fmt.mime, current)
        st.session_state[DATA_PREPARED] = prepared
    if prepared is not None:
        _offer(prepared, "data_download")


def _built(doing: str, failed: str, build: Callable[[], bytes]) -> bytes | None:
    """`build()` inside a visible status ("<doing>…", then ready or failed); on failure the
    error is shown to the user, never swallowed, and None returned."""
    with st.status(f"{md(doing)}…") as status:
        try:
            data = build()
        except Exception as exc:  # shown to the user, never swallowed
            status.update(label="Export failed", state="error")
            st.error(f"{md(failed)}: {md(exc)}")
            return None
        status.update(label="Ready to download", state="complete")
    return data


MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
PREPARED = "_figure"  # session state: the last prepared figure (atlas.export.prepared)


def _render(kind, fmt, paper, dataset, frame, filters, vocab, crossings) -> bytes:
    if kind == "briefing":
        link = view_link(filters)
        return briefing_pdf(
            dataset,
            frame,
            filters,
            crossings,
            first=vocab.first,
            last=vocab.last,
            url=link.url,
            link_note=link.note,
            generated_at=datetime.now(UTC),
            paper=paper,
        )
    return export_figure(
        kind,
        fmt,
        frame,
        dataset.places,
        crossings,
        selected=filters.incident,
        period=(filters.start, filters.end),
        title=view_title(filters, vocab.first, vocab.last),
        subtitle=f"{filters_in_words(filters, vocab.first, vocab.last)} · {stamp(dataset)}",
    )


def show_figures(
    dataset: Dataset, frame: pd.DataFrame, filters: Filters, vocab, crossings: pd.DataFrame
) -> None:
    """Citable static figures (no browser needed) and the one-page briefing PDF. They take
    one to three seconds, so they are prepared on request with a visible status. A
    prepared file belongs to the view it was made for: once the filters or the data
    change it is withdrawn, with a note saying so."""
    from ui import data

    current = view_key(filters, dataset.version)
    prepared = _prepared_for(PREPARED, current)
    if not frame["in_period"].any():
        st.caption("No incident matches the filters: no figure to draw.")
        return
    choices = {
        "briefing": "One-page briefing (PDF)",
        "map": "Map figure",
        "timeline": "Timeline figure",
    }
    col1, col2, col3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    kind = col1.selectbox("Figure", list(choices), format_func=choices.get, key="fig_kind")
    if kind == "briefing":
        fmt = "pdf"
        paper = col2.selectbox("Paper", list(PAPERS), key="fig_paper")
    else:
        fmt = col2.selectbox("Format", FIGURE_FORMATS, key="fig_fmt")
        paper = ""
    if col3.button("Prepare", key="fig_go"):
        what = choices[kind].lower()
        data = _built(
            f"Rendering the {what}",
            f"The {what} could not be rendered",
            lambda: _render(
                kind,
                fmt,
                paper,
                *data.figure_inputs(dataset, frame, filters),
                filters,
                vocab,
                crossings,
            ),  # fmt: skip
        )
        if data is None:
            return
        suffix = "-letter" if paper == "Letter" else ""
        prepared = Prepared(f"repatriation-atlas-{kind}{suffix}.{fmt}", data, MIME[fmt], current)
        st.session_state[PREPARED] = prepared
    if prepared is not None:
        _offer(prepared, "figure_download")
