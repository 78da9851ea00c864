"""The readers within their limits: each bomb too big for the corpus is made here (small
versions of bench/bombs.py) and refused, or reported row by row, with one clear line;
encodings, sheets and layers, geometries.

The full-size bombs and their peak memory: `python -m bench.bombs`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from atlas.intake import Limits, import_file, read_upload
from atlas.intake.encoding import detect
from atlas.intake.formats import IntakeError
from atlas.intake.readers.geometry import area_precision
from bench import bombs

CORPUS = Path(__file__).parent / "fixtures" / "intake"
SAMPLE = (CORPUS / "valid_utf8.csv").read_bytes()


def refused(data: bytes, name: str, **kwargs) -> str:
    with pytest.raises(IntakeError) as info:
        read_upload(data, name, **kwargs)
    return info.value.problem.message


# --- CSV -------------------------------------------------------------------------------


def test_a_cell_over_128_kb_is_one_problem_for_its_row_not_the_file() -> None:
    cell = "x" * 200_000
    data = f'id,event_type,date,summary\n1,detention,2013-11-15,"{cell}"\n2,detention,2014,ok\n'
    table = read_upload(data.encode(), "long.csv")
    (problem,) = table.problems
    assert (problem.row, problem.column) == (2, "summary")
    assert problem.message.startswith("the cell holds 195.3 KB of text, over the 128 KB")
    assert len(table.frame.loc[0, "summary"]) < 2000  # the table keeps only its start
    result = import_file(data.encode(), "long.csv")
    assert result.loaded == 1  # row 3 loads; row 2 is reported


def test_a_cell_over_the_read_limit_stops_the_file_naming_its_row() -> None:
    data = b'id,title\n1,ok\n2,"' + b"x" * (3 * 2**20) + b'"\n'
    message = refused(data, "huge.csv")
    assert message.startswith("the CSV is malformed in the row starting on line 3: a cell is")


def test_rows_past_the_limit_stop_the_reader_and_are_counted() -> None:
    data = bombs.csv_one_cell_rows(20_000)
    message = refused(data, "rows.csv", limits=Limits(max_rows=1000))
    assert message == "the file has 10,000 rows, over the 1,000-row limit"


def test_cells_past_the_limit_stop_the_reader() -> None:
    data = b"a,b,c,d\n" + b"1,2,3,4\n" * 100
    message = refused(data, "cells.csv", limits=Limits(max_cells=200))
    assert message.startswith("the file has 100 rows of 4 columns, over the limit of 200")


def test_a_header_of_a_million_columns_is_refused_at_the_header() -> None:
    assert refused(bombs.csv_wide(), "wide.csv") == (
        "the file has 1,000,001 columns, over the 500 limit"
    )


@pytest.mark.parametrize(
    "codec, name",
    [
        ("utf-16", "UTF-16 LE"),  # with a byte order mark
        ("utf-16-le", "UTF-16 LE"),  # without one
        ("utf-16-be", "UTF-16 BE"),
        ("utf-32", "UTF-32 LE"),
        ("utf-32-be", "UTF-32 BE"),
    ],
)
def test_utf16_and_utf32_are_text_not_binary(codec: str, name: str) -> None:
    data = SAMPLE.decode("utf-8").encode(codec)
    assert detect(data) == name
    table = read_upload(data, "wide.csv")
    assert table.encoding == name
    assert table.columns[0] == "id"  # no byte order mark in the first header
    assert "단둥" in table.frame["title"].iloc[0]


def test_binary_is_still_binary() -> None:
    assert refused(bytes(range(256)) * 4, "x.csv") == "the file holds binary data, not text"


# --- XLSX and ZIP ----------------------------------------------------------------------


def test_far_right_cells_stop_at_the_first_one() -> None:
    message = refused(bombs.xlsx_far_right(2000), "far.xlsx")
    assert message == (
        "sheet 'data' has a value in cell XFD2 (column 16,384), past the 500-column limit"
    )


def test_a_shared_strings_table_past_the_cell_limit_is_refused_before_loading() -> None:
    data = bombs.xlsx_shared_strings(3000)
    message = refused(data, "strings.xlsx", limits=Limits(max_rows=500))
    assert message.startswith("the workbook's shared-strings table has 3,000 entries")


def test_the_declared_unpacked_size_is_checked_before_unpacking() -> None:
    data = bombs.zip_declaring(2**25)  # 32 MB of zeros in about 32 KB
    message = refused(data, "big.xlsx", limits=Limits(max_unzipped_bytes=2**24))
    assert message == "the XLSX file unpacks to 32 MB, over the 16 MB limit"


def test_the_first_sheet_with_data_is_read_and_the_others_named() -> None:
    data = (CORPUS / "xlsx_first_sheet_empty.xlsx").read_bytes()
    table = read_upload(data, "book.xlsx")
    assert (table.layer, table.layers) == ("incidents", ["Notes", "Blank", "incidents"])
    assert table.notes == ["sheet 'incidents' (the first with data; empty: 'Notes', 'Blank')"]
    assert refused(data, "book.xlsx", layer="Notes") == "the file is empty (sheet 'Notes')"
    assert refused(data, "book.xlsx", layer="Data").startswith(
        "the workbook has no sheet 'Data'; its sheets are 'Notes', 'Blank', 'incidents'"
    )


def test_a_sheet_is_chosen_by_name_through_the_import() -> None:
    data = (CORPUS / "xlsx_first_sheet_empty.xlsx").read_bytes()
    assert import_file(data, "book.xlsx", layer="incidents").loaded == 5
    assert refused(SAMPLE, "x.csv", layer="incidents").startswith("a sheet or layer")


# --- Parquet, GeoPackage, GeoJSON ------------------------------------------------------


def test_a_dictionary_text_column_is_measured_as_it_unpacks() -> None:
    data = bombs.parquet_dictionary(1000, 2**20)  # a few hundred bytes → 1 GB of text
    assert (
        refused(data, "dict.parquet")
        == "the Parquet file unpacks to 1001 MB, over the 500 MB limit"  # + its dictionary
    )


def test_a_geopackage_layer_is_chosen_by_name() -> None:
    data = (CORPUS / "gpkg_first_layer_empty.gpkg").read_bytes()
    table = read_upload(data, "layers.gpkg")
    assert (table.layer, table.layers) == ("incidents", ["empty_first", "incidents"])
    assert refused(data, "layers.gpkg", layer="empty_first") == "the layer has no features"


def test_a_geojson_of_too_many_objects_is_refused_before_parsing() -> None:
    message = refused(bombs.geojson_objects(2000), "o.geojson", limits=Limits(max_rows=100))
    assert message.startswith("the GeoJSON holds 2,002 objects and lists (over 500)")


def test_geometries_win_over_lat_lon_properties_and_areas_keep_an_area_precision() -> None:
    result = import_file((CORPUS / "geojson_geometries.geojson").read_bytes(), "g.geojson")
    got = {
        row.incident_id: (row.longitude, row.latitude, row.geo_precision)
        for row in result.dataset.incidents.itertuples()
    }
    assert got == {
        "test-geometry-1": (124.3947, 40.1292, "city"),  # not its lat/lon properties (0, 0)
        "test-geometry-2": (123.4328, 41.7922, "city"),
        "test-geometry-3": (124.0, 41.5, "province"),
        "test-geometry-4": (-175.0, 52.5, "region"),  # inside it, not at longitude 0
    }


def test_a_long_property_is_one_problem_for_its_feature() -> None:
    features = [
        {"type": "Feature", "geometry": None, "properties": {"id": n, "summary": text}}
        for n, text in enumerate(["ok", "y" * 200_000], start=1)
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    (problem,) = read_upload(data, "p.geojson").problems
    assert (problem.row, problem.column) == (2, "summary")
    assert problem.message.startswith("the cell holds 195.3 KB of text")


def test_null_geometries_leave_lat_lon_properties_as_the_coordinates() -> None:
    feature = {
        "type": "Feature",
        "geometry": None,
        "properties": {"id": "t", "lat": "40.1", "lon": "124.4"},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    assert read_upload(data, "n.geojson").columns == ["id", "lat", "lon"]


@pytest.mark.parametrize(
    "side_km, precision", [(5, "city"), (60, "near"), (400, "province"), (1500, "region")]
)
def test_area_precision_follows_the_size(side_km: float, precision: str) -> None:
    from shapely.geometry import box

    side = side_km / 111.32
    assert area_precision(box(0, 0, side, side)) == precision


def test_untransformable_crs_is_refused_not_raised() -> None:
    data = (CORPUS / "parquet_site_grid.parquet").read_bytes()
    assert "cannot be transformed to longitude/latitude" in refused(data, "grid.parquet")


def test_bench_bombs_names_a_generator_and_a_baseline_for_each() -> None:
    for file_name, baseline, generate in bombs.BOMBS.values():
        assert (CORPUS / baseline).is_file() and callable(generate)
        assert Path(file_name).suffix in (".csv", ".xlsx", ".parquet", ".geojson")
    assert isinstance(io.BytesIO(bombs.csv_wide(10)).read(), bytes)
