"""The one caching layer. Every input of a cached function is a parameter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from atlas.filters import Vocabulary
from atlas.incidents import incident_table
from atlas.loading import COLUMNS, FILES, Dataset, dataset_version, load_dataset, read_table
from atlas.paths import DATA_DIR, GEO_DATA_DIR


@st.cache_resource(show_spinner="Loading the dataset…")
def _load(data_dir: str, version: str) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """One shared copy per dataset version for all sessions (cache_resource: not copied)."""
    dataset = load_dataset(Path(data_dir))
    table = incident_table(dataset)
    return dataset, table, Vocabulary.of(table)


def load(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """The data this session looks at: its own import when the person chose it on the Data
    page (held in this session only, never shared or written to disk), else the bundled."""
    own = st.session_state.get(IN_USE)
    if own is not None:
        return own
    return load_bundled(data_dir)


def load_bundled(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    return _load(str(data_dir), dataset_version(data_dir))


IN_USE = "_data_in_use"  # (dataset, table, vocab) of this session's import, or absent


def use_dataset(dataset: Dataset | None) -> None:
    """Show `dataset` (None: the bundled data) in this session; filters start afresh, since
    the old ones may name sources and incidents the new data does not have."""
    if dataset is None:
        st.session_state.pop(IN_USE, None)
    else:
        table = incident_table(dataset)
        st.session_state[IN_USE] = (dataset, table, Vocabulary.of(table))
    st.session_state["_url_loaded"] = False
    st.query_params.clear()


def bundled_tables(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """The bundled files as tables of strings (to show an import alongside them)."""
    return _bundled_tables(str(data_dir), dataset_version(data_dir))


@st.cache_resource
def _bundled_tables(data_dir: str, version: str) -> dict[str, pd.DataFrame]:
    return {name: read_table(Path(data_dir) / FILES[name], COLUMNS[name]) for name in FILES}


@st.cache_resource
def crossings(path: str = str(GEO_DATA_DIR / "crossings.csv")) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"located": "string"})
    frame["located"] = frame["located"].str.lower().eq("true") & frame["latitude"].notna()
    return frame
