"""The bundled dataset: loads clean, covers what the documents describe, keeps uncertainty."""

from __future__ import annotations

import pytest

from atlas import schema
from atlas.coordinates import resolve_basis
from atlas.loading import load_dataset
from atlas.paths import BUNDLED_DATA_DIR as DATA_DIR


def test_bundled_dataset_loads_with_zero_problems():
    dataset = load_dataset(DATA_DIR, strict=True)  # raises DatasetError listing any problem
    assert len(dataset.incidents) > 0 and len(dataset.reports) >= len(dataset.incidents)
    assert dataset.incidents.crs.to_epsg() == 4326
    assert len(dataset.version) == 12


def test_every_event_type_is_used(bundled):
    assert set(bundled.incidents["event_type"]) == set(schema.EVENT_TYPE_CODES)


@pytest.mark.parametrize("year", [2012, 2013, 2021, 2022, 2023, 2024])
def test_people_events_are_covered_for_each_year_the_documents_report(bundled, year):
    frame = bundled.incidents
    in_year = frame[frame["date_start"].dt.year == year]
    assert in_year["event_type"].isin(schema.PEOPLE_EVENT_TYPES).any()


def test_every_coordinate_follows_from_its_stated_basis(bundled):
    for frame in (bundled.incidents, bundled.places):
        located = frame[frame["latitude"].notna()]
        assert len(located) > 0
        for rec in located.to_dict("records"):
            lon, lat = resolve_basis(rec["coord_basis"])
            assert (rec["longitude"], rec["latitude"]) == pytest.approx((lon, lat), abs=1e-4), rec


def test_uncertainty_is_kept_as_data(bundled):
    by_id = bundled.incidents.set_index("incident_id")
    kunming = by_id.loc["2013-11-15-kunming-detention"]
    assert (kunming.people_min, kunming.people_max) == (13, 15)
    early_feb = by_id.loc["2012-02-liaoning-jilin-detentions"]
    assert early_feb.people_min == 24 and early_feb.people_max is __import__("pandas").NA
    assert early_feb.date_precision == "month_part" and early_feb.date_start != early_feb.date_end
    approx = by_id.loc["2012-03-repatriation-approx-30"]
    assert approx.people_qualifier == "approximate" and approx.people_text == "approximately 30"
    assert approx.status == "disputed"
    assert by_id.loc["2013-11-07-detention-near-beijing"].geo_precision == "near"


def test_disagreeing_sources_are_separate_reports(bundled):
    reports = bundled.reports[bundled.reports["incident_id"] == "2013-11-15-kunming-detention"]
    claimed = set(zip(reports["people_min"].dropna(), reports["people_max"].dropna(), strict=True))
    assert (13, 13) in claimed and (15, 15) in claimed


def test_multi_place_incident_is_mapped_per_place_and_counted_once(bundled):
    incident = "2013-11-02-detentions-shenyang-yanji-dandong"
    places = bundled.places[bundled.places["incident_id"] == incident]
    assert sorted(places["location_name"]) == ["Dandong", "Shenyang", "Yanji"]
    assert places.geometry.notna().all()
    row = bundled.incidents.set_index("incident_id").loc[incident]
    assert row.geo_precision == "multiple" and row.people_min == 17
    assert "people_min" not in bundled.places.columns  # counts live on the incident only


def test_movements_have_origin_and_destination(bundled):
    # Only a movement whose end the document names is drawn as one: the Dandong buses were
    # 'taken across the Yalu River', which names no place of arrival.
    movements = set(bundled.places.loc[bundled.places["role"] != "site", "incident_id"])
    assert movements == {"2013-11-kunming-liaoning-transfer"}
    roles = set(bundled.places.loc[bundled.places["incident_id"].isin(movements), "role"])
    assert roles == {"origin", "destination"}


def test_every_report_document_is_listed(bundled):
    assert set(bundled.reports["document"]) <= set(bundled.documents["document"])
    assert len(bundled.documents) == 5


def test_coordinates_are_float_even_when_every_value_read_is_whole():
    """A database's answer of a few places may hold only whole coordinates ("41"): typed as
    the files' whole table is (float64), not int64, so answers put together agree."""
    import pandas as pd

    from atlas.loading import _typed

    rows = pd.DataFrame(
        {"latitude": ["41", ""], "longitude": ["124", "125"], "people_min": "", "people_max": ""}
    )
    typed = _typed(rows, dates=False)
    assert typed["latitude"].dtype == typed["longitude"].dtype == "float64"
    assert typed["latitude"].isna().tolist() == [False, True]
