"""The team database: PostgreSQL 15 + PostGIS through SQLAlchemy 2 (issue 16).

Where it is: `ATLAS_DATABASE_URL` (a SQLAlchemy URL, e.g.
`postgresql+psycopg://atlas@db.example.org/atlas`), else `url` in the `[connections.atlas]`
section of `.streamlit/secrets.toml` (the section `st.connection("atlas", type="sql")`
reads). Neither set: no database, the app reads the files (atlas.backend.FilesBackend).

`upgrade` creates or migrates the schema (Alembic, atlas/db/migrations); `atlas.db.transfer`
imports and exports the dataset layout; `atlas.db.queries` and `atlas.db.answers` answer
the views' and pages' questions in the database; `atlas.db.copy` reads large results
through COPY. This package never imports Streamlit.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from atlas.paths import PROJECT_ROOT

URL_VARIABLE = "ATLAS_DATABASE_URL"
SECRETS = PROJECT_ROOT / ".streamlit" / "secrets.toml"
ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def database_url(secrets: Path = SECRETS) -> str | None:
    """The team database's URL: ATLAS_DATABASE_URL, else [connections.atlas] url in
    secrets.toml, else None (the files are the data)."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    try:
        section = tomllib.loads(secrets.read_text(encoding="utf-8"))["connections"]["atlas"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return None
    url = section.get("url") if isinstance(section, dict) else None
    return url if isinstance(url, str) and url.strip() else None


@cache  # one pool per URL and process: replicas each hold their own, sessions share it
def engine(url: str) -> sa.Engine:
    return without_jit(sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5))


def _jit_off(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def without_jit(engine: sa.Engine) -> sa.Engine:
    """`engine`, its new connections with PostgreSQL's JIT compiler off. The views'
    questions are short scans whose estimated cost crosses `jit_above_cost`: compiling
    them cost more than running them (measured at 100,000 incidents, two event types:
    overlaps and wordings 1,004 -> 33 ms, month bins 265 -> 64 ms, capped frame 212 -> 113
    ms; at 1M 1,759 -> 303, 748 -> 403). Idempotent."""
    if not sa.event.contains(engine, "connect", _jit_off):
        sa.event.listen(engine, "connect", _jit_off)
    return engine


def alembic_config(connection: sa.Connection | None = None):
    from alembic.config import Config  # imported when migrating, not by every app process

    config = Config(str(ALEMBIC_INI))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema to `revision` (one transaction)."""
    from alembic import command

    with engine(url).begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def head_revision() -> str:
    """The newest migration in atlas/db/migrations (what `upgrade` brings a database to)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_revision(url: str) -> str | None:
    """The migration the database is at, or None when it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def dataset_version(connection: sa.Connection) -> int:
    """The dataset version: a number that grows on every change of any table."""
    return connection.execute(sa.text("SELECT version FROM dataset_version")).scalar_one()
