"""The views' questions asked of the team database: `Filters` compiled to SQL (every value
a bound parameter, never text in the statement), and grid cells, month bins, counts per
type and source summaries computed by PostgreSQL, so that only what a view draws travels.

Each function mirrors its files counterpart (`atlas.filters.apply_filters`,
`atlas.grid.grid_cells`, `atlas.timebins.timeline_bins`, `atlas.sources.source_summary`)
and returns the same frame; tests/db/test_backends.py runs one suite against both.
Identifiers sort in the "C" collation (code point order, as Python sorts).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from atlas import schema
from atlas.db import tables
from atlas.filters import Filters

i, r, p = tables.incidents, tables.reports, tables.places
TEXT_ARRAY = ARRAY(sa.Text)
FLOAT = sa.Float(precision=53)


def _array(name: str, values: tuple[str, ...]) -> sa.BindParameter:
    return sa.bindparam(name, list(values), type_=TEXT_ARRAY)


def n_sources() -> sa.ScalarSelect:
    """Independent sources of the incident (`atlas.incidents.independent_counts`): distinct
    sources of its reports that rest on no other, and at least 1 when it has reports."""
    own = sa.func.coalesce(sa.func.btrim(r.c.relies_on), "") == ""
    independent = sa.func.count(sa.distinct(r.c.source)).filter(own)
    return (
        sa.select(sa.case((sa.func.count() == 0, 0), else_=sa.func.greatest(1, independent)))
        .where(r.c.incident_id == i.c.incident_id)
        .scalar_subquery()
    )


def conditions(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Every filter but the period, as SQL on `incidents` (as `apply_filters`)."""
    where: list[sa.ColumnElement[bool]] = []
    if filters.types:
        where.append(i.c.event_type == sa.func.any(_array("types", filters.types)))
    if filters.sources:
        where.append(
            sa.exists().where(
                r.c.incident_id == i.c.incident_id,
                r.c.source == sa.func.any(_array("sources", filters.sources)),
            )
        )
    if filters.places:
        wanted = sa.func.any(_array("places", filters.places))
        where.append(
            sa.or_(
                i.c.admin1 == wanted,
                i.c.country == wanted,
                sa.exists().where(p.c.incident_id == i.c.incident_id, p.c.admin1 == wanted),
            )
        )
    if filters.statuses:
        where.append(i.c.status == sa.func.any(_array("statuses", filters.statuses)))
    if filters.min_sources:
        where.append(n_sources() >= sa.bindparam("min_sources", filters.min_sources))
    if filters.min_people:
        where.append(
            sa.func.coalesce(i.c.people_min, 0) >= sa.bindparam("min_people", filters.min_people)
        )
    if filters.cell:
        cell = filters.cell
        eps = cell.size * 1e-9  # as Cell.contains: corners are rounded names
        lon, lat = sa.cast(i.c.longitude, FLOAT), sa.cast(i.c.latitude, FLOAT)
        bounds = {
            "cell_w": cell.lon - eps,
            "cell_e": cell.lon + cell.size - eps,
            "cell_s": cell.lat - eps,
            "cell_n": cell.lat + cell.size - eps,
        }
        b = {k: sa.bindparam(k, v, type_=FLOAT) for k, v in bounds.items()}
        where += [lon >= b["cell_w"], lon < b["cell_e"], lat >= b["cell_s"], lat < b["cell_n"]]
    return where


def in_period(filters: Filters) -> sa.ColumnElement[bool]:
    """The incident's span overlaps the period (true when there is no period)."""
    parts: list[sa.ColumnElement[bool]] = [sa.true()]
    if filters.start:
        parts.append(i.c.date_end >= sa.bindparam("start", filters.start, type_=sa.Date))
    if filters.end:
        parts.append(i.c.date_start <= sa.bindparam("end", filters.end, type_=sa.Date))
    return sa.and_(*parts)


def visible(filters: Filters) -> list[sa.ColumnElement[bool]]:
    return [*conditions(filters), in_period(filters)]


# --- the filtered frame ----------------------------------------------------------------


