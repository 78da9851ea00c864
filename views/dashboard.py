"""Map, timeline, detail card, incident list, source panel and exports over the filtered
frame. In embed mode (iframes, screenshots) map and timeline share the left column so that
both fit a 16:9 frame, and the page stops after them."""

from __future__ import annotations

import streamlit as st

from atlas.filters import visible_rows
from atlas.grid import GRID_SIZES, aggregated, grid_cells
from atlas.gridmap import build_grid_deck
from atlas.mapspec import build_deck, legend_entries
from atlas.timeline import binned_timeline_chart, timeline_chart
from geo import ATTRIBUTION
from ui import data, state
from ui.detail import show_detail
from ui.exports import show_data_downloads, show_embed, show_figures, show_screenshot
from ui.panels import show_incident_list, show_source_panel
from ui.text import md

dataset, table, vocab = data.load()
view = st.session_state["view"]
frame, selected, embedded = view["frame"], view["selected"], view["embedded"]
cell = view["filters"].cell
visible = visible_rows(frame)
# Above atlas.grid.DETAIL_LIMIT in-period incidents, map and timeline show counts (grid
# cells, months) computed here instead of one mark per incident.
large = aggregated(len(visible))


# The bundled set reaches back to 1960 for legal background (its incidents start in 2011):
# hidden unless asked for. Imports and other data are drawn from their first date.
background = dataset.curated and vocab.first.year < 2000


def draw_timeline(height: int, full: bool) -> None:
    first_year = vocab.first.year if full or not background else 2011
    domain = (f"{first_year}-01-01T00:00:00Z", f"{vocab.last.year + 1}-01-01T00:00:00Z")
    if large:
        chart = binned_timeline_chart(frame, domain, height=height)
    else:
        chart = timeline_chart(frame, selected, domain, height=height)
    st.altair_chart(chart, key="timeline", on_select="rerun", width="stretch")


def clear_cell() -> None:
    state.select_cell(None)


if not embedded:
    st.title("Repatriation Atlas")
if visible.empty:
    st.info("No incident matches these filters.")
    if st.button("Reset all filters", key="empty_reset"):
        st.session_state["_url_loaded"] = False
        st.query_params.clear()
        st.rerun()

SYMBOL = {"type": "●", "unknown": "○", "near": "◯", "province": "▢", "tray": "▭", "crossing": "◦"}
legend = " &nbsp; ".join(  # schema labels and fixed words only: no data reaches this HTML
    (f"<span style='color:rgb{e.colour}'>●</span> " if e.colour else f"{SYMBOL[e.kind]} ")
    + md(e.label)
    for e in legend_entries(frame)
)
if not large:
    st.markdown("<small>" + legend + "</small>", unsafe_allow_html=True)

map_col, detail_col = st.columns([3, 2])
with map_col:
    online = not embedded and st.toggle(
        "Online basemap (sends map requests to Carto)", value=False, key="basemap"
    )
    map_height = 430 if embedded else 520  # the deck's view is fitted to this height
    if large:
        size = cell.finer if cell else GRID_SIZES[0]
        cells = grid_cells(visible, size)
        deck = build_grid_deck(cells, data.crossings(), cell, online_basemap=online)
    else:
        deck = build_deck(
            frame,
            dataset.places,
            data.crossings(),
            selected,
            online_basemap=online,
            cell=cell,
            height=map_height,
        )
    st.pydeck_chart(
        deck,
        on_select="rerun",
        selection_mode="single-object",
        key=state.map_key(cell.name if cell else None),
        height=map_height,
    )
    if large:
        st.caption(
            f"{len(visible):,} incidents shown as {len(cells):,} grid cells of {size:g}° "
            "(darker: more incidents, log scale); select a cell or narrow the filters to see "
            "individual incidents."
        )
    if cell:
        where = f"{cell.lat:.3f}°N {cell.lon:.3f}°E, {cell.size:g}° square"
        st.caption(f"Showing the incidents of the selected map cell ({where}).")
        st.button("Show the whole map", key="cell_clear", on_click=clear_cell)
    st.caption(ATTRIBUTION)
    if embedded:
        draw_timeline(150, full=False)
with detail_col:
    if selected:
        show_detail(
            table[table["incident_id"] == selected].iloc[0],
            dataset.reports,
            dataset.documents,
            dataset.places,
        )
    else:
        st.info(
            "Select an incident on the map, the timeline or the list to see its sources and quotes."
        )
if embedded:
    st.stop()

full = background and st.toggle(
    f"Timeline from {vocab.first.year:d} (legal background)", value=False, key="full_timeline"
)
draw_timeline(260, full)
if large:
    st.caption(
        "Incidents per month and event type; an imprecise date counts in equal parts in each "
        "month of its span. Drag across the timeline to set the period; faded bars are "
        "outside it."
    )
else:
    st.caption(
        "Drag across the timeline to set the period; click a mark to select it. Spans are "
        "imprecise dates; faded marks are outside the period."
    )

list_tab, source_tab, export_tab = st.tabs(
    ["Incidents", "Sources for these incidents", "Export & embed"]
)
with list_tab:
    show_incident_list(visible, selected)
with source_tab:
    index = data.report_index()  # of the data dir's dataset: only for that one
    index = index if index.version == dataset.version else None
    show_source_panel(visible, dataset.reports, index, len(table))
with export_tab:
    st.markdown("**Data**")
    show_data_downloads(dataset, frame)
    st.markdown("**Figures and briefing** (rendered without a browser)")
    show_figures(dataset, frame, view["filters"], vocab, data.crossings())
    if dataset.raw is not None:  # an import lives in this session only
        st.info(
            "Screenshots and embeds open this view in a new browser session, which cannot "
            "see data imported in this one. Use the figures or the briefing above, or import "
            "with `python -m atlas.intake FILE --out DIR` and run the app on that folder "
            "(ATLAS_DATA_DIR=DIR)."
        )
    else:
        st.markdown("**Screenshot of this view**")
        show_screenshot(view["filters"])
        st.markdown("**Embed**")
        show_embed(view["filters"])
