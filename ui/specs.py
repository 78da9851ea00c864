"""What the dashboard draws for one (dataset, filters, selection), as data ready to render.

Each builder takes everything it reads as a parameter and returns plain data (Vega-Lite
dicts, a deck whose JSON is computed once, frames): `ui.data` caches them per dataset
version and filters, so fifty sessions on one link build them once, and a page only
renders them. Nothing here reads session state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial

import altair as alt
import pandas as pd
import pydeck as pdk

from atlas.coverage import coverage_gaps
from atlas.filters import Filters, Vocabulary, apply_filters, selected_incident, visible_rows
from atlas.grid import GRID_SIZES, Cell, grid_cells
from atlas.gridmap import build_grid_deck
from atlas.loading import Dataset
from atlas.mapspec import VIEWPORT, deck_and_marks, selection_layer, selection_rings
from atlas.marks import MarkSource
from atlas.people import SPECIAL_COLUMNS, PeopleTotal, flow_totals, stocks
from atlas.redaction import suppress_sparse
from atlas.sources import ReportIndex, source_summary, source_summary_large
from atlas.timebins import binned_layers, timeline_bins
from atlas.timeline import (
    DETAIL_PX,
    overview_layers,
    overview_rows,
    period_outline,
    timeline_layers,
    timeline_rows,
    with_selected,
)
from atlas.zoom import period_domain
from ui.panels import ListRows, list_rows

Frames = tuple[pd.DataFrame, pd.DataFrame]  # `apply_filters(table, filters)`, its visible rows


def _filtered(table: pd.DataFrame, filters: Filters, frames: Frames | None = None) -> Frames:
    """The filtered frame and its visible rows: `frames` when the caller has them (ui.data
    keeps a small table's per filters, so a view's builders share one filtering: it was
    ~12 % of building a view new to the server, bench data), else filtered here. Builders
    only read them."""
    if frames is not None:
        return frames
    frame = apply_filters(table, filters)
    return frame, visible_rows(frame)


def vega_lite(chart) -> dict:
    """The Vega-Lite dict `st.altair_chart(chart)` would send, data as Arrow datasets.
    Streamlit's own conversion (theme "none", its lock on Altair's global settings), so a
    cached spec drawn with `st.vega_lite_chart` is the same element, selections included.

    Without Altair's validation of the whole spec against the Vega-Lite JSON schema: it
    gives the same dict (tests/test_specs.py compares) and was a third of building the
    timeline on every filter change (~85 ms of a 1M rerun). The chart builders' own tests
    validate every kind of chart (tests/test_timeline.py, test_scale.py: `to_dict()`)."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    # Streamlit calls `chart.to_dict()`; an instance attribute outranks the method (Altair's
    # own __setattr__ would store it as a chart property, hence object.__setattr__)
    object.__setattr__(chart, "to_dict", partial(type(chart).to_dict, chart, validate=False))
    return _convert_altair_to_vega_lite_spec(chart)


ROWS = "atlas-rows"  # the placeholder dataset name of a cached chart (vega_lite_of)
_CHARTS: dict[tuple, dict] = {}  # (builder, its parameters) -> Vega-Lite without the rows
_CHARTS_KEPT = 256  # a few KB each; a long brushing session makes a few dozen


def _frozen(value):
    """A hashable stand-in for a parameter (a small frame, such as the coverage gaps, by
    its rows)."""
    if isinstance(value, pd.DataFrame):
        return ("frame", tuple(value.columns), tuple(value.itertuples(index=False, name=None)))
    return value


@dataclass(frozen=True)
class Swapped:
    """A chart builder's argument that `vega_lite_of` swaps into the kept chart instead of
    keeping one chart per value: strings the builder only copies into the spec, such as a
    period's ends in the time scale's domain. The builder gets placeholder strings."""

    value: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SwappedRows:
    """A chart builder's data argument besides its rows that `vega_lite_of` converts on
    each call as it does the rows, such as the overview's period outline: the builder gets
    a placeholder dataset."""

    frame: pd.DataFrame


def _placeholders(position: int, swapped: Swapped) -> tuple[str, ...]:
    # a NUL-led string: no date, label or name in the data is one
    return tuple(f"\x00atlas-swapped-{position}-{i}" for i in range(len(swapped.value)))


def _with_rows(node, refs: Mapping[str, dict], swaps: Mapping[str, str]):
    """A copy of a cached spec with the dataset reference `refs[name]` where it names a
    placeholder dataset (ROWS, `SwappedRows`) and the `swaps` values where their
    placeholders are (a copy: a caller may change what it gets, the cache must not)."""
    if isinstance(node, dict):
        if len(node) == 1 and node.get("name") in refs:
            return dict(refs[node["name"]])
        return {k: _with_rows(v, refs, swaps) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_rows(v, refs, swaps) for v in node]
    if isinstance(node, str):
        return swaps.get(node, node)
    return node


