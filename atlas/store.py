"""Columnar copy of a loaded dataset: the CSVs stay the editable source, Parquet the fast one.

The first load of a dataset version validates the CSVs (`load_dataset`), builds the incident
table (`incident_table`) and writes both as Parquet under `cache_root/<version>/`; later loads
of the same version read the Parquet files (seconds instead of minutes at a million rows).
The copy is keyed on the SHA-256 of the CSVs and on the code that checks and shapes them
(`code_version`: the schema, the rules, the loader, the incident table, this module), so
an edit of a CSV or a change of a rule or of the schema makes a new copy instead of serving
a stale one; a copy that is incomplete (no manifest) is rebuilt. Problems found by the
loader travel with the copy.

Tuple columns (sources, source types, admin-1s) are stored as their `incidents.KEY_SEP`-joined
keys, dictionary-encoded; on reading, rows with the same key share one tuple object, so a
million rows cost a million pointers, not a million tuples.

The dataset read from the copy has no shapely point per incident: its `incidents` are a
plain DataFrame sharing the table's columns (longitude, latitude), since a million points
would cost about 185 MB and make every garbage collection walk a million more objects;
`loading.points(frame)` builds them where one needs geometry. (Places stay a GeoDataFrame: there is
one row per place of a multi-place incident, not per incident.)
"""

from __future__ import annotations

import ast
import ctypes
import gc
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from atlas import schema
from atlas.incidents import KEY_SEP, incident_table
from atlas.loading import Dataset, dataset_version, imported_from, load_dataset, points
from atlas.paths import PROJECT_ROOT
from atlas.validation import Problem

FORMAT = 3  # bump when the stored layout changes: older copies are then ignored
TUPLE_COLUMNS = ("sources", "source_types", "admin1s")
_INCIDENT_FIELDS = frozenset((*schema.INCIDENT_COLUMNS, "_line"))


def code_files(root: Path | None = None) -> tuple[str, ...]:
    """The code that decides what a copy holds: this module and every project module it
    imports, directly or not (found by reading their imports, so a new rules module is
    never forgotten, as it would be in a list kept by hand)."""
    root = root or PROJECT_ROOT
    todo, seen = ["atlas/store.py"], set()
    while todo:
        name = todo.pop()
        if name in seen or not (root / name).is_file():
            continue
        seen.add(name)
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in ("atlas", "geo"):
                    path = module.replace(".", "/")
                    todo += [f"{path}.py", f"{path}/__init__.py"]
    return tuple(sorted(seen))


