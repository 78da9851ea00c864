"""Read an uploaded file into a table of strings, whatever its format.

Formats: CSV/TSV (encodings in `atlas.intake.encoding`), XLSX, GeoJSON, GeoPackage and
GeoParquet, plus the atlas's own data exports (CSV zip, GeoJSON, XLSX), which are read
back as the dataset's four tables. Nothing from a file is evaluated: spreadsheet formulas
are kept as their text (never computed), JSON is parsed as data, Parquet through Arrow
(no pickle). Files are read from memory; GeoPackage, which GDAL can only open from a path,
goes through a private temporary folder that is removed as soon as it is read.

Every value becomes text as a person would write it (40.1292, 13, 2013-11-15); `_line`
keeps the row each record came from: its line in a CSV or row in a sheet (header = 1), its
feature number in GeoJSON, GeoPackage and GeoParquet (first = 1).
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from atlas.intake.encoding import EncodingError, decode
from atlas.validation import Problem

FORMATS = ("CSV", "XLSX", "GeoJSON", "GeoPackage", "GeoParquet", "atlas export")
EXTENSIONS = ("csv", "tsv", "txt", "xlsx", "geojson", "json", "gpkg", "parquet", "zip")
GEOMETRY_COLUMNS = ("geometry_longitude", "geometry_latitude", "geometry_type")


@dataclass(frozen=True)
class Limits:
    """What an upload may be. A larger file is refused with a message saying so."""

    max_bytes: int = 50 * 2**20
    max_rows: int = 200_000
    max_columns: int = 500
    max_unzipped_bytes: int = 500 * 2**20  # XLSX and ZIP: against decompression bombs


DEFAULT_LIMITS = Limits()


class IntakeError(Exception):
    """The file cannot be read at all; `problem` says what and how to fix it."""

    def __init__(self, file: str, message: str, fix: str, column: str = "", value: str = ""):
        self.problem = Problem(file, None, column, value, message, fix)
        super().__init__(str(self.problem))


@dataclass
class RawTable:
    """A flat table as read: original column names, every value a string, and `_line`."""

    file: str
    format: str
    frame: pd.DataFrame
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # row-level reading problems
    tables: dict[str, pd.DataFrame] | None = None  # an atlas export: the four tables

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "_line"]


def text(value: object) -> str:
    """A cell value as text: 13.0 -> '13', 40.1292 -> '40.1292', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | pd.Timestamp):
        if pd.isna(value):
            return ""
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _size(n: int) -> str:
    """Bytes for people: '51.2 MB', '512 KB', '900 bytes' (never '0 MB')."""
    if n >= 2**20:
        return f"{n / 2**20:.1f}".removesuffix(".0") + " MB"
    if n >= 2**10:
        return f"{n / 2**10:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


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
    data: bytes, name: str, *, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> RawTable:
    """Read `data` (the bytes of a file called `name`). Raises IntakeError when the file
    cannot be read at all; row-level problems are listed in `RawTable.problems`."""
    if len(data) > limits.max_bytes:
        raise IntakeError(
            name,
            f"the file is {_size(len(data))}, over the {_size(limits.max_bytes)} limit",
            "split it into smaller files (by year or region) and import them one at a time",
        )
    if not data.strip():
        raise IntakeError(name, "the file is empty", "choose the file that holds the data")
    kind = kind_of(data, name)
    if kind in ("XLSX", "ZIP"):
        _check_zip(data, name, kind, limits)
    reader = {
        "CSV": _csv,
        "XLSX": _xlsx,
        "ZIP": _zip,
        "GeoJSON": _geojson,
        "GeoPackage": _gpkg,
        "GeoParquet": _parquet,
    }[kind]
    table = reader(data, name, encoding) if kind == "CSV" else reader(data, name)
    rows = len(table.frame) if table.tables is None else len(table.tables["incidents"])
    if rows > limits.max_rows:
        raise IntakeError(
            name,
            f"the file has {rows:,} rows, over the {limits.max_rows:,}-row limit",
            "split it into smaller files and import them one at a time",
        )
    if len(table.columns) > limits.max_columns:
        raise IntakeError(
            name,
            f"the file has {len(table.columns)} columns, over the {limits.max_columns} limit",
            "remove the columns you do not need",
        )
    if table.tables is None and table.frame.empty:
        raise IntakeError(name, "the file has a header but no data rows", "add rows of data")
    return table


