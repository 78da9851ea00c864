"""What a feature's geometry becomes in the table: a point, its type, and for an area a
precision. Coordinates are longitude, latitude (EPSG:4326), x = longitude.

- A Point is itself (precision left to the file: `geo_precision`, else the importer's).
- A Polygon or MultiPolygon is an area: its representative point (always inside it, unlike
  a centroid) and an area precision from its size (`AREA_PRECISIONS`). A polygon whose
  longitudes span more than 180° crosses the antimeridian (RFC 7946 §3.1.9 would split
  it): it is read with negative longitudes shifted by 360°, so that its point is inside it
  rather than at longitude 0.
- Lines, MultiPoints and collections are not one place: the feature is reported and its
  geometry is not used, never silently reduced to a point.
"""

from __future__ import annotations

import math

from atlas.intake.table import GEOMETRY_COLUMNS, GEOMETRY_PRECISION, text

COLUMNS = (*GEOMETRY_COLUMNS, GEOMETRY_PRECISION)
EMPTY = dict.fromkeys(COLUMNS, "")
AREAS = ("Polygon", "MultiPolygon")
# (largest radius in km of a circle of the same area, precision): the radii of
# `atlas.schema.GEO_PRECISIONS` for city and near, then an admin-1 area, then larger.
AREA_PRECISIONS = ((10.0, "city"), (50.0, "near"), (400.0, "province"), (math.inf, "region"))
KM_PER_DEGREE = 111.32


def area_precision(shape) -> str:
    """The precision of an area from its size: the radius of a circle of equal area."""
    lat = shape.representative_point().y
    km2 = shape.area * KM_PER_DEGREE**2 * max(math.cos(math.radians(lat)), 0.01)
    radius = math.sqrt(km2 / math.pi)
    return next(code for limit, code in AREA_PRECISIONS if radius <= limit)


def _unwrap(shape):
    """An area across the antimeridian, its negative longitudes shifted by +360°."""
    import shapely

    west, _, east, _ = shape.bounds
    if east - west <= 180:
        return shape, False
    return shapely.transform(shape, lambda xy: xy + [[360, 0]] * (xy[:, :1] < 0)), True


def shape_cells(shape) -> tuple[dict[str, str], str | None]:
    """The geometry columns for a shapely geometry, or an error message."""
    import shapely

    if shape is None or shape.is_empty:
        return dict(EMPTY), None
    kind = shape.geom_type
    if kind not in ("Point", *AREAS):
        what = {
            "LineString": "a line",
            "MultiLineString": "lines",
            "LinearRing": "a line",
            "MultiPoint": "several points",
            "GeometryCollection": "a collection of geometries",
        }.get(kind, kind)
        return {}, (
            f"the {kind} geometry is {what}, not one place: the atlas maps a point or an "
            "area, and does not reduce it to one point silently"
        )
    coords = shapely.get_coordinates(shape)
    if not all(math.isfinite(v) for v in coords.ravel()):
        return {}, "the geometry has coordinates that are not numbers"
    if kind == "Point":
        point, precision = shape, ""
    else:
        shape, shifted = _unwrap(shape)
        if not shape.is_valid:
            reason = shapely.is_valid_reason(shape)
            return {}, f"the {kind} geometry is invalid ({reason})"
        point, precision = shape.representative_point(), area_precision(shape)
        if shifted and point.x > 180:
            point = shapely.Point(point.x - 360, point.y)
    return {
        "geometry_longitude": text(round(point.x, 6)),  # x = longitude (EPSG:4326)
        "geometry_latitude": text(round(point.y, 6)),
        "geometry_type": kind,
        GEOMETRY_PRECISION: precision,
    }, None
