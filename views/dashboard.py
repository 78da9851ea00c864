"""Map, timeline, detail card, incident list, source panel and exports over the filtered
frame. In embed mode (iframes, screenshots) ui.embed draws the view fitted to its frame
instead, and the page stops there."""

from __future__ import annotations

import streamlit as st

from atlas.context import tier_words, view_title
from atlas.grid import aggregated
from atlas.layout import MAP_HEIGHT, VIEWPORT
from atlas.mapspec import legend_entries
from atlas.redaction import SPARSE_WORDS
from atlas.zoom import ZOOMS, zoom_anchor, zoom_period
from geo import ATTRIBUTION
from ui import data, embed, search, state
from ui.detail import show_detail
from ui.exports import show_data_downloads, show_embed, show_figures, show_screenshot
from ui.panels import SCROLL_TO_CARD, show_incident_list, show_source_panel
from ui.specs import has_background, whole_range
from ui.summary import show_scope, show_summary
from ui.text import md

dataset, table, vocab = data.load()
view = st.session_state["view"]
if view["embedded"]:  # iframes and screenshots: the layout fitted to the frame
    embed.show(dataset, table, vocab, view)
    st.stop()
frame, selected = view["frame"], view["selected"]
cell = view["filters"].cell
visible = view["visible"]  # on the team database, the newest of them (ui.data.filtered)
counted = data.people(view["filters"])  # people and matching incidents, cached per filters
# Above atlas.grid.DETAIL_LIMIT in-period incidents, map and timeline show counts (grid
# cells, months) computed here or by the database instead of one mark per incident.
large = aggregated(counted.matching)
# Less space above and around the title and smaller metric figures, so that the summary row
# and the map fit at 1280×720 (static CSS).
COMPACT = (
    "<style>[data-testid='stMainBlockContainer']{padding-top:3rem}"
    "h1{font-size:2rem !important;padding:0 !important}"
    "[data-testid='stMetricValue']{font-size:1.5rem}"
    # a phone: room for the header's button; the scope line wraps under its button
    "@media (max-width:640px){[data-testid='stMainBlockContainer']{padding-top:4.5rem}"
    ".st-key-about_line{flex-wrap:wrap}}</style>"
)
# A click in the incident list (far below) brings the card into view. Static text only.
SCROLL_SCRIPT = (
    "<script>document.querySelector('.st-key-detail')"
    "?.scrollIntoView({behavior: 'smooth', block: 'start'});</script>"
)


TABS = ("Incidents", "Sources for these incidents", "Export & embed")
background = has_background(dataset, vocab)  # the bundled set's 1960–2010 legal background


def draw_timeline(full: bool) -> None:
    """Focus + context (atlas.timeline): the detail spans the period filter, the overview
    the whole range; brushes and the zoom buttons set the period (ui.state). The Vega-Lite
    specs are built once per filters and selection (ui.data.timeline), drawn as dicts."""
    whole = whole_range(vocab, full, background)
    detail, overview = data.timeline(view["filters"], whole, large)
    # shallow copies: Streamlit moves the datasets out of the dict it is given
    st.vega_lite_chart(dict(detail), key=state.TIMELINE, on_select="rerun", width="stretch")
    st.vega_lite_chart(dict(overview), key=state.OVERVIEW_KEY, on_select="rerun", width="stretch")


def zoom(unit: str | None) -> None:
    if unit is None:
        state.set_period(vocab.first, vocab.last)
        return
    anchor = zoom_anchor(frame, selected, view["filters"].start or vocab.first)
    state.set_period(*zoom_period(anchor, unit, vocab.first, vocab.last))


def zoom_buttons() -> None:
    cols = st.columns([1, 1, 1, 1.4, 4])
    for col, (unit, label) in zip(cols, ZOOMS.items(), strict=False):
        # static labels (atlas.zoom.ZOOMS), escaped like every other sink all the same
        col.button(md(label), key=f"zoom_{unit}", on_click=zoom, args=(unit,), width="stretch")
    cols[3].button("Whole range", key="zoom_reset", on_click=zoom, args=(None,), width="stretch")


def clear_cell() -> None:
    state.select_cell(None)


def draw_map(online: bool) -> None:
    """The map, its captions and (for grid cells) the way back to the whole map."""
    map_height = MAP_HEIGHT["dashboard"]
    drawn = data.deck(view["filters"], online, map_height, large)
    st.pydeck_chart(
        drawn.deck,
        on_select="rerun",
        selection_mode="single-object",
        key=state.map_key(cell.name if cell else None),
        height=map_height,
        # as wide as the layout's viewport, so the fitted view is what shows at any width
        width="stretch" if large else VIEWPORT[0],
    )
    if large:
        st.caption(
            f"{counted.matching:,} incidents shown as {drawn.cells:,} grid cells of "
            f"{drawn.size:g}° (darker: more incidents, log scale); select a cell or narrow the "
            "filters to see individual incidents."
            + (f" {md(SPARSE_WORDS.format(n=drawn.sparse))}." if drawn.sparse else "")
        )
    if cell:
        where = f"{cell.lat:.3f}°N {cell.lon:.3f}°E, {cell.size:g}° square"
        st.caption(f"Showing the incidents of the selected map cell ({where}).")
        st.button("Show the whole map", key="cell_clear", on_click=clear_cell)
    st.caption(ATTRIBUTION)


