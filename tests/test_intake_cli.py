"""`python -m atlas.intake`: exit status, report, invalid rows, data folder and mappings.

Most tests call `main([...])` in-process (fast); one runs the real entry point. Corpus
files are copied to tmp_path first: the CLI writes its report beside the file."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atlas.export.data import subset
from atlas.intake import import_file
from atlas.intake.__main__ import main
from atlas.loading import (
    COLUMNS,
    FILES,
    IMPORT_MARKER,
    build_dataset,
    load_dataset,
    read_table,
)
from atlas.store import load_tables

CORPUS = Path(__file__).parent / "fixtures" / "intake"
PROJECT = Path(__file__).parent.parent


@pytest.fixture
def copy(tmp_path: Path):
    def make(name: str) -> Path:
        return Path(shutil.copy(CORPUS / name, tmp_path / name))

    return make


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_errors_exit_1_and_the_report_has_one_line_per_problem(copy, tmp_path, capsys) -> None:
    source = copy("bad_dates.csv")
    report, invalid = tmp_path / "report.csv", tmp_path / "invalid.csv"
    assert main([str(source), "--report", str(report), "--invalid", str(invalid)]) == 1
    lines = _rows(report)
    assert [(r["severity"], r["row"], r["column"]) for r in lines] == [
        ("error", str(n), "date") for n in range(2, 8)
    ]
    assert lines[0]["problem"] == "'2013-02-30' is not a real calendar date"
    assert lines[0]["fix"].startswith("write YYYY-MM-DD")
    assert [r["row"] for r in _rows(invalid)] == [str(n) for n in range(2, 8)]
    assert _rows(invalid)[0]["date"] == "2013-02-30"  # as it was in the file
    out = capsys.readouterr().out
    assert "1 incident(s) loaded · 6 error(s)" in out
    assert out.count("\n- bad_dates.csv, row") == 6


def test_the_report_goes_beside_the_file_by_default(copy) -> None:
    source = copy("bad_coordinates.csv")
    assert main([str(source)]) == 1
    assert len(_rows(source.with_name("bad_coordinates.csv.report.csv"))) == 3
    assert source.read_bytes() == (CORPUS / "bad_coordinates.csv").read_bytes()


def test_a_file_that_cannot_be_read_exits_1_with_its_reason(copy, tmp_path) -> None:
    report = tmp_path / "r.csv"
    assert main([str(copy("mixed_encoding.csv")), "--report", str(report)]) == 1
    (line,) = _rows(report)
    assert line["severity"] == "error" and "line 4 is not" in line["problem"]


def test_report_rows_are_line_numbers_or_empty(tmp_path) -> None:
    source = tmp_path / "extra.csv"  # a file-level problem and a row-level one
    source.write_bytes(b"id,date,location\nx,2013-11-15,Dandong,EXTRA\n")
    report = tmp_path / "r.csv"
    assert main([str(source), "--report", str(report)]) == 1
    assert [r["row"] for r in _rows(report)] == ["", "2"]


def test_clean_file_exits_0_and_out_writes_the_data_folder(copy, tmp_path) -> None:
    source, out = copy("valid_utf8.csv"), tmp_path / "data"
    assert main([str(source), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES.values(), IMPORT_MARKER])
    # The folder holds exactly the import: read back under the import's rules, it is the
    # same dataset, row for row.
    tables = {name: read_table(out / FILES[name], COLUMNS[name]) for name in FILES}
    again = build_dataset(tables, provenance=False)
    assert again.problems == ()
    first = import_file(source.read_bytes(), source.name).dataset
    ids = list(first.incidents["incident_id"])
    assert list(again.incidents["incident_id"]) == ids
    for name, content in subset(first, ids).csv_files().items():
        assert (out / name).read_bytes() == content


def test_load_dataset_on_the_out_folder_lists_every_row_it_leaves_out(copy, tmp_path) -> None:
    """`load_dataset` applies the curated data's provenance rules (a quote, a source type
    and a publication date on every report), which imported rows need not meet: what it
    does not load it must say, never drop silently."""
    out = tmp_path / "data"
    assert main([str(copy("valid_utf8.csv")), "--out", str(out)]) == 0
    dataset = load_dataset(out)
    named = {p.value for p in dataset.problems if p.column == "incident_id"}
    missing = {iid for iid in _ids(out) if iid not in set(dataset.incidents["incident_id"])}
    assert missing <= named


def test_the_dashboard_loader_shows_the_out_folder(copy, tmp_path) -> None:
    out = tmp_path / "data"
    assert main([str(copy("valid_utf8.csv")), "--out", str(out)]) == 0
    assert sorted(load_dataset(out).incidents["incident_id"]) == sorted(_ids(out))
    # the dashboard reads through the columnar copy: built, then read again
    for _ in range(2):
        dataset, table = load_tables(out, tmp_path / "store")
        assert sorted(table["incident_id"]) == sorted(_ids(out))
        assert not dataset.curated and dataset.origin == "valid_utf8.csv"
    # the same files without the marker are curated data, checked in full: another copy
    (out / IMPORT_MARKER).unlink()
    dataset, _ = load_tables(out, tmp_path / "store")
    assert dataset.curated and dataset.origin == str(out)
    assert len(list((tmp_path / "store").iterdir())) == 2


def test_no_out_folder_when_no_row_loads(copy, tmp_path, capsys) -> None:
    """A failed import leaves no (empty) data folder for the dashboard to trip on."""
    source = tmp_path / "all_bad.csv"
    source.write_text("id,date,type\nt-1,2013-02-30,detention\n", encoding="utf-8")
    out = tmp_path / "data"
    assert main([str(source), "--out", str(out)]) == 1
    assert not out.exists()
    assert "data folder: not written" in capsys.readouterr().err


def test_unused_columns_are_listed(copy, capsys) -> None:
    assert main([str(copy("own_columns_cp949.csv"))]) == 0
    out = capsys.readouterr().out
    assert "not imported (no field takes these columns): reviewer" in out
    assert "4 incident(s) loaded · 0 error(s) in 0 row(s) not loaded, 1 warning(s)" in out


def _ids(folder: Path) -> list[str]:
    return [r["incident_id"] for r in _rows(folder / "incidents.csv")]


def test_a_saved_mapping_is_reused(copy, tmp_path) -> None:
    saved = tmp_path / "mapping.json"
    assert main([str(copy("valid_cp949.csv")), "--save-mapping", str(saved)]) == 0
    text = saved.read_text(encoding="utf-8")
    assert '"date": "날짜"' in text and '"atlas_mapping": 1' in text
    assert main([str(copy("valid_cp949.csv")), "--mapping", str(saved)]) == 0


def test_a_mapping_choice_resolves_an_ambiguous_place(copy, tmp_path, capsys) -> None:
    source, saved = copy("geocode_places.csv"), tmp_path / "mapping.json"
    assert main([str(source), "--save-mapping", str(saved)]) == 0  # warnings only
    assert "the place name is ambiguous" in capsys.readouterr().out
    text = saved.read_text(encoding="utf-8")
    chosen = text.replace('"places": {}', '"places": {"Ji\'an": "Ji\'an (Jilin) | Jilin | CN"}')
    saved.write_text(chosen, encoding="utf-8")
    out = tmp_path / "data"
    assert main([str(source), "--mapping", str(saved), "--out", str(out)]) == 0
    assert "ambiguous" not in capsys.readouterr().out
    jian = next(r for r in _rows(out / "incidents.csv") if r["incident_id"] == "test-geo-jian")
    assert (jian["latitude"], jian["longitude"], jian["admin1"]) == ("41.1282", "126.1946", "Jilin")


def test_date_order_option(copy) -> None:
    assert main([str(copy("date_order_by_column.csv"))]) == 0  # the column settles it
    assert main([str(copy("date_order_by_column.csv")), "--date-order", "MDY"]) == 1  # 25/12


@pytest.mark.parametrize(
    "options, message",
    [
        (["--max-rows", "2"], "the file has 5 rows, over the 2-row limit"),
        (["--max-mb", "0.001"], "the file is 2 KB, over the 1 KB limit"),
    ],
)
def test_limits(copy, tmp_path, options: list[str], message: str) -> None:
    report = tmp_path / "r.csv"
    assert main([str(copy("valid_utf8.csv")), "--report", str(report), *options]) == 1
    assert [r["problem"] for r in _rows(report)] == [message]


MALFORMED_MAPPINGS = [
    (b"\x80\x04\x95\x13\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x04atlas\x94K\x01s.", "not JSON"),
    (b'{"atlas_mapping": 1, "code": "x"}', "unknown key(s) ['code']"),
    (b'{"atlas_mapping": 1, "columns": {"date": 1}}', "must map text to text"),
    (b"[]", "not an atlas mapping file"),
]


@pytest.mark.parametrize("content, message", MALFORMED_MAPPINGS)
def test_a_malformed_mapping_exits_2(copy, tmp_path, capsys, content: bytes, message) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_bytes(content)  # the first is a pickle's bytes: refused, never unpickled
    source = copy("valid_utf8.csv")
    assert main([str(source), "--mapping", str(mapping)]) == 2
    assert message in capsys.readouterr().err
    assert not source.with_name("valid_utf8.csv.report.csv").exists()  # nothing imported


def test_usage_errors_exit_2(tmp_path, copy) -> None:
    assert main([str(tmp_path / "missing.csv")]) == 2
    with pytest.raises(SystemExit) as caught:
        main([str(copy("valid_utf8.csv")), "--encoding", "latin1"])
    assert caught.value.code == 2


def test_the_entry_point_runs(copy) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "atlas.intake", str(copy("unknown_event_type.csv"))],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "did you mean 'detention'?" in done.stdout


def test_a_sheet_or_layer_is_chosen_by_name(copy, capsys) -> None:
    book = copy("xlsx_first_sheet_empty.xlsx")
    assert main([str(book)]) == 0
    assert "note: sheet 'incidents' (the first with data; empty: 'Notes', 'Blank')" in (
        capsys.readouterr().out
    )
    assert main([str(book), "--sheet", "Notes"]) == 1
    assert "the file is empty (sheet 'Notes')" in capsys.readouterr().out
    layers = copy("gpkg_first_layer_empty.gpkg")
    assert main([str(layers), "--layer", "incidents"]) == 0
    assert "5 incident(s) loaded" in capsys.readouterr().out
