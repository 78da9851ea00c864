"""Sensitivity levels and review states (issue 17's shared columns).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

- `sensitivity` on incidents and reports: the dataset's column (atlas/schema.py
  SENSITIVITY_LEVELS; NULL = not rated, the policy's default level applies).
- `review_state` on incidents and reports: draft → in_review → published → retracted.
  Rows loaded by `python -m atlas.db import` are published (the files are a published
  dataset); the public tier sees published rows only.
- `row_version` (bumped on every update, so that an editor's save can tell that someone else
  saved the row since it was opened), `updated_by` and `updated_at`.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SENSITIVITY_LEVELS = ("open", "sensitive", "confidential")
REVIEW_STATES = ("draft", "in_review", "published", "retracted")
TABLES = ("incidents", "reports")


def _in(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)  # constants of this file, not data
    return f"CHECK ({column} IN ({listed}))"


def upgrade() -> None:
    for table in TABLES:
        op.execute(
            f"""
            ALTER TABLE {table}
                ADD COLUMN sensitivity text {_in("sensitivity", SENSITIVITY_LEVELS)},
                ADD COLUMN review_state text NOT NULL DEFAULT 'published'
                    {_in("review_state", REVIEW_STATES)},
                ADD COLUMN row_version integer NOT NULL DEFAULT 1,
                ADD COLUMN updated_by text,
                ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()"""
        )
        op.execute(f"CREATE INDEX {table}_review ON {table} (review_state)")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS {table}_review")
        op.execute(
            f"""
            ALTER TABLE {table}
                DROP COLUMN sensitivity, DROP COLUMN review_state, DROP COLUMN row_version,
                DROP COLUMN updated_by, DROP COLUMN updated_at"""
        )
