"""Read an uploaded file into a table of strings, whatever its format.

Formats: CSV/TSV (encodings in `atlas.intake.encoding`), XLSX, GeoJSON, GeoPackage and
GeoParquet, plus the atlas's own data exports (CSV zip, GeoJSON, XLSX), which are read
back as the dataset's four tables. One reader per format lives in `atlas.intake.readers`;
this module picks it from the content (then the name) and checks what every table must be.
Nothing from a file is evaluated: spreadsheet formulas are kept as their text (never
computed), JSON is parsed as data, Parquet through Arrow (no pickle). Files are read from
memory; GeoPackage, which GDAL can only open from a path, goes through a private
temporary folder that is removed as soon as it is read.

Limits (`Limits`) are checked while reading: declared sizes first (ZIP directory, Parquet
footer, GeoPackage layer info), then row by row; no reader holds more than the limits.

Every value becomes text as a person would write it (40.1292, 13, 2013-11-15); `_line`
keeps the row each record came from: its line in a CSV or row in a sheet (header = 1), its
feature number in GeoJSON, GeoPackage and GeoParquet (first = 1).
"""

from __future__ import annotations

from pathlib import Path

from atlas.intake.readers.delimited import read_csv
from atlas.intake.readers.export import read_export
from atlas.intake.readers.geodata import read_gpkg, read_parquet
from atlas.intake.readers.geojson import read_geojson
from atlas.intake.readers.workbook import check_zip, read_xlsx
from atlas.intake.table import (
    DEFAULT_LIMITS,
    GEOMETRY_COLUMNS,
    GEOMETRY_PRECISION,
    IntakeError,
    Limits,
    RawTable,
    size_text,
    text,
    too_many_columns,
    too_many_rows,
)

__all__ = [
    "DEFAULT_LIMITS",
    "EXTENSIONS",
    "FORMATS",
    "GEOMETRY_COLUMNS",
    "GEOMETRY_PRECISION",
    "IntakeError",
    "Limits",
    "RawTable",
    "kind_of",
    "read_upload",
    "text",
]

FORMATS = ("CSV", "XLSX", "GeoJSON", "GeoPackage", "GeoParquet", "atlas export")
EXTENSIONS = ("csv", "tsv", "txt", "xlsx", "geojson", "json", "gpkg", "parquet", "zip")
LAYERED = ("XLSX", "GeoPackage")  # formats whose sheet or layer can be chosen by name


def kind_of(data: bytes, name: str) -> str:
    """The format, from the content first (magic bytes), then the file name."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if data.startswith(b"SQLite format 3\x00"):
        return "GeoPackage"
    if data.startswith(b"PAR1"):
        return "GeoParquet"
    if data.startswith(b"PK\x03\x04") or suffix in ("xlsx", "zip"):
        return "XLSX" if suffix != "zip" else "ZIP"
    if suffix in ("geojson", "json") or data.lstrip()[:1] == b"{":
        return "GeoJSON"
    if suffix in ("gpkg",):
        return "GeoPackage"
    if suffix in ("parquet",):
        return "GeoParquet"
    return "CSV"


def read_upload(
    data: bytes,
    name: str,
    *,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    layer: str | None = None,
) -> RawTable:
    """Read `data` (the bytes of a file called `name`). `layer` names the sheet of a
    workbook or the layer of a GeoPackage (default: the first with data). Raises
    IntakeError when the file cannot be read at all; row-level problems are listed in
    `RawTable.problems`."""
    if len(data) > limits.max_bytes:
        raise IntakeError(
            name,
            f"the file is {size_text(len(data))}, over the {size_text(limits.max_bytes)} limit",
            "split it into smaller files (by year or region) and import them one at a time",
        )
    if not data.strip():
        raise IntakeError(name, "the file is empty", "choose the file that holds the data")
    kind = kind_of(data, name)
    if layer is not None and kind not in LAYERED:
        raise IntakeError(
            name,
            f"a sheet or layer ({layer!r}) was chosen, but a {kind} file has none",
            "choose a sheet only for an XLSX workbook, a layer only for a GeoPackage",
        )
    if kind in ("XLSX", "ZIP"):
        check_zip(data, name, kind, limits)
    if kind == "CSV":
        table = read_csv(data, name, encoding, limits)
    elif kind == "XLSX":
        table = read_xlsx(data, name, limits, layer)
    elif kind == "ZIP":
        table = read_export(data, "csv", name)
    elif kind == "GeoJSON":
        table = read_geojson(data, name, limits)
    elif kind == "GeoPackage":
        table = read_gpkg(data, name, limits, layer)
    else:
        table = read_parquet(data, name, limits)
    # Every reader stops at its limits; this is the same rule for whatever it returns.
    rows = len(table.frame) if table.tables is None else len(table.tables["incidents"])
    if rows > limits.max_rows:
        raise too_many_rows(name, rows, limits)
    if len(table.columns) > limits.max_columns:
        raise too_many_columns(name, len(table.columns), limits)
    if table.tables is None and table.frame.empty:
        raise IntakeError(name, "the file has a header but no data rows", "add rows of data")
    return table
