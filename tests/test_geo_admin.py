"""Admin-1 units: point-in-polygon, label matching, consistency checks, representative
points. Coordinates are (lon, lat), EPSG:4326, taken from geo/data/curated_places.csv."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo.admin import (
    assign_admin1,
    check_admin1,
    find_provinces,
    load_provinces,
    representative_point,
)
from geo.layers import CURATED_PLACES_PATH

FIXTURES = Path(__file__).parent / "fixtures" / "geo"


@pytest.fixture(scope="module")
def curated() -> pd.DataFrame:
    return pd.read_csv(CURATED_PLACES_PATH, dtype={"geonameid": "Int64"}).set_index("place_id")


def lonlat(curated: pd.DataFrame, place_id: str) -> tuple[float, float]:
    row = curated.loc[place_id]
    return float(row["longitude"]), float(row["latitude"])


def test_provinces_are_wgs84_and_keyed_by_name_en() -> None:
    provinces = load_provinces()
    assert provinces.crs.to_epsg() == 4326
    assert {"name", "name_en", "name_zh", "name_ko", "iso_a2", "adm0_a3"} <= set(provinces)


@pytest.mark.parametrize(
    ("name_en", "iso_a2"),
    [
        ("Liaoning", "CN"),
        ("Jilin", "CN"),
        ("Heilongjiang", "CN"),
        ("Yunnan", "CN"),
        ("Beijing", "CN"),
        ("Zhejiang", "CN"),
        ("North Pyongan", "KP"),
        ("Ryanggang", "KP"),
        ("North Hamgyong", "KP"),
        ("Chagang", "KP"),
        ("Pyongyang", "KP"),
        ("Seoul", "KR"),
    ],
)
def test_province_names_used_by_the_project_exist(name_en: str, iso_a2: str) -> None:
    match = load_provinces().query("name_en == @name_en")
    assert list(match["iso_a2"]) == [iso_a2]


@pytest.mark.parametrize(
    ("place_id", "expected"),
    [("dandong", "Liaoning"), ("yanji", "Jilin"), ("kunming", "Yunnan"), ("seoul", "Seoul")],
)
def test_assign_admin1(curated: pd.DataFrame, place_id: str, expected: str) -> None:
    lon, lat = lonlat(curated, place_id)
    assert assign_admin1([lon], [lat]) == [expected]


def test_assign_admin1_takes_longitudes_first(curated: pd.DataFrame) -> None:
    lon, lat = lonlat(curated, "dandong")
    assert assign_admin1([lat], [lon]) == [None]  # (40.1 E, 124.4 N) is nowhere


def test_assign_admin1_many_points_keep_their_order(curated: pd.DataFrame) -> None:
    ids = ["kunming", "dandong", "geneva", "yanji"]
    lons, lats = zip(*(lonlat(curated, i) for i in ids), strict=True)
    assert assign_admin1(lons, lats) == ["Yunnan", "Liaoning", None, "Jilin"]


def test_missing_coordinates_get_none() -> None:
    assert assign_admin1([math.nan, 124.3947], [40.1292, math.nan]) == [None, None]
    assert assign_admin1([], []) == []


def test_border_town_needs_its_country(curated: pd.DataFrame) -> None:
    """Hyesan's GeoNames point lies in the Jilin polygon: the Yalu is the border."""
    lon, lat = lonlat(curated, "hyesan")
    assert assign_admin1([lon], [lat]) == ["Jilin"]
    assert assign_admin1([lon], [lat], country="KP") == [None]
    assert assign_admin1([lon], [lat], country="KP", tolerance=0.05) == ["Ryanggang"]


def test_country_per_point() -> None:
    with pytest.raises(ValueError, match="2 countries for 1 points"):
        assign_admin1([124.4], [40.1], country=["CN", "KP"])


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Jilin", ["Jilin"]),
        ("jilin sheng", ["Jilin"]),
        ("Jilin Province", ["Jilin"]),
        ("吉林省", ["Jilin"]),
        ("지린성", ["Jilin"]),
        ("P'yŏngan-bukto", ["North Pyongan"]),
        ("Pyongan-bukto", ["North Pyongan"]),
        ("Pyonganbuk-do", ["North Pyongan"]),
        ("Hamgyong-bukto", ["North Hamgyong"]),
        ("Yanggang", ["Ryanggang"]),
        ("KP-04", ["Chagang"]),
        ("서울", ["Seoul"]),
        ("Atlantis", []),
    ],
)
def test_find_provinces(label: str, expected: list[str]) -> None:
    assert find_provinces(label) == expected


def test_find_provinces_reports_every_reading() -> None:
    assert sorted(find_provinces("강원도")) == ["Gangwon", "Kangwon"]
    assert find_provinces("강원도", country="KP") == ["Kangwon"]


def test_check_admin1_against_fixture() -> None:
    rows = pd.read_csv(FIXTURES / "admin1_rows.csv", dtype=str, keep_default_na=False)
    frame = rows.replace("", None).astype({"longitude": float, "latitude": float})
    mismatches = {m.row_id: m for m in check_admin1(frame, id_col="row_id", country_col="country")}
    for row in rows.itertuples():
        if row.expect in ("ok", "skipped"):
            assert row.row_id not in mismatches, row.row_id
        else:
            mismatch = mismatches[row.row_id]
            assert mismatch.reason == row.expect
            assert mismatch.admin1 == row.admin1
            assert mismatch.found == (row.found or None)
    assert mismatches["atlantis"].distance_deg is None
    assert mismatches["dandong-claims-jilin"].distance_deg > 0.05


def test_check_admin1_uses_the_index_without_id_col() -> None:
    frame = pd.DataFrame(
        {"longitude": [124.3947, None], "latitude": [40.1292, 40.0], "admin1": ["Yunnan"] * 2},
        index=["a", "b"],
    )
    (mismatch,) = check_admin1(frame)
    assert (mismatch.row_id, mismatch.found, mismatch.reason) == ("a", "Liaoning", "outside")


def test_curated_places_lie_in_the_admin1_they_name(curated: pd.DataFrame) -> None:
    assert check_admin1(curated.reset_index(), id_col="place_id", country_col="country") == []


@pytest.mark.parametrize("name", ["Liaoning", "North Hamgyong", "Yunnan"])
def test_representative_point_of_a_province_is_inside_it(name: str) -> None:
    lon, lat = representative_point("admin1", name)
    assert assign_admin1([lon], [lat]) == [name]


def test_representative_point_of_a_union_is_inside_the_union() -> None:
    lon, lat = representative_point("admin1", ["Liaoning", "Jilin", "Heilongjiang"])
    assert assign_admin1([lon], [lat])[0] in {"Liaoning", "Jilin", "Heilongjiang"}


def test_representative_point_of_a_country() -> None:
    lon, lat = representative_point("admin0", "PRK")
    provinces = load_provinces()
    prk = shapely.union_all(provinces.geometry[provinces["adm0_a3"] == "PRK"].values)
    assert prk.contains(shapely.Point(lon, lat))


@pytest.mark.parametrize(("kind", "name"), [("admin1", "Atlantis"), ("admin0", "XXX")])
def test_representative_point_rejects_unknown_units(kind: str, name: str) -> None:
    with pytest.raises(ValueError, match="matches 0 features"):
        representative_point(kind, name)  # type: ignore[arg-type]
