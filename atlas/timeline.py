"""The timeline as data: `timeline_chart` returns an Altair chart that tests inspect.

Each incident is a mark on a UTC time axis, one row per event type: a span from date_start
to date_end (imprecise dates are drawn as what they are, ranges), a point sized by people
(hollow when the count is unknown), context events as grey diamonds. Rows outside the
filtered period stay, dimmed, so the brush (selection "brush", x only) shows its context;
clicking a mark selects it (selection "pick", by incident_id).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from atlas import schema

BRUSH = "brush"
PICK = "pick"
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
]


def timeline_frame(frame: pd.DataFrame, selected: str | None) -> pd.DataFrame:
    """Chart rows: ISO date strings (datetimes arrive in the browser as {}), UTC."""
    out = frame.copy()
    end_exclusive = out["date_end"] + pd.Timedelta(days=1)
    out["start"] = out["date_start"].dt.strftime("%Y-%m-%dT00:00:00Z")
    out["end"] = end_exclusive.dt.strftime("%Y-%m-%dT00:00:00Z")
    out["mid"] = (out["date_start"] + (end_exclusive - out["date_start"]) / 2).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    out["people"] = out["people_max"].fillna(out["people_min"]).astype("float").fillna(0)
    out["selected"] = out["incident_id"] == selected
    out["hollow"] = out["people_min"].isna()
    out["shape"] = out["event_type"].map(lambda t: "diamond" if t == "context" else "circle")
    return out[CHART_COLUMNS]


def _time_scale(domain: tuple[str, str] | None) -> alt.Scale:
    return alt.Scale(type="utc", domain=list(domain)) if domain else alt.Scale(type="utc")


def _time_x(domain: tuple[str, str] | None) -> alt.X:
    """Marks from `start` to `x2`, on the shared UTC axis (years, month in the label)."""
    return alt.X(
        "start:T",
        scale=_time_scale(domain),
        title=None,
        axis=alt.Axis(format="%Y", labelExpr="utcFormat(datum.value, '%b %Y')"),
    )


def timeline_chart(
    frame: pd.DataFrame,
    selected: str | None = None,
    domain: tuple[str, str] | None = None,
    height: int = 260,
) -> alt.LayerChart:
    data = timeline_frame(frame, selected)
    labels = [e.label for e in schema.EVENT_TYPES]
    colours = ["#{:02x}{:02x}{:02x}".format(*e.colour) for e in schema.EVENT_TYPES]
    y = alt.Y("type_label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=200))
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
    spans = base.mark_rule(strokeWidth=5, strokeCap="round", clip=True).encode(
        x=_time_x(domain),
        x2="end:T",
        y=y,
        color=colour,
        opacity=opacity,
    )
    marks = (
        base.mark_point(filled=True, clip=True)
        .encode(
            x=alt.X("mid:T", scale=_time_scale(domain)),
            y=y,
            color=colour,
            shape=alt.Shape(
                "shape:N",
                scale=alt.Scale(domain=["circle", "diamond"], range=["circle", "diamond"]),
                legend=None,
            ),
            size=alt.Size("people:Q", scale=alt.Scale(type="sqrt", range=[60, 900]), legend=None),
            fillOpacity=alt.condition("datum.hollow", alt.value(0.0), alt.value(0.85)),
            opacity=opacity,
            stroke=alt.condition("datum.selected", alt.value("black"), alt.value(None)),
            strokeWidth=alt.condition("datum.selected", alt.value(3), alt.value(1.5)),
            tooltip=tooltip,
        )
        .add_params(brush, pick)
    )
    return alt.layer(spans, marks).properties(height=height)


BIN_COLUMNS = ["start", "end", "type_label", "in_period", "count", "y0", "y1"]


def timeline_bins(frame: pd.DataFrame) -> pd.DataFrame:
    """Incidents per calendar month (UTC), event type and in/out of the period: the timeline
    of a large filtered set. An imprecise date counts in equal parts in every month of its
    span (a year-precision incident adds 1/12 to each month), so the bars neither invent
    a peak in one month nor lose the incident; the counts sum to the number of incidents.
    Vectorised; ISO strings."""
    first = frame["date_start"].to_numpy().astype("datetime64[M]").astype(np.int64)
    last = frame["date_end"].to_numpy().astype("datetime64[M]").astype(np.int64)
    months = last - first + 1
    types = pd.Categorical(frame["event_type"], categories=schema.EVENT_TYPE_CODES).codes
    n_types = len(schema.EVENT_TYPE_CODES)
    base = (first * n_types + types.astype(np.int64)) * 2 + frame["in_period"].to_numpy()
    # most incidents fall in one month; only the others are spread, one entry per month
    spread = np.flatnonzero(months > 1)
    row = np.repeat(spread, months[spread])
    step = np.arange(len(row)) - np.repeat(
        np.cumsum(months[spread]) - months[spread], months[spread]
    )
    key = np.concatenate([base[months == 1], base[row] + step * n_types * 2])
    weight = np.concatenate([np.ones(int((months == 1).sum())), 1.0 / months[row]])
    if len(key):
        low = int(key.min())
        summed = np.bincount(key - low, weights=weight)
        keys = np.flatnonzero(summed) + low
        counts = summed[keys - low]
    else:
        keys, counts = key, weight
    starts = (keys // 2 // n_types).astype("datetime64[M]")
    labels = np.array([e.label for e in schema.EVENT_TYPES], dtype=object)
    # stacked here, in event-type order (keys are sorted by month, then type): y0..y1
    top = pd.Series(counts).groupby(keys // 2 // n_types).cumsum().to_numpy()
    return pd.DataFrame(
        {
            "start": np.datetime_as_string(starts.astype("datetime64[D]")) + "T00:00:00Z",
            "end": np.datetime_as_string((starts + 1).astype("datetime64[D]")) + "T00:00:00Z",
            "type_label": labels[keys // 2 % n_types],
            "in_period": (keys % 2).astype(bool),
            "count": np.round(counts, 2),
            "y0": np.round(top - counts, 2),
            "y1": np.round(top, 2),
        },
        columns=BIN_COLUMNS,
    )


def binned_timeline_chart(
    frame: pd.DataFrame, domain: tuple[str, str] | None = None, height: int = 260
) -> alt.Chart:
    """Stacked monthly counts per event type (imprecise dates spread over their months),
    brushable on x (selection "brush", as the
    per-incident chart) so dragging still sets the period; months outside it are faded."""
    data = timeline_bins(frame)
    labels = [e.label for e in schema.EVENT_TYPES]
    colours = ["#{:02x}{:02x}{:02x}".format(*e.colour) for e in schema.EVENT_TYPES]
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    return (
        alt.Chart(data)
        .mark_bar(clip=True)
        .encode(
            x=_time_x(domain),
            x2="end:T",
            # stacked in timeline_bins (y0..y1): Vega-Lite does not stack bars that span x
            # to x2, and an aggregate would drop `in_period`, which the opacity reads
            y=alt.Y("y0:Q", title="Incidents per month"),
            y2="y1:Q",
            color=alt.Color(
                "type_label:N",
                scale=alt.Scale(domain=labels, range=colours),
                legend=alt.Legend(orient="bottom", title=None, columns=4),
            ),
            opacity=alt.condition("datum.in_period", alt.value(0.9), alt.value(0.2)),
            tooltip=[
                alt.Tooltip("start:T", title="Month", format="%b %Y", formatType="utc"),
                alt.Tooltip("type_label:N", title="Type"),
                alt.Tooltip("count:Q", title="Incidents", format=",.1f"),
            ],
        )
        .add_params(brush)
        .properties(height=height)
    )
