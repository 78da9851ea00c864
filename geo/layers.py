"""Base-map layers: where the reference files live, and the light copies a browser draws.

The reference layers in ``geo/data/`` are Natural Earth 1:10m at about 600 m detail
(see geo/SOURCES.md). A browser map needs far less, so `build_browser_layers` writes a
derivative to ``static/geo/``: coarser, fewer properties, compact GeoJSON with
coordinates rounded to 3 decimals (about 110 m). Run ``python -m geo.layers`` after a
change to a reference layer or to the settings below; the output is deterministic.

Topology: the provinces are simplified as one polygonal coverage (GEOS coverage
simplification), countries are the union of those simplified provinces, and the border
is the shared edge of the simplified China and DPRK polygons. So country outlines,
province outlines and the border coincide exactly in the browser: no double lines, no
slivers. Only countries without a land neighbour in the box (islands: Japan, the
Philippines, Taiwan ...) are simplified further, which cannot open a gap.

All layers are WGS84 longitude/latitude (EPSG:4326), GeoJSON per RFC 7946.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
STATIC_DIR = PACKAGE_DIR.parent / "static" / "geo"

COUNTRIES_PATH = DATA_DIR / "countries.geojson"
PROVINCES_PATH = DATA_DIR / "provinces.geojson"
BORDER_PATH = DATA_DIR / "border.geojson"
RIVERS_PATH = DATA_DIR / "rivers.geojson"
CROSSINGS_PATH = DATA_DIR / "crossings.csv"
CURATED_PLACES_PATH = DATA_DIR / "curated_places.csv"
CURATED_NAMES_PATH = DATA_DIR / "curated_names.csv"

CRS = "EPSG:4326"

# Derivative settings. Tolerances are in degrees; coverage simplification removes
# triangles of roughly tolerance² area (0.05° ≈ 5 km, so about 25 km²).
PROVINCE_TOLERANCE = 0.05
ISLAND_COUNTRY_TOLERANCE = 0.1
RIVER_TOLERANCE = 0.02
BORDER_RIVER_TOLERANCE = 0.01
MAX_RIVER_SCALERANK = 6  # Natural Earth ranks rivers 0 (largest) .. 10
DECIMALS = 3
SIZE_BUDGET_BYTES = 400 * 1024  # all four derivative files together
# China, the two Koreas, and the route south named in SOURCES.md.
PROVINCE_COUNTRIES = ("CHN", "PRK", "KOR", "LAO", "VNM", "MMR", "THA")
BROWSER_FILES = ("countries.geojson", "provinces.geojson", "border.geojson", "rivers.geojson")


def read_layer(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoJSON layer; GeoJSON is EPSG:4326 by definition (RFC 7946), so say so."""
    return gpd.read_file(path).set_crs(CRS, allow_override=True)


# --- compact GeoJSON -----------------------------------------------------------------


def _round_coords(coords: Any) -> Any:
    """Round nested coordinates, dropping points that repeat the previous one."""
    if coords and isinstance(coords[0], float | int):
        return [round(float(coords[0]), DECIMALS), round(float(coords[1]), DECIMALS)]
    out: list[Any] = []
    for item in coords:
        rounded = _round_coords(item)
        if out and isinstance(rounded[0], float) and rounded == out[-1]:
            continue
        out.append(rounded)
    return out


def _compact_geometry(geometry: shapely.Geometry) -> dict[str, Any] | None:
    """GeoJSON geometry rounded to `DECIMALS`; parts that collapse are left out."""
    geometry = shapely.orient_polygons(geometry)  # RFC 7946: exterior rings anticlockwise
    kind = geometry.geom_type
    mapping = shapely.geometry.mapping(geometry)
    if kind in ("Polygon", "MultiPolygon"):
        polygons = [mapping["coordinates"]] if kind == "Polygon" else mapping["coordinates"]
        parts = []
        for polygon in polygons:
            rings = [_round_coords(ring) for ring in polygon]
            if len(rings[0]) < 4:  # the exterior collapsed: drop the whole part
                continue
            parts.append([ring for ring in rings if len(ring) >= 4])
        if not parts:
            return None
        if len(parts) == 1:
            return {"type": "Polygon", "coordinates": parts[0]}
        return {"type": "MultiPolygon", "coordinates": parts}
    if kind in ("LineString", "MultiLineString"):
        lines = [mapping["coordinates"]] if kind == "LineString" else mapping["coordinates"]
        kept = [line for line in (_round_coords(line) for line in lines) if len(line) >= 2]
        if not kept:
            return None
        if len(kept) == 1:
            return {"type": "LineString", "coordinates": kept[0]}
        return {"type": "MultiLineString", "coordinates": kept}
    raise ValueError(f"unexpected geometry type {kind}")


