"""GeoJSON FeatureCollections (RFC 7946), and the atlas's own GeoJSON export.

Python's JSON parser builds the whole document, and a small file can hold many objects:
45 MB of `{},` is 16 million dicts, about 1 GB. Before parsing, the brackets and commas
are counted (an upper bound on the objects, arrays and values, since some may sit inside
strings), and a file with more than the limits allow is refused.
"""

from __future__ import annotations

import json

from atlas.intake.readers.export import read_export
from atlas.intake.readers.geometry import EMPTY, shape_cells
from atlas.intake.table import (
    DEFAULT_LIMITS,
    GEOMETRY_COLUMNS,
    GEOMETRY_PRECISION,
    IntakeError,
    Limits,
    RawTable,
    bounded_cell,
    make_frame,
    text,
)
from atlas.validation import Problem

CONTAINERS_PER_ROW = 5  # a feature, its geometry, coordinates, properties, and one more


def _check_counts(data: bytes, name: str, limits: Limits) -> None:
    containers = data.count(b"{") + data.count(b"[")
    values = data.count(b",")
    most = limits.max_rows * CONTAINERS_PER_ROW
    if containers > most or values > limits.max_cells:
        what = (
            f"{containers:,} objects and lists (over {most:,})"
            if containers > most
            else f"{values:,} values (over {limits.max_cells:,})"
        )
        raise IntakeError(
            name,
            f"the GeoJSON holds {what}: more than the importer reads into memory",
            "simplify the geometries (points or simpler polygons) or split the file",
        )


def geometry_cells(geometry: dict | None) -> tuple[dict[str, str], str | None]:
    """The geometry columns for a GeoJSON geometry, or an error message."""
    import shapely.geometry

    if geometry is None:
        return dict(EMPTY), None
    if not isinstance(geometry, dict) or "type" not in geometry:
        return {}, "the geometry is not a GeoJSON geometry object"
    if (bad := _not_number(geometry.get("coordinates", []))) is not None:
        # RFC 7946 positions are numbers; shapely would turn "124.39" into one silently.
        return {}, f"the {geometry['type']} geometry has a coordinate that is not a number ({bad})"
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        return {}, f"the {geometry.get('type')} geometry is malformed ({exc})"
    return shape_cells(shape)


def _not_number(coordinates: object) -> str | None:
    """repr of the first value in nested GeoJSON coordinates that is not a number."""
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, bool) or not isinstance(item, int | float):
            return repr(item)[:40]
    return None


def geo_rows(
    name: str,
    fmt: str,
    records: list[tuple[dict, dict[str, str], str | None]],
    limits: Limits = DEFAULT_LIMITS,
) -> RawTable:
    """(properties, geometry cells, geometry error) per feature → RawTable. The geometry
    columns come only when some feature has a geometry (else `lat`/`lon` properties are
    the coordinates), `geometry_precision` only when some feature is an area."""
    columns: list[str] = []
    for properties, _, _ in records:
        for key in properties:
            if key not in columns:
                columns.append(key)
    located = any(cells.get("geometry_type") or error for _, cells, error in records)
    geometry = list(GEOMETRY_COLUMNS) if located else []
    if any(cells.get(GEOMETRY_PRECISION) for _, cells, _ in records):
        geometry.append(GEOMETRY_PRECISION)
    problems, rows = [], []
    for number, (properties, cells, error) in enumerate(records, start=1):
        if error:
            problems.append(
                Problem(
                    name,
                    number,
                    "geometry",
                    "",
                    error,
                    "fix the geometry in a GIS (give a Point, or a Polygon of the area), or "
                    "remove it and give a place name",
                )
            )
            cells = EMPTY
        row = [
            bounded_cell(name, number, c, text(properties.get(c)), limits, problems)
            for c in columns
        ]
        rows.append(row + [cells[c] for c in geometry])
    frame = make_frame(name, columns + geometry, rows, list(range(1, len(rows) + 1)))
    return RawTable(name, fmt, frame, problems=problems)


def read_geojson(data: bytes, name: str, limits: Limits) -> RawTable:
    _check_counts(data, name, limits)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntakeError(
            name,
            f"not valid JSON ({exc})",
            "export the layer again as GeoJSON (UTF-8)",
        ) from exc
    except RecursionError as exc:  # the JSON parser's own limit on nested arrays/objects
        raise IntakeError(
            name,
            "not valid GeoJSON: arrays or objects are nested too deeply to read",
            "export the layer again as GeoJSON from a GIS",
        ) from exc
    if not isinstance(document, dict):
        raise IntakeError(name, "not a GeoJSON object", "export the layer again as GeoJSON")
    if document.get("type") == "FeatureCollection" and "documents" in document:
        return read_export(data, "geojson", name)
    if document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    features = document.get("features")
    if document.get("type") != "FeatureCollection":
        raise IntakeError(
            name,
            "not a GeoJSON FeatureCollection",
            "export the layer as a GeoJSON FeatureCollection",
        )
    if not isinstance(features, list):
        raise IntakeError(
            name,
            'the FeatureCollection has no "features" list',
            "export the layer again as GeoJSON; it must list its features",
        )
    crs = json.dumps(document.get("crs") or "")
    if document.get("crs") and "CRS84" not in crs and "4326" not in crs:
        raise IntakeError(
            name,
            f"the coordinates are in {crs[:80]}, not longitude/latitude (EPSG:4326)",
            "export the layer in EPSG:4326 (WGS 84), as RFC 7946 requires",
        )
    if len(features) > limits.max_rows:
        raise IntakeError(
            name,
            f"the file has {len(features):,} rows, over the {limits.max_rows:,}-row limit",
            "split it into smaller files and import them one at a time",
        )
    records = []
    for index, feature in enumerate(features):
        features[index] = None  # its geometry is freed once read: the peak stays the document
        if not isinstance(feature, dict):
            records.append(({}, {}, "the feature is not a GeoJSON object"))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        cells, error = geometry_cells(feature.get("geometry"))
        records.append((properties, cells, error))
    if not records:
        raise IntakeError(name, "the FeatureCollection has no features", "add features")
    return geo_rows(name, "GeoJSON", records, limits)
