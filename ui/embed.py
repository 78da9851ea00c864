"""The embed view (`?embed=true`): for iframes and screenshots, fitted to the frame.

Title line, the filters in words, a legend of what is drawn, the map (with a compact card
over it when an incident is selected), one timeline (the detail, one row per type shown)
and a footer with the sources, the as-of date, the attribution and a link to the full view.
Box sizes come from atlas.embedlayout; the words from atlas.context.

The frame's size: the `w` and `h` URL parameters when given (the screenshot sets them);
otherwise a tiny static component reports the browser window's inner size (in an iframe:
the frame's), and the view is drawn on the rerun that follows (about one rerun later)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from atlas import schema
from atlas.context import filters_in_words, sources_line, stamp, view_title
from atlas.coverage import coverage_gaps
from atlas.embedlayout import GAP, PAD_X, PAD_Y, EmbedLayout, embed_layout, embed_title, frame_size
from atlas.filters import to_query
from atlas.grid import aggregated
from atlas.mapspec import legend_entries
from atlas.sources import incident_claims
from atlas.timebins import binned_layers, timeline_bins
from atlas.timeline import timeline_layers, timeline_rows
from atlas.zoom import period_domain
from geo import ATTRIBUTION
from ui import data, state
from ui.specs import Swapped, has_background, vega_lite_of, whole_range
from ui.text import md

SIZE_KEY = "_embed_frame"  # the size the browser reported, (w, h)
# Static script (no data): report the window's inner size, again after a resize, only when
# it differs from the size the view was drawn for (data) by more than a few pixels.
SIZE_JS = """
export default function (component) {
  const { setStateValue, data } = component;
  const send = () => {
    const w = Math.round(window.innerWidth), h = Math.round(window.innerHeight);
    if (!data || Math.abs(data.w - w) > 4 || Math.abs(data.h - h) > 4) {
      setStateValue("size", { w, h });
    }
  };
  send();
  let timer;
  const onResize = () => { clearTimeout(timer); timer = setTimeout(send, 250); };
  window.addEventListener("resize", onResize);
  return () => window.removeEventListener("resize", onResize);
}
"""
SYMBOL = {"type": "●", "unknown": "○", "near": "◯", "province": "▢", "tray": "▭", "crossing": "◦"}


@st.cache_resource
def _size_component():
    return st.components.v2.component("atlas_frame_size", js=SIZE_JS)


def _remember_size() -> None:
    size = (st.session_state.get("embed_size") or {}).get("size") or {}
    if isinstance(size.get("w"), int | float) and isinstance(size.get("h"), int | float):
        st.session_state[SIZE_KEY] = frame_size(
            {"w": [str(int(size["w"]))], "h": [str(int(size["h"]))]}
        )


def _css(lay: EmbedLayout) -> str:
    """Static CSS: only numbers of the layout (ints) and fixed selectors, no data."""

    def clamp(key: str, lines: int, line_px: int, font_px: float) -> str:
        return (
            f".st-key-{key}{{height:{lines * line_px}px;flex:none;overflow:hidden}}"
            f".st-key-{key} p{{margin:0;font-size:{font_px}px;line-height:{line_px}px;"
            f"display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:{lines};"
            "overflow:hidden}"
        )

    return (
        "<style>"
        f"[data-testid='stMainBlockContainer']{{padding:{PAD_Y}px {PAD_X}px !important;"
        "max-width:none !important}"
        f"[data-testid='stMainBlockContainer'] [data-testid='stVerticalBlock']{{gap:{GAP}px}}"
        "div:has(> .st-key-embed_hidden),div:has(> .st-key-embed_hidden_css),"
        ".st-key-embed_hidden,.st-key-embed_hidden_css,"
        "[data-testid='stElementContainer']:has(> .stHtml > style:only-child)"
        "{display:none !important}"
        ".st-key-embed_title{height:26px;flex:none;overflow:hidden}"
        ".st-key-embed_title p{margin:0;font-size:18px;font-weight:600;line-height:26px;"
        "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
        + clamp("embed_sentence", lay.sentence_lines, 17, 13)
        + clamp("embed_legend", lay.legend_lines, 17, 12.5)
        + clamp("embed_footer", lay.footer_lines, 15, 11.5)
        + ".st-key-embed_footer p{color:#555}"
        f".st-key-embed_mapbox{{height:{lay.map_height}px;flex:none;gap:{GAP}px;"
        "flex-wrap:nowrap}"
        ".st-key-embed_card{background:#fafafa;border:1px solid #ccc;border-radius:6px;"
        "padding:6px 10px;overflow:hidden;gap:3px;flex:none;"
        + (
            f"width:{lay.card_width}px;height:{lay.map_height}px}}"
            if lay.variant == "landscape"
            else f"width:{lay.content_width}px;height:{lay.card_height}px}}"
        )
        + ".st-key-embed_card>*{flex:none}"
        ".st-key-embed_card p{margin:0 0 4px;font-size:12.5px;line-height:16px}"
        f".st-key-embed_timeline{{height:{lay.timeline_height}px;flex:none;overflow:hidden}}"
        "</style>"
    )


def _legend_html(frame: pd.DataFrame) -> str:
    """Schema labels and fixed words only (atlas.mapspec.legend_entries): no data."""
    return (
        "<p>"
        + " &nbsp; ".join(
            (f"<span style='color:rgb{e.colour}'>●</span> " if e.colour else f"{SYMBOL[e.kind]} ")
            + escape(e.label)
            for e in legend_entries(frame)
        )
        + "</p>"
    )


def _legend_words(frame: pd.DataFrame) -> str:
    return "   ".join(f"● {e.label}" for e in legend_entries(frame))


def _card(row: pd.Series, reports: pd.DataFrame) -> None:
    """The compact card beside or below the map: what, when, where, how many, which sources, and the
    first quote; the full card is one click away (the footer's link)."""
    parts = [
        f"**{md(row['title'])}**",
        f"{md(row['type_label'])} · {md(row['date_text'])} · "
        f"{md(row['location_name'] + (', ' + row['admin1'] if row['admin1'] else ''))} · "
        f"people: {md(row['people_label'])} · {int(row['n_sources']):d} source(s)",
    ]
    claims = incident_claims(row["incident_id"], reports)
    quoted = claims[claims["quote"].fillna("") != ""]
    if len(quoted):
        parts.append(f"{md(quoted.iloc[0]['source'])}: “{md(quoted.iloc[0]['quote'])}”")
    with st.container(key="embed_card"):
        # one Markdown element: its paragraphs flow (separate elements collapsed in the
        # fixed-height panel)
        st.markdown("\n\n".join(parts))


def _full_view_link(filters) -> str:
    """A relative link to the same view without embed=true (same host, new tab)."""
    query = urlencode(to_query(filters), doseq=True)
    return f"[Open the full view ↗](./?{query})" if query else "[Open the full view ↗](./)"


def show(dataset, table: pd.DataFrame, vocab, view: dict) -> None:
    """Draw the embed view of the run's one filtered frame (views/dashboard.py calls this)."""
    frame, filters, selected = view["frame"], view["filters"], view["selected"]
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}  # noqa: SIM118
    size = frame_size(params) or st.session_state.get(SIZE_KEY)
    with st.container(key="embed_hidden"):
        _size_component()(
            data={"w": size[0], "h": size[1]} if size else None,
            key="embed_size",
            on_size_change=_remember_size,
        )
    if size is None:  # drawn on the rerun the component's report triggers
        st.stop()
    visible = view["visible"]  # on the team database, the newest (ui.data.filtered)
    matching = data.people(filters).matching
    large = aggregated(matching)
    shown = tuple(e.code for e in schema.EVENT_TYPES if e.code in set(visible["event_type"]))
    title = embed_title((params.get("title") or [""])[-1]) or view_title(
        filters, vocab.first, vocab.last
    )
    sentence = filters_in_words(filters, vocab.first, vocab.last)
    sources = sources_line(visible, dataset.reports, names=data.source_names(filters))
    footer = " · ".join((sources, stamp(dataset), ATTRIBUTION))
    lay = embed_layout(
        *size,
        rows=6 if large else len(shown),
        sentence=sentence,
        legend=_legend_words(frame),
        footer=footer + " · Open the full view ↗",
    )
    with st.container(key="embed_hidden_css"):
        st.html(_css(lay))
    with st.container(key="embed_title"):
        st.markdown(md(title))
    with st.container(key="embed_sentence"):
        st.markdown(md(sentence) + ("" if matching else " · No incident matches these filters."))
    with st.container(key="embed_legend"):
        if large:
            st.markdown("Grid cells of 0.5°: darker = more incidents (log scale)")
        else:
            st.html(_legend_html(frame))
    beside = bool(selected) and lay.variant == "landscape"
    with st.container(key="embed_mapbox", horizontal=beside):
        _map(view, large, lay, bool(selected))
        record = data.incident(selected, filters) if selected else None
        if record is not None:  # one incident and its reports (by id on a database)
            _card(record.row, record.reports)
    with st.container(key="embed_timeline"):
        _timeline(dataset, frame, selected, vocab, filters, shown, large, lay)
    with st.container(key="embed_footer"):
        st.markdown(
            f"{md(sources)} · {md(stamp(dataset))} · {md(ATTRIBUTION)} · {_full_view_link(filters)}"
        )


