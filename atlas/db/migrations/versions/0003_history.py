"""History: every change of incidents, reports and places kept, with who, when and why.

Revision ID: 0003h
Revises: 0003 (the public tier; both only need 0002)
Create Date: 2026-12-02

- `history`: one row per change of a row (id, table_name, row_id, operation, changed_at,
  changed_by, reason, review_state, row). `row` is the row as JSON after the change (before
  it, for a delete), without `geom` (the database derives it from the coordinates).
- Row-level triggers fill it on every INSERT, UPDATE and DELETE of incidents, reports and
  places (deletes that cascade from an incident included). Who and why come from the
  transaction's settings `atlas.user` and `atlas.reason`, which the app sets with
  `set_config(name, value, true)` (SET LOCAL, bound as parameters: atlas/db/history.py).
- An import (`python -m atlas.db import`) replaces the whole dataset: row by row that was
  two history rows per row (measured: bench/history.py), so an import sets
  `atlas.history = 'import'` for its transaction (the row triggers then do nothing) and
  calls `record_import()`, which writes one `dataset` marker row and then every imported
  row as operation 'import', set-based, in the same transaction. "As of" a time reads the
  rows from the latest import marker up to that time (atlas/db/history.py).
- The rows already in the database are recorded here as such an import (a baseline).
"""

from __future__ import annotations

from alembic import op

revision = "0003h"
down_revision = "0003"
branch_labels = None
depends_on = None

# table → its key column (constants of this file, not data)
TRACKED = {"incidents": "incident_id", "reports": "report_id", "places": "place_id"}
REVIEWED = ("incidents", "reports")  # the tables with a review_state (migration 0002)
OPERATIONS = ("insert", "update", "delete", "import")
WHO = "nullif(current_setting('atlas.user', true), '')"
WHY = "nullif(current_setting('atlas.reason', true), '')"


def upgrade() -> None:
    listed = ", ".join(f"'{o}'" for o in OPERATIONS)
    op.execute(
        f"""
        CREATE TABLE history (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            table_name text NOT NULL,
            row_id text NOT NULL,
            operation text NOT NULL CHECK (operation IN ({listed})),
            changed_at timestamptz NOT NULL DEFAULT now(),
            changed_by text,
            reason text,
            review_state text,
            row jsonb
        )"""
    )
    op.execute("CREATE INDEX history_row ON history (table_name, row_id, id)")
    op.execute("CREATE INDEX history_changed_at ON history (changed_at)")
    op.execute(
        f"""
        CREATE FUNCTION record_history() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            image jsonb;
        BEGIN
            IF current_setting('atlas.history', true) = 'import' THEN
                RETURN NULL;  -- an import records itself, set-based (record_import)
            END IF;
            IF TG_OP = 'DELETE' THEN
                image := to_jsonb(OLD) - 'geom';
            ELSE
                image := to_jsonb(NEW) - 'geom';
            END IF;
            INSERT INTO history
                (table_name, row_id, operation, changed_by, reason, review_state, row)
            VALUES (TG_TABLE_NAME, image ->> TG_ARGV[0], lower(TG_OP), {WHO}, {WHY},
                    image ->> 'review_state', image);
            RETURN NULL;
        END $$"""  # noqa: S608 (constants of this file, not data)
    )
    for table, key in TRACKED.items():
        op.execute(
            f"CREATE TRIGGER {table}_history AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION record_history('{key}')"
        )
    copies = "\n".join(
        f"""
            INSERT INTO history
                (table_name, row_id, operation, changed_by, reason, review_state, row)
            SELECT '{table}', {key}, 'import', {WHO}, {WHY},
                   {"review_state" if table in REVIEWED else "NULL"}, to_jsonb(t) - 'geom'
            FROM {table} t ORDER BY row_order;"""  # noqa: S608 (constants of this file)
        for table, key in TRACKED.items()
    )
    op.execute(
        f"""
        CREATE FUNCTION record_import() RETURNS void LANGUAGE sql AS $$
            INSERT INTO history (table_name, row_id, operation, changed_by, reason)
            VALUES ('dataset', '', 'import', {WHO}, {WHY});
            {copies}
        $$"""  # noqa: S608 (constants of this file, not data)
    )
    op.execute("SELECT set_config('atlas.user', 'migration 0003h', true)")
    op.execute("SELECT set_config('atlas.reason', 'history starts: the rows as they were', true)")
    op.execute("SELECT record_import()")


def downgrade() -> None:
    for table in TRACKED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_history ON {table}")
    op.execute("DROP FUNCTION IF EXISTS record_import()")
    op.execute("DROP FUNCTION IF EXISTS record_history()")
    op.execute("DROP TABLE IF EXISTS history")
