"""Valid samples in every format and encoding load the same incidents, text intact; an
import exports and re-imports identically; ACLED codes and offline geocoding."""

from __future__ import annotations

import hashlib
import math
import tempfile
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from atlas.export.data import export_bytes, subset
from atlas.intake import ImportResult, Mapping, import_file
from tests.fixtures.intake import make_corpus

CORPUS = Path(__file__).parent / "fixtures" / "intake"
TODAY = date(2025, 1, 1)

# file → (format, encoding, Chinese script in the file, Korean in the file)
VALID = {
    "valid_utf8.csv": ("CSV", "UTF-8", "zh", True),
    "valid_utf8_bom.csv": ("CSV", "UTF-8 with BOM", "zh", True),
    "valid_cp949.csv": ("CSV", "CP949 (EUC-KR)", "hanja", True),
    "valid_gb18030.csv": ("CSV", "GB18030 (GBK)", "zh", True),
    "valid_gbk.csv": ("CSV", "GB18030 (GBK)", "zh", False),
    "valid_tab.tsv": ("CSV", "UTF-8", "zh", True),
    "valid_semicolon.csv": ("CSV", "UTF-8", "zh", True),
    "valid_utf16.csv": ("CSV", "UTF-16 LE", "zh", True),
    "valid.xlsx": ("XLSX", None, "zh", True),
    "valid.geojson": ("GeoJSON", None, "zh", True),
    "valid.gpkg": ("GeoPackage", None, "zh", True),
    "valid.parquet": ("GeoParquet", None, "zh", True),
}
CODECS = {"UTF-8": "utf-8", "UTF-8 with BOM": "utf-8", "CP949 (EUC-KR)": "cp949"}
CODECS["GB18030 (GBK)"] = "gb18030"
CODECS["UTF-16 LE"] = "utf-16-le"

# id → date_start, date_end, date_precision, latitude, longitude, geo_precision,
#      people_min, people_max, people_qualifier, status, reports
INCIDENTS = {
    "test-dandong-2013": (
        "2013-11-15", "2013-11-15", "day", 40.1292, 124.3947, "city",
        13, 13, "exact", "corroborated", 2,
    ),
    "test-shenyang-2014": (
        "2014-03-01", "2014-03-31", "month", 41.7922, 123.4328, "city",
        30, 30, "approximate", "single_source", 1,
    ),
    "test-yanji-2015": (
        "2015-07-02", "2015-07-02", "day", 42.8882, 129.5024, "city",
        24, None, "at_least", "single_source", 1,
    ),
    "test-kunming-2016": (
        "2016-05-20", "2016-05-20", "day", 25.0389, 102.7183, "city",
        13, 15, "range", "single_source", 1,
    ),
    "test-tumen-2017": (
        "2017-01-01", "2017-12-31", "year", 42.9656, 129.842, "near",
        None, None, "unknown", "single_source", 1,
    ),
}  # fmt: skip


@cache
def imported(name: str) -> ImportResult:
    return import_file((CORPUS / name).read_bytes(), name, today=TODAY)