def _map(view, large: bool, lay: EmbedLayout, selected: bool) -> None:
    """The dashboard's map (ui.data.deck) fitted to the embed's frame: built once per
    filters and frame size and shared by every reader of the same briefing link."""
    filters = view["filters"]
    cell = filters.cell
    width, height = lay.map_size(selected)
    deck = data.deck(filters, False, height, large, width=width).deck
    st.pydeck_chart(
        deck,
        on_select="rerun",
        selection_mode="single-object",
        key=state.map_key(cell.name if cell else None),
        height=height,
        width=width,
    )


def _timeline(dataset, frame, selected, vocab, filters, shown, large, lay) -> None:
    """One chart, the detail: the period, one row per event type shown."""
    # the bundled set's legal background (1960–2010) stays off, as on the dashboard
    whole = whole_range(vocab, False, has_background(dataset, vocab))
    period = period_domain(filters.start, filters.end, whole)
    # built once per size and rows shown; the rows and the period swapped in
    # (ui.specs.vega_lite_of)
    if large:
        spec = vega_lite_of(
            binned_layers, timeline_bins(frame), Swapped(period), lay.timeline_height
        )
    else:
        gaps = coverage_gaps(data.coverage(dataset), *(pd.Timestamp(w[:10]) for w in whole))
        rows = timeline_rows(
            frame[frame["event_type"].isin(shown)] if shown else frame,
            selected,
            period,
            max(200, lay.content_width - 190),
            row_px=lay.row_px,
        )
        spec = vega_lite_of(
            timeline_layers,
            rows,
            Swapped(period),
            lay.timeline_height,
            gaps,
            only=shown or None,
            row_px=lay.row_px,
        )
    st.vega_lite_chart(spec, key=state.TIMELINE, on_select="rerun", width="stretch")
