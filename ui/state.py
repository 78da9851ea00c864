"""Filter and selection state: the URL is read once per session, then the widgets hold the
state and the URL is rewritten from them on every run (so a copied link reopens the view).

Selections arrive from the map (key "map", or "map-<cell>" while a cell is selected: see
`map_key`), the timeline (its detail "timeline" and its overview strip
"timeline_overview"), and the incident list
("list") as widget states at the start of the next run; `apply_selections` turns a *new*
selection into the filter/selection state before the sidebar widgets are drawn.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from atlas.filters import PASSTHROUGH_KEYS as KEEP
from atlas.filters import Filters, Vocabulary, from_query, to_query
from atlas.grid import parse_cell
from atlas.gridmap import CELL_LAYER
from atlas.timeline import BRUSH, OVERVIEW, PICK
from atlas.zoom import brush_period

W = {  # widget keys
    "period": "f_period",
    "types": "f_types",
    "sources": "f_sources",
    "places": "f_places",
    "statuses": "f_statuses",
    "min_sources": "f_min_sources",
    "min_people": "f_min_people",
}
INCIDENT = "incident"
TIMELINE = "timeline"  # the timeline's detail view (brush, pick): widget key
OVERVIEW_KEY = "timeline_overview"  # its whole-range strip (brush "overview")
CELL = "cell"  # the selected map grid cell, by name (atlas.grid)
TAB = "dashboard_tab"  # the dashboard's open tab, by label (session only, not in the URL)
MAP_LAYERS = (
    "incidents",
    "incidents-unknown-count",
    "incidents-area",
    "incidents-border",
    "movements",
)


def init_from_url(vocab: Vocabulary) -> list[str]:
    """On a session's first run: URL → widget state. Returns notices about bad parameters."""
    if st.session_state.get("_url_loaded"):
        return st.session_state.get("_url_notices", [])
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}  # noqa: SIM118
    filters, notices = from_query(params, vocab)
    set_widgets(filters, vocab)
    st.session_state["_url_loaded"] = True
    st.session_state["_url_notices"] = notices
    return notices


def set_widgets(filters: Filters, vocab: Vocabulary) -> None:
    st.session_state[W["period"]] = (filters.start or vocab.first, filters.end or vocab.last)
    st.session_state[W["types"]] = list(filters.types)
    st.session_state[W["sources"]] = list(filters.sources)
    st.session_state[W["places"]] = list(filters.places)
    st.session_state[W["statuses"]] = list(filters.statuses)
    st.session_state[W["min_sources"]] = filters.min_sources
    st.session_state[W["min_people"]] = filters.min_people
    st.session_state[INCIDENT] = filters.incident
    st.session_state[CELL] = filters.cell.name if filters.cell else None


def current(vocab: Vocabulary) -> Filters:
    """Filters from the widgets (bounds equal to the data's bounds mean 'no limit')."""
    period = st.session_state.get(W["period"]) or (vocab.first, vocab.last)
    start = period[0] if len(period) > 0 else vocab.first
    end = period[1] if len(period) > 1 else vocab.last
    return Filters(
        start=None if start <= vocab.first else start,
        end=None if end >= vocab.last else end,
        types=tuple(st.session_state.get(W["types"], ())),
        sources=tuple(st.session_state.get(W["sources"], ())),
        places=tuple(st.session_state.get(W["places"], ())),
        statuses=tuple(st.session_state.get(W["statuses"], ())),
        min_sources=int(st.session_state.get(W["min_sources"]) or 0),
        min_people=int(st.session_state.get(W["min_people"]) or 0),
        incident=st.session_state.get(INCIDENT),
        cell=parse_cell(st.session_state.get(CELL) or ""),
    )


def write_url(filters: Filters) -> None:
    """Rewrite the query string from `filters`, keeping Streamlit's embed keys."""
    wanted = to_query(filters)
    for key in KEEP:
        if key in st.query_params:
            wanted[key] = st.query_params.get_all(key)
    have = {k: st.query_params.get_all(k) for k in st.query_params.keys()}  # noqa: SIM118
    if have != wanted:
        st.query_params.from_dict(wanted)


def map_key(cell: str | None) -> str:
    """The map's widget key: one per selected cell, so that the browser draws a new map
    centred on the cell (a pydeck chart keeps its camera across reruns otherwise)."""
    return f"map-{cell}" if cell else "map"


def select(incident: str | None) -> None:
    st.session_state[INCIDENT] = incident


def select_cell(name: str | None) -> None:
    st.session_state[CELL] = name


def _new(key: str, signature: object) -> bool:
    """True once per distinct selection signature from a widget."""
    seen = st.session_state.get(f"_seen_{key}")
    st.session_state[f"_seen_{key}"] = signature
    return signature != seen


def set_period(start: date, end: date) -> None:
    """Set the period filter (zoom presets, brushes): the widget holds it from here on."""
    st.session_state[W["period"]] = (start, end)


def _selection(widget: object) -> dict:
    return (widget.get("selection") or {}) if widget is not None else {}


def apply_selections(vocab: Vocabulary) -> None:
    """Turn new map / timeline / list selections into state (before widgets are drawn)."""
    map_state = st.session_state.get(map_key(st.session_state.get(CELL)))
    if map_state is not None:
        objects = (map_state.get("selection") or {}).get("objects") or {}
        ids = tuple(
            o.get("incident_id")
            for layer in MAP_LAYERS
            for o in objects.get(layer, [])
            if o.get("incident_id")
        )
        cells = tuple(o.get("cell") for o in objects.get(CELL_LAYER, []) if o.get("cell"))
        if _new("map", (ids, cells)):
            if ids:
                select(ids[0])
            elif cells:
                select_cell(cells[0])
    chart = st.session_state.get(TIMELINE)
    if chart is not None:
        picked = tuple(p.get("incident_id") for p in _selection(chart).get(PICK) or [])
        if _new("pick", picked) and picked:
            select(picked[0])
    # the detail's brush snaps by the zoom of the period it spans, the overview's by the
    # whole range (atlas.zoom.brush_period)
    period = st.session_state.get(W["period"]) or (vocab.first, vocab.last)
    shown = (period[-1] - period[0]).days + 1 if len(period) == 2 else 0
    brushes = {
        BRUSH: (TIMELINE, shown),
        OVERVIEW: (OVERVIEW_KEY, (vocab.last - vocab.first).days + 1),
    }
    for name, (key, view_days) in brushes.items():
        brush = _selection(st.session_state.get(key)).get(name) or {}
        bounds = next(iter(brush.values()), None)
        if _new(name, tuple(bounds or ())) and bounds:
            snapped = brush_period(bounds, view_days, vocab.first, vocab.last)
            if snapped:
                set_period(*snapped)
    listing = st.session_state.get("list")
    if listing is not None:
        rows = tuple((listing.get("selection") or {}).get("rows") or ())
        order = st.session_state.get("_list_ids", [])
        if _new("list", rows) and rows and rows[0] < len(order):
            select(order[rows[0]])