def _clean(value: Any) -> Any:
    """Plain JSON values: NaN/None become null, numpy scalars become Python ones."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def compact_geojson(frame: gpd.GeoDataFrame, properties: Iterable[str]) -> str:
    """Serialise `frame` as one-line GeoJSON with only `properties`, in frame order."""
    columns = list(properties)
    features = []
    for row in frame.itertuples(index=False):
        geometry = _compact_geometry(row.geometry)
        if geometry is None:
            continue
        props = {column: _clean(getattr(row, column)) for column in columns}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


# --- the derivative ------------------------------------------------------------------


def _simplified_provinces() -> gpd.GeoDataFrame:
    provinces = read_layer(PROVINCES_PATH)
    provinces["geometry"] = provinces.geometry.simplify_coverage(PROVINCE_TOLERANCE)
    return provinces


def browser_countries(simplified: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Countries as the union of the simplified provinces; islands simplified further."""
    attributes = read_layer(COUNTRIES_PATH).drop(columns="geometry")
    dissolved = simplified[["adm0_a3", "geometry"]].dissolve("adm0_a3", sort=True)
    countries = attributes.merge(
        dissolved.reset_index(), left_on="ADM0_A3", right_on="adm0_a3", how="inner"
    )
    countries = gpd.GeoDataFrame(countries, geometry="geometry", crs=CRS)
    # A country that touches no other country in the box shares no edge, so simplifying
    # it on its own cannot open a gap or an overlap.
    union = countries.geometry
    islands = [not union.drop(index=i).intersects(g).any() for i, g in union.items()]
    countries.loc[islands, "geometry"] = countries.geometry[islands].simplify_coverage(
        ISLAND_COUNTRY_TOLERANCE
    )
    countries = countries.rename(columns={"NAME": "name", "ISO_A2": "iso_a2", "ADM0_A3": "adm0"})
    return countries.sort_values("adm0", ignore_index=True)


def browser_provinces(simplified: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Provinces of `PROVINCE_COUNTRIES` only, from the simplified coverage."""
    provinces = simplified[simplified["adm0_a3"].isin(PROVINCE_COUNTRIES)]
    provinces = provinces.rename(columns={"adm0_a3": "adm0"})
    return provinces.sort_values(["adm0", "iso_3166_2", "name_en"], ignore_index=True)


def browser_border(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The China–DPRK boundary as the shared edge of the two simplified countries."""
    by_code = countries.set_index("adm0").geometry
    shared = shapely.intersection(by_code["CHN"].boundary, by_code["PRK"].boundary)
    lines = [g for g in shapely.get_parts(shared) if g.geom_type == "LineString"]
    line = shapely.line_merge(shapely.MultiLineString(lines))
    base = read_layer(BORDER_PATH).drop(columns=["geometry", "derived_from", "length_km"])
    return gpd.GeoDataFrame(base, geometry=[line], crs=CRS)


def browser_rivers() -> gpd.GeoDataFrame:
    """Major rivers (small scalerank) and the two border rivers, simplified."""
    rivers = read_layer(RIVERS_PATH)
    border_river = rivers["border_river"].notna()
    keep = (rivers["scalerank"] <= MAX_RIVER_SCALERANK) | border_river
    rivers = rivers[keep].copy()
    tolerance = border_river[keep].map({True: BORDER_RIVER_TOLERANCE, False: RIVER_TOLERANCE})
    rivers["geometry"] = [
        g.simplify(t, preserve_topology=True)
        for g, t in zip(rivers.geometry, tolerance, strict=True)
    ]
    rivers["scalerank"] = rivers["scalerank"].astype(int)
    return rivers.sort_values(["scalerank", "name", "featurecla"], ignore_index=True)


BROWSER_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "countries.geojson": ("name", "iso_a2", "adm0"),
    "provinces.geojson": ("name_en", "name_zh", "name_ko", "adm0"),
    "border.geojson": ("name", "name_zh", "name_ko", "left", "right"),
    "rivers.geojson": ("name", "name_zh", "name_ko", "scalerank", "border_river"),
}


def browser_layers() -> dict[str, str]:
    """The derivative files' names and their GeoJSON text (nothing is written)."""
    simplified = _simplified_provinces()
    countries = browser_countries(simplified)
    frames = {
        "countries.geojson": countries,
        "provinces.geojson": browser_provinces(simplified),
        "border.geojson": browser_border(countries),
        "rivers.geojson": browser_rivers(),
    }
    return {name: compact_geojson(frames[name], BROWSER_PROPERTIES[name]) for name in frames}


def build_browser_layers(out_dir: Path = STATIC_DIR) -> dict[str, int]:
    """Write the browser derivative into `out_dir`; return each file's size in bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, text in browser_layers().items():
        data = (text + "\n").encode("utf-8")
        (out_dir / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


def main() -> None:
    """Regenerate static/geo/ and print the sizes."""
    sizes = build_browser_layers()
    for name, size in sizes.items():
        print(f"{name:20s} {size / 1024:7.1f} KB")
    total = sum(sizes.values())
    print(f"{'total':20s} {total / 1024:7.1f} KB (budget {SIZE_BUDGET_BYTES / 1024:.0f} KB)")
    if total > SIZE_BUDGET_BYTES:
        raise SystemExit("over the size budget")


if __name__ == "__main__":
    main()
