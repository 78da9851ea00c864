"""Data exports (CSV zip, GeoJSON, XLSX): round trips through the loader, GeoJSON shape,
formula-injection escapes and atomic writes. Hostile values: tests/fixtures/export/."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from atlas import schema
from atlas.export import data as export_data
from atlas.export.cells import neutralise_cell, ooxml_escape, ooxml_unescape, restore_cell
from atlas.export.data import (
    COLUMNS,
    FORMATS,
    ExportError,
    Subset,
    export_bytes,
    subset,
    visible_ids,
    write_export,
)
from atlas.export.numbers import NUMERIC
from atlas.export.reading import read_export, read_subset
from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.loading import Dataset, load_dataset
from atlas.paths import BUNDLED_DATA_DIR
from tests.conftest import edit_csv

FIXTURES = Path(__file__).parent / "fixtures" / "export"
HOSTILE = json.loads((FIXTURES / "hostile_cells.json").read_text(encoding="utf-8"))
AT = datetime(2024, 5, 6, 7, 8, 10, tzinfo=UTC)  # even: ZIP stores 2-second steps
FMTS = tuple(FORMATS)


@pytest.fixture(scope="module")
def strict_bundled() -> Dataset:
    return load_dataset(BUNDLED_DATA_DIR, strict=True)


def filtered_ids(dataset: Dataset) -> list[str]:
    frame = apply_filters(incident_table(dataset), Filters(types=("detention", "repatriation")))
    return visible_ids(frame)


def assert_same(a: Subset, b: Subset, *, related: bool = True) -> None:
    for name in COLUMNS:
        pd.testing.assert_frame_equal(a.frames()[name], b.frames()[name])
    if related:
        assert a.related == b.related


def reload(blob: bytes, fmt: str, folder: Path, ids: list[str]) -> tuple[Dataset, Subset]:
    """Export → data folder → strict load → the same selection from the loaded data."""
    read_export(blob, fmt, folder)
    loaded = load_dataset(folder, strict=True)
    return loaded, subset(loaded, ids, folder)


def row_of(path: Path, column: str, value: str) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return next(i for i, row in enumerate(csv.DictReader(f)) if row[column] == value)


def zip_rows(blob: bytes, name: str) -> list[dict[str, str]]:
    """Rows of one CSV in the zip, exactly as a spreadsheet would get them (no un-escaping)."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- selection ---------------------------------------------------------------------------


def test_subset_is_the_filtered_incidents_with_their_rows(strict_bundled: Dataset) -> None:
    ids = filtered_ids(strict_bundled)
    sub = subset(strict_bundled, ids, BUNDLED_DATA_DIR)
    exported = set(sub.incidents["incident_id"])
    assert exported == set(ids) | set(sub.related)
    assert sub.related and not set(sub.related) & set(ids)
    named = {r for ids in sub.incidents["related_ids"] for r in ids.split(";") if r}
    assert named <= exported  # no dangling related_ids: the export loads on its own
    assert set(sub.places["incident_id"]) <= exported
    reports = strict_bundled.reports
    assert sorted(sub.reports["report_id"]) == sorted(
        reports.loc[reports["incident_id"].isin(exported), "report_id"]
    )
    assert set(sub.documents["document"]) == set(sub.reports["document"])
    for name, columns in zip(
        COLUMNS,
        (
            schema.INCIDENT_COLUMNS,
            schema.PLACE_COLUMNS,
            schema.REPORT_COLUMNS,
            schema.DOCUMENT_COLUMNS,
        ),
        strict=True,
    ):
        assert tuple(sub.frames()[name].columns) == columns


def test_subset_keeps_the_strings_of_the_files(strict_bundled: Dataset) -> None:
    sub = subset(strict_bundled, strict_bundled.incidents["incident_id"], BUNDLED_DATA_DIR)
    with open(BUNDLED_DATA_DIR / "places.csv", newline="", encoding="utf-8") as f:
        raw = {row["place_id"]: row for row in csv.DictReader(f)}
    for row in sub.places.to_dict("records"):
        assert row == raw[row["place_id"]]  # e.g. "43.5760" keeps its trailing zero
    assert "43.5760" in set(sub.places["latitude"])


def test_subset_refuses_files_changed_since_loading(data_copy: Callable[..., Path]) -> None:
    folder = data_copy()
    dataset = load_dataset(folder, strict=True)
    with pytest.raises(ExportError, match="not loaded incident"):
        subset(dataset, ["no-such-incident"], folder)
    edit_csv(folder / "incidents.csv", 0, "summary", "changed after loading")
    with pytest.raises(ExportError, match="changed since the dataset was loaded"):
        subset(dataset, dataset.incidents["incident_id"], folder)


