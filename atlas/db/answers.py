"""The team database's small answers for the pages (issue 16: replicas hold no copy of
the data): the vocabulary, one incident's existence, the counts beyond sums behind the
people totals, the latest stocks, the documents' scope and coverage, a filtered set's date
span, the ids an export writes and the Sources page's reports per year. Each answer is a
few rows whatever the number of incidents; `atlas.backend.PostgresBackend` shapes them as
the files backend's answers (tests/db/test_small_answers.py runs both)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from atlas.db import tables
from atlas.db.queries import bounds
from atlas.db.where import TEXT_ARRAY, conditions, i, p, r, visible
from atlas.filters import Filters
from atlas.search import SEPARATOR, SHOWN_COLUMNS, fold


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


def search_matches(
    connection: sa.Connection,
    filters: Filters,
    words: list[str],
    places: tuple[str, ...],
    limit: int,
) -> tuple[int, pd.DataFrame]:
    """`atlas.search.search` over every in-period incident, in the database: incidents
    with each of `words` in a searched field (`atlas.search.FIELDS`: title, location name,
    admin-1 and id, joined as the files join them; the names of its places; the sources of
    its reports), or one of `places` (the English names the query stands for). Returns how
    many match and the newest `limit` of them (id, dates, title). Each value is a bound
    parameter compared with strpos: the query is text, never a pattern. Each term's
    incidents are found as a set (its own fields, its places', its sources': a handful of
    distinct sources), the sets intersected per word and united with the places'.

    Folding: the terms are NFKC and lower case (`words` come NFKC-normalised), the stored
    text is lower-cased by PostgreSQL but not NFKC-normalised: normalize() on every row
    made a search of 1M incidents take 7.7 s instead of 0.4 s. Stored text in a
    compatibility form (full-width letters, ligatures) is found by the files' search only;
    so is a word only Python's casefold matches (ß and ss)."""
    if not words:
        return 0, pd.DataFrame(columns=["incident_id", *SHOWN_COLUMNS])
    sep = sa.literal(SEPARATOR)
    own = (
        i.c.title + sep + sa.func.coalesce(i.c.location_name, "") + sep
        + sa.func.coalesce(i.c.admin1, "") + sep + i.c.incident_id
    )  # fmt: skip
    sources = sa.select(r.c.source).distinct().subquery("sources")

    def having(term: sa.BindParameter) -> sa.Select:
        def holds(text: sa.ColumnElement) -> sa.ColumnElement[bool]:
            return sa.func.strpos(sa.func.lower(text), term) > 0

        named = sa.select(sources.c.source).where(holds(sources.c.source))
        return sa.union(
            sa.select(i.c.incident_id).where(holds(own)),
            sa.select(p.c.incident_id).where(holds(p.c.location_name)),
            sa.select(r.c.incident_id).where(r.c.source.in_(named)),
        )

    every_word = sa.intersect(
        *(having(sa.bindparam(f"word{k}", w.lower(), sa.Text)) for k, w in enumerate(words))
    )
    terms = [sa.bindparam(f"place{k}", fold(n), sa.Text) for k, n in enumerate(places)]
    found = sa.union(every_word, *map(having, terms)) if places else every_word
    ids = found.subquery("found")
    shown = [i.c[c] for c in ("incident_id", *SHOWN_COLUMNS)]
    matching = sa.select(*shown, sa.func.count().over().label("n")).where(
        *visible(filters), i.c.incident_id.in_(sa.select(ids.c.incident_id))
    )
    newest = matching.order_by(
        i.c.date_end.desc(), i.c.date_start.desc(), i.c.incident_id.collate("C").desc()
    ).limit(sa.bindparam("limit", limit))
    rows = pd.DataFrame(
        connection.execute(newest).all(),
        columns=["incident_id", *SHOWN_COLUMNS, "n"],
    )
    total = int(rows["n"].iloc[0]) if len(rows) else 0
    for column in ("date_start", "date_end"):
        rows[column] = pd.to_datetime(rows[column])
    return total, rows.drop(columns="n")
