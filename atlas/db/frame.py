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
from atlas.db.where import FLOAT, conditions, i, in_period, p, r
from atlas.filters import Filters


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
