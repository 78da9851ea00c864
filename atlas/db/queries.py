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
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by

from atlas.db import tables
from atlas.db.where import FLOAT, TEXT_ARRAY, conditions, i, in_period, p, r, visible
from atlas.filters import Filters

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


# --- small answers for the dashboard (issue 16: replicas hold no copy of the data) ------


def vocabulary(connection: sa.Connection) -> dict:
    """What the sidebar offers and a URL may name (`atlas.filters.Vocabulary.of`): the
    sources of the reports, the provinces of incidents and places and the countries, the
    first date and the last."""
    sources = sa.select(r.c.source).distinct()
    places = sa.union(
        sa.select(i.c.admin1.label("name")).where(i.c.admin1.is_not(None)),
        sa.select(p.c.admin1.label("name")).where(p.c.admin1.is_not(None)),
        sa.select(i.c.country.label("name")).where(i.c.country.is_not(None)),
    )
    first, last, _ = bounds(connection)
    return {
        "sources": frozenset(s for s in connection.execute(sources).scalars() if s),
        "places": frozenset(s for s in connection.execute(places).scalars() if s),
        "first": first,
        "last": last,
    }


def has_incident(connection: sa.Connection, incident_id: str) -> bool:
    statement = sa.select(sa.exists().where(i.c.incident_id == sa.bindparam("id", incident_id)))
    return bool(connection.execute(statement).scalar())


def _ids_of(text: sa.ColumnElement) -> sa.ColumnElement:
    """`atlas.evidence.split_ids` in SQL: the items of a ';'-separated cell, stripped."""
    return sa.func.btrim(sa.func.regexp_split_to_table(text, ";"), " \t\r\n")


