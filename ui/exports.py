"""Export panel: screenshot of the view, embed code, and (from atlas.export) downloads."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlparse

import streamlit as st

from atlas.export.screenshot import ScreenshotError, embed_url, screenshot
from atlas.filters import Filters, to_query


def view_url(filters: Filters, *, local: bool = False) -> str:
    """The URL that reopens this view: as the browser sees it, or on the server's loopback."""
    seen = urlparse(st.context.url or "http://localhost:8501/")
    query = urlencode(to_query(filters), doseq=True)
    if local:  # the app screenshots itself: reach it on loopback whatever the public host
        port = st.get_option("server.port") or 8501
        return f"http://127.0.0.1:{port}{seen.path}" + (f"?{query}" if query else "")
    return f"{seen.scheme}://{seen.netloc}{seen.path}" + (f"?{query}" if query else "")


def iframe_snippet(url: str, height: int = 900) -> str:
    """The iframe markup for the chrome-less, still interactive embed of a view."""
    return (
        f'<iframe src="{escape(embed_url(url), quote=True)}" width="100%" height="{height}" '
        'style="border:0" title="Repatriation Atlas" loading="lazy"></iframe>'
    )


def show_screenshot(filters: Filters) -> None:
    col1, col2, col3 = st.columns(3)
    width = col1.number_input("Width (px)", 800, 3840, 1600, step=100, key="shot_w")
    height = col2.number_input("Height (px)", 600, 2160, 900, step=100, key="shot_h")
    scale = col3.selectbox("Scale", [1, 2, 3], index=1, key="shot_scale")
    if st.button("Take screenshot of this view", key="shot_go"):
        with st.status("Rendering the view in headless Chromium…", expanded=False) as status:
            try:
                png = screenshot(
                    view_url(filters, local=True),
                    width=int(width),
                    height=int(height),
                    scale=float(scale),
                )
            except ScreenshotError as exc:
                status.update(label="Screenshot failed", state="error")
                st.error(f"Screenshot failed: {exc}")
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
