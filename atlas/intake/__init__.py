"""Bring your own data: read, map, convert, geocode and validate an uploaded file.

`import_file(data, name)` is the whole import, in memory: the bytes are read
(`formats`), columns mapped (`mapping`), rows converted and geocoded (`convert`,
`geocode`) and validated by the dataset's own rules (`atlas.loading.build_dataset`, without
the curated data's provenance rules). Nothing is lost: valid rows load, every problem is
listed with file, row, column, value, what is wrong and how to fix it, and the rows that
did not load can be downloaded as they were (`invalid_rows_csv`). The original bytes are
never changed. The same import runs from the command line: `python -m atlas.intake`.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import geopandas as gpd
import pandas as pd

from atlas.export.cells import neutralise_cell
from atlas.intake.convert import Converted, convert
from atlas.intake.formats import DEFAULT_LIMITS, IntakeError, Limits, RawTable, read_upload
from atlas.intake.mapping import Mapping, auto_mapping, unused_columns
from atlas.loading import Dataset, build_dataset
from atlas.validation import Problem

__all__ = [
    "ImportResult",
    "IntakeError",
    "Limits",
    "Mapping",
    "combine",
    "import_file",
    "read_upload",
]

REPORT_COLUMNS = ("severity", "file", "row", "column", "value", "problem", "fix")


@dataclass
class ImportResult:
    file: str
    format: str
    encoding: str | None
    layout: str  # "flat", "ACLED" or "atlas export"
    mapping: Mapping
    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)
    raw: RawTable | None = None
    review: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # the file's columns no field takes

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def rows_not_loaded(self) -> int:
        """Rows of the file with an error: a row can have several problems."""
        return len({p.row for p in self.errors if p.row is not None})

    @property
    def loaded(self) -> int:
        return 0 if self.dataset is None else len(self.dataset.incidents)

    @property
    def rows(self) -> int:
        if self.raw is None:
            return 0
        if self.raw.tables is not None:
            return len(self.raw.tables["incidents"])
        return len(self.raw.frame)

    def report_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            [
                (p.severity, p.file, p.row, p.column, p.value, p.message, p.fix)
                for p in self.problems
            ],
            columns=list(REPORT_COLUMNS),
        )
        frame["row"] = frame["row"].astype("Int64")  # whole numbers; empty for file-level
        return frame

    def report_csv(self) -> bytes:
        """The validation report, one line a problem (UTF-8 with BOM, so that spreadsheet
        programs read Korean and Chinese right; formulas neutralised)."""
        frame = self.report_frame()
        frame["row"] = frame["row"].astype("string").fillna("")
        return _csv(frame.astype(str))

    def invalid_rows(self) -> pd.DataFrame:
        """The rows of the file that did not load, as they were, with their problems."""
        if self.raw is None:
            return pd.DataFrame()
        frame = self.raw.frame if self.raw.tables is None else self.raw.tables["incidents"]
        by_row: dict[int, list[str]] = {}
        for p in self.errors:
            if p.row is not None:
                by_row.setdefault(p.row, []).append(f"{p.column}: {p.message}")
        bad = frame[frame["_line"].astype(int).isin(by_row)]
        out = bad.drop(columns="_line").copy()
        row, problems = _added("row", out.columns), _added("problems", out.columns)
        out.insert(0, row, bad["_line"].astype(int).to_numpy())
        out[problems] = [" | ".join(by_row[int(n)]) for n in bad["_line"]]
        return out.reset_index(drop=True)

    def invalid_rows_csv(self) -> bytes:
        """The rows that did not load, each cell of the file exactly as it was (to fix and
        import again: no `'` is added, so a cell that began with `=` still does, as in the
        file itself); the columns the atlas adds (`row`, `problems`) are neutralised."""
        frame = self.invalid_rows().astype(str)
        added = {frame.columns[0], frame.columns[-1]} if len(frame.columns) else set()
        return _csv(frame, neutralise=added)


def _added(name: str, columns) -> str:
    """A name for a column the atlas adds that the file's own columns do not use."""
    while name in columns:
        name += " (atlas)"
    return name


