"""Base layers, the browser derivative in static/geo/, crossings, and their documentation."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.crossings import crossing_slug, load_crossings
from geo.layers import (
    BORDER_PATH,
    BROWSER_FILES,
    BROWSER_PROPERTIES,
    COUNTRIES_PATH,
    DATA_DIR,
    PACKAGE_DIR,
    PROVINCE_COUNTRIES,
    PROVINCES_PATH,
    RIVERS_PATH,
    SIZE_BUDGET_BYTES,
    STATIC_DIR,
    build_browser_layers,
    read_layer,
)

# A metric CRS for distances near the China–DPRK border (UTM zone 52N; the border spans
# zones 51 and 52, where the scale error stays far below the 0.5 km tested).
METRIC_CRS = "EPSG:32652"


@pytest.mark.parametrize(
    ("path", "features"),
    [(COUNTRIES_PATH, 20), (PROVINCES_PATH, 443), (BORDER_PATH, 1), (RIVERS_PATH, 151)],
)
def test_reference_layers(path: Path, features: int) -> None:
    frame = read_layer(path)
    assert frame.crs.to_epsg() == 4326
    assert len(frame) == features
    assert frame.geometry.is_valid.all()


def load_static(name: str) -> dict:
    return json.loads((STATIC_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", BROWSER_FILES)
def test_browser_layer_parses_with_only_its_properties(name: str) -> None:
    collection = load_static(name)
    assert collection["type"] == "FeatureCollection"
    assert collection["features"]
    for feature in collection["features"]:
        assert tuple(feature["properties"]) == BROWSER_PROPERTIES[name]
    frame = gpd.read_file(STATIC_DIR / name)
    assert frame.geometry.notna().all() and not frame.geometry.is_empty.any()


@pytest.mark.parametrize("name", BROWSER_FILES)
def test_browser_layer_is_compact(name: str) -> None:
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    assert "\n" not in text.rstrip("\n") and ": " not in text[:2000]
    assert not re.search(r"\d\.\d{4,}", text), "coordinates are rounded to 3 decimals"


def test_browser_layers_fit_the_budget() -> None:
    total = sum((STATIC_DIR / name).stat().st_size for name in BROWSER_FILES)
    assert total < SIZE_BUDGET_BYTES


def test_browser_layers_are_regenerated_identically(tmp_path: Path) -> None:
    sizes = build_browser_layers(tmp_path)
    assert set(sizes) == set(BROWSER_FILES)
    for name in BROWSER_FILES:
        assert (tmp_path / name).read_bytes() == (STATIC_DIR / name).read_bytes(), name


def test_browser_provinces_cover_the_route_countries_only() -> None:
    provinces = gpd.read_file(STATIC_DIR / "provinces.geojson")
    assert set(provinces["adm0"]) == set(PROVINCE_COUNTRIES)
    # simplified as one coverage: neighbours still share edges, no overlaps
    assert shapely.coverage_is_valid(shapely.make_valid(provinces.geometry.values))


def test_browser_border_is_an_edge_of_both_countries() -> None:
    """The border, country and province outlines coincide: every border vertex is a
    vertex of the China and the DPRK polygons in the derivative."""
    countries = gpd.read_file(STATIC_DIR / "countries.geojson").set_index("adm0")
    border = gpd.read_file(STATIC_DIR / "border.geojson").geometry.iloc[0]
    border_vertices = {tuple(c) for c in shapely.get_coordinates(border)}
    for code in ("CHN", "PRK"):
        vertices = {tuple(c) for c in shapely.get_coordinates(countries.geometry[code])}
        assert border_vertices <= vertices, code
    assert border.length > 8  # degrees; the whole line, not a fragment


def test_border_rivers_are_kept() -> None:
    rivers = gpd.read_file(STATIC_DIR / "rivers.geojson")
    assert {"Yalu", "Tumen"} <= set(rivers["name"])
    assert set(rivers.loc[rivers["name"].isin(["Yalu", "Tumen"]), "border_river"]) == {"CHN-PRK"}


# --- crossings ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crossings() -> gpd.GeoDataFrame:
    frame = load_crossings()
    # latitude, longitude columns: points_from_xy takes x = longitude first
    points = gpd.points_from_xy(frame["longitude"], frame["latitude"])
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def test_located_crossings_lie_on_the_border(crossings: gpd.GeoDataFrame) -> None:
    """SOURCES.md: 7 of 8 exactly on border.geojson, Kaishantun–Sambong 70 m off."""
    border = read_layer(BORDER_PATH).to_crs(METRIC_CRS).geometry.iloc[0]
    located = crossings[crossings["located"]].to_crs(METRIC_CRS)
    assert len(located) == 8
    distances = located.distance(border)
    assert (distances < 500).all(), distances.round().to_dict()


def test_unlocated_crossing_is_kept_and_flagged(crossings: gpd.GeoDataFrame) -> None:
    row = crossings.set_index("crossing_id").loc["quanhe-wonjong"]
    assert not row["located"]
    assert row[["latitude", "longitude"]].isna().all()


def test_crossing_columns(crossings: gpd.GeoDataFrame) -> None:
    assert list(crossings.columns[:2]) == ["crossing_id", "name"]
    assert crossings["crossing_id"].is_unique
    assert crossings.loc[crossings["verify"], "crossing_id"].tolist() == ["kaishantun-sambong"]
    assert crossings["located"].tolist() == crossings["latitude"].notna().tolist()
    assert crossing_slug("Ji'an (Jilin)", "Manpo") == "jian-manpo"
    assert "dandong-sinuiju" in set(crossings["crossing_id"])


# --- documentation and layering ---------------------------------------------------------


def test_every_data_file_is_documented() -> None:
    sources = (PACKAGE_DIR / "SOURCES.md").read_text(encoding="utf-8")
    root = PACKAGE_DIR.parent
    files = [p for folder in (DATA_DIR, STATIC_DIR) for p in folder.iterdir() if p.is_file()]
    assert files
    undocumented = [p for p in files if f"`{p.relative_to(root).as_posix()}`" not in sources]
    assert not undocumented, f"add to geo/SOURCES.md: {undocumented}"
    assert "GeoNames" in sources and "CC BY 4.0" in sources


def test_geo_never_imports_streamlit() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "streamlit" for n in names), path.name