def _report_facts(chosen: sa.Select) -> sa.Subquery:
    """Per incident, what its reports say (`atlas.incidents.incident_table`), aggregated
    once over the reports (a hash join, not a subquery per incident)."""
    source = r.c.source.collate("C")
    source_type = sa.func.coalesce(r.c.source_type, "").collate("C")
    own = sa.func.coalesce(sa.func.btrim(r.c.relies_on), "") == ""
    return (
        sa.select(
            r.c.incident_id,
            sa.func.array_agg(aggregate_order_by(sa.distinct(source), source)).label("sources"),
            sa.func.array_agg(aggregate_order_by(sa.distinct(source_type), source_type)).label(
                "source_types"
            ),
            sa.func.count().label("n_reports"),
            sa.func.greatest(1, sa.func.count(sa.distinct(r.c.source)).filter(own)).label(
                "n_sources"
            ),
        )
        .where(r.c.incident_id.in_(chosen))  # only the filtered incidents' reports
        .group_by(r.c.incident_id)
        .subquery("report_facts")
    )


def _place_facts() -> sa.Subquery:
    admin1 = p.c.admin1.collate("C")
    return (
        sa.select(
            p.c.incident_id,
            sa.func.string_agg(
                p.c.location_name, aggregate_order_by(sa.literal(" · "), p.c.row_order)
            ).label("place_names"),
            sa.func.array_agg(aggregate_order_by(sa.distinct(admin1), admin1))
            .filter(p.c.admin1.is_not(None))
            .label("place_admin1s"),
        )
        .group_by(p.c.incident_id)
        .subquery("place_facts")
    )


def filtered_statement(filters: Filters) -> sa.Select:
    # coordinates as float8 here: the frame's are floats (Decimal objects cost 10× to read)
    # and dates as ISO text (parsed by pandas in one vectorised call, not per date object)
    columns = [
        sa.cast(i.c[c], FLOAT).label(c)
        if c in tables.NUMERIC_COLUMNS
        else sa.cast(i.c[c], sa.Text).label(c)
        if c in tables.DATE_COLUMNS["incidents"]
        else i.c[c]
        for c in schema.INCIDENT_COLUMNS
    ]
    chosen = sa.select(i.c.incident_id).where(*conditions(filters))
    rf, pf = _report_facts(chosen), _place_facts()
    return (
        sa.select(
            *columns,
            (i.c.row_order + 2).label("_line"),  # line in incidents.csv, as the files say
            rf.c.sources,
            rf.c.source_types,
            sa.func.coalesce(rf.c.n_reports, 0).label("n_reports"),
            sa.func.coalesce(rf.c.n_sources, 0).label("n_sources"),
            pf.c.place_names,
            pf.c.place_admin1s,
            pf.c.incident_id.is_not(None).label("has_places"),
            in_period(filters).label("in_period"),
        )
        .select_from(
            i.outerjoin(rf, rf.c.incident_id == i.c.incident_id).outerjoin(
                pf, pf.c.incident_id == i.c.incident_id
            )
        )
        .where(*conditions(filters))
        .order_by(i.c.date_start, i.c.incident_id)
    )


