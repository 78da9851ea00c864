"""Data exports of the filtered view: a ZIP of the dataset's CSVs, GeoJSON and XLSX.

An export carries the rows `atlas.export.selection.subset` takes (the selected incidents,
the incidents they name in `related_ids`, their places, reports and cited documents) as
the exact strings of the CSV files, in the dataset's own columns. `atlas.export.reading`
turns any of the three back into a data folder that `atlas.loading.load_dataset` loads; a
second export of that folder is byte-identical. The version an export states is that of
its own rows (`Subset.version`), not of the dataset it was selected from, which a reloaded
export cannot know.

In the CSV and XLSX files every text cell goes through `atlas.export.cells.neutralise_cell`
(formula injection) and is never a formula. Numeric columns (coordinates, people counts)
are numbers in XLSX cells and GeoJSON properties when the number reads back as the same
text (`atlas.export.numbers`); GeoJSON is not opened by spreadsheets and carries the other
values as they are. "csv-excel" is the CSV ZIP with a UTF-8 byte order mark for Excel.

Every export carries its context (`atlas.export.metadata`: filters in words and as URL
parameters, as-of date, versions, the link that reopens the view, attribution): the XLSX
"about" sheet, `metadata.json` in the ZIP, the GeoJSON foreign member "metadata".

No export gives an area as a bare point: a row of geo_precision border, province, region or
country has a null GeoJSON geometry (and is left out of a `multiple` row's MultiPoint), and
in the curated data its coord_note (a place's note) says in words, next to the coordinates
and the precision in every format, that the coordinate is a "representative point of <area>,
not a location" (a rule of `atlas.evidence`). Imported rows keep their own notes: an export
carries the rows as they are, so that import → export → import is identical.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import openpyxl
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from atlas import schema
from atlas.export.cells import neutralise_cell, ooxml_escape
from atlas.export.files import atomic_path
from atlas.export.metadata import ATTRIBUTION, ExportContext, metadata
from atlas.export.numbers import RawNumber, cell_number, dumps, json_value
from atlas.export.selection import (  # re-exported: this module is the exports' entry point
    COLUMNS,
    ExportError,
    Subset,
    csv_bytes,
    related_closure,
    subset,
    visible_ids,
)
from atlas.loading import FILES

BOM = "\ufeff".encode()
METADATA_FILE = "metadata.json"

__all__ = [
    "ATTRIBUTION",
    "COLUMNS",
    "FORMATS",
    "ExportContext",
    "ExportError",
    "ExportFormat",
    "Subset",
    "export_bytes",
    "export_format",
    "related_closure",
    "subset",
    "visible_ids",
    "write_export",
]


# --- writers -----------------------------------------------------------------------------


def _stamp(exported_at: datetime | None) -> datetime:
    """Export time in UTC, to the second (naive times are taken as UTC)."""
    moment = exported_at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes, moment: datetime) -> None:
    # A fixed entry time (the export time) rather than the clock: the same export twice
    # gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _readme(sub: Subset, moment: datetime) -> bytes:
    counts = ", ".join(f"{len(f)} {name}" for name, f in sub.frames().items())
    return (
        "Repatriation Atlas - data export\n\n"
        f"Dataset version: {sub.version}\nExported: {_iso(moment)}\nRows: {counts}\n\n"
        f"{_related_note(sub)}{ATTRIBUTION}\n\n"
        "The CSV files have the columns of the atlas's data folder (see its data/README.md).\n"
        "A cell beginning with =, +, -, @, a tab or a carriage return has a leading ' so that\n"
        "spreadsheets do not run it as a formula; remove one ' to get the value back.\n"
    ).encode()


def _related_note(sub: Subset) -> str:
    if not sub.related:
        return ""
    return (
        "Also included, because selected incidents name them in related_ids: "
        f"{'; '.join(sub.related)}.\n\n"
    )


def _metadata(sub: Subset, moment: datetime, context: ExportContext | None) -> dict:
    return metadata(sub.version, _iso(moment), sub.related, context)


def _csv_zip(bom: bool) -> Callable[[BinaryIO, Subset, datetime, ExportContext | None], None]:
    """The CSV ZIP writer; with `bom` each CSV starts with a UTF-8 byte order mark, which
    Excel needs to read UTF-8 (without it Korean and Chinese text opens garbled)."""

    def emit(out: BinaryIO, sub: Subset, moment: datetime, context: ExportContext | None) -> None:
        with zipfile.ZipFile(out, "w") as archive:
            for name, frame in sub.frames().items():
                data = csv_bytes(frame, COLUMNS[name], neutralise=True)
                _zip_entry(archive, FILES[name], (BOM if bom else b"") + data, moment)
            _zip_entry(archive, "README.txt", _readme(sub, moment), moment)
            about = json.dumps(_metadata(sub, moment, context), ensure_ascii=False, indent=1)
            _zip_entry(archive, METADATA_FILE, about.encode("utf-8") + b"\n", moment)

    return emit


def _records(frame: pd.DataFrame) -> list[dict[str, str]]:
    return frame.to_dict("records")


def _position(rec: dict[str, str]) -> list[float] | None:
    """[longitude, latitude] (RFC 7946, WGS 84) of a row whose coordinate is a location:
    None for an area's representative point (`schema.AREA_PRECISIONS`) or no coordinate."""
    if rec["geo_precision"] not in schema.POINT_PRECISIONS:
        return None
    if not (rec["longitude"] and rec["latitude"]):
        return None
    return [float(rec["longitude"]), float(rec["latitude"])]


