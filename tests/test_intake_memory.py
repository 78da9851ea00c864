"""The memory-saving shapes of an import keep the values: chunked records, packed rows."""

from __future__ import annotations

import pandas as pd

from atlas import schema
from atlas.intake.row import Row
from atlas.validation import records


def test_records_across_chunks_equal_to_dict():
    frame = pd.DataFrame({"a": [str(n) for n in range(25)], "_line": range(2, 27)})
    got = list(records(frame, chunk=10))
    assert got == frame.to_dict("records")
    assert [type(r["_line"]) for r in got] == [int] * 25


def test_packed_row_reads_back_and_shares_equal_strings():
    shared: dict[str, str] = {}
    rows = []
    for line in (2, 3):
        row = Row("f.csv", line)
        row.incident["date_start"] = "-".join(("2013", "11", "15"))  # a new object each
        row.incident["title"] = f"t{line}"
        row.pack(shared)
        rows.append(row)
    assert rows[0]._incident is None  # packed until read
    first, second = rows[0].incident, rows[1].incident
    assert list(first) == list(schema.INCIDENT_COLUMNS)
    assert (first["title"], second["title"]) == ("t2", "t3")
    assert first["date_start"] == "2013-11-15"
    assert first["date_start"] is second["date_start"]


def test_row_with_extra_field_stays_a_dict():
    row = Row("f.csv", 2)
    row.incident["not_a_column"] = "x"
    row.pack()
    assert row.incident["not_a_column"] == "x"


def test_independent_counts_equal_the_sets():
    from atlas.evidence import independent_count, independent_counts, independent_sources

    reports = pd.DataFrame(
        {
            "incident_id": ["a", "a", "a", "b", "b", "c", "d", "d"],
            "source": ["s1", "s1", "s2", "s1", "s3", "s4", "s5", "s6"],
            "relies_on": ["", " ", "", "s9", "", "s1", None, ""],
        }
    )
    sets = independent_sources(reports)
    counts = independent_counts(reports)
    assert counts == {i: independent_count(i, sets) for i in "abcd"}
    assert counts == {"a": 2, "b": 1, "c": 1, "d": 2}  # None: rests on nothing
