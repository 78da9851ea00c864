"""The one caching layer. Every input of a cached function is a parameter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from atlas.filters import Vocabulary
from atlas.incidents import incident_table
from atlas.loading import Dataset, dataset_version, load_dataset
from atlas.paths import DATA_DIR, GEO_DATA_DIR


@st.cache_resource(show_spinner="Loading the dataset…")
def _load(data_dir: str, version: str) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """One shared copy per dataset version for all sessions (cache_resource: not copied)."""
    dataset = load_dataset(Path(data_dir))
    table = incident_table(dataset)
    return dataset, table, Vocabulary.of(table)


def load(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    return _load(str(data_dir), dataset_version(data_dir))


@st.cache_resource
def crossings(path: str = str(GEO_DATA_DIR / "crossings.csv")) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"located": "string"})
    frame["located"] = frame["located"].str.lower().eq("true") & frame["latitude"].notna()
    return frame
