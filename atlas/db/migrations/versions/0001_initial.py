"""Initial schema: incidents, places, reports, documents and the dataset version.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

The vocabularies are frozen here as they are in atlas/schema.py today; a change of a
vocabulary is a new migration (tests/db/test_schema.py compares the two).
Constraints are what the loader's rules check where a database can: required text,
vocabularies, date order, count order, coordinate ranges, keys and links. Rules across rows
(status from independent sources, admin-1 of a point, provenance) stay in atlas.rules and
run on every import before anything is written.
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

EVENT_TYPES = (
    "detention",
    "transfer",
    "repatriation",
    "crackdown",
    "official_statement",
    "international_response",
    "context",
    "held",
)
DATE_PRECISIONS = ("day", "range", "month_part", "month", "year", "on_or_before", "as_of")
GEO_PRECISIONS = (
    "exact",
    "city",
    "near",
    "border",
    "province",
    "region",
    "country",
    "multiple",
    "unlocated",
)
STATUSES = ("single_source", "corroborated", "officially_confirmed", "disputed")
SOURCE_TYPES = ("media", "state_media", "ngo", "un", "government", "academic")
PEOPLE_QUALIFIERS = ("exact", "approximate", "range", "at_least", "unknown")
PLACE_ROLES = ("site", "origin", "destination")


def _in(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)  # constants of this file, not data
    return f"CHECK ({column} IN ({listed}))"


# A point from the stored coordinates (x = longitude, y = latitude; EPSG:4326), kept by
# the database itself so that it can never disagree with them.
GEOM = (
    "geometry(Point, 4326) GENERATED ALWAYS AS (CASE WHEN longitude IS NULL OR latitude IS NULL"
    " THEN NULL ELSE ST_SetSRID(ST_MakePoint(longitude::float8, latitude::float8), 4326) END)"
    " STORED"
)
COORDINATES = """
    latitude numeric CHECK (latitude BETWEEN -90 AND 90),
    longitude numeric CHECK (longitude BETWEEN -180 AND 180),
    CHECK ((latitude IS NULL) = (longitude IS NULL)),
"""
PEOPLE = """
    people_min integer CHECK (people_min >= 0),
    people_max integer CHECK (people_max >= 0),
    CHECK (people_min IS NULL OR people_max IS NULL OR people_min <= people_max),
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        """
        CREATE TABLE documents (
            document text PRIMARY KEY,
            row_order integer NOT NULL,
            title text,
            publisher text,
            author text,
            published text,
            published_basis text,
            kind text
        )"""
    )
    op.execute(
        f"""
        CREATE TABLE incidents (
            incident_id text COLLATE "C" PRIMARY KEY CHECK (incident_id <> ''),
            row_order integer NOT NULL,
            title text NOT NULL CHECK (title <> ''),
            event_type text NOT NULL {_in("event_type", EVENT_TYPES)},
            date_start date NOT NULL,
            date_end date NOT NULL,
            date_precision text NOT NULL {_in("date_precision", DATE_PRECISIONS)},
            date_text text NOT NULL CHECK (date_text <> ''),
            date_basis text,
            location_name text NOT NULL CHECK (location_name <> ''),
            admin1 text,
            country text CHECK (country ~ '^[A-Z]{{2}}$'),
            {COORDINATES}
            geo_precision text NOT NULL {_in("geo_precision", GEO_PRECISIONS)},
            coord_basis text,
            coord_note text,
            {PEOPLE}
            people_qualifier text {_in("people_qualifier", PEOPLE_QUALIFIERS)},
            people_text text,
            status text NOT NULL {_in("status", STATUSES)},
            status_note text,
            actor text,
            related_ids text,
            summary text NOT NULL CHECK (summary <> ''),
            disagreement text,
            may_overlap text,
            geom {GEOM},
            CHECK (date_start <= date_end),
            CHECK (geo_precision IN ('multiple', 'unlocated') OR latitude IS NOT NULL)
        )"""
    )
    op.execute("CREATE INDEX incidents_geom ON incidents USING gist (geom)")
    op.execute("CREATE INDEX incidents_dates ON incidents (date_start, date_end)")
    op.execute("CREATE INDEX incidents_type ON incidents (event_type)")
    op.execute(
        f"""
        CREATE TABLE places (
            place_id text COLLATE "C" PRIMARY KEY CHECK (place_id <> ''),
            row_order integer NOT NULL,
            incident_id text COLLATE "C" NOT NULL
                REFERENCES incidents (incident_id) ON DELETE CASCADE,
            role text NOT NULL {_in("role", PLACE_ROLES)},
            location_name text NOT NULL CHECK (location_name <> ''),
            admin1 text,
            country text CHECK (country ~ '^[A-Z]{{2}}$'),
            {COORDINATES}
            geo_precision text NOT NULL {_in("geo_precision", GEO_PRECISIONS)},
            coord_basis text,
            note text,
            geom {GEOM}
        )"""
    )
    op.execute("CREATE INDEX places_incident ON places (incident_id)")
    op.execute("CREATE INDEX places_geom ON places USING gist (geom)")
    op.execute(
        f"""
        CREATE TABLE reports (
            report_id text COLLATE "C" PRIMARY KEY CHECK (report_id <> ''),
            row_order integer NOT NULL,
            incident_id text COLLATE "C" NOT NULL
                REFERENCES incidents (incident_id) ON DELETE CASCADE,
            source text NOT NULL CHECK (source <> ''),
            source_type text {_in("source_type", SOURCE_TYPES)},
            source_as_cited text,
            published text CHECK (published ~ '^[0-9]{{4}}(-[0-9]{{2}}(-[0-9]{{2}})?)?$'),
            document text NOT NULL REFERENCES documents (document),
            quote text,
            claim text,
            {PEOPLE}
            people_text text,
            url text,
            note text,
            relies_on text
        )"""
    )
    op.execute("CREATE INDEX reports_incident ON reports (incident_id)")
    op.execute("CREATE INDEX reports_source ON reports (source)")
    # One row: the dataset's version, bumped by every statement that changes a table, so
    # that every app replica sees a teammate's change on its next rerun (caches key on it).
    op.execute(
        """
        CREATE TABLE dataset_version (
            id boolean PRIMARY KEY DEFAULT true CHECK (id),
            version bigint NOT NULL DEFAULT 1,
            changed_at timestamptz NOT NULL DEFAULT now(),
            import_marker text
        )"""
    )
    op.execute("INSERT INTO dataset_version DEFAULT VALUES")
    op.execute(
        """
        CREATE FUNCTION bump_dataset_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE dataset_version SET version = version + 1, changed_at = now();
            RETURN NULL;
        END $$"""
    )
    for table in ("incidents", "places", "reports", "documents"):
        op.execute(
            f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version()"
        )


def downgrade() -> None:
    for table in ("reports", "places", "incidents", "documents", "dataset_version"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    op.execute("DROP FUNCTION IF EXISTS bump_dataset_version()")