def vega_lite_of(build, rows: pd.DataFrame, *args, **kwargs) -> dict:
    """`vega_lite(build(rows, *args, **kwargs))`, building the chart once per builder and
    parameters: the chart is built on a placeholder dataset, converted, kept, and each call
    converts only its rows (to Arrow, under their content hash, as Streamlit does); `Swapped`
    and `SwappedRows` arguments are placeholders in the kept chart, their values put in on
    each call.

    Building an Altair chart is most of a timeline's cost (each `encode` with a shorthand or
    a condition parses it against Vega-Lite's ~600 schema classes, `alt.layer` merges
    parameters: ~130 ms of a detail view on the bundled data), and the chart depends on
    the period, height and gaps, not on the filtered rows or the selection; a period only
    sets a time scale's domain (`Swapped`) and the overview's outline (`SwappedRows`): one
    chart for every period. tests/test_specs.py checks the result equals
    `vega_lite(build(rows, ...))`."""
    from streamlit.elements.vega_charts import _to_arrow_dataset

    swaps: dict[str, str] = {}
    datasets: dict = {}
    refs = {ROWS: _to_arrow_dataset(rows, datasets)}
    given, keyed = [], []
    for position, arg in enumerate(args):
        if isinstance(arg, Swapped):
            marks = _placeholders(position, arg)
            swaps.update(zip(marks, arg.value, strict=True))
            arg = marks
        elif isinstance(arg, SwappedRows):
            name = f"{ROWS}-{position}"
            refs[name] = _to_arrow_dataset(arg.frame, datasets)
            arg = alt.NamedData(name=name)
        given.append(arg)
        keyed.append(arg.name if isinstance(arg, alt.NamedData) else _frozen(arg))
    key = (build.__module__, build.__qualname__, *keyed)
    key += tuple((k, _frozen(v)) for k, v in sorted(kwargs.items()))
    chart = _CHARTS.get(key)
    if chart is None:
        chart = vega_lite(build(alt.NamedData(name=ROWS), *given, **kwargs))
        if len(_CHARTS) >= _CHARTS_KEPT:
            _CHARTS.clear()
        _CHARTS[key] = chart
    spec = _with_rows(chart, refs, swaps)
    spec["datasets"] = {**spec["datasets"], **datasets}
    return spec


def has_background(dataset, vocab: Vocabulary) -> bool:
    """The bundled set reaches back to 1960 for legal background (its incidents start in
    2011): hidden unless asked for. Imports and other data are drawn from their first date."""
    return dataset.curated and vocab.first.year < 2000


def whole_range(vocab: Vocabulary, full: bool, background: bool) -> tuple[str, str]:
    """The overview's range: from 2011 unless the legal background is asked for."""
    first_year = vocab.first.year if full or not background else 2011
    return (f"{first_year}-01-01T00:00:00Z", f"{vocab.last.year + 1}-01-01T00:00:00Z")


def timeline_spec(
    table: pd.DataFrame,
    covered: list,
    filters: Filters,
    whole: tuple[str, str],
    large: bool,
    part: str,
    bins: pd.DataFrame | None = None,
    frames: Frames | None = None,
    detail: pd.DataFrame | None = None,
) -> dict:
    """The focus + context timeline's `part` ("detail" or "overview", atlas.timeline) as
    Vega-Lite; `covered` is `atlas.coverage.covered_spans` of the dataset (grey bands).
    The overview does not depend on the selection: give it filters without one. `bins`:
    the filtered frame's month bins (`Backend.month_bins`) when `table` is not the whole
    filtered set (the team database's capped frame); `frames`: see `_filtered`; `detail`:
    the filters' `detail_rows` when kept (ui.data: a small table's, for every selection)."""
    frame, visible = _filtered(table, filters, frames)
    gaps = coverage_gaps(covered, *(pd.Timestamp(w[:10]) for w in whole))
    period = period_domain(filters.start, filters.end, whole)
    if part == "overview":
        rows = overview_rows(frame, whole, bins)
        return vega_lite_of(overview_layers, rows, whole, SwappedRows(period_outline(period)), gaps)
    if large:
        rows = timeline_bins(frame) if bins is None else bins
        return vega_lite_of(binned_layers, rows, Swapped(period), height=DETAIL_PX)
    if detail is None:
        detail = detail_rows(table, filters, whole, (frame, visible))
    rows = with_selected(detail, selected_incident(frame, filters))
    return vega_lite_of(timeline_layers, rows, Swapped(period), None, gaps)


def detail_rows(
    table: pd.DataFrame, filters: Filters, whole: tuple[str, str], frames: Frames | None = None
) -> pd.DataFrame:
    """The detail timeline's rows of `filters` without their selection (`timeline_spec`'s
    `detail`): laying them out is most of building a detail; a selection only marks one."""
    frame, _ = _filtered(table, filters, frames)
    return timeline_rows(frame, None, period_domain(filters.start, filters.end, whole))