def _frame(file: str, header: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    names = [h.strip() or f"(column {i + 1})" for i, h in enumerate(header)]
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise IntakeError(
            file,
            f"the header names column(s) {', '.join(sorted(seen))} more than once",
            "give every column its own name",
        )
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame["_line"] = lines
    return frame


# --- CSV ---------------------------------------------------------------------------------


def _csv(data: bytes, name: str, encoding: str | None) -> RawTable:
    if b"\x00" in data[:4096]:
        raise IntakeError(
            name,
            "the file holds binary data, not text",
            "export the sheet as CSV (or upload the XLSX itself)",
        )
    try:
        content, used = decode(data, encoding)
    except EncodingError as exc:
        raise IntakeError(
            name,
            f"cannot read the text: {exc}",
            "save the file as UTF-8 CSV, or choose its encoding on the Data page (--encoding)",
        ) from exc
    sample = content[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if name.lower().endswith(".tsv") else ","
    # strict: an unclosed quote would otherwise swallow every later row into one cell, and
    # '"a"b' would silently lose its quotes.
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []  # (first line of the record, cells)
    previous = 0
    try:
        for cells in reader:
            records.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        what = (
            "a quote opened there is never closed"
            if "unexpected end of data" in str(exc)
            else str(exc)
        )
        raise IntakeError(
            name,
            f"the CSV is malformed in the row starting on line {previous + 1}: {what}",
            "check that row for an unclosed quote; save the file again as CSV",
        ) from exc
    records = [(n, r) for n, r in records if any(c.strip() for c in r)]
    if not records:
        raise IntakeError(name, "the file is empty", "choose the file that holds the data")
    header = records[0][1]
    problems, rows, lines = [], [], []
    for line, cells in records[1:]:
        if len(cells) > len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    "",
                    delimiter.join(cells[len(header) :])[:80],
                    f"the row has {len(cells)} cells but the header has {len(header)}",
                    "quote cells that contain the delimiter, or remove the extra cells",
                )
            )
            cells = cells[: len(header)]
        rows.append([c.strip() for c in cells] + [""] * (len(header) - len(cells)))
        lines.append(line)
    table = RawTable(name, "CSV", _frame(name, header, rows, lines), encoding=used)
    table.problems = problems
    if delimiter != ",":
        table.notes.append(f"delimiter {delimiter!r}")
    return table


# --- XLSX and ZIP --------------------------------------------------------------------------


def _check_zip(data: bytes, name: str, kind: str, limits: Limits) -> None:
    damaged = IntakeError(
        name,
        f"the {kind} file is damaged or truncated (not a complete ZIP archive)",
        "save or export it again from the program that made it",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if archive.testzip() is not None:
                raise damaged
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise damaged from exc
    if total > limits.max_unzipped_bytes:
        raise IntakeError(
            name,
            f"the {kind} file unpacks to {_size(total)}, over the "
            f"{_size(limits.max_unzipped_bytes)} limit",
            "split it into smaller files",
        )


def _xlsx(data: bytes, name: str) -> RawTable:
    import openpyxl

    from atlas.export.reading import read_subset

    try:
        # data_only=False: a formula cell gives its formula text; nothing is computed.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise IntakeError(
            name,
            f"the XLSX file cannot be opened ({type(exc).__name__})",
            "save it again from the spreadsheet program, or export it as CSV",
        ) from exc
    try:
        if {"incidents", "places", "reports", "documents"} <= set(book.sheetnames):
            return _atlas_export(read_subset, data, "xlsx", name)
        sheet = next((book[s] for s in book.sheetnames if book[s].sheet_state == "visible"), None)
        if sheet is None:
            raise IntakeError(name, "the workbook has no visible sheet", "unhide a sheet")
        problems: list[Problem] = []
        rows: list[tuple[int, list[str]]] = []
        formulas: list[tuple[int, int]] = []  # (row, column index) of formula cells
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = [text(c.value) for c in cells]
            formulas += [(number, i) for i, c in enumerate(cells) if c.data_type == "f"]
            if any(values):
                rows.append((number, values))
        if not rows:
            raise IntakeError(name, "the file is empty", "choose the sheet that holds the data")
        header = rows[0][1]
        width = max(len(header), *(len(v) for _, v in rows))
        header = header + [""] * (width - len(header))
        while (
            header
            and not header[-1]
            and all(len(v) < len(header) or not v[len(header) - 1] for _, v in rows[1:])
        ):
            header.pop()
        body = [(n, (v + [""] * len(header))[: len(header)]) for n, v in rows[1:]]
        values_of = dict(body)
        for number, index in formulas:  # text that merely begins with '=' is just text
            if number in values_of and index < len(header):
                problems.append(
                    Problem(
                        name,
                        number,
                        header[index],
                        values_of[number][index][:80],
                        "the cell holds a formula: its text is kept, it is not computed",
                        "paste the values instead of the formula if a value was meant",
                        "warning",
                    )
                )
        frame = _frame(name, header, [v for _, v in body], [n for n, _ in body])
        table = RawTable(name, "XLSX", frame, problems=problems)
        others = [s for s in book.sheetnames if s != sheet.title]
        table.notes.append(
            f"sheet {sheet.title!r}"
            + (f" ({len(others)} other sheet(s) not read)" if others else "")
        )
        return table
    finally:
        book.close()