def filtered(connection: sa.Connection, filters: Filters) -> pd.DataFrame:
    """`apply_filters(incident_table(dataset), filters)`, computed in the database: the same
    columns and rows (index 0..n-1, not the table's positions)."""
    from atlas.incidents import KEY_SEP, people_label

    rows = connection.execute(filtered_statement(filters)).all()
    frame = pd.DataFrame.from_records(
        [tuple(row) for row in rows],
        columns=[*schema.INCIDENT_COLUMNS, "_line", *_FACT_NAMES, "in_period"],
    )
    for column in schema.INCIDENT_COLUMNS:
        if column in ("latitude", "longitude"):
            frame[column] = pd.to_numeric(frame[column].astype("float64"))
        elif column in ("people_min", "people_max"):
            frame[column] = frame[column].astype("Int64")
        elif column in ("date_start", "date_end"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype(
                "datetime64[us]"
            )
        else:
            frame[column] = frame[column].fillna("").astype("str")
    frame["_line"] = frame["_line"].astype("int64")
    frame["sources"] = pd.Series([tuple(s or ()) for s in frame["sources"]], dtype=object)
    frame["n_sources_cited"] = frame["sources"].apply(len).astype("int64")
    frame["n_sources"] = frame["n_sources"].astype("int64")
    frame["n_reports"] = frame["n_reports"].astype("int64")
    frame["source_types"] = pd.Series([tuple(s or ()) for s in frame["source_types"]], dtype=object)
    frame["type_label"] = frame["event_type"].map({e.code: e.label for e in schema.EVENT_TYPES})
    frame["people_label"] = [
        people_label(lo, hi, q)
        for lo, hi, q in zip(
            frame["people_min"], frame["people_max"], frame["people_qualifier"], strict=True
        )
    ]
    frame["people_label"] = frame["people_label"].astype("str")
    frame["type_label"] = frame["type_label"].astype("str")
    frame["place_names"] = frame["place_names"].fillna("").astype("str")
    frame["admin1s"] = pd.Series(
        [
            tuple(sorted({a for a in (own, *(extra or ())) if a}))
            for own, extra in zip(frame["admin1"], frame.pop("place_admin1s"), strict=True)
        ],
        dtype=object,
    )
    frame["sources_key"] = _keys(KEY_SEP.join(s) for s in frame["sources"])
    places = zip(frame["admin1s"], frame["country"], strict=True)
    frame["places_key"] = _keys(KEY_SEP.join((*a, c) if c else a) for a, c in places)
    frame["mapped"] = frame["latitude"].notna() | frame.pop("has_places").astype(bool)
    frame["in_period"] = frame.pop("in_period").astype(bool)
    # the incident table's column order and categoricals (atlas.store)
    from atlas.store import COMPACT_COLUMNS, compact

    order = [*schema.INCIDENT_COLUMNS, "_line", *DERIVED_COLUMNS, "in_period"]
    return compact(frame[order], COMPACT_COLUMNS["table"])


def _keys(keys) -> pd.Categorical:
    return pd.Categorical(pd.Series(list(keys), dtype="str"))


DERIVED_COLUMNS = (
    "sources",
    "n_sources_cited",
    "n_sources",
    "n_reports",
    "source_types",
    "type_label",
    "people_label",
    "place_names",
    "admin1s",
    "sources_key",
    "places_key",
    "mapped",
)


_FACT_NAMES = [
    "sources",
    "source_types",
    "n_reports",
    "n_sources",
    "place_names",
    "place_admin1s",
    "has_places",
]


# --- aggregates ------------------------------------------------------------------------


def cell_counts(connection: sa.Connection, filters: Filters, size: float) -> pd.DataFrame:
    """In-period incidents per grid cell of `size` degrees and event type (floor of
    longitude / size, latitude / size in float8, as `grid_cells` does in numpy)."""
    step = sa.bindparam("size", size, type_=FLOAT)
    ix = sa.func.floor(sa.cast(i.c.longitude, FLOAT) / step).label("ix")
    iy = sa.func.floor(sa.cast(i.c.latitude, FLOAT) / step).label("iy")
    statement = (
        sa.select(ix, iy, i.c.event_type, sa.func.count().label("n"))
        .where(*visible(filters), i.c.longitude.is_not(None), i.c.latitude.is_not(None))
        .group_by(ix, iy, i.c.event_type)
    )
    return pd.DataFrame(connection.execute(statement).all(), columns=["ix", "iy", "type", "n"])


def month_counts(connection: sa.Connection, filters: Filters) -> pd.DataFrame:
    """Filtered incidents per calendar month, event type and in/out of the period, each
    counting 1/months in every month of its span (`timeline_bins`' rule). Incidents are
    first counted per distinct span of months (most share theirs), then each span is
    spread over its months with `generate_series`."""
    first = sa.func.date_trunc("month", i.c.date_start)
    last = sa.func.date_trunc("month", i.c.date_end)
    spans = (
        sa.select(
            first.label("first"),
            last.label("last"),
            i.c.event_type,
            in_period(filters).label("in_period"),
            sa.func.count().label("n"),
        )
        .where(*conditions(filters))
        .group_by("first", "last", i.c.event_type, "in_period")  # labels: may be `true`
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
        sa.select(month, spans.c.event_type, spans.c.in_period, weight)
        .select_from(spans.join(series, sa.true()))
        .group_by(month, spans.c.event_type, spans.c.in_period)
    )
    return pd.DataFrame(
        connection.execute(statement).all(), columns=["month", "type", "in_period", "count"]
    )


def type_counts(connection: sa.Connection, filters: Filters) -> pd.DataFrame:
    """Per event type of the in-period incidents: incidents, those with a count, the sums
    of minimums and maximums, and whether a count has no upper bound."""
    statement = (
        sa.select(
            i.c.event_type,
            sa.func.count().label("incidents"),
            sa.func.count(i.c.people_min).label("counted"),
            sa.func.coalesce(sa.func.sum(i.c.people_min), 0).label("people_min"),
            sa.func.coalesce(sa.func.sum(i.c.people_max), 0).label("people_max"),
            sa.func.coalesce(
                sa.func.bool_or(sa.and_(i.c.people_min.is_not(None), i.c.people_max.is_(None))),
                False,
            ).label("open_ended"),
        )
        .where(*visible(filters))
        .group_by(i.c.event_type)
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
