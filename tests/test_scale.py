"""Large filtered sets: grid cells, binned timeline, the cell filter in the URL, the fast
filter and source-panel paths (checked against the per-row ones) and the columnar store."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from atlas import grid, synthetic
from atlas.filters import Filters, Vocabulary, apply_filters, from_query, to_query
from atlas.grid import GRID_SIZES, Cell, cell_of, distinct_counts, grid_cells, parse_cell
from atlas.gridmap import CELL_GAP, CELL_LAYER, build_grid_deck
from atlas.incidents import incident_table
from atlas.loading import load_dataset, points
from atlas.mapspec import view_of
from atlas.sources import ReportIndex, source_summary, source_summary_large
from atlas.store import load_tables
from atlas.timeline import BRUSH, binned_timeline_chart, timeline_bins

CROSSINGS = pd.DataFrame(
    {
        "crossing_id": ["a"],
        "name": ["A"],
        "latitude": [40.1],
        "longitude": [124.4],
        "located": [True],
    }
)


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("syn") / "data"
    synthetic.write(4000, 3, folder)
    return folder


@pytest.fixture(scope="module")
def big(synthetic_dir, tmp_path_factory):
    dataset, table = load_tables(synthetic_dir, tmp_path_factory.mktemp("store"))
    return dataset, table


@pytest.fixture(scope="module")
def table(bundled):
    return incident_table(bundled)


# --- cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5/124.5/40", Cell(0.5, 124.5, 40.0)),
        ("0.5/124.500/40.000", Cell(0.5, 124.5, 40.0)),
        ("0.05/129.45/42.85", Cell(0.05, 129.45, 42.85)),
        ("0.5/-3.0/-10.5", Cell(0.5, -3.0, -10.5)),
        ("0.5/124.3/40", None),  # not on the grid's lines
        ("0.3/124.5/40", None),  # not a grid size
        ("0.5/190/40", None),
        ("0.5/124.5", None),
        ("0.5/x/40", None),
        ("", None),
        ("nan/nan/nan", None),
    ],
)
def test_parse_cell(text, expected):
    assert parse_cell(text) == expected


def test_cell_names_round_trip_and_cover_their_points():
    for lon, lat, size in ((124.39, 40.13, 0.5), (129.5, 42.88, 0.05), (-0.01, 51.5, 0.005)):
        cell = cell_of(lon, lat, size)
        assert parse_cell(cell.name) == cell
        assert cell.contains(pd.Series([lon]), pd.Series([lat]))[0]
        assert not cell.contains(pd.Series([lon + size]), pd.Series([lat]))[0]
    assert Cell(0.5, 124.5, 40.0).finer == 0.05
    assert Cell(0.005, 1.0, 1.0).finer == 0.005


def test_distinct_counts_match_numpy_unique():
    rng = np.random.default_rng(0)
    for keys in (rng.integers(0, 50, 1000), rng.integers(0, 10**12, 500), np.array([], dtype=int)):
        got = distinct_counts(keys)
        want = np.unique(keys, return_counts=True)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_grid_cells_count_every_located_incident_once(big):
    _, table = big
    frame = apply_filters(table, Filters())
    cells = grid_cells(frame, 0.5)
    located = frame["longitude"].notna()
    assert cells["count"].sum() == located.sum()
    assert cells["cell"].is_unique
    by_type = cells[[c for c in cells if c.startswith("n_")]].sum()
    assert by_type["n_detention"] == (frame.loc[located, "event_type"] == "detention").sum()
    for rec in cells.head(5).itertuples():  # each cell holds exactly the points it counts
        inside = Cell(0.5, rec.lon, rec.lat).contains(frame["longitude"], frame["latitude"])
        assert inside.sum() == rec.count


def test_grid_deck_is_a_pickable_layer_of_cells(big):
    _, table = big
    cells = grid_cells(apply_filters(table, Filters()), 0.5)
    deck = build_grid_deck(cells, CROSSINGS)
    text = deck.to_json()
    assert "\n" not in text  # compact JSON: this is what every rerun sends
    layers = {layer["id"]: layer for layer in json.loads(text)["layers"]}
    assert layers[CELL_LAYER]["pickable"] is True
    assert [r["cell"] for r in layers[CELL_LAYER]["data"]] == list(cells["cell"])
    assert "incidents" not in layers  # no per-incident layer
    assert len(text) < 1_000_000


def test_the_pickable_cell_layer_draws_no_outline_paths(big):
    # Picking a stroked polygon layer also draws its outline paths: in software WebGL that
    # held a click past deck.gl's 250 ms click limit at 100k incidents. Neighbouring
    # squares are kept apart by a gap instead, inside each cell.
    _, table = big
    for size in GRID_SIZES:
        cells = grid_cells(apply_filters(table, Filters()), size)
        layers = json.loads(build_grid_deck(cells, CROSSINGS).to_json())["layers"]
        pickable = [layer for layer in layers if layer.get("pickable")]
        assert [layer["id"] for layer in pickable] == [CELL_LAYER]
        assert pickable[0]["stroked"] is False
        for record, cell in zip(pickable[0]["data"], cells.itertuples(), strict=True):
            (west, south), _, (east, north), _ = record["polygon"]
            assert cell.lon < west < east < cell.lon + size
            assert cell.lat < south < north < cell.lat + size
            assert east - west == pytest.approx(size * (1 - 2 * CELL_GAP), abs=1e-9)


def test_a_selected_cell_centres_the_view_and_is_outlined(big):
    _, table = big
    cell = parse_cell("0.5/129.000/42.500")
    cells = grid_cells(apply_filters(table, Filters(cell=cell)), cell.finer)
    spec = json.loads(build_grid_deck(cells, CROSSINGS, cell).to_json())
    view = spec["initialViewState"]
    assert (view["longitude"], view["latitude"]) == cell.centre() and view["zoom"] > 8
    assert "selected-cell" in {layer["id"] for layer in spec["layers"]}
    assert all(r["cell"].startswith("0.05/") for r in spec["layers"][4]["data"])
    assert view_of(None).zoom < 5
    # the whole cell in view: its height on the map (Web Mercator, 512 px at zoom 0)
    mercator = [math.log(math.tan(math.pi / 4 + math.radians(y) / 2)) for y in (42.5, 43.0)]
    height = (mercator[1] - mercator[0]) / (2 * math.pi) * 512 * 2 ** view["zoom"]
    assert 250 < height < 350  # the map is 430 px high embedded, 520 px otherwise


# --- the cell as a filter in the URL ---------------------------------------------------


def test_cell_round_trips_through_the_url(table):
    vocab = Vocabulary.of(table)
    filters = Filters(types=("detention",), cell=Cell(0.5, 124.0, 40.0))
    query = to_query(filters)
    assert query["cell"] == ["0.5/124.000/40.000"]
    assert from_query(query, vocab) == (filters, [])


@pytest.mark.parametrize("bad", ["0.5/124.3/40", "x", "1e9/0/0", "0.5/124/40/1"])
def test_a_bad_cell_is_ignored_with_a_notice(table, bad):
    filters, notices = from_query({"cell": [bad], "type": ["detention"]}, Vocabulary.of(table))
    assert filters == Filters(types=("detention",))
    assert len(notices) == 1 and "cell" in notices[0]


def test_a_cell_narrows_the_frame_to_its_points(table):
    first = table[table["longitude"].notna()].iloc[0]
    cell = cell_of(first["longitude"], first["latitude"], 0.5)
    frame = apply_filters(table, Filters(cell=cell))
    assert first["incident_id"] in set(frame["incident_id"])
    assert frame["longitude"].between(cell.lon, cell.lon + 0.5).all()
    assert frame["latitude"].between(cell.lat, cell.lat + 0.5).all()
    outside = apply_filters(table, Filters())
    assert len(frame) < len(outside)


# --- the categorical fast path equals the per-row semantics ----------------------------


FAST_CASES = [
    Filters(sources=("Chosun Ilbo",)),
    Filters(sources=("Chosun Ilbo", "JoongAng Daily"), min_sources=2),
    Filters(places=("Liaoning", "CN")),
    Filters(places=("Jilin",), types=("detention",)),
    Filters(places=("KP",), start=date(2013, 1, 1)),
]


@pytest.mark.parametrize("filters", FAST_CASES, ids=str)
def test_key_columns_give_the_same_rows_as_per_row_matching(table, filters):
    fast = apply_filters(table, filters)
    slow = apply_filters(table.drop(columns=["sources_key", "places_key"]), filters)
    assert list(fast["incident_id"]) == list(slow["incident_id"])
    assert list(fast["in_period"]) == list(slow["in_period"])


def test_no_filter_shares_the_table_instead_of_copying(big):
    _, table = big
    frame = apply_filters(table, Filters())
    assert len(frame) == len(table) and frame["in_period"].all()
    assert np.shares_memory(frame["latitude"].to_numpy(), table["latitude"].to_numpy())


# --- binned timeline -------------------------------------------------------------------


def test_timeline_bins_count_every_incident_once(big):
    _, table = big
    frame = apply_filters(table, Filters(start=date(2010, 1, 1), end=date(2012, 12, 31)))
    bins = timeline_bins(frame)
    assert bins["count"].sum() == pytest.approx(len(frame), abs=len(bins) * 0.005)
    inside = bins.loc[bins["in_period"], "count"].sum()
    assert inside == pytest.approx(frame["in_period"].sum(), abs=len(bins) * 0.005)
    assert bins["start"].str.match(r"^\d{4}-\d{2}-01T00:00:00Z$").all()
    assert not bins.duplicated(["start", "type_label", "in_period"]).any()
    month = bins[bins["start"] == bins["start"].iloc[len(bins) // 2]]
    assert month["y0"].iloc[0] == 0 and list(month["y0"].iloc[1:]) == list(month["y1"].iloc[:-1])
    assert month["y1"].iloc[-1] == pytest.approx(month["count"].sum(), abs=0.05)


def test_an_imprecise_date_is_spread_over_its_months():
    frame = pd.DataFrame(
        {
            "date_start": pd.to_datetime(["2012-01-01", "2012-03-05"]),
            "date_end": pd.to_datetime(["2012-12-31", "2012-03-05"]),
            "event_type": ["detention", "detention"],
            "in_period": [True, True],
        }
    )
    bins = timeline_bins(frame).set_index("start")["count"]
    assert len(bins) == 12 and bins.sum() == pytest.approx(2.0, abs=0.05)
    assert bins["2012-03-01T00:00:00Z"] == pytest.approx(1 + 1 / 12, abs=0.01)
    assert bins["2012-07-01T00:00:00Z"] == pytest.approx(1 / 12, abs=0.01)


def test_binned_timeline_keeps_the_brush(big):
    _, table = big
    spec = binned_timeline_chart(apply_filters(table, Filters())).to_dict()
    params = spec["params"]
    assert params[0]["name"] == BRUSH and params[0]["select"]["encodings"] == ["x"]
    assert spec["encoding"]["x"]["scale"]["type"] == "utc"
    assert spec["mark"]["type"] == "bar"


# --- source panel: the vectorised path equals the per-row one --------------------------


@pytest.mark.parametrize("rows", [slice(None), slice(10, 30), slice(40, 41)])
def test_large_source_summary_matches_the_per_row_one(bundled, table, rows):
    frame = table.iloc[rows]
    slow = source_summary(frame, bundled.reports).reset_index(drop=True)
    index = ReportIndex.of(table, bundled.reports)
    fast = source_summary_large(frame, bundled.reports, index, len(table), limit=1000)
    fast = fast.reset_index(drop=True)
    same = ["source", "source_type", "incidents", "reports", "first", "last", "disagrees_on"]
    pd.testing.assert_frame_equal(fast[same], slow[same], check_dtype=False)
    for a, b in zip(fast["counts_claimed"], slow["counts_claimed"], strict=True):
        assert a.split(", ") == list(dict.fromkeys(b.split(", ")))  # distinct, in order


def test_large_source_summary_caps_its_lists(big):
    dataset, table = big
    index = ReportIndex.of(table, dataset.reports)
    summary = source_summary_large(table, dataset.reports, index, len(table), limit=3)
    assert summary["counts_claimed"].str.contains(r"\+[\d,]+ more").any()
    assert summary["reports"].sum() == len(dataset.reports)


# --- columnar store --------------------------------------------------------------------


def test_store_gives_the_same_table_and_dataset(synthetic_dir, tmp_path):
    fresh = load_dataset(synthetic_dir)
    first_dataset, first = load_tables(synthetic_dir, tmp_path)  # builds the copy
    dataset, table = load_tables(synthetic_dir, tmp_path)  # reads it
    assert len(list(tmp_path.iterdir())) == 1
    want = incident_table(fresh)
    assert isinstance(table["event_type"].dtype, pd.CategoricalDtype)  # compacted
    pd.testing.assert_frame_equal(table.astype(want.dtypes.to_dict()), want)
    pd.testing.assert_frame_equal(first, table)
    assert isinstance(table["sources"].iloc[0], tuple)
    reports = dataset.reports.astype(fresh.reports.dtypes.to_dict())
    pd.testing.assert_frame_equal(reports, fresh.reports)
    assert set(dataset.incidents["incident_id"]) == set(fresh.incidents["incident_id"])
    # no shapely point per incident (~185 MB at 1M), but the same coordinates
    assert "geometry" not in dataset.incidents
    located = fresh.incidents.set_index("incident_id").geometry.dropna()
    coords = dataset.incidents.set_index("incident_id").loc[located.index]
    assert (coords["longitude"] == located.x).all() and (coords["latitude"] == located.y).all()
    again = points(dataset.incidents).dropna()
    assert again.crs == "EPSG:4326" and len(again) == len(located)
    assert dataset.version == fresh.version and dataset.problems == fresh.problems == ()


def test_store_keeps_problems_and_follows_edits(data_copy, tmp_path):
    from tests.conftest import edit_csv

    folder, store = data_copy(), tmp_path / "store"
    edit_csv(folder / "incidents.csv", 3, "event_type", "not-a-type")
    dataset, _ = load_tables(folder, store)
    again, _ = load_tables(folder, store)
    assert again.problems == dataset.problems and len(dataset.problems) >= 1
    edit_csv(folder / "incidents.csv", 3, "event_type", "detention")
    fixed, _ = load_tables(folder, store)
    assert len(list(store.iterdir())) == 2  # a new version, a new copy
    assert len(fixed.problems) < len(dataset.problems)


def test_aggregation_switch_reads_the_limit_when_called(monkeypatch):
    assert grid.aggregated(grid.DETAIL_LIMIT + 1) and not grid.aggregated(grid.DETAIL_LIMIT)
    monkeypatch.setattr(grid, "DETAIL_LIMIT", 5)
    assert grid.aggregated(6)