@cache  # the code of a running process does not change
def code_version() -> str:
    """SHA-256 of the source of `code_files()` (12 hex digits)."""
    digest = hashlib.sha256()
    for name in code_files():
        digest.update(name.encode() + b"\0" + (PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def default_cache_root() -> Path:
    """`ATLAS_CACHE_DIR`, else `.cache/store` in the project (git-ignored)."""
    return Path(os.environ.get("ATLAS_CACHE_DIR", PROJECT_ROOT / ".cache" / "store"))


def _key(values: tuple[str, ...] | float) -> str:
    return KEY_SEP.join(values) if isinstance(values, tuple) else ""


def _tuples(keys: pd.Series) -> np.ndarray:
    """Object array of tuples, one shared tuple per distinct key."""
    codes, uniques = pd.factorize(keys)
    shared = np.empty(len(uniques) + 1, dtype=object)
    shared[:-1] = [tuple(k.split(KEY_SEP)) if k else () for k in uniques]
    shared[-1] = ()
    return shared[codes]  # code -1 (missing) takes the last slot: ()


def _write(dataset: Dataset, table: pd.DataFrame, folder: Path, built_seconds: float) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    stored = table.drop(columns=[c for c in TUPLE_COLUMNS if c in table])
    for column in TUPLE_COLUMNS:
        stored[f"{column}__key"] = pd.Categorical([_key(v) for v in table[column]])
    stored.to_parquet(tmp / "table.parquet", index=False)
    pd.DataFrame(dataset.places.drop(columns="geometry")).to_parquet(tmp / "places.parquet")
    dataset.reports.to_parquet(tmp / "reports.parquet", index=False)
    dataset.documents.to_parquet(tmp / "documents.parquet", index=False)
    manifest = {
        "format": FORMAT,
        "version": dataset.version,
        "rows": len(table),
        "columns": list(table.columns),
        "built_seconds": round(built_seconds, 2),  # validation + table from the CSVs
        "problems": [asdict(p) for p in dataset.problems],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)  # the manifest appears with the rest, never before it


# Text columns that views only compare, group, look up or show: safe as categoricals.
# (Columns that code concatenates, or takes a min/max of, stay text.)
COMPACT_COLUMNS = {
    "table": (
        "event_type",
        "date_precision",
        "date_basis",
        "admin1",
        "country",
        "geo_precision",
        "coord_basis",
        "coord_note",
        "people_qualifier",
        "people_text",
        "status",
        "status_note",
        "actor",
        "related_ids",
        "summary",
        "type_label",
    ),
    "reports": ("source", "source_type", "document"),
}


def compact(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Text `columns` that repeat (at most one distinct value per four rows) as
    categoricals: a million rows of 'detention' cost a million small integer codes, and
    selecting rows copies the codes, not the text."""
    for column in columns:
        values = frame[column]
        if pd.api.types.is_string_dtype(values.dtype) and not isinstance(
            values.dtype, pd.CategoricalDtype
        ):
            if len(values) and values.nunique(dropna=False) * 4 <= len(values):
                frame[column] = values.astype("category")
    return frame


def _read(
    folder: Path, manifest: dict, *, origin: str, curated: bool
) -> tuple[Dataset, pd.DataFrame]:
    table = pd.read_parquet(folder / "table.parquet")
    for column in TUPLE_COLUMNS:
        table[column] = _tuples(table.pop(f"{column}__key"))
    table = compact(table[manifest["columns"]].copy(deep=False), COMPACT_COLUMNS["table"])
    # The dataset's incidents are the table's incident columns, shared, not copied (in the
    # table's order: by date), without point objects (see the module's docstring).
    incidents = table[[c for c in table.columns if c in _INCIDENT_FIELDS]]
    places = pd.read_parquet(folder / "places.parquet")
    dataset = Dataset(
        incidents=incidents,
        places=gpd.GeoDataFrame(places, geometry=points(places), crs="EPSG:4326"),
        reports=compact(pd.read_parquet(folder / "reports.parquet"), COMPACT_COLUMNS["reports"]),
        documents=pd.read_parquet(folder / "documents.parquet"),
        problems=tuple(Problem(**p) for p in manifest["problems"]),
        version=manifest["version"],
        origin=origin,
        curated=curated,
    )
    release_memory()
    return dataset, table


def release_memory() -> None:
    """Give memory freed after a large load back to the system: Parquet decoding and the
    conversions leave free buffers in Arrow's pool and in the C heap (about 350 MB and 150 MB
    at a million incidents), which would otherwise count as the process's own for good."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc only; elsewhere nothing to do
    except (OSError, AttributeError):
        pass


def copy_folder(data_dir: Path, cache_root: Path | None = None) -> Path:
    """Where the columnar copy of `data_dir` lives: one per dataset version and version of
    the code (`code_version`), and apart for a folder an import wrote (checked by the
    import rules, see `load_tables`)."""
    version = dataset_version(data_dir)
    suffix = "" if imported_from(data_dir) is None else "-import"
    return (cache_root or default_cache_root()) / f"{version}-{code_version()}{suffix}"


def load_tables(data_dir: Path, cache_root: Path | None = None) -> tuple[Dataset, pd.DataFrame]:
    """The dataset and its incident table, from the columnar copy when it is current.

    A folder an import wrote (`loading.IMPORT_MARKER`) is checked by the import rules, so
    its copy is kept apart from one of the same files checked in full, and the dataset
    says where it came from and that it is not curated, as `load_dataset` does."""
    source = imported_from(data_dir)
    folder = copy_folder(data_dir, cache_root)
    manifest_path = folder / "manifest.json"
    who = {"origin": source or str(data_dir), "curated": source is None}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") == FORMAT:
            return _read(folder, manifest, **who)
    started = time.perf_counter()
    dataset = load_dataset(data_dir)
    table = incident_table(dataset)
    _write(dataset, table, folder, time.perf_counter() - started)
    # read back, so that a first load gives the same frames as every later one
    return _read(folder, json.loads(manifest_path.read_text(encoding="utf-8")), **who)
