"""The import contract: nothing lost (the atlas's own columns, text as written, every
column accounted for), nothing guessed (unknown values are warnings with a documented
default until a person maps them), every problem of every row in one pass."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from atlas import schema
from atlas.intake import import_file
from atlas.intake.mapping import FIELDS, SYNONYMS, Mapping, MappingError
from atlas.intake.values import ascii_number, country_iso2, vocabulary_code
from atlas.loading import load_dataset
from atlas.validation import check_coordinates, parse_float
from tests.conftest import edit_csv

CORPUS = Path(__file__).parent / "fixtures" / "intake"
TODAY = date(2025, 1, 1)
OWN = ("own_columns_utf8.csv", "own_columns_cp949.csv", "own_columns_gb18030.csv")


def imported(name: str, mapping: Mapping | None = None):
    return import_file((CORPUS / name).read_bytes(), name, mapping, today=TODAY)


# --- the atlas's own columns, in three encodings -------------------------------------------


@pytest.mark.parametrize("name", OWN)
def test_own_columns_load_with_their_text_as_written(name: str) -> None:
    result = imported(name)
    assert result.errors == []
    assert result.unused == ["reviewer"]  # listed, not dropped without notice
    rows = pd.DataFrame(result.dataset.incidents).set_index("incident_id")
    assert list(rows.index) == [
        "test-own-dandong",
        "test-own-sinuiju",
        "test-own-yanji",
        "test-own-tumen",
    ]
    assert list(rows["country"]) == ["CN", "KP", "CN", "CN"]  # CHN, PRK, 中国/中國, 중국
    assert list(rows["date_text"]) == ["2019년 5월 2일", "2019년 5월 중순", "2015年7月", "2017년"]
    assert list(rows["date_precision"]) == ["day", "month_part", "month", "year"]
    assert list(rows["people_text"]) == ["세 명", "", "至少24人", "13~15명"]
    assert list(rows["people_qualifier"]) == ["exact", "unknown", "at_least", "range"]
    dandong = rows.loc["test-own-dandong"]
    assert dandong["coord_basis"] == "geonames:2037886"
    assert dandong["status_note"] == "Test note: as the source says"
    assert rows.loc["test-own-sinuiju", "related_ids"] == "test-own-dandong"
    # 'reported' is no status of the atlas: the row loads as an empty status would (the
    # sheet names no source: single_source), with a warning; 'Single Source' is the code.
    assert list(rows["status"]) == [
        "single_source",
        "disputed",
        "officially_confirmed",
        "single_source",
    ]
    (warning,) = result.warnings
    assert (warning.row, warning.column, warning.value) == (2, "status", "reported")
    assert "disputed" not in warning.fix.split("use one of")[0]  # no guess from spelling


def test_every_column_of_the_atlas_incident_schema_is_an_import_field() -> None:
    # A column added to the schema (as `disagreement` and `may_overlap` were) would
    # otherwise be dropped from a file in the atlas's own layout.
    missing = [c for c in schema.INCIDENT_COLUMNS if c not in FIELDS]
    assert missing == []
    assert all(c in SYNONYMS[c] for c in schema.INCIDENT_COLUMNS if c in FIELDS)


def test_a_mapped_status_value_loads_as_chosen_without_a_warning() -> None:
    mapping = Mapping(
        columns=imported(OWN[0]).mapping.columns,
        vocabularies={"status": {"reported": "disputed"}},
    )
    result = imported(OWN[0], mapping)
    assert result.problems == []
    incidents = result.dataset.incidents.set_index("incident_id")
    assert incidents.loc["test-own-dandong", "status"] == "disputed"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("CN", "CN"),
        ("cn", "CN"),
        ("CHN", "CN"),
        ("156", "CN"),
        ("China", "CN"),
        ("中国", "CN"),
        ("中國", "CN"),
        ("중국", "CN"),
        ("PRK", "KP"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("북한", "KP"),
        ("朝鲜", "KP"),
        ("KOR", "KR"),
        ("한국", "KR"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_countries_resolve_from_codes_and_names(written: str, code: str | None) -> None:
    assert country_iso2(written) == code


def test_an_unknown_country_is_kept_as_written_and_reported() -> None:
    data = b"id,date,type,country\nt-1,2013-01-01,detention,Atlantis\n"
    (problem,) = import_file(data, "c.csv").errors
    assert (problem.column, problem.value) == ("country", "Atlantis")
    assert "ISO 3166-1 alpha-2" in problem.message


@pytest.mark.parametrize(
    ("field", "written", "code"),
    [
        ("status", "Single Source", "single_source"),
        ("status", "single-source", "single_source"),
        ("status", "reported", None),
        ("status", "", ""),
        ("source_type", "State Media", "state_media"),
        ("source_type", "blog", None),
        ("geo_precision", "CITY", "city"),
        ("geo_precision", "approx", None),
        ("people_qualifier", "at least", "at_least"),
    ],
)
def test_optional_vocabularies_accept_codes_in_any_case(field, written, code) -> None:
    assert vocabulary_code(field, written, {}) == code
    assert vocabulary_code(field, written, {written: "chosen"}) == ("chosen" if written else "")


def test_mapping_json_keeps_vocabularies_and_refuses_unknown_codes() -> None:
    mapping = Mapping(vocabularies={"status": {"reported": "disputed"}})
    assert Mapping.from_json(mapping.to_json()) == mapping
    for content, message in [
        ('{"atlas_mapping": 1, "vocabularies": {"status": "disputed"}}', "must map a field"),
        ('{"atlas_mapping": 1, "vocabularies": {"colour": {"a": "b"}}}', "has no field 'colour'"),
        ('{"atlas_mapping": 1, "vocabularies": {"status": {"a": "maybe"}}}', "are not status"),
    ]:
        with pytest.raises(MappingError, match=message):
            Mapping.from_json(content)


# --- coordinates in other digits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "number"),
    [("４０.１２９２", "40.1292"), ("٤١٫٧٩٢٢", "41.7922"), ("－１２", "-12"), (" 40.1 ", "40.1")],
)
def test_digits_of_any_script_read_as_ascii(written: str, number: str) -> None:
    assert ascii_number(written) == number


def test_coordinates_in_other_digits_load_with_a_note() -> None:
    result = imported("coordinates_other_digits.csv")
    assert result.problems == [] and result.loaded == 3
    rows = pd.DataFrame(result.dataset.incidents).set_index("incident_id")
    assert rows.loc["test-fullwidth-digits", ["latitude", "longitude"]].tolist() == [
        40.1292,
        124.3947,
    ]
    assert "４０.１２９２" in rows.loc["test-fullwidth-digits", "coord_note"]
    point = rows.loc["test-arabic-indic", "geometry"]
    assert (point.x, point.y) == (123.4328, 41.7922)  # x = longitude


def test_the_curated_loader_reports_full_width_coordinates_instead_of_crashing(
    data_copy,
) -> None:
    assert parse_float("４０.１") is None and parse_float("4_0") is None
    rec = {"latitude": "４０.１", "longitude": "124.1", "geo_precision": "city"}
    (problem,) = check_coordinates("f.csv", 2, rec, required=True)
    assert problem.message == "is not a latitude between -90 and 90"
    folder = data_copy()
    edit_csv(folder / "incidents.csv", 0, "latitude", "４１.０")
    dataset = load_dataset(folder)
    assert any(p.column == "latitude" and p.value == "４１.０" for p in dataset.errors)


# --- one pass ------------------------------------------------------------------------------


def test_every_problem_of_every_row_in_one_pass_and_those_rows_left_out() -> None:
    result = imported("one_pass.csv")
    by_row = {}
    for p in result.errors:
        by_row.setdefault(p.row, set()).add(p.column)
    assert by_row == {
        2: {"date", "latitude", "id (incident_id)"},
        3: {"id (incident_id)", "event_type", "longitude", "people_max"},
        4: {"people_min", "event_type"},
    }
    assert result.loaded == 1 and result.rows_not_loaded == 3
    assert list(result.invalid_rows()["row"]) == [2, 3, 4]
    assert set(result.dataset.reports["_line"].astype(int)) == {5}
    # the data in use lists the same problems as the import
    assert list(result.dataset.problems) == result.problems


def test_a_row_that_cannot_be_read_is_not_also_reported_empty() -> None:
    """The rules run on a row whose date failed, but do not say its date is empty too."""
    data = b"id,date,type\nt-1,2013-02-30,detention\n"
    (problem,) = import_file(data, "d.csv").problems
    assert problem.message == "'2013-02-30' is not a real calendar date"