def grid_size(cell: Cell | None) -> float:
    """The grid the map counts in: the whole region's, or the next finer inside a cell."""
    return cell.finer if cell else GRID_SIZES[0]


@dataclass(frozen=True)
class DeckView:
    deck: pdk.Deck  # its JSON computed once (atlas.mapspec.CompactDeck): never changed
    cells: int  # grid cells drawn (large sets), else 0
    size: float  # their size in degrees
    sparse: int = 0  # incidents in cells not drawn (public tier: atlas.redaction)
    shown: frozenset[str] = frozenset()  # the in-period incidents (a selection stays if here)
    rings: Mapping[str, list[dict]] = field(default_factory=dict)  # their selection rings


def with_selection(view: DeckView, incident: str | None) -> DeckView:
    """The map of `view` (drawn without a selection) with `incident` ringed when it is in
    the period: the deck's JSON extended, not its marks laid out again (a click on a mark
    is the most frequent change there is)."""
    if not incident or incident not in view.shown:
        return view
    deck = view.deck.with_layer(selection_layer(view.rings.get(incident, [])))
    return replace(view, deck=deck)


def map_view(
    dataset: Dataset,
    table: pd.DataFrame,
    crossings: pd.DataFrame,
    filters: Filters,
    online: bool,
    height: int,
    large: bool,
    cells: pd.DataFrame | None = None,
    sparse_below: int = 0,
    width: int = VIEWPORT[0],
    frames: Frames | None = None,
    source: MarkSource | None = None,
) -> DeckView:
    """The map of the filtered set: one mark per incident, or grid cells when `large`
    (`cells`: `Backend.grid_cells` at `grid_size(filters.cell)`, when already counted; those
    with fewer than `sparse_below` incidents left out: the public tier's), fitted to a map
    `height` px tall (and `width` px wide: an embed fits its frame); `frames`: see
    `_filtered`; `source`: the table's `atlas.marks.MarkSource` when kept."""
    frame, visible = _filtered(table, filters, frames)
    cell = filters.cell
    if large:
        size = grid_size(cell)
        cells = grid_cells(visible, size) if cells is None else cells
        cells, sparse = suppress_sparse(cells, sparse_below)
        deck = build_grid_deck(cells, crossings, cell, online_basemap=online)
        view = DeckView(deck, len(cells), size, sparse)
    else:
        deck, marks = deck_and_marks(
            frame, dataset.places, crossings, online_basemap=online, cell=cell, height=height,
            width=width, source=source,
        )  # fmt: skip
        shown = frozenset(visible["incident_id"])
        view = DeckView(deck, 0, 0.0, shown=shown, rings=selection_rings(marks))
    deck.freeze()  # serialised here, once, not on every rerun that draws it
    return view if large else with_selection(view, filters.incident)


STOCKS_KEPT = 10  # more than the sidebar lists (ui.sidebar.STOCKS_SHOWN) or the summary


@dataclass(frozen=True)
class People:
    totals: tuple[PeopleTotal, ...]  # per flow type (atlas.people.flow_totals)
    held: pd.DataFrame  # the latest stocks (atlas.people.stocks): dates, people_label
    n_held: int  # how many stocks in all
    matching: int  # in-period incidents (the database counts them: its frame is capped)

    def counted(self) -> tuple[tuple[PeopleTotal, ...], pd.DataFrame, int]:
        """What the sidebar's and the summary row's `counted` parameter takes."""
        return self.totals, self.held, self.n_held


# what atlas.people reads: its filters then copy these columns, not the table's ~40
PEOPLE_COLUMNS = [
    *SPECIAL_COLUMNS,
    "event_type",
    "people_max",
    "date_start",
    "date_end",
    "people_label",
]


def people(table: pd.DataFrame, filters: Filters, frames: Frames | None = None) -> People:
    """People per flow type and the stocks of the filtered period (sidebar, summary row)."""
    _, visible = _filtered(table, filters, frames)
    visible = visible[PEOPLE_COLUMNS]
    held = stocks(visible)  # a million-row set may hold 100,000 stocks: keep the latest
    latest = held.head(STOCKS_KEPT)[["date_start", "date_end", "people_label"]]
    return People(tuple(flow_totals(visible)), latest, len(held), len(visible))


def incident_list(table: pd.DataFrame, filters: Filters, frames: Frames | None = None) -> ListRows:
    """The list's rows (ui.panels.newest_first) and each row's label for the pick box."""
    _, visible = _filtered(table, filters, frames)
    return list_rows(visible)


def source_panel(
    dataset: Dataset,
    table: pd.DataFrame,
    index: ReportIndex | None,
    filters: Filters,
    large: bool,
    frames: Frames | None = None,
) -> pd.DataFrame:
    """The per-source summary of the filtered period (vectorised with `index` when large)."""
    _, visible = _filtered(table, filters, frames)
    if large and index is not None:
        return source_summary_large(visible, dataset.reports, index, len(table))
    return source_summary(visible, dataset.reports)
