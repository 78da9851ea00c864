"""Load the dataset into validated frames.

`load_dataset` reads the CSVs as text (nothing is coerced on read), applies every rule in
`atlas.rules`, keeps the valid rows and lists the invalid ones as `Problem`s; the files are
never written. Incidents and places become GeoDataFrames in EPSG:4326 (points built from
longitude, latitude; None where there is no coordinate).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas import schema
from atlas.crossrow import IncidentFacts
from atlas.paths import DATA_DIR
from atlas.rules import (
    unloaded,
    validate_admin1,
    validate_incidents,
    validate_links,
    validate_places,
    validate_reports,
)
from atlas.validation import Checked, Problem, line_of, missing_columns

FILES = {
    "incidents": "incidents.csv",
    "places": "places.csv",
    "reports": "reports.csv",
    "documents": "documents.csv",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "incidents": schema.INCIDENT_COLUMNS,
    "places": schema.PLACE_COLUMNS,
    "reports": schema.REPORT_COLUMNS,
    "documents": schema.DOCUMENT_COLUMNS,
}

# Columns without which a file cannot be read row by row (documents.csv has none).
REQUIRED: dict[str, tuple[str, ...]] = {
    "incidents": schema.REQUIRED_INCIDENT_COLUMNS,
    "places": schema.REQUIRED_PLACE_COLUMNS,
    "reports": schema.REQUIRED_REPORT_COLUMNS,
}


class DatasetError(Exception):
    """Raised by `load_dataset(strict=True)` when any problem is found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the dataset:\n{lines}{more}")


@dataclass(frozen=True)
class Dataset(Checked):
    # EPSG:4326 points from the CSVs; from the columnar copy (atlas.store) a DataFrame with
    # longitude and latitude but no point objects (`points` builds them).
    incidents: gpd.GeoDataFrame | pd.DataFrame
    places: gpd.GeoDataFrame
    reports: pd.DataFrame
    documents: pd.DataFrame
    problems: tuple[Problem, ...] = field(default=())
    version: str = ""  # first 12 hex digits of the SHA-256 of the files, in FILES order
    # Imported data has no folder: its tables of strings (as `read_table` gives them) are
    # kept here for exports. None for data loaded from a folder (read again on export).
    raw: dict[str, pd.DataFrame] | None = field(default=None, compare=False, repr=False)
    origin: str = ""  # where the data came from, for people: a folder or a file name
    curated: bool = True  # checked by the provenance rules; False for imported data
    tier: str = "team"  # "public" once redacted (atlas.redaction); every output states it


def read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV as strings; absent optional columns are added empty; `_line` keeps the
    line number of each row in the file."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return _prepared(frame, columns, 0)


def read_blocks(
    path: Path, columns: tuple[str, ...], rows: int, only: tuple[str, ...] | None = None
) -> Iterator[pd.DataFrame]:
    """`read_table` `rows` rows at a time (each block's `_line` as in the whole file); with
    `only`, of those columns alone (a first pass that needs a few)."""
    usecols = None if only is None else (lambda column: column in only)
    start = 0
    with pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        chunksize=rows,
        usecols=usecols,
    ) as reader:
        for frame in reader:
            yield _prepared(frame, columns if only is None else only, start)
            start += len(frame)


def read_header(path: Path) -> pd.DataFrame:
    """The columns of a CSV (no rows), for `missing_columns`."""
    frame = pd.read_csv(path, dtype=str, nrows=0, encoding="utf-8-sig")
    frame.attrs["source_columns"] = tuple(frame.columns)
    return frame


def _prepared(frame: pd.DataFrame, columns: tuple[str, ...], start: int) -> pd.DataFrame:
    frame = frame.apply(lambda col: col.str.strip())
    frame.attrs["source_columns"] = tuple(frame.columns)  # before optional ones are added
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    frame["_line"] = [line_of(start + i) for i in range(len(frame))]
    return frame


def drop_errors(frame: pd.DataFrame, problems: list[Problem], file: str) -> pd.DataFrame:
    """The rows of `frame` (of `file`) that no error in `problems` names."""
    bad = {p.row for p in problems if p.file == file and p.row is not None and p.is_error}
    return frame[~frame["_line"].isin(bad)]


def points(frame: pd.DataFrame) -> gpd.GeoSeries:
    """EPSG:4326 points from the `longitude`, `latitude` columns (numbers or their text;
    x = longitude), None where either is missing."""
    lon = pd.to_numeric(frame["longitude"].replace("", None), errors="coerce")
    lat = pd.to_numeric(frame["latitude"].replace("", None), errors="coerce")
    located = (lon.notna() & lat.notna()).to_numpy()
    geometry = np.full(len(frame), None, dtype=object)
    geometry[located] = gpd.points_from_xy(lon[located], lat[located])
    return gpd.GeoSeries(geometry, index=frame.index, crs="EPSG:4326")


def _typed(frame: pd.DataFrame, *, dates: bool) -> pd.DataFrame:
    out = frame.copy(deep=False)  # copy-on-write (pandas 3): columns replaced, not the cells
    for column in ("latitude", "longitude"):  # float64 always: not int64 when every
        if column in out:  # value read is whole (a database's answer of a few places)
            values = pd.to_numeric(out[column].replace("", None), errors="coerce")
            out[column] = values.astype("float64")
    for column in ("people_min", "people_max"):
        out[column] = pd.to_numeric(out[column].replace("", None)).astype("Int64")
    if dates:
        out["date_start"] = pd.to_datetime(out["date_start"], format="%Y-%m-%d")
        out["date_end"] = pd.to_datetime(out["date_end"], format="%Y-%m-%d")
    return out