def _zip(data: bytes, name: str) -> RawTable:
    from atlas.export.reading import read_subset

    return _atlas_export(read_subset, data, "csv", name)


def _atlas_export(read_subset, data: bytes, fmt: str, name: str) -> RawTable:
    from atlas.export.data import ExportError

    try:
        subset = read_subset(data, fmt)
    except ExportError as exc:
        raise IntakeError(
            name,
            f"not an atlas data export: {exc}",
            "upload the ZIP, GeoJSON or XLSX the atlas exported, unchanged",
        ) from exc
    tables = {}
    for key, frame in subset.frames().items():
        frame = frame.copy()
        frame["_line"] = list(range(2, len(frame) + 2))
        tables[key] = frame
    empty = pd.DataFrame({"_line": []})
    return RawTable(name, "atlas export", empty, tables=tables)


# --- GeoJSON, GeoPackage, GeoParquet -------------------------------------------------------


def _geometry_cells(geometry: dict | None) -> tuple[dict[str, str], str | None]:
    """lon/lat/type cells for a GeoJSON geometry, or an error message."""
    import shapely.geometry

    if geometry is None:
        return {c: "" for c in GEOMETRY_COLUMNS}, None
    if not isinstance(geometry, dict) or "type" not in geometry:
        return {}, "the geometry is not a GeoJSON geometry object"
    if (bad := _not_number(geometry.get("coordinates", []))) is not None:
        # RFC 7946 positions are numbers; shapely would turn "124.39" into one silently.
        return {}, f"the {geometry['type']} geometry has a coordinate that is not a number ({bad})"
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        return {}, f"the {geometry.get('type')} geometry is malformed ({exc})"
    return _shape_cells(shape)


def _not_number(coordinates: object) -> str | None:
    """repr of the first value in nested GeoJSON coordinates that is not a number."""
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, bool) or not isinstance(item, int | float):
            return repr(item)[:40]
    return None


def _shape_cells(shape) -> tuple[dict[str, str], str | None]:
    import shapely

    if shape is None or shape.is_empty:
        return {c: "" for c in GEOMETRY_COLUMNS}, None
    coords = shapely.get_coordinates(shape)
    if not all(math.isfinite(v) for v in coords.ravel()):
        return {}, "the geometry has coordinates that are not numbers"
    if not shape.is_valid:
        return {}, f"the {shape.geom_type} geometry is invalid ({shapely.is_valid_reason(shape)})"
    point = shape if shape.geom_type == "Point" else shape.representative_point()
    return {
        "geometry_longitude": text(round(point.x, 6)),  # x = longitude (EPSG:4326)
        "geometry_latitude": text(round(point.y, 6)),
        "geometry_type": shape.geom_type,
    }, None


def _geo_rows(
    name: str, fmt: str, records: list[tuple[dict, dict[str, str], str | None]]
) -> RawTable:
    """(properties, geometry cells, geometry error) per feature → RawTable."""
    columns: list[str] = []
    for properties, _, _ in records:
        for key in properties:
            if key not in columns:
                columns.append(key)
    problems, rows = [], []
    for number, (properties, cells, error) in enumerate(records, start=1):
        if error:
            problems.append(
                Problem(
                    name,
                    number,
                    "geometry",
                    "",
                    error,
                    "fix the geometry in a GIS (or give a Point), or remove it and give "
                    "a place name",
                )
            )
            cells = {c: "" for c in GEOMETRY_COLUMNS}
        rows.append(
            [text(properties.get(c)) for c in columns] + [cells[c] for c in GEOMETRY_COLUMNS]
        )
    frame = _frame(name, columns + list(GEOMETRY_COLUMNS), rows, list(range(1, len(rows) + 1)))
    return RawTable(name, fmt, frame, problems=problems)


