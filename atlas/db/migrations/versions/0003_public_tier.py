"""The public tier: schema `public_tier`, read by the group role `atlas_public` only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

- Copy tables `public_tier.incidents_data`, `places_data`, `reports_data`, `documents_data`
  with the base tables' columns (row_order, geom generated from longitude/latitude,
  review_state...; places and documents gain a review_state too) hold the redacted
  published rows that `atlas.db.publish.refresh_public` writes, and `version_data` the
  public tier's own dataset version, bumped by every statement that changes a copy.
- Row-level security, enabled and FORCEd (the owner too): a row whose review_state is not
  'published' can neither be read nor written. The refresh writes published rows only: the
  policy is the second lock, not the first.
- Views `public_tier.incidents`, `places`, `reports`, `documents`, `dataset_version` WITH
  (security_invoker = true), with exactly the base tables' columns in their order, so that
  a role whose search_path starts at `public_tier` runs the app's queries unchanged.
- `atlas_public` (NOLOGIN; login roles are made by `python -m atlas.db public-role NAME`):
  USAGE on public_tier and SELECT on the views and copy tables; nothing on the base tables,
  and EXECUTE on none of the functions made here.
- Fail closed: after an UPDATE, DELETE or TRUNCATE of base incidents, places, reports or
  documents, the public copy of each changed incident (its row, places and reports) is
  deleted in the same transaction, through `published_ids` (base id → the public id the
  redaction gave it; no grant), until the next refresh writes it again. When the refresh
  could not trace the redaction's rows to base rows, the map is empty and any change hides
  the whole public copy instead.

Roles belong to the cluster, not the database: `atlas_public` is created when absent (the
migrating role needs CREATEROLE then, or a DBA creates it first) and kept on downgrade.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "public_tier"
ROLE = "atlas_public"
TABLES = ("incidents", "places", "reports", "documents")
REVIEW_STATES = ("draft", "in_review", "published", "retracted")
PUBLISHED = "review_state = 'published'"


def _columns(table: str) -> str:
    """The base table's columns, in order, as a select list (what the view must give)."""
    names = op.get_bind().execute(
        text(
            "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = CAST(:t AS regclass)"
            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ),
        {"t": f"public.{table}"},
    )
    return ", ".join(names.scalars())


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA {SCHEMA}")
    op.execute(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC")
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} NOLOGIN;
            END IF;
        END $$"""
    )
    states = ", ".join(f"'{s}'" for s in REVIEW_STATES)  # constants of this file
    for table in TABLES:
        copy = f"{SCHEMA}.{table}_data"
        op.execute(f"CREATE TABLE {copy} (LIKE public.{table} INCLUDING ALL)")
        if table in ("places", "documents"):  # the base tables have none: the copy's guard
            op.execute(
                f"ALTER TABLE {copy} ADD COLUMN review_state text NOT NULL"
                f" DEFAULT 'published' CHECK (review_state IN ({states}))"
            )
        op.execute(f"ALTER TABLE {copy} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {copy} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY published ON {copy} FOR ALL USING ({PUBLISHED})"
            f" WITH CHECK ({PUBLISHED})"
        )
    op.execute(f"CREATE TABLE {SCHEMA}.version_data (LIKE public.dataset_version INCLUDING ALL)")
    op.execute(f"INSERT INTO {SCHEMA}.version_data DEFAULT VALUES")
    op.execute(
        f"""
        CREATE TABLE {SCHEMA}.published_ids (
            base_id text COLLATE "C" PRIMARY KEY,
            public_id text COLLATE "C" NOT NULL UNIQUE
        )"""
    )
    # The public version: bumped by every statement that changes a copy (a refresh, or the
    # fail-closed deletion below), so that every public replica's cache follows it.
    op.execute(
        """
        CREATE FUNCTION public_tier.bump_public_version() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            UPDATE public_tier.version_data SET version = version + 1, changed_at = now();
            RETURN NULL;
        END $$"""
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {SCHEMA}.{table}_data FOR EACH STATEMENT"
            f" EXECUTE FUNCTION {SCHEMA}.bump_public_version()"
        )
    # column names quoted by quote_ident; table names are constants of this file
    views = {**{t: f"{t}_data" for t in TABLES}, "dataset_version": "version_data"}
    for view, copy in views.items():
        select = f"SELECT {_columns(view)} FROM {SCHEMA}.{copy}"  # noqa: S608
        op.execute(f"CREATE VIEW {SCHEMA}.{view} WITH (security_invoker = true) AS {select}")
    _fail_closed()
    op.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {ROLE}")
    readable = [*TABLES, *(f"{t}_data" for t in TABLES), "dataset_version", "version_data"]
    op.execute(f"GRANT SELECT ON {', '.join(f'{SCHEMA}.{t}' for t in readable)} TO {ROLE}")


def _fail_closed() -> None:
    """Triggers on the base tables that delete the public copy of every changed incident.
    SECURITY DEFINER (the schema owner's rights: an editor needs no grant on the copy),
    with a fixed search_path; EXECUTE revoked from PUBLIC (a trigger needs none)."""
    op.execute(
        """
        CREATE FUNCTION public_tier.hide_incidents(base_ids text[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            gone text[];
        BEGIN
            SELECT array_agg(public_id) INTO gone FROM public_tier.published_ids
                WHERE base_id = ANY(base_ids);
            IF gone IS NULL THEN
                -- no map although rows are published: the refresh could not trace public
                -- incidents to base rows (atlas.db.publish), so every one is hidden
                IF NOT EXISTS (SELECT FROM public_tier.published_ids)
                        AND EXISTS (SELECT FROM public_tier.incidents_data) THEN
                    DELETE FROM public_tier.reports_data;
                    DELETE FROM public_tier.places_data;
                    DELETE FROM public_tier.incidents_data;
                END IF;
                RETURN;
            END IF;
            DELETE FROM public_tier.reports_data WHERE incident_id = ANY(gone);
            DELETE FROM public_tier.places_data WHERE incident_id = ANY(gone);
            DELETE FROM public_tier.incidents_data WHERE incident_id = ANY(gone);
            DELETE FROM public_tier.published_ids WHERE public_id = ANY(gone);
        END $$"""
    )
    op.execute(
        """
        CREATE FUNCTION public_tier.hide_changed_incidents() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            PERFORM public_tier.hide_incidents(ARRAY(SELECT DISTINCT incident_id FROM old_rows));
            RETURN NULL;
        END $$"""
    )
    op.execute(
        """
        CREATE FUNCTION public_tier.hide_changed_documents() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            DELETE FROM public_tier.documents_data
                WHERE document IN (SELECT document FROM old_rows);
            RETURN NULL;
        END $$"""
    )
    op.execute(
        """
        CREATE FUNCTION public_tier.hide_everything() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            DELETE FROM public_tier.documents_data;
            DELETE FROM public_tier.reports_data;
            DELETE FROM public_tier.places_data;
            DELETE FROM public_tier.incidents_data;
            DELETE FROM public_tier.published_ids;
            RETURN NULL;
        END $$"""
    )
    for table in TABLES:
        hide = "hide_changed_documents" if table == "documents" else "hide_changed_incidents"
        for event in ("UPDATE", "DELETE"):  # one event per trigger with a transition table
            op.execute(
                f"CREATE TRIGGER {table}_public_{event.lower()} AFTER {event} ON public.{table}"
                f" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
                f" EXECUTE FUNCTION {SCHEMA}.{hide}()"
            )
        op.execute(
            f"CREATE TRIGGER {table}_public_truncate AFTER TRUNCATE ON public.{table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.hide_everything()"
        )
    for function in (
        "bump_public_version()",
        "hide_incidents(text[])",
        "hide_changed_incidents()",
        "hide_changed_documents()",
        "hide_everything()",
    ):
        op.execute(f"REVOKE EXECUTE ON FUNCTION {SCHEMA}.{function} FROM PUBLIC")


def downgrade() -> None:
    for table in TABLES:
        for event in ("update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_public_{event} ON public.{table}")
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")  # the role stays: see the note
