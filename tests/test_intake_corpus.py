"""The import corpus (tests/fixtures/intake): every file gives exactly the problems
expected.csv lists, nothing raises, and hostile text stays inert data.

Each file is imported once per test session (`imported`); tests only read the results.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from atlas.intake import ImportResult, Limits, import_file
from atlas.intake.formats import DEFAULT_LIMITS
from tests.fixtures.intake import make_corpus

CORPUS = Path(__file__).parent / "fixtures" / "intake"
TODAY = date(2025, 1, 1)  # fixed, so "in the future" does not depend on the clock
NOT_DATA = {"make_corpus.py", "contract_corpus.py", "README.md", "expected.csv"}
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name not in NOT_DATA)
HOSTILE = ("hostile_payloads.csv", "hostile_payloads.xlsx", "hostile_payloads.geojson")
FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def _expected() -> list[dict[str, str]]:
    with open(CORPUS / "expected.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


EXPECTED = _expected()


@cache
def imported(name: str) -> ImportResult:
    return import_file((CORPUS / name).read_bytes(), name, today=TODAY)


def _row(value: str) -> int | None:
    return int(value) if value else None


def _said(problem) -> str:
    return f"{problem.message}. Fix: {problem.fix}"


@pytest.mark.parametrize(
    "want", EXPECTED, ids=[f"{e['file']}:{e['row']}:{e['column']}" for e in EXPECTED]
)
def test_expected_problem_is_reported(want: dict[str, str]) -> None:
    result = imported(want["file"])
    found = [
        p
        for p in result.problems
        if (p.file, p.row, p.column, p.severity)
        == (want["file"], _row(want["row"]), want["column"], want["severity"])
    ]
    assert found, f"no {want['severity']} at row {want['row']} {want['column']!r}"
    assert any(want["message"] in _said(p) for p in found), [_said(p) for p in found]


@pytest.mark.parametrize("name", FILES)
def test_no_other_problems(name: str) -> None:
    """Every problem a corpus file gives is listed, so noise is caught as well as silence."""
    wanted = {(e["severity"], _row(e["row"]), e["column"]) for e in EXPECTED if e["file"] == name}
    got = {(p.severity, p.row, p.column) for p in imported(name).problems}
    assert got == wanted, [str(p) for p in imported(name).problems]


def test_every_file_is_documented_and_expected_names_real_files() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [name for name in FILES if f"`{name}`" not in readme] == []
    assert {e["file"] for e in EXPECTED} <= set(FILES)


def test_fixtures_are_what_the_generator_writes() -> None:
    generated = make_corpus.corpus()
    assert sorted(generated) == FILES
    changed = [n for n, data in generated.items() if (CORPUS / n).read_bytes() != data]
    assert changed == [], "run: python -m tests.fixtures.intake.make_corpus"


@pytest.mark.parametrize("name", FILES)
def test_files_stay_small(name: str) -> None:
    assert (CORPUS / name).stat().st_size < 50_000


@pytest.mark.parametrize("as_name", ["x.csv", "x.tsv", "x.xlsx", "x.geojson", "x.gpkg", "x.zip"])
def test_no_exception_escapes_whatever_the_file_is_called(as_name: str) -> None:
    """The content decides the reader where it can: every corpus file under every name
    gives a result (maybe nothing loaded), never an exception."""
    for name in FILES:
        result = import_file((CORPUS / name).read_bytes(), as_name, today=TODAY)
        assert result.dataset is not None or result.errors, name


# --- files that cannot be read at all ------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    sorted({e["file"] for e in EXPECTED if not e["row"] and e["severity"] == "error"}),
)
def test_unreadable_file_loads_nothing_and_says_so_once(name: str) -> None:
    result = imported(name)
    assert result.dataset is None or result.loaded == 0
    assert len(result.errors) == 1 and result.errors[0].row is None


def test_over_the_size_limit() -> None:
    """Made at test time: the corpus files stay small, so the limit is set small here, and
    a 60 MB blob checks the default limit (refused before anything reads it)."""
    data = (CORPUS / "valid_utf8.csv").read_bytes()
    result = import_file(data, "valid_utf8.csv", limits=Limits(max_bytes=1024))
    assert result.dataset is None
    assert result.errors[0].message == "the file is 2 KB, over the 1 KB limit"
    blob = import_file(bytes(60 * 2**20), "big.csv")
    assert blob.errors[0].message == "the file is 60 MB, over the 50 MB limit"
    assert DEFAULT_LIMITS.max_bytes == 50 * 2**20


def test_over_the_row_limit() -> None:
    data = (CORPUS / "valid_utf8.csv").read_bytes()
    result = import_file(data, "valid_utf8.csv", limits=Limits(max_rows=2))
    assert result.dataset is None
    assert result.errors[0].message == "the file has 5 rows, over the 2-row limit"


# --- hostile text stays data ---------------------------------------------------------------

PAYLOADS = make_corpus.SCRIPT_PAYLOADS + make_corpus.FORMULA_PAYLOADS


@pytest.mark.parametrize("name", HOSTILE)
def test_payloads_survive_unchanged_as_data(name: str) -> None:
    result = imported(name)
    incidents = result.dataset.incidents.set_index("incident_id")
    reports = result.dataset.reports
    assert len(incidents) == len(PAYLOADS)
    for n, payload in enumerate(PAYLOADS, start=1):
        row = incidents.loc[f"{payload} #{n}"]
        assert row["title"] == payload
        assert row["location_name"] == payload
        assert row["admin1"] == payload
        assert row["actor"] == payload
        assert row["summary"] == f"Test row: {payload}"
        if not (n == 1 and name.endswith(".xlsx")):  # that cell is a real formula: '=1+1'
            assert (row["people_text"], row["people_qualifier"]) == (payload, "unknown")
        mine = reports[reports["incident_id"] == f"{payload} #{n}"]
        assert list(mine["source"]) == [payload]
        assert list(mine["url"]) == [payload]
        assert list(mine["quote"]) == [payload]


def test_a_real_formula_cell_is_kept_as_its_text_never_computed() -> None:
    incidents = imported("hostile_payloads.xlsx").dataset.incidents
    first = incidents[incidents["incident_id"] == f"{PAYLOADS[0]} #1"].iloc[0]
    assert first["people_text"] == "=1+1"  # not 2
    assert first["people_qualifier"] == "unknown"


def _cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheet programs
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("name", HOSTILE)
def test_report_neutralises_formulas_and_invalid_rows_keep_the_file_cells(name: str) -> None:
    result = imported(name)
    invalid = _cells(result.invalid_rows_csv())
    report = _cells(result.report_csv())
    assert [c for row in report for c in row if FORMULA_START.match(c)] == []
    header, (bad,) = invalid[0], invalid[1:]  # one row did not load: its type is a formula
    # The rows that did not load are the file's cells as they were (to fix and re-import:
    # the file itself held them so); only the columns the atlas adds are neutralised.
    assert bad[header.index("event_type")] == PAYLOADS[6]
    assert bad[header.index("id")] == "test-formula-type"
    assert bad[header.index("problems")].startswith("event_type: not in the vocabulary")
    values = {row[report[0].index("value")] for row in report[1:]}
    assert {"'" + p for p in PAYLOADS[6:]} <= values  # the formulas, each with its '
    assert set(PAYLOADS[:6]) <= values  # script payloads are text: as they were


def test_added_columns_of_the_invalid_rows_never_take_a_column_of_the_file() -> None:
    data = b"row,problems,event_type,date\n=1+1,=2+2,arrest,2013-01-01\n"
    rows = _cells(import_file(data, "cols.csv").invalid_rows_csv())
    assert rows[0] == ["row (atlas)", "row", "problems", "event_type", "date", "problems (atlas)"]
    assert rows[1][:4] == ["2", "=1+1", "=2+2", "arrest"]  # the file's cells as they were
    assert rows[1][-1].startswith("event_type: not in the vocabulary")


@pytest.mark.parametrize("name", HOSTILE)
def test_invalid_rows_are_the_rows_as_they_were(name: str) -> None:
    result = imported(name)
    rows = result.invalid_rows()
    assert list(rows["row"]) == [result.errors[0].row]
    assert rows.iloc[0]["event_type"] == PAYLOADS[6]
    assert rows.iloc[0]["id"] == "test-formula-type"