def _geojson(data: bytes, name: str) -> RawTable:
    from atlas.export.reading import read_subset

    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntakeError(
            name,
            f"not valid JSON ({exc})",
            "export the layer again as GeoJSON (UTF-8)",
        ) from exc
    except RecursionError as exc:  # the JSON parser's own limit on nested arrays/objects
        raise IntakeError(
            name,
            "not valid GeoJSON: arrays or objects are nested too deeply to read",
            "export the layer again as GeoJSON from a GIS",
        ) from exc
    if not isinstance(document, dict):
        raise IntakeError(name, "not a GeoJSON object", "export the layer again as GeoJSON")
    if document.get("type") == "FeatureCollection" and "documents" in document:
        return _atlas_export(read_subset, data, "geojson", name)
    if document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    features = document.get("features")
    if document.get("type") != "FeatureCollection":
        raise IntakeError(
            name,
            "not a GeoJSON FeatureCollection",
            "export the layer as a GeoJSON FeatureCollection",
        )
    if not isinstance(features, list):
        raise IntakeError(
            name,
            'the FeatureCollection has no "features" list',
            "export the layer again as GeoJSON; it must list its features",
        )
    crs = json.dumps(document.get("crs") or "")
    if document.get("crs") and "CRS84" not in crs and "4326" not in crs:
        raise IntakeError(
            name,
            f"the coordinates are in {crs[:80]}, not longitude/latitude (EPSG:4326)",
            "export the layer in EPSG:4326 (WGS 84), as RFC 7946 requires",
        )
    records = []
    for feature in features:
        if not isinstance(feature, dict):
            records.append(({}, {}, "the feature is not a GeoJSON object"))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        cells, error = _geometry_cells(feature.get("geometry"))
        records.append((properties, cells, error))
    if not records:
        raise IntakeError(name, "the FeatureCollection has no features", "add features")
    return _geo_rows(name, "GeoJSON", records)


def _from_geodataframe(frame, name: str, fmt: str) -> RawTable:
    import geopandas as gpd

    if (
        isinstance(frame, gpd.GeoDataFrame)
        and frame.crs is not None
        and frame.crs.to_epsg() != 4326
    ):
        frame = frame.to_crs("EPSG:4326")  # stated CRS → longitude/latitude
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    attributes = frame.drop(columns=[geometry.name]) if geometry is not None else frame
    records = []
    for position, properties in enumerate(attributes.to_dict("records")):
        if geometry is None:
            records.append((properties, {c: "" for c in GEOMETRY_COLUMNS}, None))
        else:
            records.append((properties, *_shape_cells(geometry.iloc[position])))
    if not records:
        raise IntakeError(name, "the layer has no features", "choose the layer with data")
    return _geo_rows(name, fmt, records)


def _gpkg(data: bytes, name: str) -> RawTable:
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="atlas-import-") as folder:  # mode 0700
        path = Path(folder) / "upload.gpkg"
        path.write_bytes(data)
        try:
            layers = pyogrio.list_layers(path)
            frame = pyogrio.read_dataframe(path, layer=layers[0][0])
        except Exception as exc:  # GDAL errors come in several types
            reason = str(exc).replace(str(path), name)  # not the server's temporary path
            raise IntakeError(
                name,
                f"the GeoPackage cannot be read ({type(exc).__name__}: {reason[:120]})",
                "save it again from the GIS, or export the layer as GeoJSON",
            ) from exc
    table = _from_geodataframe(frame, name, "GeoPackage")
    if len(layers) > 1:
        table.notes.append(f"layer {layers[0][0]!r} ({len(layers) - 1} other layer(s) not read)")
    return table


def _parquet(data: bytes, name: str) -> RawTable:
    import geopandas as gpd

    try:
        try:
            frame = gpd.read_parquet(io.BytesIO(data))
        except ValueError:  # plain Parquet without geo metadata: attributes only
            frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # Arrow raises several types for damaged files
        raise IntakeError(
            name,
            f"the Parquet file cannot be read ({type(exc).__name__})",
            "write it again (GeoParquet 1.x), or export the layer as GeoJSON",
        ) from exc
    return _from_geodataframe(frame, name, "GeoParquet")