def _feature(
    incident: dict[str, str], places: list[dict[str, str]], reports: list[dict[str, str]]
) -> dict:
    # An area-precision row (border, province, region, country) has a null geometry: its
    # coordinate is a representative point of the area, which a GIS would draw as a place.
    # Its properties keep the coordinate, the precision and coord_note's words for it.
    if incident["geo_precision"] == "multiple":
        points = [p for p in map(_position, places) if p is not None]
        geometry = {"type": "MultiPoint", "coordinates": points} if points else None
    else:
        point = _position(incident)
        geometry = {"type": "Point", "coordinates": point} if point else None
    # numeric columns as JSON numbers (atlas.export.numbers: read back as the same text)
    properties = {
        **_numbers(incident),
        "places": [_numbers(p) for p in places],
        "reports": [_numbers(r) for r in reports],
    }
    return {
        "type": "Feature",
        "id": incident["incident_id"],
        "geometry": geometry,
        "properties": properties,
    }


def _numbers(rec: dict[str, str]) -> dict[str, str | RawNumber | None]:
    return {column: json_value(column, value) for column, value in rec.items()}


def _emit_geojson(
    out: BinaryIO, sub: Subset, moment: datetime, context: ExportContext | None
) -> None:
    places = sub.places.groupby("incident_id", sort=False)
    reports = sub.reports.groupby("incident_id", sort=False)
    nested = {
        name: {k: _records(g) for k, g in groups}
        for name, groups in (("places", places), ("reports", reports))
    }
    features = [
        _feature(
            inc,
            nested["places"].get(inc["incident_id"], []),
            nested["reports"].get(inc["incident_id"], []),
        )
        for inc in _records(sub.incidents)
    ]
    collection = {
        "type": "FeatureCollection",
        "features": features,
        "documents": _records(sub.documents),
        "attribution": ATTRIBUTION,
        "dataset_version": sub.version,
        "exported_at": _iso(moment),
        "related_only": list(sub.related),
        "metadata": _metadata(sub, moment, context),  # a foreign member (RFC 7946 6.1)
    }
    out.write(dumps(collection).encode("utf-8") + b"\n")


def _fill_sheet(
    sheet: Worksheet, header: Iterable[str], rows: Iterable[Iterable[str]], numbers: bool = True
) -> None:
    header = list(header)
    for r, row in enumerate([header, *rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            number = cell_number(header[c - 1], value) if numbers and r > 1 else None
            if number is not None:  # a number that reads back as its text (numbers.py)
                cell.value, cell.number_format = number
                continue
            cell.value = ooxml_escape(neutralise_cell(value))
            cell.data_type = "s"  # a string, never a formula, whatever the value
    sheet.freeze_panes = "A2"


def _emit_xlsx(out: BinaryIO, sub: Subset, moment: datetime, context: ExportContext | None) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in sub.frames().items():
        rows = frame[list(COLUMNS[name])].itertuples(index=False)
        _fill_sheet(book.create_sheet(name), COLUMNS[name], rows)
    about = [("dataset_version", sub.version)] + [
        (key, _sheet_value(value)) for key, value in _metadata(sub, moment, context).items()
    ]
    _fill_sheet(book.create_sheet("about"), ("key", "value"), about, numbers=False)
    naive = moment.replace(tzinfo=None)  # openpyxl writes docProps times as UTC
    book.properties.created = book.properties.modified = naive
    book.properties.creator = "Repatriation Atlas"
    staged = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED)).save()
    # openpyxl stamps zip entries with the clock; copy them with the export time instead.
    with zipfile.ZipFile(staged) as source, zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            _zip_entry(archive, name, source.read(name), moment)


def _sheet_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, dict):  # the filters as URL parameters, machine-readable
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class ExportFormat:
    label: str
    extension: str
    mime: str
    emit: Callable[[BinaryIO, Subset, datetime, ExportContext | None], None]


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("CSV files (ZIP)", "zip", "application/zip", _csv_zip(bom=False)),
    "csv-excel": ExportFormat("CSV for Excel (ZIP)", "zip", "application/zip", _csv_zip(bom=True)),
    "geojson": ExportFormat("GeoJSON", "geojson", "application/geo+json", _emit_geojson),
    "xlsx": ExportFormat(
        "Excel workbook (XLSX)",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _emit_xlsx,
    ),
}


def export_bytes(
    sub: Subset,
    fmt: str,
    *,
    exported_at: datetime | None = None,
    context: ExportContext | None = None,
) -> bytes:
    """The export in `fmt` (a key of `FORMATS`) as bytes (for a download button), with
    `context` (the view it was made from) in its metadata. `exported_at` (default: now) is
    the only time written, so fixing it (and the context) fixes the bytes."""
    emit = export_format(fmt).emit
    buffer = io.BytesIO()
    emit(buffer, sub, _stamp(exported_at), context)
    return buffer.getvalue()


def write_export(
    path: Path,
    sub: Subset,
    fmt: str,
    *,
    exported_at: datetime | None = None,
    context: ExportContext | None = None,
) -> Path:
    """Write the export to `path`; on any error no file (and no temporary file) is left."""
    emit = export_format(fmt).emit
    moment = _stamp(exported_at)
    with atomic_path(Path(path)) as tmp, open(tmp, "wb") as out:
        emit(out, sub, moment, context)
    return Path(path)


def export_format(fmt: str) -> ExportFormat:
    """The format named `fmt`; `ExportError` names the known ones otherwise."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[fmt]
