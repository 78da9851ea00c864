"""Indexes for the questions a filter change asks (issue 16: a rerun at 1M incidents).

Revision ID: 0004
Revises: 0003h
Create Date: 2026-12-02

Measured at 1M incidents (README "Team database: measured"): each of a rerun's questions
read the whole table (390 MB at 1M) to find the matching rows. These indexes let
PostgreSQL read far less, and need nothing kept up to date but what it keeps itself (no
column, no summary table, no copy of the data):

- `incidents_scan` on (event_type, date_start, date_end), carrying the counts, the point
  and the columns the other filters test: counts per type, month bins and grid cells are
  answered from the index alone (an index-only scan: 1/4 of the table's size) once
  VACUUM has marked the table's pages (the import runs it; autovacuum does it after edits).
- `incidents_newest` on (date_end DESC, date_start DESC, incident_id DESC): the capped
  frame's order (atlas.db.frame: newest first), read from the newest down until the cap
  is reached, instead of sorting every matching row.
- `incidents_counts_beyond_sums`, partial: the rows with a count that name an overlap or
  are approximate (atlas.db.answers.special_counts' candidates, a few percent of the rows),
  with the columns that question reads. Its WHERE is that question's condition, word for
  word: PostgreSQL uses a partial index only when it can prove the query implies it.

The same on the public tier's copy (`public_tier.incidents_data`, migration 0003), which
the public login's queries read through its view.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003h"
branch_labels = None
depends_on = None

TABLES = {"public": "incidents", "public_tier": "incidents_data"}
INDEXES = {
    "scan": "(event_type, date_start, date_end) INCLUDE (people_min, people_max, geom,"
    " status, admin1, country, incident_id)",
    "newest": "(date_end DESC, date_start DESC, incident_id DESC)",
    "counts_beyond_sums": "(event_type) INCLUDE (incident_id, date_start, people_min,"
    " may_overlap, people_qualifier, people_text) WHERE people_min IS NOT NULL AND"
    " (COALESCE(may_overlap, '') <> '' OR people_qualifier = 'approximate')",
}


def upgrade() -> None:
    for schema, table in TABLES.items():
        for name, definition in INDEXES.items():
            op.execute(f"CREATE INDEX {table}_{name} ON {schema}.{table} {definition}")


def downgrade() -> None:
    for schema, table in TABLES.items():
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {schema}.{table}_{name}")
