"""Shared fixtures. Bad-data fixtures are made by copying the bundled data and changing one
cell, so each test names exactly the fault it feeds the loader.

One suite, two backends: with ATLAS_TEST_BACKEND=postgres the session starts a throwaway
PostgreSQL cluster (tests/db/pgcluster.py) holding the bundled data and sets
ATLAS_DATABASE_URL, so that every AppTest run of the dashboard reads the team database
(`make test` runs the dashboard's AppTest files a second time so, BACKEND_PASS in the
Makefile). A test that cannot run on the database (it points the app at files of its own)
is marked `files_only("why")` and skipped there with that reason.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from atlas.loading import Dataset, load_dataset
from atlas.paths import BUNDLED_DATA_DIR as DATA_DIR
from geo.crossings import load_crossings

BACKEND_VARIABLE = "ATLAS_TEST_BACKEND"  # "files" (default) or "postgres"


def backend_under_test() -> str:
    value = os.environ.get(BACKEND_VARIABLE, "files").strip() or "files"
    if value not in {"files", "postgres"}:
        raise pytest.UsageError(f"{BACKEND_VARIABLE} is 'files' or 'postgres', not {value!r}")
    return value


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "files_only(reason): cannot run on the team database; skipped there"
    )
    # The columnar copies (atlas.store) the app writes while tests run go to a temporary
    # folder, inherited by the app servers of the browser tests, removed at the end.
    if "ATLAS_CACHE_DIR" not in os.environ:
        os.environ["ATLAS_CACHE_DIR"] = folder = tempfile.mkdtemp(prefix="atlas-store-")
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_collection_modifyitems(config, items):
    if backend_under_test() != "postgres":
        return
    for item in items:
        marker = item.get_closest_marker("files_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "reads files of its own"
            item.add_marker(pytest.mark.skip(reason=f"files backend only: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def team_database() -> Iterator[str | None]:
    """With ATLAS_TEST_BACKEND=postgres: the URL of a throwaway database holding the bundled
    data, set as ATLAS_DATABASE_URL for the whole session; else None (the files)."""
    if backend_under_test() != "postgres":
        yield None
        return
    from atlas.db import URL_VARIABLE
    from tests.db import pgcluster

    reason = pgcluster.missing()
    if reason:
        pytest.fail(f"{BACKEND_VARIABLE}=postgres: {reason}")
    with pgcluster.bundled_database("suite") as (_pg, url), pytest.MonkeyPatch.context() as mp:
        mp.setenv(URL_VARIABLE, url)
        yield url


@pytest.fixture(scope="session")
def bundled() -> Dataset:
    return load_dataset(DATA_DIR)


def edit_csv(path: Path, row_index: int, column: str, value: str) -> None:
    """Set one cell (row_index counts data rows from 0) of a CSV, adding the column if new."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if column not in fields:
        fields.append(column)
    rows[row_index][column] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def data_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy the bundled data to a temporary folder; returns the folder."""

    def make() -> Path:
        target = tmp_path / "data"
        shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.md"))
        return target

    return make


@pytest.fixture(scope="session")
def crossings() -> pd.DataFrame:
    """The border crossings as the app reads them (geo.crossings.load_crossings)."""
    return load_crossings()