def _value(v: object) -> object:
    """A frame cell as plain Python: NA → None, Timestamp → 'YYYY-MM-DD', numpy → int/float."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return v.item() if hasattr(v, "item") else v


@pytest.mark.parametrize("name", VALID)
def test_valid_sample_loads_every_incident_with_its_fields(name: str) -> None:
    fmt, encoding, _, _ = VALID[name]
    result = imported(name)
    assert (result.format, result.encoding, result.layout) == (fmt, encoding, "flat")
    assert result.problems == []
    incidents = result.dataset.incidents.set_index("incident_id")
    assert sorted(incidents.index) == sorted(INCIDENTS)
    fields = (
        "date_start", "date_end", "date_precision", "latitude", "longitude", "geo_precision",
        "people_min", "people_max", "people_qualifier", "status",
    )  # fmt: skip
    reports = result.dataset.reports["incident_id"].value_counts()
    for iid, want in INCIDENTS.items():
        got = tuple(_value(incidents.loc[iid, f]) for f in fields)
        assert got + (reports[iid],) == want, iid
        point = incidents.loc[iid, "geometry"]  # x = longitude, y = latitude (EPSG:4326)
        assert (point.x, point.y) == (want[4], want[3])
    assert result.dataset.incidents.crs.to_epsg() == 4326


def test_delimiters_are_detected_and_shown() -> None:
    assert imported("valid_tab.tsv").notes == ["delimiter '\\t'"]
    assert imported("valid_semicolon.csv").notes == ["delimiter ';'"]
    two = imported("valid_semicolon.csv").dataset.reports
    assert list(two[two["incident_id"] == "test-dandong-2013"]["source"]) == [
        "Radio Free Asia",
        "Daily NK",
    ]


def test_xlsx_date_and_number_cells_become_text_as_written() -> None:
    incidents = imported("valid.xlsx").dataset.incidents.set_index("incident_id")
    first = incidents.loc["test-dandong-2013"]
    assert first["date_text"] == "2013-11-15"  # a real date cell, not 41593 or a time
    assert first["people_text"] == ""  # the number cell 13 reads as "13": an exact count
    assert imported("valid.xlsx").notes == ["sheet 'incidents'"]


@pytest.mark.parametrize("name", VALID)
def test_korean_and_chinese_text_survive_intact(name: str) -> None:
    _, encoding, script, korean = VALID[name]
    data = (CORPUS / name).read_bytes()
    result = imported(name)
    incidents = result.dataset.incidents.set_index("incident_id")
    reports = result.dataset.reports.set_index("incident_id")
    for row in make_corpus.sample_rows(script, korean):
        got = incidents.loc[row["id"]]
        for column, field in (("title", "title"), ("location", "location_name")):
            assert got[field] == row[column]
        assert got["summary"] == row["summary"]
        quote = reports.loc[[row["id"]], "quote"].iloc[0]
        assert quote == row["quote"]
        if encoding:  # the text, encoded back, is the file's own bytes
            assert row["title"].encode(CODECS[encoding]) in data
    if korean:
        assert "단둥 탈북민 체포" in incidents.loc["test-dandong-2013", "title"]
    assert ("丹東" if script == "hanja" else "丹东") in incidents.loc["test-dandong-2013", "title"]


ROUND_TRIP = [*VALID, "acled_sample.csv", "geocode_places.csv", "hostile_payloads.csv"]
EXPORTS = [("csv", "export.zip"), ("geojson", "export.geojson"), ("xlsx", "export.xlsx")]


@pytest.mark.parametrize("fmt, as_name", EXPORTS)
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_import_export_import_is_identical(name: str, fmt: str, as_name: str) -> None:
    first = imported(name).dataset
    ids = list(first.incidents["incident_id"])
    exported = export_bytes(subset(first, ids), fmt)
    again = import_file(exported, as_name, today=TODAY)
    assert (again.format, again.layout) == ("atlas export", "atlas export")
    assert again.errors == []
    second = again.dataset
    assert list(second.incidents["incident_id"]) == ids
    assert subset(second, ids).csv_files() == subset(first, ids).csv_files()


def test_importing_never_changes_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("atlas-import-*"))
    for name in [*VALID, "hostile_payloads.xlsx", "truncated.xlsx"]:
        path = tmp_path / name
        path.write_bytes((CORPUS / name).read_bytes())
        copy = path.read_bytes()
        digest, stamp = hashlib.sha256(copy).hexdigest(), path.stat().st_mtime_ns
        data = path.read_bytes()
        import_file(data, name, today=TODAY)
        assert data == copy
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert path.stat().st_mtime_ns == stamp
    assert set(temp.glob("atlas-import-*")) == before  # the GeoPackage's folder is removed


# --- ACLED ----------------------------------------------------------------------------------

# id → date_start, date_end, date_precision, geo_precision, event_type, sources, status
ACLED = {
    "CHN-TEST-1": (
        "2013-11-15", "2013-11-15", "day", "city", "detention",
        ["Radio Free Asia", "Daily NK"], "corroborated",
    ),
    "CHN-TEST-2": (
        "2014-03-09", "2014-03-15", "range", "near", "detention",
        ["Daily NK"], "single_source",
    ),
    "CHN-TEST-3": (
        "2015-07-01", "2015-07-31", "month", "province", "context",
        ["Radio Free Asia", "Daily NK", "NK Watch (test)"], "corroborated",
    ),
    "CHN-TEST-4": (
        "2016-05-20", "2016-05-20", "day", "city", "detention",
        ["Radio Free Asia"], "single_source",
    ),
}  # fmt: skip


def test_acled_layout_is_detected() -> None:
    result = imported("acled_sample.csv")
    assert (result.format, result.encoding, result.layout) == ("CSV", "UTF-8", "ACLED")
    assert result.problems == []
    assert len(result.dataset.incidents) == len(ACLED)


@pytest.mark.parametrize("iid", ACLED)
def test_acled_codes_become_ranges_precisions_and_reports(iid: str) -> None:
    start, end, precision, geo, event_type, sources, status = ACLED[iid]
    dataset = imported("acled_sample.csv").dataset
    row = dataset.incidents.set_index("incident_id").loc[iid]
    assert (_value(row["date_start"]), _value(row["date_end"])) == (start, end)
    assert (row["date_precision"], row["geo_precision"]) == (precision, geo)
    assert (row["event_type"], row["status"], row["country"]) == (event_type, status, "CN")
    reports = dataset.reports[dataset.reports["incident_id"] == iid]
    assert list(reports["source"]) == sources  # one report per ';'-separated source
    assert (
        row["coord_basis"]
        == f"ACLED geo_precision {'123'[['city', 'near', 'province'].index(geo)]}"
    )


def test_acled_week_is_event_date_plus_minus_three_days() -> None:
    row = imported("acled_sample.csv").dataset.incidents.set_index("incident_id").loc["CHN-TEST-2"]
    assert row["date_text"] == "12 March 2014"
    assert (row["date_end"] - row["date_start"]).days == 6
    assert "week" in row["date_basis"]


# --- dates: the column settles the order ---------------------------------------------------


def test_a_column_of_day_first_dates_settles_an_ambiguous_one() -> None:
    result = imported("date_order_by_column.csv")
    assert result.problems == []
    rows = result.dataset.incidents.set_index("incident_id")
    assert _value(rows.loc["test-order-a", "date_start"]) == "2013-04-03"
    assert rows.loc["test-order-a", "date_basis"] == "read as day/month"
    assert _value(rows.loc["test-order-b", "date_start"]) == "2013-12-25"


def test_the_mapping_date_order_wins_over_the_column() -> None:
    data = (CORPUS / "date_order_by_column.csv").read_bytes()
    mapping = replace(imported("date_order_by_column.csv").mapping, date_order="MDY")
    result = import_file(data, "date_order_by_column.csv", mapping, today=TODAY)
    rows = result.dataset.incidents.set_index("incident_id")
    assert _value(rows.loc["test-order-a", "date_start"]) == "2013-03-04"
    assert [(p.row, p.message) for p in result.errors] == [
        (3, "'25/12/2013' is not a real calendar date")
    ]


# --- geocoding -----------------------------------------------------------------------------


def _review(result: ImportResult) -> dict[str, dict]:
    return {r["place as written"]: r for r in result.review.to_dict("records")}


def test_a_place_name_alone_is_geocoded_with_precision_and_confidence() -> None:
    result = imported("geocode_places.csv")
    row = result.dataset.incidents.set_index("incident_id").loc["test-geo-dandong"]
    assert (row["longitude"], row["latitude"]) == (124.3947, 40.1292)  # Dandong's record
    assert (row["geo_precision"], row["admin1"], row["country"]) == ("city", "Liaoning", "CN")
    assert row["coord_basis"] == "gazetteer geonames:2037886"
    assert "confidence 1.00" in row["coord_note"]
    review = _review(result)["Dandong"]
    assert (review["status"], review["match"]) == ("found", "Dandong (Liaoning, CN)")
    assert (review["precision"], review["confidence"], review["rows"]) == ("city", 1.0, 1)


def test_an_ambiguous_name_lists_its_candidates_and_stays_unresolved() -> None:
    result = imported("geocode_places.csv")
    row = result.dataset.incidents.set_index("incident_id").loc["test-geo-jian"]
    assert row["geo_precision"] == "unlocated"
    assert math.isnan(row["latitude"]) and row["geometry"] is None
    review = _review(result)["Ji'an"]
    assert review["status"] == "ambiguous" and review["match"] == ""
    assert review["candidates"] == ["Ji'an (Jiangxi) | Jiangxi | CN", "Ji'an (Jilin) | Jilin | CN"]
    unknown = _review(result)["Qingshuihezi Test Hamlet"]
    assert (unknown["status"], unknown["candidates"]) == ("not_found", [])


def test_a_chosen_candidate_resolves_the_ambiguous_name() -> None:
    first = imported("geocode_places.csv")
    choice = {"Ji'an": "Ji'an (Jilin) | Jilin | CN"}
    mapping = Mapping.from_json(replace(first.mapping, places=choice).to_json())  # as saved
    data = (CORPUS / "geocode_places.csv").read_bytes()
    steps: list[tuple[int, int]] = []
    result = import_file(
        data, "geocode_places.csv", mapping, today=TODAY, progress=lambda *s: steps.append(s)
    )
    row = result.dataset.incidents.set_index("incident_id").loc["test-geo-jian"]
    assert (row["longitude"], row["latitude"]) == (126.1946, 41.1282)  # Ji'an, Jilin
    assert (row["geo_precision"], row["admin1"]) == ("city", "Jilin")
    assert "chosen by a person" in row["coord_note"]
    assert _review(result)["Ji'an"]["status"] == "chosen"
    assert [p.row for p in result.problems] == [4]  # only the name not in the gazetteer
    assert steps == [(1, 3), (2, 3), (3, 3)]  # progress: one step per distinct name


def test_full_width_digits_are_counts() -> None:
    """Korean and Chinese input methods type full-width digits (９, １０)."""
    result = import_file((CORPUS / "bad_counts.csv").read_bytes(), "bad_counts.csv", today=TODAY)
    row = result.dataset.incidents.set_index("incident_id").loc["test-fullwidth"]
    assert (row["people_min"], row["people_max"], row["people_qualifier"]) == (9, 10, "range")