SYMBOL = {"type": "●", "unknown": "○", "near": "◯", "province": "▢", "tray": "▭", "crossing": "◦"}


def draw_legend() -> None:
    """The event types and kinds of mark drawn (atlas.mapspec.legend_entries); the grid
    map of large sets has its own caption."""
    if large:
        return
    legend = " &nbsp; ".join(  # schema labels and fixed words only: no data reaches this HTML
        (f"<span style='color:rgb{e.colour}'>●</span> " if e.colour else f"{SYMBOL[e.kind]} ")
        + md(e.label)
        for e in legend_entries(frame)
    )
    st.markdown("<small>" + legend + "</small>", unsafe_allow_html=True)


st.html(COMPACT)  # static CSS: the summary row and the map above the fold at 1280×720
st.title("Repatriation Atlas")
st.caption(tier_words(dataset.tier))
show_scope(dataset, data_page="views/data.py")
if not counted.matching:
    st.info("No incident matches these filters.")
    if st.button("Reset all filters", key="empty_reset"):
        st.session_state["_url_loaded"] = False
        st.query_params.clear()
        st.rerun()
filters = view["filters"]
show_summary(
    visible,
    (filters.start or vocab.first, filters.end or vocab.last),
    counted=counted.counted(),
    matching=counted.matching,
)

draw_legend()
# the map column holds the layout's viewport (atlas.layout.VIEWPORT) from 1280 px up; the
# grid map of large sets keeps the narrower column (in the wider one, clicks on cells at 100k
# did not register in headless Chromium, 2 runs of 2; the cause was not isolated)
map_col, detail_col = st.columns([3, 2] if large else [2, 1])
with map_col:
    slot = st.container()  # the map above its toggle: the map starts higher on the page
    online = st.toggle("Online basemap (sends map requests to Carto)", value=False, key="basemap")
    with slot:
        draw_map(online)
with detail_col:
    search.show(visible, view["filters"])
    card = data.card(selected, view["filters"]) if selected else None
    if card is not None:  # one incident, its reports, places and documents
        show_detail(card)
    else:
        st.info(
            "Select an incident on the map, the timeline or the list, or search for it, to "
            "see its sources and quotes."
        )
    if st.session_state.pop(SCROLL_TO_CARD, False) and selected:
        st.html(SCROLL_SCRIPT, unsafe_allow_javascript=True)  # static script, no data

full = background and st.toggle(
    f"Timeline from {vocab.first.year:d} (legal background)", value=False, key="full_timeline"
)
draw_timeline(full)
zoom_buttons()
if large:
    st.caption(
        "Incidents per month and event type; an imprecise date counts in equal parts in each "
        "month of its span. Drag across the timeline or the whole-range strip below it to "
        "set the period; grey bands: no document reports from that stretch."
    )
else:
    st.caption(
        "The upper timeline spans the period; the strip below is the whole range. Drag across "
        "either to set the period (snapped to whole months, or days when zoomed in), or zoom "
        "to the year, quarter or month of the selected or first incident. Click a mark to "
        "select it. Mark area: people, as on the map; squares: people held as of a date (a "
        "stock); lines: imprecise dates. Grey bands: no document in the set reports from "
        "that stretch (no reports, not no events)."
    )

# Lazy tabs: only the open tab's content runs (a tab change reruns the page); the hidden
# ones cost nothing, and exports are prepared only when their tab is open.
list_tab, source_tab, export_tab = st.tabs(
    list(TABS), key=state.TAB, on_change="rerun", default=TABS[0]
)
if list_tab.open:
    with list_tab:
        show_incident_list(visible, selected, data.incident_list(view["filters"]))
if source_tab.open:
    with source_tab:
        summary = data.source_panel(view["filters"], large)
        show_source_panel(visible, dataset.reports, summary=summary)
if export_tab.open:
    with export_tab:
        st.markdown("**Data**")
        show_data_downloads(dataset, frame, matching=counted.matching)
        st.markdown("**Figures and briefing** (rendered without a browser)")
        show_figures(dataset, frame, view["filters"], vocab, data.crossings())
        if data.IN_USE in st.session_state:  # an import lives in this session only
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
            show_embed(view["filters"], view_title(view["filters"], vocab.first, vocab.last))
