"""The one caching layer. Every input of a cached function is a parameter.

A session may instead look at its own import (Data page): that data is held in the
session's state only (never in a cache shared with other sessions, never written to disk),
with its table, vocabulary and source index built once when the person chooses it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from atlas.backend import PostgresBackend
from atlas.coverage import covered_spans
from atlas.db import URL_VARIABLE
from atlas.filters import Filters, Vocabulary
from atlas.incidents import incident_table
from atlas.loading import COLUMNS, FILES, Dataset, dataset_version, read_table
from atlas.paths import DATA_DIR
from atlas.scope import document_scope
from atlas.sources import ReportIndex
from atlas.store import load_tables, release_memory
from geo.crossings import load_crossings

IN_USE = "_data_in_use"  # (dataset, table, vocab, report index) of this session's import


@st.cache_resource(show_spinner="Loading the dataset…")
def _load(data_dir: str, version: str) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """One shared copy per dataset version for all sessions (cache_resource: not copied).
    Read from the columnar copy (atlas.store) when it is current, else from the CSVs."""
    dataset, table = load_tables(Path(data_dir))
    return dataset, table, Vocabulary.of(table)


def load(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """The data this session looks at: its own import when the person chose it on the Data
    page, else the data folder's."""
    own = st.session_state.get(IN_USE)
    if own is not None:
        return own[:3]
    return load_bundled(data_dir)


def unusable(data_dir: Path = DATA_DIR) -> str | None:
    """Why the data folder cannot be shown, or None. A folder without the dataset's files
    (an empty one, say) or whose rows all fail the rules gets a message, not a crash."""
    missing = [name for name in FILES.values() if not (data_dir / name).is_file()]
    if missing:
        return (
            f"The data folder {data_dir} has no {', '.join(missing)}. Point ATLAS_DATA_DIR "
            "at a folder with the dataset's files (or unset it for the bundled data)."
        )
    dataset = load_bundled(data_dir)[0]
    if dataset.incidents.empty:
        return (
            f"No incident in {data_dir} passes the rules ({len(dataset.errors):,} "
            "error(s)): run python -m atlas.intake on the original file for the report, "
            "or unset ATLAS_DATA_DIR for the bundled data."
        )
    return None


def load_bundled(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    return _load(str(data_dir), version(data_dir))


def _stamp(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    stats = ((name, (data_dir / name).stat()) for name in FILES.values())
    return tuple((name, s.st_size, s.st_mtime_ns) for name, s in stats)


@st.cache_resource(show_spinner=False, max_entries=64)
def _version(data_dir: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    return dataset_version(Path(data_dir))


def version(data_dir: Path = DATA_DIR) -> str:
    """The dataset version (SHA-256 of the files), hashed again only when a file's size or
    modification time changes: hashing 600 MB of CSVs on every rerun would cost seconds."""
    return _version(str(data_dir), _stamp(Path(data_dir)))


@st.cache_resource(show_spinner=False)
def _report_index(data_dir: str, version: str) -> ReportIndex:
    dataset, table, _ = _load(data_dir, version)
    index = ReportIndex.of(table, dataset.reports, dataset.version)
    release_memory()  # the temporaries of a million-report index
    return index


def report_index(data_dir: Path = DATA_DIR) -> ReportIndex:
    """Per-report facts for the source panel of large filtered sets (one shared copy; the
    session's own for its import)."""
    own = st.session_state.get(IN_USE)
    if own is not None:
        return own[3]
    return _report_index(str(data_dir), version(data_dir))


def session_data(dataset: Dataset) -> tuple[Dataset, pd.DataFrame, Vocabulary, ReportIndex]:
    """What a session holds to show its own import (the IN_USE entry)."""
    table = incident_table(dataset)
    return (
        dataset,
        table,
        Vocabulary.of(table),
        ReportIndex.of(table, dataset.reports, dataset.version),
    )


def use_dataset(dataset: Dataset | None) -> None:
    """Show `dataset` (None: the data folder's) in this session; filters start afresh, since
    the old ones may name sources and incidents the new data does not have."""
    if dataset is None:
        st.session_state.pop(IN_USE, None)
    else:
        st.session_state[IN_USE] = session_data(dataset)
    st.session_state["_url_loaded"] = False
    st.query_params.clear()


def bundled_tables(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """The data folder's files as tables of strings (to show an import alongside them)."""
    return _bundled_tables(str(data_dir), version(data_dir))


@st.cache_resource
def _bundled_tables(data_dir: str, version: str) -> dict[str, pd.DataFrame]:
    return {name: read_table(Path(data_dir) / FILES[name], COLUMNS[name]) for name in FILES}


@st.cache_resource(show_spinner=False, max_entries=16)
def _coverage(version: str, _dataset: Dataset) -> list:
    return covered_spans(_dataset.documents, _dataset.reports, _dataset.incidents)


def coverage(dataset: Dataset) -> list:
    """The spans some document covers (atlas.coverage), once per dataset version."""
    return _coverage(dataset.version, dataset)


def scope(dataset: Dataset) -> pd.DataFrame:
    """The documents and the years each reports on (atlas.scope), once per dataset version:
    it joins every report to its incident, too much for every rerun at a million rows."""
    return _scope(dataset.version, dataset)


@st.cache_resource(show_spinner=False, max_entries=16)
def _scope(version: str, _dataset: Dataset) -> pd.DataFrame:
    return document_scope(_dataset)


@st.cache_resource
def crossings() -> pd.DataFrame:
    """The border crossings (geo.crossings.load_crossings), read once per process."""
    return load_crossings()


# --- team database (issue 16) ------------------------------------------------------------
# Not wired into `load()` yet (the lead merges it with the rerun work): `load()` gets a
# first line `if (db := database_backend()) is not None: return database_tables(db)`.


def database_backend() -> PostgresBackend | None:
    """The team database when ATLAS_DATABASE_URL or `[connections.atlas]` in
    .streamlit/secrets.toml names one (through `st.connection("atlas", type="sql")`, whose
    pool this process shares), else None: the files."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return PostgresBackend(url)
    try:
        configured = "atlas" in st.secrets.get("connections", {})
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        configured = False
    if not configured:
        return None
    connection = st.connection("atlas", type="sql")
    return PostgresBackend(
        connection.engine.url.render_as_string(hide_password=False), connection.engine
    )


def database_tables(db: PostgresBackend) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """What `load()` gives, from the database, keyed on its dataset version: one query for
    the version per rerun; a teammate's change (any statement bumps the version) is read on
    the next rerun of every replica."""
    return _database_tables(db.url, db.version(), db)


@st.cache_resource(show_spinner="Loading the dataset from the team database…", max_entries=2)
def _database_tables(
    url: str, version: str, _db: PostgresBackend
) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    table = _db.filtered(Filters()).drop(columns="in_period")
    return _db.dataset(), table, Vocabulary.of(table)
