"""Exports carry their context and their numbers: numeric columns as numbers (XLSX cells,
GeoJSON properties) that read back as the same text, a UTF-8-with-BOM CSV for Excel, and
the metadata part (filters, as-of date, versions, link, attribution) in every format."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest

from atlas.export.data import FORMATS, export_bytes, subset, visible_ids
from atlas.export.metadata import export_context
from atlas.export.numbers import cell_number, cell_text, dumps, json_value
from atlas.export.reading import read_subset
from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.loading import Dataset, load_dataset
from atlas.paths import BUNDLED_DATA_DIR

AT = datetime(2024, 5, 6, 7, 8, 10, tzinfo=UTC)
FILTERS = Filters(start=date(2020, 1, 1), types=("repatriation",))
LINK = "https://atlas.example.org/?from=2020-01-01&type=repatriation"


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return load_dataset(BUNDLED_DATA_DIR, strict=True)


@pytest.fixture(scope="module")
def exported(bundled: Dataset):
    frame = apply_filters(incident_table(bundled), FILTERS)
    sub = subset(bundled, visible_ids(frame), BUNDLED_DATA_DIR)
    context = export_context(bundled, FILTERS, date(1960, 1, 1), date(2024, 6, 7), LINK)
    blobs = {f: export_bytes(sub, f, exported_at=AT, context=context) for f in FORMATS}
    return sub, context, blobs


@pytest.mark.parametrize(
    ("column", "text", "number"),
    [
        ("latitude", "43.5760", (43.576, "0.0000")),
        ("longitude", "126", (126.0, "0")),
        ("people_min", "12", (12, "0")),
        ("people_min", "007", None),  # would read back as "7"
        ("people_min", "-0", None),
        ("latitude", "-0.0", None),  # would lose its sign
        ("latitude", "1e3", None),
        ("people_max", "", None),
        ("people_min", "=1+1", None),
        ("title", "12", None),  # not a numeric column
        ("latitude", "1.23456789012345678", None),  # more digits than a double keeps
    ],
)
def test_a_cell_is_a_number_only_when_it_reads_back_as_its_text(column, text, number):
    assert cell_number(column, text) == number
    if number is not None:
        assert cell_text(*number) == text


def test_json_numbers_keep_their_literal():
    props = {c: json_value(c, v) for c, v in {"latitude": "43.5760", "people_max": ""}.items()}
    text = dumps({"a": props, "b": ["x", 1.5, None], "c": {}, "d": []})
    assert '"latitude": 43.5760' in text and '"people_max": null' in text
    assert json.loads(text) == json.loads(json.dumps(json.loads(text), indent=1))
    assert json.loads(text, parse_float=str)["a"]["latitude"] == "43.5760"


def test_xlsx_and_geojson_hold_numbers_as_numbers(exported):
    sub, _, blobs = exported
    book = openpyxl.load_workbook(io.BytesIO(blobs["xlsx"]))
    header = [c.value for c in book["incidents"][1]]
    first = dict(zip(header, (c.value for c in book["incidents"][2]), strict=True))
    row = sub.incidents.iloc[0]
    assert first["people_min"] == int(row["people_min"])
    assert isinstance(first["latitude"], float) and first["latitude"] == float(row["latitude"])
    feature = json.loads(blobs["geojson"])["features"][0]["properties"]
    assert feature["people_min"] == int(row["people_min"])
    assert isinstance(feature["longitude"], float)
    assert all(isinstance(p["latitude"], float | None) for p in feature["places"])


def test_excel_csv_has_a_bom_and_reads_back(exported):
    sub, _, blobs = exported
    with zipfile.ZipFile(io.BytesIO(blobs["csv-excel"])) as archive:
        assert archive.read("incidents.csv").startswith("\ufeffincident_id,".encode())
    with zipfile.ZipFile(io.BytesIO(blobs["csv"])) as archive:
        assert archive.read("incidents.csv").startswith(b"incident_id,")
    again = read_subset(blobs["csv-excel"], "csv-excel")
    assert again.incidents.equals(sub.incidents)


def _metadata(fmt: str, blob: bytes) -> dict:
    if fmt == "geojson":
        return json.loads(blob)["metadata"]
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(blob))
        return {r[0]: r[1] for r in book["about"].iter_rows(min_row=2, values_only=True)}
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return json.loads(archive.read("metadata.json"))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_export_says_its_filters_date_version_link_and_attribution(exported, fmt):
    sub, context, blobs = exported
    about = _metadata(fmt, blobs[fmt])
    assert about["filters"].startswith("Period: 1 Jan 2020")
    assert "Forced repatriation" in about["filters"]
    query = about["filters_query"]
    query = json.loads(query) if isinstance(query, str) else query
    assert query == {"from": ["2020-01-01"], "type": ["repatriation"]}
    assert about["as_of"] == context.as_of.isoformat()
    assert about["dataset_version"] == context.dataset_version
    assert about["rows_version"] == sub.version
    assert about["link"] == LINK
    assert "CC BY 4.0" in about["attribution"]
