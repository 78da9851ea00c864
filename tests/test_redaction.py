"""What each sensitivity level hides (atlas.redaction), field by field, on one bundled
incident given each level in turn, and that the redacted tables are still a valid dataset."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from atlas import schema
from atlas.coordinates import resolve_basis
from atlas.loading import COLUMNS, FILES, build_dataset, read_table
from atlas.paths import BUNDLED_DATA_DIR
from atlas.policy import load_policy
from atlas.redaction import (
    STATUS_NOTE,
    WITHHELD,
    coarse_count,
    coarse_dates,
    public_id,
    redact_tables,
    suppress_sparse,
)

POLICY = load_policy()  # the bundled policy: sensitive = admin1/month/threshold/withheld/anonymised
SUBJECT = "2013-11-15-kunming-detention"  # a city point in Yunnan, a day, six reports
NEIGHBOUR = "2013-11-kunming-liaoning-transfer"  # names SUBJECT in its related_ids


@cache
def _bundled() -> dict[str, pd.DataFrame]:
    return {n: read_table(BUNDLED_DATA_DIR / FILES[n], COLUMNS[n]) for n in FILES}


def tables(level: str, small_count: bool = False) -> dict[str, pd.DataFrame]:
    """The bundled tables, every row open but SUBJECT and its reports at `level`."""
    out = {name: frame.copy() for name, frame in _bundled().items()}
    for name in ("incidents", "reports"):
        out[name]["sensitivity"] = "open"
        out[name].loc[out[name]["incident_id"] == SUBJECT, "sensitivity"] = level
    if small_count:  # three people, said the same way by every report
        incidents, reports = out["incidents"], out["reports"]
        at = incidents["incident_id"] == SUBJECT
        incidents.loc[at, ["people_min", "people_max", "people_qualifier", "people_text"]] = [
            "3", "3", "exact", "three",
        ]  # fmt: skip
        counted = (reports["incident_id"] == SUBJECT) & (reports["people_min"] != "")
        reports.loc[counted, ["people_min", "people_max", "people_text"]] = ["3", "3", "three"]
        incidents.loc[at, "disagreement"] = ""
    return out


def original(name: str, column: str = "incident_id") -> pd.DataFrame:
    frame = _bundled()[name]
    return frame[frame[column] == SUBJECT]


def subject(out: dict[str, pd.DataFrame], level: str) -> pd.DataFrame:
    wanted = SUBJECT if level == "open" else public_id(SUBJECT, POLICY.id_key)
    return out["incidents"][out["incidents"]["incident_id"] == wanted]


LEVELS = ("open", "sensitive", "confidential")


@pytest.mark.parametrize("level", LEVELS)
def test_coordinates(level: str) -> None:
    row = subject(redact_tables(tables(level), POLICY), level)
    before = original("incidents").iloc[0]
    if level == "confidential":
        assert row.empty
        return
    got = row.iloc[0]
    if level == "open":
        assert (got["latitude"], got["longitude"]) == (before["latitude"], before["longitude"])
        assert got["location_name"] == "Kunming"
    else:
        lon, lat = resolve_basis("ne_admin1:Yunnan")
        assert (float(got["longitude"]), float(got["latitude"])) == (lon, lat)
        assert (got["geo_precision"], got["coord_basis"]) == ("province", "ne_admin1:Yunnan")
        assert got["location_name"] == "Yunnan"


@pytest.mark.parametrize("level", LEVELS)
def test_dates(level: str) -> None:
    out = redact_tables(tables(level), POLICY)
    row = subject(out, level)
    if level == "confidential":
        assert row.empty
        return
    got = row.iloc[0]
    if level == "open":
        assert (got["date_start"], got["date_end"], got["date_precision"]) == (
            "2013-11-15", "2013-11-15", "day",
        )  # fmt: skip
    else:
        assert (got["date_start"], got["date_end"], got["date_precision"]) == (
            "2013-11-01", "2013-11-30", "month",
        )  # fmt: skip
        assert got["date_text"] == "November 2013"
        reports = out["reports"][out["reports"]["incident_id"] == got["incident_id"]]
        assert set(reports["published"]) == {"2013-11", "2014-03"}  # cut to the month


@pytest.mark.parametrize("level", LEVELS)
def test_counts(level: str) -> None:
    out = redact_tables(tables(level, small_count=True), POLICY)
    row = subject(out, level)
    if level == "confidential":
        assert row.empty
        return
    got = row.iloc[0]
    reports = out["reports"][out["reports"]["incident_id"] == got["incident_id"]]
    if level == "open":
        assert (got["people_min"], got["people_max"], got["people_text"]) == ("3", "3", "three")
    else:
        k = POLICY.count_threshold
        assert (got["people_min"], got["people_max"]) == ("1", str(k - 1))
        assert (got["people_qualifier"], got["people_text"]) == ("range", f"fewer than {k}")
        assert "3" not in set(reports["people_min"]) | set(reports["people_max"])
        assert "three" not in set(reports["people_text"])


@pytest.mark.parametrize("level", LEVELS)
def test_text(level: str) -> None:
    out = redact_tables(tables(level), POLICY)
    row = subject(out, level)
    if level == "confidential":
        assert row.empty
        return
    got, before = row.iloc[0], original("incidents").iloc[0]
    reports = out["reports"][out["reports"]["incident_id"] == got["incident_id"]]
    if level == "open":
        assert (got["title"], got["summary"]) == (before["title"], before["summary"])
        assert list(reports["quote"]) == list(original("reports")["quote"])
    else:
        assert got["title"] == "Detention / arrest (details withheld)"
        assert got["summary"] == got["status_note"] == WITHHELD
        assert got["coord_note"] == schema.REPRESENTATIVE_POINT.format(area="Yunnan")
        assert set(reports["quote"]) == set(reports["claim"]) == {WITHHELD}
        assert "guides" not in got["people_text"]


@pytest.mark.parametrize("level", LEVELS)
def test_sources(level: str) -> None:
    out = redact_tables(tables(level), POLICY)
    row = subject(out, level)
    names = set(original("reports")["source"])
    if level == "confidential":
        assert row.empty
        assert not out["reports"]["report_id"].str.startswith(SUBJECT).any()
        return
    reports = out["reports"][out["reports"]["incident_id"] == row.iloc[0]["incident_id"]]
    if level == "open":
        assert set(reports["source"]) == names
    else:
        assert not names & set(reports["source"])
        assert set(reports["source"]) == {
            "A government source",
            "A media source",
            "A media source (2)",
            "A media source (3)",
            "A media source (4)",
        }  # fmt: skip: one label per distinct source, so independent sources still count
        assert set(reports["url"]) == set(reports["source_as_cited"]) == {""}
        assert not names & set(";".join(reports["relies_on"]).split(";"))


@pytest.mark.parametrize("level", LEVELS)
def test_ids(level: str) -> None:
    out = redact_tables(tables(level), POLICY)
    text = "\n".join(frame.to_csv(index=False) for frame in out.values())
    neighbour = out["incidents"][out["incidents"]["incident_id"] == NEIGHBOUR].iloc[0]
    if level == "open":
        assert SUBJECT in neighbour["related_ids"].split(";")
        return
    assert SUBJECT not in text  # nor in report ids, place ids or others' links
    hidden = public_id(SUBJECT, POLICY.id_key)
    if level == "sensitive":
        assert hidden in neighbour["related_ids"].split(";")
        assert set(out["reports"]["report_id"]) >= {f"{hidden}/r{n}" for n in range(1, 7)}
    else:
        assert hidden not in text


def test_a_public_id_depends_on_the_key_and_is_a_slug() -> None:
    a, b = public_id(SUBJECT, b"one"), public_id(SUBJECT, b"two")
    assert a != b and a == public_id(SUBJECT, b"one")
    assert a.replace("-", "").isalnum() and a.islower() and SUBJECT not in a


@pytest.mark.parametrize("level", ["", *LEVELS])
def test_the_bundled_data_at_any_level_is_still_a_valid_dataset(level: str) -> None:
    out = {name: frame.copy() for name, frame in _bundled().items()}
    for name in ("incidents", "reports"):
        out[name]["sensitivity"] = level
    before = build_dataset(_bundled())
    after = build_dataset(redact_tables(out, POLICY))
    assert not after.problems, after.problems[:3]
    expected = 0 if POLICY.rule(level).withheld else len(before.incidents)
    assert len(after.incidents) == expected


def test_a_withheld_report_leaves_the_status_the_shown_ones_support() -> None:
    out = tables("open")
    reports = out["reports"]
    # the Chosun Ilbo and JoongAng reports confidential: CECC relies on others, so the
    # Korea Herald and Daily NK stay two independent sources; withhold Daily NK too.
    hide = reports["source"].isin(["Chosun Ilbo", "JoongAng Daily", "Daily NK"]) & (
        reports["incident_id"] == SUBJECT
    )
    reports.loc[hide, "sensitivity"] = "confidential"
    red = redact_tables(out, POLICY)
    got = subject(red, "open").iloc[0]
    assert got["status"] == "single_source"  # Korea Herald alone (CECC relies on it)
    assert got["status_note"] == STATUS_NOTE
    assert not build_dataset(red).problems


@pytest.mark.parametrize(
    ("lo", "hi", "how", "expected"),
    [
        ("3", "3", "threshold", ("1", "4", "fewer than 5")),
        ("4", "", "threshold", ("1", "", "at least 1")),
        ("2", "30", "threshold", ("1", "30", "between 1 and 30")),
        ("5", "5", "threshold", None),
        ("3", "3", "exact", None),
        ("3", "3", "withheld", ("", "", "")),
        ("", "", "threshold", None),
    ],
)
def test_coarse_count(lo, hi, how, expected) -> None:
    assert coarse_count(lo, hi, how, 5) == expected


@pytest.mark.parametrize(
    ("start", "end", "precision", "how", "expected"),
    [
        ("2013-11-15", "2013-11-15", "day", "month", ("2013-11-01", "2013-11-30", "month")),
        ("2012-02-20", "2012-03-05", "range", "month", ("2012-02-01", "2012-03-31", "range")),
        ("2013-11-15", "2013-11-15", "day", "year", ("2013-01-01", "2013-12-31", "year")),
        ("2021-08-01", "2021-08-31", "as_of", "month", ("2021-08-01", "2021-08-31", "as_of")),
    ],
)
def test_coarse_dates(start, end, precision, how, expected) -> None:
    got = coarse_dates(start, end, precision, how)
    assert (got["date_start"], got["date_end"], got["date_precision"]) == expected


def test_sparse_cells_are_left_out_and_counted() -> None:
    cells = pd.DataFrame({"cell": ["a", "b", "c"], "count": [1, 7, 4]})
    kept, hidden = suppress_sparse(cells, 5)
    assert list(kept["cell"]) == ["b"] and hidden == 5
    assert suppress_sparse(cells, 0)[1] == 0


def test_every_level_has_a_rule() -> None:
    assert {level for level, _ in POLICY.levels} == set(schema.SENSITIVITY_LEVELS)


@pytest.mark.parametrize(
    ("column", "value"),
    [("sensitivity", "secret"), ("date_start", "2013-13-45"), ("people_min", "three")],
)
def test_a_row_the_rules_reject_fails_closed(column: str, value: str) -> None:
    """An unknown level, or a date or count that cannot be coarsened, leaves the row out of
    the public tier (with its reports and places) instead of showing it or crashing."""
    out = tables("sensitive")
    out["incidents"].loc[out["incidents"]["incident_id"] == SUBJECT, column] = value
    red = redact_tables(out, POLICY)
    hidden = public_id(SUBJECT, POLICY.id_key)
    for frame in red.values():
        if "incident_id" in frame:
            assert not frame["incident_id"].isin([SUBJECT, hidden]).any()
    assert not build_dataset(red).errors