# --- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FMTS)
def test_export_loads_back_unchanged_and_exports_identically(
    strict_bundled: Dataset, fmt: str, tmp_path: Path
) -> None:
    ids = filtered_ids(strict_bundled)
    sub = subset(strict_bundled, ids, BUNDLED_DATA_DIR)
    blob = export_bytes(sub, fmt, exported_at=AT)
    loaded, again = reload(blob, fmt, tmp_path / "back", ids)
    assert_same(again, sub)
    assert loaded.version == sub.version
    assert export_bytes(again, fmt, exported_at=AT) == blob


@pytest.mark.parametrize("fmt", FMTS)
def test_write_export_writes_the_export_bytes(
    strict_bundled: Dataset, fmt: str, tmp_path: Path
) -> None:
    sub = subset(strict_bundled, filtered_ids(strict_bundled), BUNDLED_DATA_DIR)
    target = write_export(tmp_path / f"out.{FORMATS[fmt].extension}", sub, fmt, exported_at=AT)
    assert target.read_bytes() == export_bytes(sub, fmt, exported_at=AT)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_csv_zip_holds_the_four_files_and_a_readme(strict_bundled: Dataset) -> None:
    sub = subset(strict_bundled, filtered_ids(strict_bundled), BUNDLED_DATA_DIR)
    blob = export_bytes(sub, "csv", exported_at=AT)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
        readme = archive.read("README.txt").decode("utf-8")
        header = archive.read("reports.csv").decode("utf-8").splitlines()[0]
        times = {info.date_time for info in archive.infolist()}
    assert names == [
        "incidents.csv",
        "places.csv",
        "reports.csv",
        "documents.csv",
        "README.txt",
        "metadata.json",
    ]
    assert header == ",".join(schema.REPORT_COLUMNS)
    assert sub.version in readme and "GeoNames" in readme and "Natural Earth" in readme
    assert times == {(2024, 5, 6, 7, 8, 10)}
    # No bundled value begins with a formula character (the ones beginning with ' go on
    # with a letter or digit), so the CSVs are the data folder's files as they are.
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert {name: archive.read(name) for name in sub.csv_files()} == sub.csv_files()


def test_xlsx_has_fixed_times_and_an_about_sheet(strict_bundled: Dataset) -> None:
    sub = subset(strict_bundled, filtered_ids(strict_bundled), BUNDLED_DATA_DIR)
    blob = export_bytes(sub, "xlsx", exported_at=AT)
    book = openpyxl.load_workbook(io.BytesIO(blob))
    assert book.sheetnames == ["incidents", "places", "reports", "documents", "about"]
    about = {row[0]: row[1] for row in book["about"].iter_rows(min_row=2, values_only=True)}
    assert about["dataset_version"] == sub.version
    assert about["exported_at"] == "2024-05-06T07:08:10Z"
    assert "GeoNames" in about["attribution"]
    assert book.properties.created == book.properties.modified == datetime(2024, 5, 6, 7, 8, 10)


# --- GeoJSON -----------------------------------------------------------------------------


def test_geojson_is_rfc7946_lon_lat(strict_bundled: Dataset) -> None:
    ids = strict_bundled.incidents["incident_id"]
    sub = subset(strict_bundled, ids, BUNDLED_DATA_DIR)
    collection = json.loads(export_bytes(sub, "geojson", exported_at=AT))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    assert collection["dataset_version"] == sub.version
    assert "GeoNames" in collection["attribution"]
    assert [d["document"] for d in collection["documents"]] == list(sub.documents["document"])
    features = {f["id"]: f for f in collection["features"]}
    assert list(features) == list(sub.incidents["incident_id"])
    for feature in features.values():
        geometry, properties = feature["geometry"], feature["properties"]
        assert list(properties) == [*schema.INCIDENT_COLUMNS, "places", "reports"]
        texts = [c for c in schema.INCIDENT_COLUMNS if c not in NUMERIC]
        assert all(isinstance(properties[c], str) for c in texts)
        precision = properties["geo_precision"]
        if precision in ("unlocated", *schema.AREA_PRECISIONS):
            assert geometry is None  # an area's representative point is not a location
            continue
        places = [p for p in properties["places"] if p["geo_precision"] in schema.POINT_PRECISIONS]
        if precision == "multiple" and not places:
            assert geometry is None
            continue
        assert geometry["type"] == ("MultiPoint" if precision == "multiple" else "Point")
        points = geometry["coordinates"] if precision == "multiple" else [geometry["coordinates"]]
        for lon, lat in points:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        if precision == "multiple":
            assert points == [[float(p["longitude"]), float(p["latitude"])] for p in places]
        else:
            assert points == [[float(properties["longitude"]), float(properties["latitude"])]]
    dandong = features["2021-07-dandong-repatriation-50"]
    assert dandong["geometry"]["coordinates"] == [124.3947, 40.1292]  # lon, lat
    assert [r["report_id"] for r in dandong["properties"]["reports"]] == list(
        sub.reports.loc[sub.reports["incident_id"] == dandong["id"], "report_id"]
    )


