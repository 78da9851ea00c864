"""Each rule of `atlas.evidence` (data/README.md, "Rules behind the data"), fed a bundled
copy with one cell broken: the problem names the file, the row, the column and the value."""

from __future__ import annotations

import csv

import pytest

from atlas.loading import DatasetError, load_dataset
from tests.conftest import edit_csv

INC, REP = "incidents.csv", "reports.csv"

# (file, row id, column, bad value, fragment expected in the message)
CASES = [
    (INC, "2021-08-detained-1170", "event_type", "detention", "never carries a flow type"),
    (INC, "2024-06-detained-about-2000", "date_precision", "on_or_before", "dated 'as_of'"),
    (INC, "2023-10-repatriation-500-600", "coord_note", "", "representative point"),
    (INC, "2013-12-border-security-increase", "country", "CN", "lies in two countries"),
    (INC, "2013-11-15-kunming-detention", "disagreement", "", "they disagree on the count"),
    (INC, "2012-03-repatriation-approx-30", "disagreement", "count", "no disagreement on count"),
    (INC, "2012-03-repatriation-approx-30", "disagreement", "counts", "not in the vocabulary"),
    (INC, "2012-03-repatriation-approx-30", "status_note", "", "needs the words"),
    (
        INC,
        "2012-02-amnesty-nine-returned",
        "may_overlap",
        "2012-02-liaoning-jilin-detentions",
        "same event type",
    ),
    (INC, "2012-02-amnesty-nine-returned", "may_overlap", "no-such-id", "same event type"),
    (
        REP,
        "2013-12-drop-in-southeast-asia-arrivals/r2",
        "relies_on",
        "Chosun Ilbo",
        "only 1 independent",
    ),
    (REP, "2022-02-seven-detained/r1", "relies_on", "", "2 independent sources"),
]


def _index(path, column: str, value: str) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return next(i for i, row in enumerate(csv.DictReader(f)) if row[column] == value)


@pytest.mark.parametrize(("file", "row_id", "column", "value", "fragment"), CASES)
def test_rule_names_the_broken_cell(data_copy, file, row_id, column, value, fragment):
    folder = data_copy()
    key = "incident_id" if file == INC else "report_id"
    edit_csv(folder / file, _index(folder / file, key, row_id), column, value)
    problems = load_dataset(folder).problems
    hits = [p for p in problems if fragment in p.message]
    assert hits, [str(p) for p in problems]
    problem = hits[0]
    assert problem.file == INC and "Fix:" in str(problem)
    if file == INC:
        assert problem.row == _index(folder / INC, "incident_id", row_id) + 2
        assert (problem.column, problem.value) == (column, value)
    with pytest.raises(DatasetError):
        load_dataset(folder, strict=True)


def test_imports_get_the_stock_rule_as_a_warning():
    import pandas as pd

    from atlas.evidence import validate_incident_model

    row = {
        "incident_id": "row-1",
        "event_type": "detention",
        "date_precision": "as_of",
        "people_min": "40",
        "people_max": "40",
        "geo_precision": "border",
        "country": "CN",
        "latitude": "41.4",
        "location_name": "border",
        "coord_note": "",
        "status": "disputed",
        "status_note": "",
    }
    problems = validate_incident_model(pd.DataFrame([row]), "upload.csv", strict=False)
    assert [(p.column, p.severity) for p in problems] == [("event_type", "warning")]
