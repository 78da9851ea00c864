"""The filtered frame from the team database: `apply_filters(incident_table(dataset),
filters)` computed in PostgreSQL, with the same columns, types and rows (index 0..n-1).
What each incident's reports and places say is aggregated for the filtered incidents
only. At scale this frame is the expensive question (bench/db.py): views on the database
should ask for aggregates (atlas.db.queries) and a capped detail list instead."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from atlas import schema
from atlas.db import tables
from atlas.db.copy import read_frame
from atlas.db.where import FLOAT, TEXT_ARRAY, conditions, i, in_period, p, r
from atlas.filters import Filters
from atlas.incidents import KEY_SEP


def _joined(values: sa.ColumnElement, order: sa.ColumnElement) -> sa.ColumnElement[str]:
    """Distinct values joined by `KEY_SEP`, in code point order: one text field (split in
    pandas in one vectorised call) instead of an array read value by value."""
    return sa.func.string_agg(sa.distinct(values), aggregate_order_by(sa.literal(KEY_SEP), order))


def _report_facts(chosen: sa.Select) -> sa.Subquery:
    """Per incident, what its reports say (`atlas.incidents.incident_table`), aggregated
    once over the reports (a hash join, not a subquery per incident)."""
    source = r.c.source.collate("C")
    source_type = sa.func.coalesce(r.c.source_type, "").collate("C")
    own = sa.func.coalesce(sa.func.btrim(r.c.relies_on), "") == ""
    return (
        sa.select(
            r.c.incident_id,
            _joined(source, source).label("sources"),
            _joined(source_type, source_type).label("source_types"),
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
            _joined(admin1, admin1).filter(p.c.admin1.is_not(None)).label("place_admin1s"),
        )
        .group_by(p.c.incident_id)
        .subquery("place_facts")
    )


def _newest(where: list, filters: Filters, limit: int) -> sa.Select:
    """The ids of the `limit` first matching incidents in atlas.backend.capped's order:
    in-period first (when there is a period), then newest (end, start, id; descending).
    Each part is read newest first (migration 0004's `incidents_newest` index) and stops at
    `limit`: with a period, the in-period and the other incidents are two such reads, and
    the first `limit` of their at most 2 × `limit` rows are the same as those of one sort of
    every matching row by (in period, newest)."""
    cap = sa.bindparam("limit", limit)
    newest = (i.c.date_end.desc(), i.c.date_start.desc(), i.c.incident_id.collate("C").desc())
    if not (filters.start or filters.end):
        return sa.select(i.c.incident_id).where(*where).order_by(*newest).limit(cap)
    inside = in_period(filters)  # dates are NOT NULL: NOT inside is exactly outside
    parts = [
        sa.select(i.c.incident_id, sa.literal(k).label("k"), i.c.date_end, i.c.date_start)
        .where(*where, part)
        .order_by(*newest)
        .limit(cap)
        for k, part in ((1, inside), (0, sa.not_(inside)))
    ]
    both = sa.union_all(*parts).subquery("newest")
    return (
        sa.select(both.c.incident_id)
        .order_by(
            both.c.k.desc(),
            both.c.date_end.desc(),
            both.c.date_start.desc(),
            both.c.incident_id.collate("C").desc(),
        )
        .limit(cap)
    )


def filtered_statement(
    filters: Filters, limit: int | None = None, ids: tuple[str, ...] | None = None
) -> sa.Select:
    """The filtered frame's rows; at most `limit` of them (in-period incidents first, newest
    first; returned in the frame's order), or only the incidents `ids` that match."""
    # coordinates as float8 here: the frame's are floats (Decimal objects cost 10× to read)
    # and dates as ISO text (parsed by pandas in one vectorised call, not per date object)
    columns = [
        sa.cast(i.c[c], FLOAT).label(c)
        if c in tables.NUMERIC_COLUMNS
        else sa.func.to_char(i.c[c], "YYYY-MM-DD").label(c)
        if c in tables.DATE_COLUMNS["incidents"]
        else i.c[c]
        for c in schema.INCIDENT_COLUMNS
    ]
    where = conditions(filters)
    if ids is not None:
        where.append(
            i.c.incident_id == sa.func.any(sa.bindparam("ids", list(ids), type_=TEXT_ARRAY))
        )
    chosen = sa.select(i.c.incident_id).where(*where)
    if limit is not None:
        chosen = _newest(where, filters, limit)
        where = [i.c.incident_id.in_(chosen)]
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
        .where(*where)
        .order_by(i.c.date_start, i.c.incident_id)
    )


def shows(connection: sa.Connection, filters: Filters, incident_id: str) -> bool:
    """Whether the filters show the incident (it matches them and lies in their period):
    one boolean, no row read."""
    where = [*conditions(filters), i.c.incident_id == sa.bindparam("id", incident_id)]
    return bool(connection.execute(sa.select(in_period(filters)).where(*where)).scalar())


def filtered(
    connection: sa.Connection,
    filters: Filters,
    limit: int | None = None,
    ids: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """`apply_filters(incident_table(dataset), filters)`, computed in the database: the same
    columns and rows (index 0..n-1, not the table's positions). `limit`, `ids`: as
    `filtered_statement`. Read through COPY (atlas.db.copy), typed column by column."""
    from atlas.incidents import people_label

    frame = read_frame(
        connection,
        filtered_statement(filters, limit, ids),
        {"latitude": "float64", "longitude": "float64", "people_min": "Int64",
         "people_max": "Int64", "_line": "int64", "n_reports": "int64", "n_sources": "int64"},
    )  # fmt: skip
    for column in ("has_places", "in_period"):
        frame[column] = frame[column] == "t"
    sources_key = _keys(frame["sources"])  # the joined text is the key (incident_table's)
    for column in ("sources", "source_types", "place_admin1s"):
        frame[column] = _split(frame[column])
    for column in schema.INCIDENT_COLUMNS:
        if column in ("latitude", "longitude", "people_min", "people_max"):
            continue  # typed by the reader
        if column in ("date_start", "date_end"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype(
                "datetime64[us]"
            )
        else:
            frame[column] = frame[column].fillna("").astype("str")
    frame["_line"] = frame["_line"].astype("int64")
    frame["n_sources_cited"] = frame["sources"].apply(len).astype("int64")
    frame["n_sources"] = frame["n_sources"].astype("int64")
    frame["n_reports"] = frame["n_reports"].astype("int64")
    no_reports = frame["n_reports"] == 0  # '' is then no type, not one empty type
    frame.loc[no_reports, "source_types"] = pd.Series([()] * int(no_reports.sum()), dtype=object)
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
    frame["sources_key"] = sources_key
    places = zip(frame["admin1s"], frame["country"], strict=True)
    frame["places_key"] = _keys(KEY_SEP.join((*a, c) if c else a) for a, c in places)
    frame["mapped"] = frame["latitude"].notna() | frame.pop("has_places").astype(bool)
    frame["in_period"] = frame.pop("in_period").astype(bool)
    # the incident table's column order and categoricals (atlas.store)
    from atlas.store import COMPACT_COLUMNS, compact

    order = [*schema.INCIDENT_COLUMNS, "_line", *DERIVED_COLUMNS, "in_period"]
    return compact(frame[order], COMPACT_COLUMNS["table"])


def _split(joined: pd.Series) -> pd.Series:
    """`_joined` text back to tuples ('' → ())."""
    return pd.Series(
        [tuple(t.split(KEY_SEP)) if t else () for t in joined.tolist()],
        index=joined.index,
        dtype=object,
    )


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
