"""The synthetic generator: deterministic, loadable without problems, realistic mix."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from atlas import schema, synthetic
from atlas.loading import FILES, load_dataset

N = 3000


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    synthetic.write(N, 7, out / "a", out / "a.acled.csv")
    return out


def test_same_seed_gives_identical_bytes(generated, tmp_path):
    synthetic.write(N, 7, tmp_path / "b", tmp_path / "b.acled.csv")
    for name in FILES.values():
        assert (generated / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (generated / "a.acled.csv").read_bytes() == (tmp_path / "b.acled.csv").read_bytes()


@pytest.mark.parametrize("rows", [1, 7, 1000])
def test_written_in_blocks_gives_the_same_bytes(generated, tmp_path, rows):
    """Written `rows` incidents at a time (what keeps 10M within memory), the files are
    those written whole (a folder with the ACLED file is written whole)."""
    n = 40 if rows == 1 else N  # one incident per block: a smaller folder
    whole = generated / "a" if n == N else tmp_path / "whole"
    if n != N:
        synthetic.write(n, 7, whole, tmp_path / "whole.acled.csv")
    synthetic.write(n, 7, tmp_path / "blocks", rows=rows)
    for name in FILES.values():
        assert (tmp_path / "blocks" / name).read_bytes() == (whole / name).read_bytes(), name


def test_another_seed_gives_other_events():
    a = synthetic.generate(200, 1)["incidents"]
    b = synthetic.generate(200, 2)["incidents"]
    assert list(a["date_start"]) != list(b["date_start"])


def test_loads_with_zero_problems(generated):
    dataset = load_dataset(generated / "a")
    assert dataset.problems == ()
    assert len(dataset.incidents) == N
    assert len(dataset.reports) >= N
    assert (generated / "a" / "places.csv").read_text().strip() == ",".join(schema.PLACE_COLUMNS)


def test_rows_say_they_are_synthetic(generated):
    incidents = pd.read_csv(generated / "a" / "incidents.csv", dtype=str, keep_default_na=False)
    reports = pd.read_csv(generated / "a" / "reports.csv", dtype=str, keep_default_na=False)
    assert incidents["title"].str.contains("Synthetic").all()
    assert incidents["summary"].str.contains("Synthetic").all()
    assert reports["source"].str.startswith("Synthetic").all()
    assert reports["quote"].str.contains("Synthetic").all()


def _share(values: pd.Series) -> dict[str, float]:
    return values.value_counts(normalize=True).to_dict()


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("event_type", synthetic.EVENT_TYPE_SHARE),
        ("date_precision", synthetic.DATE_PRECISION_SHARE),
    ],
)
def test_proportions_follow_the_stated_mix(generated, column, expected):
    incidents = pd.read_csv(generated / "a" / "incidents.csv", dtype=str, keep_default_na=False)
    share = _share(incidents[column])
    for key, want in expected.items():
        assert abs(share.get(key, 0) - want) < 0.04, (key, share.get(key), want)


def test_places_counts_and_years_are_spread_realistically(generated):
    dataset = load_dataset(generated / "a")
    inc = dataset.incidents
    geo = _share(inc["geo_precision"])
    # a few provinces cannot take a province point: those rows become cities
    assert abs(geo["city"] + geo.get("province", 0) - 0.67) < 0.05
    assert abs(geo["unlocated"] - synthetic.GEO_PRECISION_SHARE["unlocated"]) < 0.02
    border = inc["admin1"].isin(["Jilin", "Liaoning"]).mean()
    assert 0.3 < border < 0.8  # the border provinces dominate, but not alone
    assert inc["country"].isin(["KP"]).any()
    people = inc[inc["event_type"].isin(schema.PEOPLE_EVENT_TYPES)]
    unknown = people["people_min"].isna().mean()
    assert abs(unknown - synthetic.PEOPLE_QUALIFIER_SHARE["unknown"]) < 0.05
    assert people["people_qualifier"].isin(["range", "at_least"]).mean() > 0.15
    years = inc["date_start"].dt.year
    assert years.min() == 2000 and years.max() == 2025
    assert (inc["date_start"] != inc["date_end"]).mean() > 0.3  # uncertain dates
    assert dataset.reports["source"].nunique() == synthetic.N_SOURCES


def test_acled_layout(generated):
    with open(generated / "a.acled.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(synthetic.ACLED_COLUMNS)
    assert len(rows) == N
    frame = pd.DataFrame(rows)
    assert frame["time_precision"].isin(["1", "2", "3"]).all()
    assert set(frame["geo_precision"]) == {"1", "2", "3"}
    assert frame["event_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert (frame["latitude"] != "").all()
    assert frame["source"].str.contains("; ").any()
    incidents = pd.read_csv(generated / "a" / "incidents.csv", dtype=str, keep_default_na=False)
    assert list(frame["event_date"]) == list(incidents["date_start"])
    day = incidents["date_precision"].isin(["day", "on_or_before"])
    assert (frame.loc[day, "time_precision"] == "1").all()
