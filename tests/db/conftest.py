"""A throwaway PostgreSQL + PostGIS cluster for the session (tests/db/pgcluster.py), and a
fresh database for each test. Skipped only when the server binaries are absent (`make
postgres` installs them; `make test` depends on it, so CI runs these tests)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from atlas.db import engine, upgrade
from tests.db import pgcluster

_names = itertools.count()


@pytest.fixture(scope="session")
def pg() -> Iterator[pgcluster.Cluster]:
    reason = pgcluster.missing()
    if reason:
        pytest.skip(reason)
    with pgcluster.cluster() as cluster:
        yield cluster


@pytest.fixture
def empty_db(pg: pgcluster.Cluster) -> Iterator[str]:
    """URL of a fresh database with PostGIS and no schema."""
    name = f"t{next(_names)}"
    url = pg.create_database(name)
    yield url
    engine(url).dispose()
    pg.drop_database(name)


@pytest.fixture
def db(empty_db: str) -> str:
    """URL of a fresh database migrated to the head revision, with no data."""
    upgrade(empty_db)
    return empty_db