def _csv(frame: pd.DataFrame, neutralise: set[str] | None = None) -> bytes:
    """UTF-8 with BOM; the `neutralise` columns (default: all) pass `neutralise_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    safe = [neutralise is None or c in neutralise for c in frame.columns]
    for row in frame.itertuples(index=False):
        writer.writerow(
            [neutralise_cell(str(v)) if s else str(v) for v, s in zip(row, safe, strict=True)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _rename_columns(problems: list[Problem], mapping: Mapping, file: str) -> list[Problem]:
    """Point the rules' problems to the file's own column names ('lat (latitude)')."""
    aliases = {
        "date_start": mapping.column("date_start") or mapping.column("date"),
        "date_end": mapping.column("date_end") or mapping.column("date"),
        "date_precision": mapping.column("date"),
    }
    out = []
    for p in problems:
        own = mapping.column(p.column) or aliases.get(p.column)
        if p.file == file and own and own != p.column:
            p = replace(p, column=f"{own} ({p.column})")
        out.append(p)
    return out


def import_file(
    data: bytes,
    name: str,
    mapping: Mapping | None = None,
    *,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    layer: str | None = None,
) -> ImportResult:
    """Import the bytes of a file called `name` (`layer`: the sheet or GeoPackage layer,
    default the first with data). Never raises for bad data: a file that cannot be read at
    all gives a result with no dataset and the problem saying why."""
    try:
        raw = read_upload(data, name, encoding=encoding, limits=limits, layer=layer)
    except IntakeError as exc:
        return ImportResult(name, "", None, "", mapping or Mapping(), None, [exc.problem])
    version = hashlib.sha256(data).hexdigest()[:12]
    files = {"incidents": name, "places": name, "reports": name}
    if raw.tables is not None:  # the atlas's own export: its four tables as they are
        dataset = build_dataset(
            raw.tables, provenance=False, version=version, origin=name, keep_raw=True
        )
        return ImportResult(
            name,
            raw.format,
            None,
            "atlas export",
            Mapping(),
            dataset,
            list(dataset.problems),
            raw,
            notes=raw.notes,
        )
    used = mapping or auto_mapping(raw.columns)
    converted: Converted = convert(raw, used, today=today, progress=progress)
    dataset = None
    problems = list(raw.problems) + converted.problems
    if not any(p.row is None and p.is_error for p in converted.problems):
        # The rules run on every row, also one with a conversion error, so that one pass
        # lists every problem of every row; that row is then left out.
        dataset = build_dataset(
            converted.tables,
            files=files,
            provenance=False,
            version=version,
            origin=name,
            keep_raw=True,
        )
        found = [p for p in dataset.problems if (p.row, p.column) not in converted.failed]
        problems += _rename_columns(found, used, name)
        dataset = _without_rows(dataset, converted.rejected)
    problems.sort(key=lambda p: (p.row is not None, p.row or 0, p.is_error is False))
    if dataset is not None:  # the data in use lists every problem of its import
        dataset = replace(dataset, problems=tuple(problems))
    return ImportResult(
        name,
        raw.format,
        raw.encoding,
        converted.layout,
        used,
        dataset,
        problems,
        raw,
        converted.review,
        raw.notes,
        [] if converted.layout == "ACLED" else unused_columns(raw.columns, used),
    )


def _without_rows(dataset: Dataset, lines: set[int]) -> Dataset:
    """The dataset without the incidents (and their reports) of these rows of the file."""
    if not lines:
        return dataset
    keep = ~dataset.incidents["_line"].astype(int).isin(lines)
    reports = dataset.reports[~dataset.reports["_line"].astype(int).isin(lines)]
    return replace(
        dataset,
        incidents=dataset.incidents[keep].reset_index(drop=True),
        reports=reports.reset_index(drop=True),
    )


def combine(bundled: Dataset, imported: Dataset, bundled_raw: dict[str, pd.DataFrame]) -> Dataset:
    """The bundled dataset and an import side by side. An imported incident whose id the
    bundled data already uses is left out and reported (ids must stay unique)."""
    taken = set(bundled.incidents["incident_id"])
    clash = imported.incidents[imported.incidents["incident_id"].isin(taken)]
    problems = [
        Problem(
            imported.origin,
            int(line),
            "incident_id",
            iid,
            "the bundled dataset already has an incident with this id; the row is not shown "
            "alongside it",
            "give the row another id",
        )
        for iid, line in zip(clash["incident_id"], clash["_line"], strict=True)
    ]
    keep = ~imported.incidents["incident_id"].isin(taken)
    ids = set(imported.incidents.loc[keep, "incident_id"])

    def both(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([a, b[b["incident_id"].isin(ids)]], ignore_index=True)

    raw = (
        {
            name: pd.concat([bundled_raw[name], imported.raw[name]], ignore_index=True)
            for name in bundled_raw
        }
        if imported.raw is not None
        else None
    )
    return Dataset(
        incidents=gpd.GeoDataFrame(both(bundled.incidents, imported.incidents), crs="EPSG:4326"),
        places=gpd.GeoDataFrame(both(bundled.places, imported.places), crs="EPSG:4326"),
        reports=both(bundled.reports, imported.reports),
        documents=pd.concat([bundled.documents, imported.documents], ignore_index=True),
        problems=tuple(bundled.problems) + tuple(imported.problems) + tuple(problems),
        version=f"{bundled.version}+{imported.version}",
        raw=raw,
        origin=f"{bundled.origin} + {imported.origin}",
        curated=False,
    )


def describe_result(result: ImportResult) -> str:
    """One line for people: what was read and what loaded."""
    if result.dataset is None:
        return f"{result.file}: nothing loaded ({len(result.errors)} problem(s))."
    encoding = f", {result.encoding}" if result.encoding else ""
    layout = " (ACLED layout)" if result.layout == "ACLED" else ""
    return (
        f"{result.file}: {result.format}{encoding}{layout} · {result.rows:,} row(s) read · "
        f"{result.loaded:,} incident(s) loaded · {len(result.errors)} error(s) in "
        f"{result.rows_not_loaded:,} row(s) not loaded, {len(result.warnings)} warning(s)."
    )
