"""The views' aggregate questions asked of the team database: grid cells, month bins,
counts per type and source summaries computed by PostgreSQL on the filtered incidents
(`atlas.db.where`), so that only what a view draws travels.

Each function mirrors its files counterpart (`atlas.grid.grid_cells`,
`atlas.timebins.timeline_bins`, `atlas.sources.source_summary`); atlas.backend shapes the
rows into the same frames; tests/db/test_backends.py runs one suite against both.
Identifiers sort in the "C" collation (code point order, as Python sorts).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from atlas.db.where import FLOAT, conditions, coordinates, i, r, visible
from atlas.filters import Filters

# --- aggregates ------------------------------------------------------------------------


def _sums() -> list[sa.ColumnElement]:
    """Per group of in-period incidents: incidents, those with a count, the sums of
    minimums and maximums, and whether a count has no upper bound (`type_counts`' rule)."""
    return [
        sa.func.count().label("incidents"),
        sa.func.count(i.c.people_min).label("counted"),
        sa.func.coalesce(sa.func.sum(i.c.people_min), 0).label("people_min"),
        sa.func.coalesce(sa.func.sum(i.c.people_max), 0).label("people_max"),
        sa.func.coalesce(
            sa.func.bool_or(sa.and_(i.c.people_min.is_not(None), i.c.people_max.is_(None))),
            False,
        ).label("open_ended"),
    ]


def cell_type_counts(connection: sa.Connection, filters: Filters, size: float) -> pd.DataFrame:
    """In-period incidents per grid cell of `size` degrees and event type (floor of
    longitude / size, latitude / size in float8, as `grid_cells` does in numpy), with the
    sums of `type_counts`: one scan answers the map's cells and the people totals' sums
    (summed per type by atlas.backend; 205 ms at 1M for two types, against 237 + 72 ms
    for the two questions). Incidents without a point are one group per type, ix and iy
    NULL: counted, never drawn."""
    step = sa.bindparam("size", size, type_=FLOAT)
    lon, lat = coordinates()
    ix = sa.func.floor(lon / step).label("ix")
    iy = sa.func.floor(lat / step).label("iy")
    statement = (
        sa.select(ix, iy, i.c.event_type, *_sums())
        .where(*visible(filters))
        .group_by(ix, iy, i.c.event_type)
    )
    result = connection.execute(statement)
    return pd.DataFrame(result.all(), columns=list(result.keys()))  # columns when empty too


def month_counts(connection: sa.Connection, filters: Filters, period: bool) -> pd.DataFrame:
    """Incidents per calendar month and event type, each counting 1/months in every month
    of its span (`timeline_bins`' rule): of those matching every filter but the period
    (`period` false), or only those in the period too. Incidents are first counted per
    distinct span of months (most share theirs), then each span is spread over its months
    with `generate_series`."""
    # truncated as timestamps (no time zone): the same first days as truncating the dates'
    # implicit timestamptz, without a time zone conversion per row (1.9× faster at 1M)
    first = sa.func.date_trunc("month", sa.cast(i.c.date_start, sa.DateTime))
    last = sa.func.date_trunc("month", sa.cast(i.c.date_end, sa.DateTime))
    spans = (
        sa.select(
            first.label("first"), last.label("last"), i.c.event_type, sa.func.count().label("n")
        )
        .where(*(visible(filters) if period else conditions(filters)))
        .group_by("first", "last", i.c.event_type)
        .subquery("spans")
    )
    months = (
        sa.extract("year", spans.c.last) * 12
        + sa.extract("month", spans.c.last)
        - sa.extract("year", spans.c.first) * 12
        - sa.extract("month", spans.c.first)
        + 1
    )
    series = (
        sa.func.generate_series(spans.c.first, spans.c.last, sa.text("interval '1 month'"))
        .table_valued("month")
        .render_derived()
        .lateral()
    )
    month = sa.cast(series.c.month, sa.Date).label("month")
    weight = sa.func.sum(sa.cast(spans.c.n, FLOAT) / sa.cast(months, FLOAT)).label("count")
    statement = (
        sa.select(month, spans.c.event_type, weight)
        .select_from(spans.join(series, sa.true()))
        .group_by(month, spans.c.event_type)
    )
    return pd.DataFrame(connection.execute(statement).all(), columns=["month", "type", "count"])


def type_counts(connection: sa.Connection, filters: Filters) -> pd.DataFrame:
    """Per event type of the in-period incidents: `_sums`."""
    statement = (
        sa.select(i.c.event_type, *_sums()).where(*visible(filters)).group_by(i.c.event_type)
    )
    return pd.DataFrame(connection.execute(statement).mappings().all())


def _claim_text(lo: sa.ColumnElement, hi: sa.ColumnElement) -> sa.ColumnElement[str]:
    """`atlas.sources.claim_count` in SQL: '', '≥24', '30' or '13–15'."""
    lo_text, hi_text = sa.cast(lo, sa.Text), sa.cast(hi, sa.Text)
    return sa.case(
        (sa.and_(lo.is_(None), hi.is_(None)), ""),
        (hi.is_(None), "≥" + lo_text),
        (sa.or_(lo == hi, lo.is_(None)), lo_text),
        else_=lo_text + "–" + hi_text,
    )


def source_rows(connection: sa.Connection, filters: Filters) -> pd.DataFrame:
    """`atlas.sources.source_summary` of the in-period incidents, in the database."""
    shown = sa.select(i.c.incident_id).where(*visible(filters)).cte("shown")
    claim = _claim_text(r.c.people_min, r.c.people_max)
    counted = sa.select(r.c.incident_id, r.c.source, claim.label("claim")).where(
        r.c.people_min.is_not(None)
    )
    counted = counted.cte("counted")
    disputed_incidents = (
        sa.select(counted.c.incident_id)
        .group_by(counted.c.incident_id)
        .having(sa.func.count(sa.distinct(counted.c.claim)) > 1)
    ).cte("disputed_incidents")
    incident = counted.c.incident_id.collate("C")
    disagrees = (
        sa.select(
            counted.c.source,
            sa.func.string_agg(
                sa.distinct(incident), aggregate_order_by(sa.literal(", "), incident)
            ).label("disagrees_on"),
        )
        .where(counted.c.incident_id.in_(sa.select(disputed_incidents.c.incident_id)))
        .group_by(counted.c.source)
    ).cte("disagrees")
    first_type = sa.func.array_agg(
        aggregate_order_by(sa.func.coalesce(r.c.source_type, ""), r.c.row_order)
    )[1]
    published = sa.func.coalesce(r.c.published, "").collate("C")
    mine = (
        sa.select(
            r.c.source,
            first_type.label("source_type"),
            sa.func.count(sa.distinct(r.c.incident_id)).label("incidents"),
            sa.func.count().label("reports"),
            sa.func.min(published).label("first"),
            sa.func.max(published).label("last"),
            sa.func.coalesce(
                sa.func.string_agg(
                    claim, aggregate_order_by(sa.literal(", "), r.c.row_order)
                ).filter(claim != ""),
                "",
            ).label("counts_claimed"),
        )
        .where(r.c.incident_id.in_(sa.select(shown.c.incident_id)))
        .group_by(r.c.source)
    ).subquery("mine")
    statement = (
        sa.select(*mine.c, sa.func.coalesce(disagrees.c.disagrees_on, "").label("disagrees_on"))
        .select_from(mine.outerjoin(disagrees, disagrees.c.source == mine.c.source))
        .order_by(mine.c.incidents.desc(), mine.c.source.collate("C"))
    )
    return pd.DataFrame(connection.execute(statement).mappings().all())


# --- whole tables ----------------------------------------------------------------------


def bounds(connection: sa.Connection) -> tuple[date | None, date | None, int]:
    """First date, last date and number of incidents."""
    return tuple(
        connection.execute(
            sa.select(sa.func.min(i.c.date_start), sa.func.max(i.c.date_end), sa.func.count())
        ).one()
    )


def month_index(months: pd.Series) -> np.ndarray:
    """Months (dates) as numpy months since 1970."""
    return pd.to_datetime(months).to_numpy().astype("datetime64[M]").astype(np.int64)