def test_no_area_is_exported_as_a_bare_point(strict_bundled: Dataset) -> None:
    ids = strict_bundled.incidents["incident_id"]
    sub = subset(strict_bundled, ids, BUNDLED_DATA_DIR)
    collection = json.loads(export_bytes(sub, "geojson", exported_at=AT))
    areas = [
        f
        for f in collection["features"]
        if f["properties"]["geo_precision"] in schema.AREA_PRECISIONS
    ]
    assert len(areas) >= 13 and all(f["geometry"] is None for f in areas)
    for f in areas:  # the coordinate, its precision and its words stay in the properties
        assert f["properties"]["coord_note"].startswith("Representative point of ")
    transfer = next(
        f for f in collection["features"] if f["id"] == "2013-11-kunming-liaoning-transfer"
    )
    assert transfer["geometry"] == {"type": "MultiPoint", "coordinates": [[102.7183, 25.0389]]}
    rows = zip_rows(export_bytes(sub, "csv", exported_at=AT), "incidents.csv")
    header = list(rows[0])
    assert header.index("geo_precision") == header.index("longitude") + 1
    returns = next(r for r in rows if r["incident_id"] == "2023-10-repatriation-500-600")
    assert returns["coord_note"].startswith("Representative point of China, not a location.")


# --- formula injection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=x", "''=x"),  # already apostrophed: one more, so restoring is exact
        ("''+x", "'''+x"),
        ("\x00=1+1", "'\x00=1+1"),  # NUL first: some programs drop it, then evaluate
        ("＝1+1", "'＝1+1"),  # full-width forms, turned into ASCII by some programs
        ("＋1", "'＋1"),
        ("－2+3", "'－2+3"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("﹦1+1", "'﹦1+1"),  # small form
        ("'＝x", "''＝x"),
        ("1－2", "1－2"),
        ("'in August' in an article", "'in August' in an article"),
        ("a=b", "a=b"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_neutralise_cell_is_reversible(value: str, escaped: str) -> None:
    assert neutralise_cell(value) == escaped
    assert restore_cell(escaped) == value


@pytest.mark.parametrize("value", ["\rcmd", "a\r\nb", "_x000D_", "a\x01b", "x_x41_y", "단둥"])
def test_ooxml_escape_is_reversible(value: str) -> None:
    assert ooxml_unescape(ooxml_escape(value)) == value
    assert "\r" not in ooxml_escape(value)


@pytest.fixture
def hostile(data_copy: Callable[..., Path]) -> tuple[Path, Dataset]:
    folder = data_copy()
    incident = HOSTILE["incident_id"]
    for cell in HOSTILE["file_cells"]:
        path = folder / cell["file"]
        edit_csv(path, row_of(path, "incident_id", incident), cell["column"], cell["value"])
    return folder, load_dataset(folder, strict=True)


def with_memory_cells(sub: Subset) -> Subset:
    frames = {name: frame.copy() for name, frame in sub.frames().items()}
    for cell in HOSTILE["memory_cells"]:
        frames[cell["table"]].loc[0, cell["column"]] = cell["value"]
    return replace(sub, **frames)


def xlsx_cells(blob: bytes) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(blob))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_hostile_file_cells_are_escaped_in_csv_and_xlsx(hostile: tuple[Path, Dataset]) -> None:
    folder, dataset = hostile
    sub = subset(dataset, [HOSTILE["incident_id"]], folder)
    values = {c["value"] for c in HOSTILE["file_cells"]}
    csv_cells = {
        v
        for name in ("incidents.csv", "reports.csv")
        for row in zip_rows(export_bytes(sub, "csv", exported_at=AT), name)
        for v in row.values()
    }
    assert {"'" + v for v in values} <= csv_cells
    assert not values & csv_cells
    cells = xlsx_cells(export_bytes(sub, "xlsx", exported_at=AT))
    texts = [c for c in cells if c.value is not None and c.data_type != "n"]
    assert all(cell.data_type == "s" for cell in texts)
    # a number cell only for a numeric column's value that reads back as its text
    numbers = [c for c in cells if c.data_type == "n" and c.value is not None]
    assert all(c.parent[f"{c.column_letter}1"].value in NUMERIC for c in numbers)
    assert not any(cell.data_type == "f" for cell in cells)
    assert {"'" + v for v in values} <= {cell.value for cell in cells}


def test_hostile_memory_cells_are_escaped_in_csv_and_xlsx(strict_bundled: Dataset) -> None:
    sub = with_memory_cells(subset(strict_bundled, filtered_ids(strict_bundled), BUNDLED_DATA_DIR))
    first = zip_rows(export_bytes(sub, "csv", exported_at=AT), "incidents.csv")[0]
    assert first["title"] == "'\tcmd" and first["summary"] == "'\rcmd"
    cells = {c.value for c in xlsx_cells(export_bytes(sub, "xlsx", exported_at=AT))}
    assert {"'\tcmd", "'_x000D_cmd", "'\t=cmd|' /C calc'!A0"} <= cells


@pytest.mark.parametrize("fmt", FMTS)
def test_hostile_cells_come_back_unchanged(
    hostile: tuple[Path, Dataset], fmt: str, tmp_path: Path
) -> None:
    folder, dataset = hostile
    ids = filtered_ids(dataset)
    sub = subset(dataset, ids, folder)
    blob = export_bytes(sub, fmt, exported_at=AT)
    _, again = reload(blob, fmt, tmp_path / "back", ids)
    assert_same(again, sub)
    title = again.incidents.set_index("incident_id").loc[HOSTILE["incident_id"], "title"]
    assert title == HOSTILE["file_cells"][0]["value"]
    assert export_bytes(again, fmt, exported_at=AT) == blob
    # Values the loader would strip (leading tab, carriage return) survive the file formats.
    memory = with_memory_cells(sub)
    assert_same(read_subset(export_bytes(memory, fmt, exported_at=AT), fmt), memory, related=False)


# --- text, failures ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FMTS)
def test_korean_and_chinese_survive(
    data_copy: Callable[..., Path], fmt: str, tmp_path: Path
) -> None:
    folder = data_copy()
    for cell in HOSTILE["unicode_cells"]:
        path = folder / cell["file"]
        edit_csv(
            path, row_of(path, "incident_id", cell["incident_id"]), cell["column"], cell["value"]
        )
    dataset = load_dataset(folder, strict=True)
    sub = subset(dataset, filtered_ids(dataset), folder)
    blob = export_bytes(sub, fmt, exported_at=AT)
    if fmt == "geojson":
        assert "단둥 / 丹东".encode() in blob  # written as UTF-8, not \u escapes
    _, again = reload(blob, fmt, tmp_path / "back", filtered_ids(dataset))
    titles = set(again.incidents["title"])
    assert HOSTILE["unicode_cells"][0]["value"] in titles
    assert_same(again, sub)


@pytest.mark.parametrize(
    ("fmt", "step"), [("csv", "_zip_entry"), ("xlsx", "_zip_entry"), ("geojson", "_feature")]
)
def test_failed_write_leaves_nothing_behind(
    strict_bundled: Dataset, fmt: str, step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = subset(strict_bundled, filtered_ids(strict_bundled), BUNDLED_DATA_DIR)
    real = getattr(export_data, step)
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_data, step, fail_on_second)
    target = tmp_path / "new" / f"export.{FORMATS[fmt].extension}"
    with pytest.raises(OSError, match="disk full"):
        write_export(target, sub, fmt, exported_at=AT)
    assert list(target.parent.iterdir()) == []
    calls.clear()
    target.write_bytes(b"previous export")
    with pytest.raises(OSError, match="disk full"):
        write_export(target, sub, fmt, exported_at=AT)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in target.parent.iterdir()] == [target.name]


@pytest.mark.parametrize("fmt", FMTS)
def test_other_files_are_refused(fmt: str) -> None:
    with pytest.raises(ExportError):
        read_subset(b'{"type": "Feature"}', fmt)
    with pytest.raises(ExportError, match="unknown export format"):
        read_subset(b"", "pdf")


@pytest.mark.parametrize("fmt", FMTS)
def test_an_empty_selection_exports_and_loads(
    strict_bundled: Dataset, fmt: str, tmp_path: Path
) -> None:
    sub = subset(strict_bundled, [], BUNDLED_DATA_DIR)
    loaded, again = reload(export_bytes(sub, fmt, exported_at=AT), fmt, tmp_path / "back", [])
    assert len(loaded.incidents) == 0
    assert_same(again, sub)
