"""`Filters` compiled to SQL on the incidents table: every value a bound parameter (an
array or a number), never text in the statement (tests/db/test_backends.py checks the
compiled SQL and feeds it injection attempts). Mirrors `atlas.filters.apply_filters`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from atlas.db import tables
from atlas.filters import Filters

i, r, p = tables.incidents, tables.reports, tables.places
TEXT_ARRAY = ARRAY(sa.Text)
FLOAT = sa.Float(precision=53)


def coordinates() -> tuple[sa.ColumnElement[float], sa.ColumnElement[float]]:
    """Longitude and latitude as float8, read from the point the database derives from
    them (`geom`: ST_MakePoint(longitude::float8, latitude::float8), migration 0001), so
    the same numbers as `CAST(longitude AS float8)`, NULL when either is NULL. Casting
    the numeric columns per row goes through their text (PostgreSQL 15's numeric_float8):
    at 1M rows a grid-cell count took about twice as long that way."""
    return sa.func.ST_X(i.c.geom, type_=FLOAT), sa.func.ST_Y(i.c.geom, type_=FLOAT)


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
        lon, lat = coordinates()
        bounds = {
            "cell_w": cell.lon - eps,
            "cell_e": cell.lon + cell.size - eps,
            "cell_s": cell.lat - eps,
            "cell_n": cell.lat + cell.size - eps,
        }
        b = {k: sa.bindparam(k, v, type_=FLOAT) for k, v in bounds.items()}
        where += [lon >= b["cell_w"], lon < b["cell_e"], lat >= b["cell_s"], lat < b["cell_n"]]
        # the same box for the GiST index on geom (bounds included: the lines above decide);
        # at 1M the busiest cell's rows were found in half the time of a scan of them all
        box = sa.func.ST_MakeEnvelope(b["cell_w"], b["cell_s"], b["cell_e"], b["cell_n"], 4326)
        where.append(i.c.geom.op("&&")(box))
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
