"""The timeline as data: focus + context, built by pure functions that tests inspect.

- The **detail** view (`timeline_chart`) spans the selected period: one fixed-height row per
  event type, every type's row always present in a fixed order, behind a label column of
  fixed width (`LABEL_WIDTH`), so nothing moves when filters change. Each incident is a
  point at the middle of its span, sized with the map's own radius function
  (`atlas.marks.pixel_radius`: square root of people, same pixels), over a rule from
  date_start to date_end (imprecise dates stay spans). Stocks (`held`) are squares: a count
  of people held as of a date, not an event. Marks that would overlap within a row at the
  current zoom are dodged into lanes (`dodge_lanes`), and smaller marks are drawn over
  larger ones, so every mark stays clickable (selection "pick", by incident_id).
- The **overview** strip (`overview_chart`) shows the whole range as monthly counts with
  the selected period outlined.
- Both shade the stretches no document covers (`atlas.coverage`): "no reports" is not
  "no events".

Period and brush: the period filter (sidebar, URL `from`/`to`) is the state. The detail
view spans it; a brush on the detail (selection "brush") or on the overview (selection
"overview") sets it, snapped to whole months or days (`atlas.zoom.brush_period`); zoom
presets (year, quarter, month) and reset set it too. Dates are UTC ISO strings (datetimes
arrive in the browser as {}), on `utc` scales.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from atlas import schema
from atlas.marks import pixel_radius
from atlas.timebins import LABEL_WIDTH, binned_timeline_chart, timeline_bins

__all__ = [
    "BRUSH",
    "OVERVIEW",
    "PICK",
    "binned_timeline_chart",
    "detail_chart",
    "dodge_lanes",
    "focus_context_chart",
    "overview_chart",
    "overview_layers",
    "overview_rows",
    "period_outline",
    "timeline_bins",
    "timeline_chart",
    "timeline_frame",
    "timeline_layers",
    "timeline_rows",
    "with_selected",
]

BRUSH = "brush"  # on the detail view
OVERVIEW = "overview"  # on the overview strip
PICK = "pick"
ROW_PX = 40  # px: height of one event-type row
LANE_PX = 12  # px: vertical step between dodged lanes within a row
LANES = (0, -1, 1)  # lane offsets (in LANE_PX) tried in order: a row holds three lanes
DETAIL_WIDTH = 640  # px: the narrowest plot width the lanes are computed for
AXIS_PX = 24  # px: the time axis under each view (Streamlit fits the axis into the height)
OVERVIEW_PX = 84
DETAIL_PX = ROW_PX * 6 + AXIS_PX  # px: the monthly detail view of a large set
GAP_FILL = "#9a9a9a"
CHART_COLUMNS = [
    "incident_id",
    "title",
    "type_label",
    "date_text",
    "people_label",
    "n_sources",
    "start",
    "end",
    "mid",
    "people",
    "in_period",
    "selected",
    "hollow",
    "shape",
    "size",
    "lane",
    "y_offset",
]


def _labels_colours() -> tuple[list[str], list[str]]:
    labels = [e.label for e in schema.EVENT_TYPES]
    colours = ["#{:02x}{:02x}{:02x}".format(*e.colour) for e in schema.EVENT_TYPES]
    return labels, colours


def _ms(iso: str) -> float:
    return pd.Timestamp(iso).value / 1e6


def dodge_lanes(
    left_px: np.ndarray, right_px: np.ndarray, rows: np.ndarray, lanes: tuple[int, ...] = LANES
) -> np.ndarray:
    """A lane per mark so that marks of one row whose pixel extents [left, right] overlap
    sit in different lanes (greedy, left to right). When every lane of a row is taken at
    that place, the lane that frees up first is reused (more than `len(lanes)` marks on
    one spot: they overlap, smaller drawn on top)."""
    out = np.zeros(len(left_px), dtype=int)
    order = np.lexsort((left_px, rows))
    free: dict[object, list[float]] = {}
    for i in order:
        ends = free.setdefault(rows[i], [-np.inf] * len(lanes))
        slot = next((k for k, end in enumerate(ends) if end < left_px[i]), None)
        if slot is None:
            slot = int(np.argmin(ends))
        ends[slot] = right_px[i]
        out[i] = lanes[slot]
    return out


def timeline_frame(
    frame: pd.DataFrame,
    selected: str | None,
    domain: tuple[str, str] | None = None,
    width: int = DETAIL_WIDTH,
) -> pd.DataFrame:
    """Chart rows within `domain`: ISO date strings, UTC; `size` is the area (px²) of a
    symbol whose radius is the map's `pixel_radius`; `lane` and `y_offset` dodge marks at
    this zoom."""
    out = frame
    if domain:  # only what the view can show: rows outside it would be clipped anyway
        d0, d1 = (pd.Timestamp(d).tz_localize(None) for d in domain)
        out = out[(out["date_start"] < d1) & (out["date_end"] >= d0)]
    out = out.copy()
    end_exclusive = out["date_end"] + pd.Timedelta(days=1)
    mid = out["date_start"] + (end_exclusive - out["date_start"]) / 2
    out["start"] = out["date_start"].dt.strftime("%Y-%m-%dT00:00:00Z")
    out["end"] = end_exclusive.dt.strftime("%Y-%m-%dT00:00:00Z")
    out["mid"] = mid.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["people"] = out["people_max"].fillna(out["people_min"]).astype("float").fillna(0)
    out["selected"] = out["incident_id"] == selected
    out["hollow"] = out["people_min"].isna()
    shapes = {"context": "diamond", **{t: "square" for t in schema.STOCK_TYPES}}
    out["shape"] = out["event_type"].map(lambda t: shapes.get(t, "circle"))
    radius = np.array(
        [pixel_radius(hi, lo) for hi, lo in zip(out["people_max"], out["people_min"], strict=True)],
        dtype=float,
    )
    # Vega symbol size is the area of the bounding square: a diameter of 2r is (2r)²
    out["size"] = np.round((2 * radius) ** 2, 1)
    if domain:
        d0, d1 = _ms(domain[0]), _ms(domain[1])
    elif len(out):
        d0, d1 = _ms(out["start"].min()), _ms(out["end"].max())
    else:
        d0, d1 = 0.0, 1.0
    per_ms = width / max(d1 - d0, 1.0)

    def px(col: pd.Series) -> np.ndarray:
        return (pd.to_datetime(col).astype("int64").to_numpy() / 1e3 - d0) * per_ms

    centre = px(mid)
    if domain:
        # a span reaching outside the view has its point in the middle of the visible part,
        # on its line: visible and clickable at any zoom
        lo = np.maximum(px(out["date_start"]), 0.0)
        hi = np.minimum(px(end_exclusive), float(width))
        outside = (centre < 0) | (centre > width)
        centre = np.where(outside, (lo + hi) / 2, centre)
        shown = pd.to_datetime(d0 + centre / per_ms, unit="ms")
        out["mid"] = np.where(outside, shown.strftime("%Y-%m-%dT%H:%M:%SZ"), out["mid"])
    left = np.minimum(px(out["date_start"]), centre - radius)
    right = np.maximum(px(end_exclusive), centre + radius)
    out["lane"] = dodge_lanes(left, right, out["event_type"].to_numpy())
    out["y_offset"] = ROW_PX // 2 + out["lane"] * LANE_PX
    return out[CHART_COLUMNS]


def _time_x(field: str, domain: tuple[str, str] | None) -> alt.X:
    """The shared UTC axis; Vega's own multi-level time labels (years, months, days) fit
    every zoom."""
    scale = alt.Scale(type="utc", domain=list(domain)) if domain else alt.Scale(type="utc")
    return alt.X(f"{field}:T", scale=scale, title=None, axis=alt.Axis(labelOverlap=True))


def _gap_layer(gaps: pd.DataFrame, domain: tuple[str, str] | None) -> alt.Chart:
    """Grey bands where no document reports ("no reports", not "no events")."""
    return (
        alt.Chart(gaps)
        .mark_rect(color=GAP_FILL, opacity=0.18, clip=True)
        .encode(
            x=_time_x("start", domain),
            x2="end:T",
            tooltip=[alt.Tooltip("note:N", title="No reports")],
        )
        .transform_calculate(note="'No document in the set reports from this stretch'")
    )


def timeline_chart(
    frame: pd.DataFrame,
    selected: str | None = None,
    domain: tuple[str, str] | None = None,
    height: int | None = None,
    gaps: pd.DataFrame | None = None,
    width: int = DETAIL_WIDTH,
    *,
    only: tuple[str, ...] | None = None,
    row_px: int = ROW_PX,
) -> alt.LayerChart:
    """The detail view over `domain` (the selected period): see the module docstring. An
    embed passes `only` (the event-type codes whose rows it shows, in schema order) and a
    smaller `row_px` to fit its frame; lanes keep their step in proportion to the row."""
    rows = timeline_rows(frame, selected, domain, width, row_px=row_px)
    return timeline_layers(rows, domain, height, gaps, only=only, row_px=row_px)


def timeline_rows(
    frame: pd.DataFrame,
    selected: str | None,
    domain: tuple[str, str] | None = None,
    width: int = DETAIL_WIDTH,
    *,
    row_px: int = ROW_PX,
) -> pd.DataFrame:
    """The detail view's data: `timeline_frame`, its lanes placed in rows of `row_px`."""
    data = timeline_frame(frame, selected, domain, width)
    if row_px != ROW_PX:
        data = data.assign(y_offset=row_px // 2 + data["lane"] * LANE_PX * row_px / ROW_PX)
    return data


def with_selected(rows: pd.DataFrame, incident: str | None) -> pd.DataFrame:
    """Detail rows (`timeline_rows` without a selection) with `incident` selected: the
    selection changes their `selected` column and nothing else, so the rows of a filter
    set serve each of its selections (ui.data keeps a small table's)."""
    return rows if incident is None else rows.assign(selected=rows["incident_id"] == incident)


def timeline_layers(
    data: pd.DataFrame | alt.NamedData,
    domain: tuple[str, str] | None = None,
    height: int | None = None,
    gaps: pd.DataFrame | None = None,
    *,
    only: tuple[str, ...] | None = None,
    row_px: int = ROW_PX,
) -> alt.LayerChart:
    """The detail view drawn from its data (`timeline_rows`): everything in it but the data
    depends only on these parameters, so the dashboard builds it once per view and swaps
    the rows in (ui.specs.vega_lite_of)."""
    labels, colours = _labels_colours()
    if only is not None:
        keep = [e.code in only for e in schema.EVENT_TYPES]
        labels = [x for x, k in zip(labels, keep, strict=True) if k]
        colours = [x for x, k in zip(colours, keep, strict=True) if k]
    y = alt.Y(
        "type_label:N",
        sort=labels,
        # every row, always, in schema order; bands of exactly ROW_PX (no padding), the
        # marks placed in them by yOffset from the band's top
        scale=alt.Scale(domain=labels, paddingInner=0, paddingOuter=0),
        title=None,
        axis=alt.Axis(labelLimit=LABEL_WIDTH - 10, minExtent=LABEL_WIDTH, maxExtent=LABEL_WIDTH),
    )
    y_offset = alt.YOffset("y_offset:Q", scale=None)
    colour = alt.Color("type_label:N", scale=alt.Scale(domain=labels, range=colours), legend=None)
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    pick = alt.selection_point(name=PICK, fields=["incident_id"], on="click", empty=False)
    opacity = alt.condition("datum.in_period", alt.value(0.9), alt.value(0.15))
    tooltip = [
        alt.Tooltip("title:N", title="Incident"),
        alt.Tooltip("date_text:N", title="Date"),
        alt.Tooltip("people_label:N", title="People"),
        alt.Tooltip("n_sources:Q", title="Sources"),
    ]
    base = alt.Chart(data)
    spans = base.mark_rule(strokeWidth=4, strokeCap="round", clip=True).encode(
        x=_time_x("start", domain),
        x2="end:T",
        y=y,
        yOffset=y_offset,
        color=colour,
        opacity=opacity,
    )
    marks = (
        base.mark_point(filled=True, clip=True)
        .encode(
            x=_time_x("mid", domain),
            y=y,
            yOffset=y_offset,
            color=colour,
            shape=alt.Shape(
                "shape:N",
                scale=alt.Scale(
                    domain=["circle", "diamond", "square"], range=["circle", "diamond", "square"]
                ),
                legend=None,
            ),
            size=alt.Size("size:Q", scale=None, legend=None),  # px², from pixel_radius
            order=alt.Order("size:Q", sort="descending"),  # small marks on top: clickable
            # count unknown: hollow; a stock (square) lightly filled, it is a level, not an event
            fillOpacity=alt.when("datum.hollow")
            .then(alt.value(0.0))
            .when("datum.shape == 'square'")
            .then(alt.value(0.08))
            .otherwise(alt.value(0.55)),
            opacity=opacity,
            stroke=alt.when("datum.selected")
            .then(alt.value("black"))
            .otherwise(
                alt.Stroke(
                    "type_label:N", scale=alt.Scale(domain=labels, range=colours), legend=None
                )
            ),
            strokeWidth=alt.when("datum.selected").then(alt.value(3)).otherwise(alt.value(1.5)),
            tooltip=tooltip,
        )
        .add_params(brush, pick)
    )
    layers = [spans, marks]
    if gaps is not None and len(gaps):
        layers.insert(0, _gap_layer(gaps, domain))
    return alt.layer(*layers).properties(height=height or row_px * len(labels) + AXIS_PX)


def overview_chart(
    frame: pd.DataFrame,
    domain: tuple[str, str],
    period: tuple[str, str] | None = None,
    gaps: pd.DataFrame | None = None,
    height: int = OVERVIEW_PX,
    bins: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """The whole range as monthly counts per event type (faded outside the period), the
    period outlined; carries the brush "overview". `bins`: `timeline_bins(frame)` when the
    caller has them (the team database computes them)."""
    rows = overview_rows(frame, domain, bins)
    outline = period_outline(period) if period else None
    return overview_layers(rows, domain, outline, gaps, height)


def overview_rows(
    frame: pd.DataFrame, domain: tuple[str, str], bins: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The overview's data: the month bins (`timeline_bins`) within `domain`."""
    bins = timeline_bins(frame) if bins is None else bins
    return bins[(bins["end"] > domain[0]) & (bins["start"] < domain[1])]  # ISO strings sort


def period_outline(period: tuple[str, str]) -> pd.DataFrame:
    """The overview's outline of the period: one row, its ends."""
    return pd.DataFrame({"start": [period[0]], "end": [period[1]]})


def overview_layers(
    bins: pd.DataFrame | alt.NamedData,
    domain: tuple[str, str],
    outline: pd.DataFrame | alt.NamedData | None = None,
    gaps: pd.DataFrame | None = None,
    height: int = OVERVIEW_PX,
) -> alt.LayerChart:
    """The overview drawn from its data (`overview_rows`), as `timeline_layers`, the
    period outlined from `outline` (`period_outline`; data, not a parameter, so that one
    chart serves every period: ui.specs.vega_lite_of)."""
    labels, colours = _labels_colours()
    bars = (
        alt.Chart(bins)
        .mark_bar(clip=True)
        .encode(
            x=_time_x("start", domain),
            x2="end:T",
            y=alt.Y(
                "y0:Q",
                title="Whole range",
                axis=alt.Axis(
                    labels=False,
                    ticks=False,
                    grid=False,
                    domain=False,
                    titleAngle=0,
                    titleAlign="right",
                    titleBaseline="middle",
                    titleY=(height - AXIS_PX) / 2,
                    titleX=-8,
                    titleFontWeight="normal",
                    minExtent=LABEL_WIDTH,
                    maxExtent=LABEL_WIDTH,
                ),
            ),
            y2="y1:Q",
            color=alt.Color(
                "type_label:N", scale=alt.Scale(domain=labels, range=colours), legend=None
            ),
            opacity=alt.condition("datum.in_period", alt.value(0.9), alt.value(0.3)),
        )
        .add_params(alt.selection_interval(name=OVERVIEW, encodings=["x"]))
    )
    layers: list[alt.Chart] = [bars]
    if gaps is not None and len(gaps):
        layers.insert(0, _gap_layer(gaps, domain))
    if outline is not None:
        layers.append(
            alt.Chart(outline)
            .mark_rect(fill=None, stroke="#222222", strokeWidth=1.5, clip=True)
            .encode(x=_time_x("start", domain), x2="end:T")
        )
    return alt.layer(*layers).properties(height=height)


def focus_context_chart(
    frame: pd.DataFrame,
    selected: str | None,
    period: tuple[str, str],
    whole: tuple[str, str],
    gaps: pd.DataFrame | None = None,
    large: bool = False,
) -> tuple[alt.TopLevelMixin, alt.LayerChart]:
    """Detail over the period (per incident, or monthly counts when `large`) and the
    overview of the whole range: two charts drawn one above the other, each as wide as its
    container (a vconcat would not stretch), with label columns of the same width."""
    detail = detail_chart(frame, selected, period, gaps, large=large)
    return detail, overview_chart(frame, whole, period, gaps)


def detail_chart(
    frame: pd.DataFrame,
    selected: str | None,
    period: tuple[str, str],
    gaps: pd.DataFrame | None = None,
    large: bool = False,
    bins: pd.DataFrame | None = None,
) -> alt.TopLevelMixin:
    """The detail view of `focus_context_chart` alone (the overview does not depend on the
    selection: the dashboard builds each once per what it depends on). `bins`: as
    `overview_chart`'s."""
    if large:
        return binned_timeline_chart(frame, period, height=DETAIL_PX, bins=bins)
    return timeline_chart(frame, selected, period, gaps=gaps)
