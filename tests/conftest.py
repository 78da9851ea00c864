"""Shared fixtures. Bad-data fixtures are made by copying the bundled data and changing one
cell, so each test names exactly the fault it feeds the loader."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from atlas.loading import Dataset, load_dataset
from atlas.paths import BUNDLED_DATA_DIR as DATA_DIR
from geo.crossings import load_crossings


def pytest_configure(config):
    # The columnar copies (atlas.store) the app writes while tests run go to a temporary
    # folder, inherited by the app servers of the browser tests.
    os.environ.setdefault("ATLAS_CACHE_DIR", tempfile.mkdtemp(prefix="atlas-store-"))


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
