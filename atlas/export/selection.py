"""The rows behind a selection of incidents, as the data files write them.

`subset` takes the selected incidents, their places, their reports and the documents those
reports cite from the files themselves, as strings (nothing is re-formatted), in the files'
columns. Places and reports are grouped by incident (the order in which GeoJSON nests
them), each group in file order. `Subset.version` is the version `load_dataset` reports for
these rows written as a data folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from atlas.export.cells import neutralise_cell
from atlas.loading import COLUMNS, FILES, Dataset, dataset_version, read_table
from atlas.paths import DATA_DIR


class ExportError(Exception):
    """An export cannot be made or read; the message says why."""


@dataclass(frozen=True)
class Subset:
    """Rows of the four files as strings, in the files' columns; places and reports in
    the order of their incidents."""

    incidents: pd.DataFrame
    places: pd.DataFrame
    reports: pd.DataFrame
    documents: pd.DataFrame
    related: tuple[str, ...] = ()  # incidents included only because selected ones name them

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame], related: tuple[str, ...] = ()) -> Subset:
        """A Subset of frames of strings holding (at least) each file's columns."""
        frames = {}
        for name, columns in COLUMNS.items():
            values = tables[name][list(columns)].to_numpy(dtype=object)
            frames[name] = pd.DataFrame(values, columns=list(columns), dtype=object)
        return cls(**frames, related=related)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in FILES}

    def csv_files(self) -> dict[str, bytes]:
        """The data folder's files, file name → content, in `FILES` order."""
        return {
            FILES[name]: csv_bytes(frame, COLUMNS[name]) for name, frame in self.frames().items()
        }

    @property
    def version(self) -> str:
        """What `load_dataset` reports as the version of the folder `read_export` writes."""
        return version_of(self.csv_files())


def version_of(files: dict[str, bytes]) -> str:
    """`atlas.loading.dataset_version` of files given as bytes, in `FILES` order."""
    digest = hashlib.sha256()
    for name in FILES.values():
        digest.update(files[name])
    return digest.hexdigest()[:12]


def visible_ids(frame: pd.DataFrame) -> list[str]:
    """The incidents a filtered frame (from `apply_filters`) shows: its rows in the period."""
    return list(frame.loc[frame["in_period"], "incident_id"])


def subset(dataset: Dataset, incident_ids: Iterable[str], data_dir: Path = DATA_DIR) -> Subset:
    """The rows of `data_dir`'s files behind `incident_ids`, as the files write them.

    `dataset` must have been loaded from `data_dir` (its version is checked), or carry its
    own tables (`Dataset.raw`, an import): only rows that loaded are taken, so an export
    never carries a row the loader rejected. The
    incidents that selected ones name in `related_ids` come too (listed in
    `Subset.related`): the loader rejects a reference to an absent incident, and an
    export must load on its own with no value changed.
    """
    data_dir = Path(data_dir)
    if dataset.raw is None and dataset_version(data_dir) != dataset.version:
        raise ExportError(
            f"the files in {data_dir} changed since the dataset was loaded; reload it"
        )
    selected = list(dict.fromkeys(incident_ids))
    loaded = set(dataset.incidents["incident_id"])
    if unknown := [i for i in selected if i not in loaded]:
        raise ExportError(f"not loaded incident(s): {', '.join(unknown)}")
    wanted = related_closure(dataset, selected)
    raw = dataset.raw or {name: read_table(data_dir / FILES[name], COLUMNS[name]) for name in FILES}

    def rows(name: str, frame: pd.DataFrame) -> pd.DataFrame:
        lines = set(frame["_line"]) if "_line" in frame else set()
        table = raw[name]
        return table[table["_line"].isin(lines) & table["incident_id"].isin(wanted)]

    incidents = rows("incidents", dataset.incidents)
    position = {iid: n for n, iid in enumerate(incidents["incident_id"])}

    def by_incident(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values("incident_id", key=lambda s: s.map(position), kind="stable")

    places = by_incident(rows("places", dataset.places))
    reports = by_incident(rows("reports", dataset.reports))
    documents = raw["documents"][raw["documents"]["document"].isin(set(reports["document"]))]
    tables = {"incidents": incidents, "places": places, "reports": reports}
    chosen = set(selected)
    related = tuple(i for i in incidents["incident_id"] if i not in chosen)
    return Subset.of({**tables, "documents": documents}, related=related)


def related_closure(dataset: Dataset, incident_ids: Iterable[str]) -> set[str]:
    """The incidents and, transitively, the loaded incidents their `related_ids` name."""
    related = {
        iid: [r.strip() for r in ids.split(";") if r.strip()]
        for iid, ids in zip(
            dataset.incidents["incident_id"], dataset.incidents["related_ids"], strict=True
        )
    }
    todo = list(incident_ids)
    found = set(todo)
    while todo:
        for other in related.get(todo.pop(), []):
            if other in related and other not in found:
                found.add(other)
                todo.append(other)
    return found


def csv_bytes(frame: pd.DataFrame, columns: tuple[str, ...], *, neutralise: bool = False) -> bytes:
    """The frame as the dataset's CSV files are written: UTF-8, minimal quoting, LF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # csv quotes a field with a line feed but not one with a lone carriage return, which a
    # reader would take as a line break: such a row is written fully quoted.
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for row in frame[list(columns)].itertuples(index=False):
        cells = [neutralise_cell(v) for v in row] if neutralise else list(row)
        (quoted if any("\r" in v for v in cells) else writer).writerow(cells)
    return buffer.getvalue().encode("utf-8")
