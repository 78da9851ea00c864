"""Read a data export (CSV zip, GeoJSON or XLSX) back into the dataset's folder layout.

`read_export` writes the four CSV files that `atlas.loading.load_dataset` reads, with the
spreadsheet escapes of `atlas.export.cells` undone, so an export loads like the data it was
made from and a second export of it is byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from atlas.export.cells import ooxml_unescape, restore_cell
from atlas.export.data import COLUMNS, ExportError, Subset, export_format
from atlas.export.files import write_atomic
from atlas.export.numbers import cell_text, json_text
from atlas.loading import FILES

Rows = list[list[str]]


def read_subset(source: Path | bytes, fmt: str) -> Subset:
    """The rows an export of format `fmt` ("csv", "geojson", "xlsx") carries.

    `Subset.related` is left empty: which incidents were selected is not part of the data.
    """
    export_format(fmt)  # raises for an unknown format
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        readers = {"csv": _csv_zip, "csv-excel": _csv_zip, "geojson": _geojson, "xlsx": _xlsx}
        tables = readers[fmt](data)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ExportError(f"not a {fmt} data export of the atlas: {exc!r}") from exc
    return Subset.of({name: _frame(name, rows) for name, rows in tables.items()})


def read_export(source: Path | bytes, fmt: str, folder: Path) -> Path:
    """Write the export's rows as the dataset's CSV files into `folder`; returns it."""
    folder = Path(folder)
    for name, content in read_subset(source, fmt).csv_files().items():
        write_atomic(folder / name, lambda tmp, content=content: tmp.write_bytes(content))
    return folder


def _frame(name: str, rows: Rows) -> pd.DataFrame:
    if not rows:
        raise ExportError(f"{name}: no header row")
    header, body = rows[0], rows[1:]
    if tuple(header) != COLUMNS[name]:
        raise ExportError(f"{name}: columns {header} are not {list(COLUMNS[name])}")
    if any(len(row) != len(header) or not all(isinstance(v, str) for v in row) for row in body):
        raise ExportError(f"{name}: a row is not {len(header)} text values")
    return pd.DataFrame(body, columns=list(header), dtype=object)


def _csv_zip(data: bytes) -> dict[str, Rows]:
    tables = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name, file in FILES.items():
            text = archive.read(file).decode("utf-8-sig")  # "csv-excel" has a BOM
            rows = csv.reader(io.StringIO(text, newline=""))
            tables[name] = [[restore_cell(v) for v in row] for row in rows]
    return tables


def _geojson(data: bytes) -> dict[str, Rows]:
    # numbers as their literal text (atlas.export.numbers), so "43.5760" stays "43.5760"
    collection = json.loads(data.decode("utf-8"), parse_float=str, parse_int=str)
    if collection.get("type") != "FeatureCollection":
        raise ExportError("not a GeoJSON FeatureCollection")
    incidents, places, reports = [], [], []
    for feature in collection["features"]:
        properties = feature["properties"]
        incidents.append(properties)
        places += properties["places"]
        reports += properties["reports"]
    records = {
        "incidents": incidents,
        "places": places,
        "reports": reports,
        "documents": collection["documents"],
    }
    return {
        name: [list(COLUMNS[name]), *([json_text(r[c]) for c in COLUMNS[name]] for r in rows)]
        for name, rows in records.items()
    }


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_text(value, cell.number_format)  # a numeric column's number
    if not isinstance(value, str):
        raise ValueError(f"cell {cell.coordinate}: {value!r} is neither text nor a number")
    return restore_cell(ooxml_unescape(value))


def _xlsx(data: bytes) -> dict[str, Rows]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        tables = {}
        for name in FILES:
            tables[name] = [[_cell_text(cell) for cell in row] for row in book[name].iter_rows()]
        return tables
    finally:
        book.close()
