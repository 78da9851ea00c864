"""The aggregated timeline of large sets: incidents per calendar month (UTC) and event type,
stacked, brushable like the per-incident timeline (`atlas.timeline`)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from atlas import schema

BRUSH = "brush"
LABEL_WIDTH = 190  # px: the label column of every timeline view (atlas.timeline)


def _time_x(domain: tuple[str, str] | None) -> alt.X:
    scale = alt.Scale(type="utc", domain=list(domain)) if domain else alt.Scale(type="utc")
    return alt.X(
        "start:T",
        scale=scale,
        title=None,
        axis=alt.Axis(format="%Y", labelExpr="utcFormat(datum.value, '%b %Y')"),
    )


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
    return bins_table(keys, counts)


def bin_keys(month: np.ndarray, type_code: np.ndarray, in_period: np.ndarray) -> np.ndarray:
    """One integer per (month since 1970, event type code, in period), ordered as the bars
    stack: by month, then type, then out-of-period before in-period."""
    n_types = len(schema.EVENT_TYPE_CODES)
    return (month.astype(np.int64) * n_types + type_code.astype(np.int64)) * 2 + in_period


def bins_table(keys: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    """The frame of `timeline_bins` from sorted distinct `bin_keys` and their counts (the
    team database sums the months in SQL and shapes here)."""
    n_types = len(schema.EVENT_TYPE_CODES)
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
    frame: pd.DataFrame,
    domain: tuple[str, str] | None = None,
    height: int = 260,
    bins: pd.DataFrame | None = None,
) -> alt.Chart:
    """Stacked monthly counts per event type (imprecise dates spread over their months),
    brushable on x (selection "brush", as the
    per-incident chart) so dragging still sets the period; months outside it are faded."""
    data = timeline_bins(frame) if bins is None else bins  # bins: the caller's, if computed
    return binned_layers(data, domain, height)


def binned_layers(
    data: pd.DataFrame | alt.NamedData, domain: tuple[str, str] | None = None, height: int = 260
) -> alt.Chart:
    """`binned_timeline_chart` drawn from its month bins (as atlas.timeline.timeline_layers)."""
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
            y=alt.Y(
                "y0:Q",
                title="Incidents per month",
                axis=alt.Axis(minExtent=LABEL_WIDTH, maxExtent=LABEL_WIDTH),
            ),
            y2="y1:Q",
            color=alt.Color(
                "type_label:N",
                scale=alt.Scale(domain=labels, range=colours),
                legend=None,  # the page's legend lists the types: a legend here would
                # take the height Streamlit fits the chart into
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