def special_counts(connection: sa.Connection, filters: Filters, shown: int) -> pd.DataFrame:
    """`atlas.people.special_counts` of each flow type's in-period incidents with a count
    (with `event_type`), in the frame's order: rows naming incidents they may overlap and
    the rows they name (of the same type), and the first row of each of the first `shown`
    approximate wordings; every other count is only summed (`type_counts`). One scan
    picks the candidates (overlaps and approximate counts); the wordings are ranked on
    their grouped first rows, the named rows looked up by id."""
    from atlas import schema

    counted = [
        *visible(filters),
        i.c.people_min.is_not(None),
        i.c.event_type == sa.func.any(sa.bindparam("flows", list(schema.FLOW_TYPES), TEXT_ARRAY)),
    ]
    overlap = sa.func.coalesce(i.c.may_overlap, "") != ""
    approximate = i.c.people_qualifier == "approximate"
    columns = ("event_type", "incident_id", "people_min", "may_overlap", "people_qualifier",
               "people_text")  # fmt: skip
    cand = (
        sa.select(*(i.c[c] for c in columns), i.c.date_start)
        .where(*counted, sa.or_(overlap, approximate))
        .cte("cand")
    )
    # first row (date, then id in code point order) of each wording, per type
    first = sa.func.min(
        postgresql.array([sa.func.to_char(cand.c.date_start, "YYYY-MM-DD"), cand.c.incident_id])
    ).label("first")
    firsts = (
        sa.select(cand.c.event_type, first)
        .where(cand.c.people_qualifier == "approximate")
        .group_by(cand.c.event_type, cand.c.people_text)
        .subquery("firsts")
    )
    ranked = sa.select(
        firsts.c.first[2].label("incident_id"),
        sa.func.row_number()
        .over(partition_by=firsts.c.event_type, order_by=firsts.c.first)
        .label("k"),
    ).subquery("ranked")
    wording_ids = sa.select(ranked.c.incident_id).where(ranked.c.k <= sa.bindparam("shown", shown))
    linked = sa.func.coalesce(cand.c.may_overlap, "") != ""
    named = (
        sa.select(cand.c.event_type, _ids_of(cand.c.may_overlap).label("named"))
        .where(linked)
        .subquery("named")
    )
    own = sa.select(*(cand.c[c] for c in columns), cand.c.date_start).where(
        sa.or_(linked, cand.c.incident_id.in_(wording_ids))
    )
    others = sa.select(*(i.c[c] for c in columns), i.c.date_start).where(
        *counted,
        i.c.incident_id.in_(sa.select(named.c.named)),
        sa.tuple_(i.c.event_type, i.c.incident_id).in_(
            sa.select(named.c.event_type, named.c.named)
        ),
    )
    rows = sa.union(own, others).subquery("rows")  # union: a row both named and linked once
    statement = sa.select(*(rows.c[c] for c in columns)).order_by(
        rows.c.date_start, rows.c.incident_id.collate("C")
    )
    frame = pd.DataFrame(connection.execute(statement).all(), columns=list(columns))
    for column in ("may_overlap", "people_qualifier", "people_text"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["people_min"] = frame["people_min"].astype("Int64")
    return frame


def latest_stocks(connection: sa.Connection, filters: Filters, kept: int) -> pd.DataFrame:
    """The `kept` latest in-period stocks (`atlas.people.stocks`): their dates and counts."""
    from atlas import schema

    statement = (
        sa.select(
            i.c.incident_id,
            i.c.date_start,
            i.c.date_end,
            i.c.people_min,
            i.c.people_max,
            i.c.people_qualifier,
        )  # fmt: skip
        .where(
            *visible(filters),
            i.c.event_type
            == sa.func.any(sa.bindparam("stocks", list(schema.STOCK_TYPES), TEXT_ARRAY)),
        )
        .order_by(i.c.date_end.desc(), i.c.date_start, i.c.incident_id.collate("C"))
        .limit(sa.bindparam("kept", kept))
    )
    return pd.DataFrame(
        connection.execute(statement).all(),
        columns=["incident_id", "date_start", "date_end", "people_min", "people_max",
                 "people_qualifier"],
    )  # fmt: skip


def scope_rows(connection: sa.Connection) -> pd.DataFrame:
    """`atlas.scope.document_scope` in the database: per document, the incidents it reports
    on and the years of the earliest start and latest end of those that are not context."""
    d = tables.documents
    links = sa.select(r.c.document, r.c.incident_id).distinct().subquery()
    joined = links.join(i, i.c.incident_id == links.c.incident_id)
    event = i.c.event_type != "context"
    per_doc = (
        sa.select(
            links.c.document,
            sa.func.count(sa.distinct(links.c.incident_id)).label("incidents"),
            sa.func.min(i.c.date_start).filter(event).label("first"),
            sa.func.max(i.c.date_end).filter(event).label("last"),
        )
        .select_from(joined)
        .group_by(links.c.document)
        .subquery("per_doc")
    )
    statement = sa.select(
        d.c.document, d.c.title, d.c.publisher, d.c.published,
        per_doc.c.incidents, per_doc.c.first, per_doc.c.last,
    ).select_from(d.outerjoin(per_doc, per_doc.c.document == d.c.document))  # fmt: skip
    return pd.DataFrame(
        connection.execute(statement).all(),
        columns=["document", "title", "publisher", "published", "incidents", "first", "last"],
    )


def reported_spans(connection: sa.Connection) -> pd.DataFrame:
    """The spans of incidents that some report is on, merged by the database as
    `atlas.coverage` merges them (a span opens a new run when it starts after every
    earlier one has ended; ends exclusive): a few rows, not one per incident."""
    reported = sa.exists().where(r.c.incident_id == i.c.incident_id)
    spans = (
        sa.select(i.c.date_start.label("s"), (i.c.date_end + 1).label("e"))
        .where(reported)
        .distinct()
        .subquery("spans")
    )
    reach = sa.func.max(spans.c.e).over(order_by=(spans.c.s, spans.c.e), rows=(None, -1))
    marked = sa.select(spans.c.s, spans.c.e, reach.label("reach")).subquery("marked")
    opens = sa.case((sa.or_(marked.c.reach.is_(None), marked.c.s > marked.c.reach), 1), else_=0)
    runs = sa.select(
        marked.c.s,
        marked.c.e,
        sa.func.sum(opens).over(order_by=(marked.c.s, marked.c.e)).label("run"),
    ).subquery("runs")
    statement = (
        sa.select(sa.func.min(runs.c.s), sa.func.max(runs.c.e) - 1)
        .group_by(runs.c.run)
        .order_by(sa.func.min(runs.c.s))
    )
    return pd.DataFrame(connection.execute(statement).all(), columns=["date_start", "date_end"])


def document_dates(connection: sa.Connection) -> pd.DataFrame:
    """Every document and when it was published, in the file's order."""
    d = tables.documents
    statement = sa.select(d.c.document, d.c.published).order_by(d.c.row_order)
    return pd.DataFrame(connection.execute(statement).all(), columns=["document", "published"])


def earliest_reports(connection: sa.Connection) -> pd.DataFrame:
    """Each document's earliest dated report (`published` as YYYY, YYYY-MM or YYYY-MM-DD:
    the smallest such text is the earliest first day): coverage starts there."""
    dated = sa.func.btrim(r.c.published).op("~")(r"^\d{4}(-\d{2}(-\d{2})?)?$")
    statement = (
        sa.select(r.c.document, sa.func.min(sa.func.btrim(r.c.published).collate("C")))
        .where(dated)
        .group_by(r.c.document)
    )
    return pd.DataFrame(connection.execute(statement).all(), columns=["document", "published"])


def date_span(connection: sa.Connection, filters: Filters) -> tuple[date | None, date | None]:
    """First start and last end of the filtered incidents (the period filter aside)."""
    statement = sa.select(sa.func.min(i.c.date_start), sa.func.max(i.c.date_end)).where(
        *conditions(filters)
    )
    return tuple(connection.execute(statement).one())


def export_ids(connection: sa.Connection, filters: Filters) -> tuple[list[str], set[str]]:
    """The in-period incidents (file order) and, with them, every incident they name in
    `related_ids`, transitively (`atlas.export.selection.related_closure`): ids only."""
    from atlas.evidence import split_ids

    chosen = list(
        connection.execute(
            sa.select(i.c.incident_id).where(*visible(filters)).order_by(i.c.row_order)
        ).scalars()
    )
    found, todo = set(chosen), set(chosen)
    while todo:
        named = connection.execute(
            sa.select(i.c.related_ids).where(
                i.c.incident_id == sa.func.any(sa.bindparam("todo", list(todo), TEXT_ARRAY)),
                sa.func.coalesce(i.c.related_ids, "") != "",
            )
        ).scalars()
        new = {o for v in named for o in split_ids(v)} - found
        todo = set(
            connection.execute(
                sa.select(i.c.incident_id).where(
                    i.c.incident_id == sa.func.any(sa.bindparam("new", list(new), TEXT_ARRAY))
                )
            ).scalars()
        )  # only incidents the database holds
        found |= todo
    return chosen, found


def reports_per_year(connection: sa.Connection) -> pd.DataFrame:
    """Reports per source, source type and year published (the Sources page's chart of a
    large set), for reports whose `published` starts with a year."""
    year = sa.cast(sa.func.substr(r.c.published, 1, 4), sa.Integer).label("year")
    source_type = sa.func.coalesce(r.c.source_type, "").label("source_type")
    statement = (
        sa.select(r.c.source, source_type, year, sa.func.count().label("reports"))
        .where(r.c.published.op("~")(r"^\d{4}"))
        .group_by(r.c.source, source_type, year)
    )
    return pd.DataFrame(
        connection.execute(statement).all(), columns=["source", "source_type", "year", "reports"]
    )
