"""The database's tables as SQLAlchemy Core objects, for queries (the DDL itself is the
migration's, atlas/db/migrations; tests/db/test_schema.py checks that the two agree).

Every column of atlas/schema.py's tables, with its type: dates as `date`, counts as
`integer`, coordinates as `numeric` (the number as written: 43.5760 stays 43.5760, so an
export gives the file back byte for byte) and a PostGIS point (EPSG:4326, x = longitude)
that the database derives from them. `row_order` keeps each file's row order. Empty text
is stored as NULL, except in key columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

from atlas import schema

metadata = sa.MetaData()

DATE_COLUMNS = {"incidents": ("date_start", "date_end")}
INT_COLUMNS = ("people_min", "people_max")
NUMERIC_COLUMNS = ("latitude", "longitude")
KEY_COLUMNS = {
    "incidents": ("incident_id",),
    "places": ("place_id", "incident_id"),
    "reports": ("report_id", "incident_id", "document"),
    "documents": ("document",),
}
SCHEMA_COLUMNS = {
    "incidents": schema.INCIDENT_COLUMNS,
    "places": schema.PLACE_COLUMNS,
    "reports": schema.REPORT_COLUMNS,
    "documents": schema.DOCUMENT_COLUMNS,
}


REVIEWED = ("incidents", "reports")
REVIEW_STATES = ("draft", "in_review", "published", "retracted")


def _column(table: str, name: str) -> sa.Column:
    if name in DATE_COLUMNS.get(table, ()):
        kind: sa.types.TypeEngine = sa.Date()
    elif name in INT_COLUMNS:
        kind = sa.Integer()
    elif name in NUMERIC_COLUMNS:
        kind = sa.Numeric(asdecimal=True)
    else:
        kind = sa.Text()
    return sa.Column(name, kind, primary_key=name == KEY_COLUMNS[table][0])


def _table(name: str) -> sa.Table:
    columns = [_column(name, c) for c in SCHEMA_COLUMNS[name]]
    extra = [sa.Column("row_order", sa.Integer, nullable=False)]
    if name in ("incidents", "places"):
        extra.append(sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False)))
    if name in REVIEWED:  # migration 0002: review state and who changed the row when
        extra += [
            sa.Column("review_state", sa.Text, nullable=False),
            sa.Column("row_version", sa.Integer, nullable=False),
            sa.Column("updated_by", sa.Text),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        ]
    return sa.Table(name, metadata, *columns, *extra)


incidents = _table("incidents")
places = _table("places")
reports = _table("reports")
documents = _table("documents")
TABLES = {"incidents": incidents, "places": places, "reports": reports, "documents": documents}
dataset_version = sa.Table(
    "dataset_version",
    metadata,
    sa.Column("id", sa.Boolean, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("import_marker", sa.Text),
)
# migration 0003h: every change of incidents, reports and places (atlas/db/history.py)
history = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("row_id", sa.Text, nullable=False),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_by", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("review_state", sa.Text),
    sa.Column("row", JSONB),
)