def admin1_severity(provenance: bool) -> str:
    """A point outside the admin-1 its row names: an error in curated data (`provenance`),
    a warning in an import's (the row loads and a reviewer checks it)."""
    return "error" if provenance else "warning"


def dataset_version(data_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in FILES.values():
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()[:12]


# A data folder written by an import (`python -m atlas.intake FILE --out DIR`) carries this
# file; its rows are then checked by the import rules (no provenance rules, see
# `build_dataset`). The bundled folder has none and is always checked in full.
IMPORT_MARKER = "imported.json"


def imported_from(data_dir: Path) -> str | None:
    """The file a data folder was imported from, or None for a curated folder."""
    marker = Path(data_dir) / IMPORT_MARKER
    if not marker.is_file():
        return None
    try:
        return marker_source(marker.read_text(encoding="utf-8"))
    except OSError:
        return None  # unreadable: the folder is checked in full


def marker_source(text: str | None) -> str | None:
    """The `imported_from` an import marker's text names, or None (curated: no marker, or
    one that cannot be read). The team database keeps the marker's text."""
    if text is None:
        return None
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        return None
    source = content.get("imported_from") if isinstance(content, dict) else None
    return source if isinstance(source, str) and source else None


def load_dataset(data_dir: Path = DATA_DIR, *, strict: bool = False) -> Dataset:
    """Load and validate the dataset in `data_dir`.

    Rows with errors are left out and listed in `Dataset.problems`; with `strict=True` any
    problem raises `DatasetError` instead. A folder an import wrote (`IMPORT_MARKER`) is
    checked by the import rules.
    """
    tables = {name: read_table(data_dir / FILES[name], COLUMNS[name]) for name in FILES}
    source = imported_from(data_dir)
    dataset = build_dataset(
        tables,
        provenance=source is None,
        version=dataset_version(data_dir),
        origin=source or str(data_dir),
    )
    if strict and dataset.problems:
        raise DatasetError(list(dataset.problems))
    return dataset


def build_dataset(
    tables: dict[str, pd.DataFrame],
    *,
    files: dict[str, str] | None = None,
    provenance: bool = True,
    version: str = "",
    origin: str = "",
    keep_raw: bool = False,
) -> Dataset:
    """Validate four tables of strings (as `read_table` gives them) into a Dataset.

    `files` names the file each table's problems point to (default: the data folder's
    file names; an import names the uploaded file for all three, whose row numbers the
    tables' `_line` columns carry). `provenance=False` is for imported data: the curated
    dataset's provenance rules (slug ids, a coord_basis, a quote and a source type on every
    report) are not applied, and a coordinate outside the admin-1 a row names is a warning.
    `keep_raw` keeps the tables in `Dataset.raw`, for exports of data that has no folder.
    """
    names = {**FILES, **(files or {})}
    incidents, places = tables["incidents"], tables["places"]
    reports, documents = tables["reports"], tables["documents"]
    problems = [
        problem
        for name, required in REQUIRED.items()
        for problem in missing_columns(tables[name], required, names[name])
    ]
    if problems:  # without its columns a file cannot be read row by row
        return _empty(documents, problems)

    facts = IncidentFacts.of(incidents)  # what places, reports and ids ask of incidents
    problems += validate_incidents(incidents, names["incidents"], strict=provenance, facts=facts)
    problems += validate_places(places, facts, names["places"])
    problems += validate_reports(
        reports, facts, set(documents["document"]), names["reports"], strict=provenance
    )
    good_incidents = drop_errors(incidents, problems, names["incidents"])
    good_places = drop_errors(places, problems, names["places"])
    problems += validate_admin1(
        good_incidents,
        good_places,
        (names["incidents"], names["places"]),
        admin1_severity(provenance),
    )
    good_incidents = drop_errors(good_incidents, problems, names["incidents"])
    good_places = drop_errors(good_places, problems, names["places"])
    good_reports = drop_errors(reports, problems, names["reports"])
    problems += validate_links(
        good_incidents,
        good_places,
        good_reports,
        names["incidents"],
        names["reports"],
        strict=provenance,
    )
    good_incidents = drop_errors(good_incidents, problems, names["incidents"])

    kept = set(good_incidents["incident_id"])
    problems += unloaded(
        good_places,
        good_reports,
        kept,
        problems,
        (names["incidents"], names["places"], names["reports"]),
    )
    good_places = good_places[good_places["incident_id"].isin(kept)]
    good_reports = good_reports[good_reports["incident_id"].isin(kept)]

    incidents_gdf = gpd.GeoDataFrame(
        _typed(good_incidents, dates=True), geometry=points(good_incidents), crs="EPSG:4326"
    )
    places_gdf = gpd.GeoDataFrame(
        _typed(good_places.assign(people_min="", people_max=""), dates=False).drop(
            columns=["people_min", "people_max"]
        ),
        geometry=points(good_places),
        crs="EPSG:4326",
    )
    return Dataset(
        incidents=incidents_gdf.reset_index(drop=True),
        places=places_gdf.reset_index(drop=True),
        reports=_typed(good_reports, dates=False).reset_index(drop=True),
        documents=documents.reset_index(drop=True),
        problems=tuple(problems),
        version=version,
        raw=dict(tables) if keep_raw else None,
        origin=origin,
        curated=provenance,
    )


def _empty(documents: pd.DataFrame, problems: list[Problem]) -> Dataset:
    incidents = gpd.GeoDataFrame(
        columns=[*schema.INCIDENT_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326"
    )
    places = gpd.GeoDataFrame(
        columns=[*schema.PLACE_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326"
    )
    return Dataset(
        incidents, places, pd.DataFrame(columns=schema.REPORT_COLUMNS), documents, tuple(problems)
    )
