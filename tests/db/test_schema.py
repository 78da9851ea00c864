"""The migration's frozen vocabularies and columns agree with atlas/schema.py and with the
Core tables the queries use: a new event type or column without a migration fails here."""

from __future__ import annotations

import importlib.util

import sqlalchemy as sa

from atlas import schema
from atlas.db import ALEMBIC_INI, tables


def _migration(name: str = "0001_initial"):
    path = ALEMBIC_INI.parent / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vocabularies_are_the_schemas():
    m = _migration()
    assert m.EVENT_TYPES == schema.EVENT_TYPE_CODES
    assert m.DATE_PRECISIONS == tuple(schema.DATE_PRECISIONS)
    assert m.GEO_PRECISIONS == schema.GEO_PRECISION_CODES
    assert m.STATUSES == tuple(schema.STATUSES)
    assert m.SOURCE_TYPES == tuple(schema.SOURCE_TYPES)
    assert m.PEOPLE_QUALIFIERS == tuple(schema.PEOPLE_QUALIFIERS)
    assert m.PLACE_ROLES == tuple(schema.PLACE_ROLES)
    m2 = _migration("0002_sensitivity_review")
    assert m2.SENSITIVITY_LEVELS == tuple(schema.SENSITIVITY_LEVELS)
    assert m2.REVIEW_STATES == tables.REVIEW_STATES


def test_migrated_columns_are_the_core_tables(db):
    inspector = sa.inspect(sa.create_engine(db))
    for name, table in {**tables.TABLES, "dataset_version": tables.dataset_version}.items():
        migrated = {c["name"] for c in inspector.get_columns(name)}
        assert migrated == set(table.c.keys()), name
    assert any(
        ix["name"] == "incidents_geom" for ix in inspector.get_indexes("incidents")
    )  # the GiST index


def test_every_schema_column_is_stored():
    for name, table in tables.TABLES.items():
        assert set(tables.SCHEMA_COLUMNS[name]) <= set(table.c.keys())
