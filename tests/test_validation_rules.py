"""Each validation rule, fed a bad fixture: the message names file, row, column and value,
the other rows still load, and the file itself is left as it was."""

from __future__ import annotations

import hashlib

import pytest

from atlas.loading import DatasetError, load_dataset
from tests.conftest import edit_csv

INC, PLA, REP = "incidents.csv", "places.csv", "reports.csv"
GENEVA = "2012-03-12-special-rapporteur-unhrc"  # a row with a city coordinate

# (file, data row index or incident id, column, bad value, fragment expected in the message)
CASES = [
    (INC, 3, "event_type", "detension", "did you mean 'detention'"),
    (INC, 3, "date_start", "2013-02-30", "not a valid date"),
    (INC, 10, "date_end", "2011-01-01", "is before date_start"),
    (INC, 10, "date_precision", "fortnight", "not in the vocabulary"),
    (
        INC,
        "2012-01-three-generations-threat",
        "date_end",
        "2012-02-05",
        "does not match date_precision",
    ),
    (INC, 12, "geo_precision", "town", "not in the vocabulary"),
    (INC, GENEVA, "latitude", "124.3947", "look swapped"),
    (INC, GENEVA, "longitude", "200", "not a longitude"),
    (INC, GENEVA, "latitude", "north", "not a latitude"),
    (INC, GENEVA, "coord_basis", "", "without a stated basis"),
    (INC, 0, "latitude", "40.1", "takes no coordinates"),
    (INC, GENEVA, "status", "confirmed", "not in the vocabulary"),
    (INC, GENEVA, "title", "", "is empty"),
    (INC, GENEVA, "country", "China", "ISO 3166-1"),
    (INC, GENEVA, "incident_id", "Bad ID!", "is not a slug"),
    (INC, GENEVA, "related_ids", "no-such-incident", "names no incident"),
    (INC, "2013-11-15-kunming-detention", "admin1", "Liaoning", "does not contain"),
    (INC, "2013-11-15-kunming-detention", "admin1", "Yunan", "not a province name"),
    (PLA, 2, "admin1", "Jilin", "does not contain the coordinates (the point lies in"),
    (PLA, 0, "incident_id", "no-such-incident", "names no incident"),
    (PLA, 0, "role", "start", "not in the vocabulary"),
    (PLA, 0, "latitude", "", "is missing (longitude is given)"),
    (REP, 0, "incident_id", "no-such-incident", "names no incident"),
    (REP, 0, "source_type", "newspaper", "not in the vocabulary"),
    (REP, 0, "published", "14 Feb 2012", "is not an ISO date"),
    (REP, 0, "document", "unknown.txt", "not listed in documents.csv"),
    (REP, 0, "quote", "", "is empty"),
    (REP, 0, "people_min", "~30", "not a whole number"),
]


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("file", "index", "column", "value", "fragment"), CASES)
def test_rule_reports_file_row_column_value(data_copy, file, index, column, value, fragment):
    folder = data_copy()
    if isinstance(index, str):  # an incident id: find its row
        index = _row_of(folder / INC, index)
    edit_csv(folder / file, index, column, value)
    before = _sha(folder / file)
    dataset = load_dataset(folder)
    assert _sha(folder / file) == before  # the original is never altered
    hits = [p for p in dataset.problems if p.file == file and fragment in p.message + p.fix]
    assert hits, [str(p) for p in dataset.problems]
    problem = hits[0]
    assert problem.row == index + 2 and problem.column == column and problem.value == value
    text = str(problem)
    assert file in text and f"row {index + 2}" in text and "Fix:" in text
    with pytest.raises(DatasetError, match=file):
        load_dataset(folder, strict=True)


def test_valid_rows_still_load_when_one_row_is_bad(data_copy, bundled):
    folder = data_copy()
    edit_csv(folder / INC, 20, "event_type", "nonsense")
    dataset = load_dataset(folder)
    assert len(dataset.incidents) == len(bundled.incidents) - 1
    # its reports are valid but not loaded, and say why
    orphaned = [p for p in dataset.problems if "its incident has errors" in p.message]
    assert orphaned and all(p.file in (REP, PLA) for p in orphaned)


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("people_max", "10", "smaller than people_min"),
        ("people_qualifier", "exact", "does not match people_min"),
        ("people_qualifier", "maybe", "not in the vocabulary"),
    ],
)
def test_people_rules(data_copy, column, value, fragment):
    folder = data_copy()
    kunming = _row_of(folder / INC, "2013-11-15-kunming-detention")
    edit_csv(folder / INC, kunming, column, value)
    problems = load_dataset(folder).problems
    assert any(fragment in p.message for p in problems), [str(p) for p in problems]


def test_statement_carries_no_people_count(data_copy):
    folder = data_copy()
    letter = _row_of(folder / INC, "2022-02-15-un-letter-seven")
    edit_csv(folder / INC, letter, "people_min", "7")
    edit_csv(folder / INC, letter, "people_max", "7")
    edit_csv(folder / INC, letter, "people_qualifier", "exact")
    assert any("carries no people count" in p.message for p in load_dataset(folder).problems)


def test_corroborated_needs_two_sources(data_copy):
    folder = data_copy()
    edit_csv(
        folder / INC, _row_of(folder / INC, "2012-03-14-ban-ki-moon"), "status", "corroborated"
    )
    assert any("distinct source" in p.message for p in load_dataset(folder).problems)


def test_incident_without_report_is_rejected(data_copy):
    folder = data_copy()
    lines = (folder / REP).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("2012-03-14-ban-ki-moon/")]
    (folder / REP).write_text("".join(kept), encoding="utf-8")
    problems = load_dataset(folder).problems
    assert any(
        p.value == "2012-03-14-ban-ki-moon" and "no valid report" in p.message for p in problems
    )


def test_duplicate_id_is_reported(data_copy):
    folder = data_copy()
    edit_csv(folder / INC, 21, "incident_id", _id_at(folder / INC, 20))
    assert any("duplicate id" in p.message for p in load_dataset(folder).problems)


def test_missing_required_column_names_it(data_copy):
    folder = data_copy()
    text = (folder / INC).read_text(encoding="utf-8").replace("event_type,", "kind,", 1)
    (folder / INC).write_text(text, encoding="utf-8")
    dataset = load_dataset(folder)
    assert any(p.column == "event_type" and "missing" in p.message for p in dataset.problems)
    assert len(dataset.incidents) == 0


def _row_of(path, incident_id: str) -> int:
    ids = [line.split(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    return ids.index(incident_id)


def _id_at(path, index: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[index + 1].split(",", 1)[0]
