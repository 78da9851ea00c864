"""GeoPackage and GeoParquet: a layer of features read through GDAL or Arrow.

Each is sized from its own metadata before a feature is read: a GeoPackage layer's
feature and field counts (`pyogrio.read_info`), a Parquet file's rows, columns and
unpacked column sizes (its footer), and a text column stored as a dictionary is measured
as it would unpack (a few kilobytes can hold a string repeated five million times). A
layer in another CRS is transformed to EPSG:4326; one that cannot be is refused, saying
so. The first layer with features is read unless another is named (`layer`).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from atlas.intake.readers.geojson import geo_rows
from atlas.intake.readers.geometry import EMPTY, shape_cells
from atlas.intake.table import IntakeError, Limits, RawTable, check_shape, layer_note, size_text


def _to_lonlat(frame, name: str):
    """The frame in EPSG:4326 (longitude, latitude), or IntakeError."""
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return frame
    try:
        if frame.crs.to_epsg() == 4326:
            return frame
        moved = frame.to_crs("EPSG:4326")  # stated CRS → longitude/latitude
        coords = moved.geometry.get_coordinates()
        if len(coords) and not coords.abs().le(360).all().all():
            raise ValueError("the transformed coordinates are not longitudes and latitudes")
        return moved
    except Exception as exc:  # pyproj raises several types (CRSError, ProjError, …)
        crs_name = getattr(frame.crs, "name", "") or str(frame.crs)[:60]
        raise IntakeError(
            name,
            f"the layer's coordinate reference system ({crs_name}) cannot be transformed to "
            f"longitude/latitude (EPSG:4326): {str(exc)[:120].rstrip('.')}",
            "reproject the layer to EPSG:4326 (WGS 84) in a GIS and export it again",
        ) from exc


def _from_geodataframe(frame, name: str, fmt: str, limits: Limits) -> RawTable:
    import geopandas as gpd

    frame = _to_lonlat(frame, name)
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    attributes = frame.drop(columns=[geometry.name]) if geometry is not None else frame
    records = []
    for position, properties in enumerate(attributes.to_dict("records")):
        if geometry is None:
            records.append((properties, dict(EMPTY), None))
        else:
            records.append((properties, *shape_cells(geometry.iloc[position])))
    if not records:
        raise IntakeError(name, "the layer has no features", "choose the layer with data")
    return geo_rows(name, fmt, records, limits)


def read_gpkg(data: bytes, name: str, limits: Limits, layer: str | None = None) -> RawTable:
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="atlas-import-") as folder:  # mode 0700
        path = Path(folder) / "upload.gpkg"
        path.write_bytes(data)
        try:
            layers = [str(row[0]) for row in pyogrio.list_layers(path)]
            sizes = {n: pyogrio.read_info(path, layer=n) for n in layers if n == layer or not layer}
        except Exception as exc:  # GDAL errors come in several types
            raise _gdal_error(exc, path, name) from exc
        if layer is not None and layer not in layers:
            raise IntakeError(
                name,
                f"the GeoPackage has no layer {layer!r}; its layers are "
                + ", ".join(repr(n) for n in layers),
                "choose one of its layers",
            )
        chosen = layer or next((n for n in layers if sizes[n]["features"] != 0), None)
        if chosen is None:
            raise IntakeError(name, "the layer has no features", "choose the layer with data")
        info = sizes[chosen]
        check_shape(name, max(info["features"], 0), len(info["fields"]), limits)
        try:
            frame = pyogrio.read_dataframe(path, layer=chosen, max_features=limits.max_rows + 1)
        except Exception as exc:
            raise _gdal_error(exc, path, name) from exc
    table = _from_geodataframe(frame, name, "GeoPackage", limits)
    table.layers, table.layer = layers, chosen
    empty = [n for n in layers[: layers.index(chosen)] if not layer]
    others = [n for n in layers if n != chosen and n not in empty]
    table.notes.append(layer_note("layer", chosen, empty, others))
    return table


def _gdal_error(exc: Exception, path: Path, name: str) -> IntakeError:
    reason = str(exc).replace(str(path), name)  # not the server's temporary path
    return IntakeError(
        name,
        f"the GeoPackage cannot be read ({type(exc).__name__}: {reason[:120]})",
        "save it again from the GIS, or export the layer as GeoJSON",
    )


def _check_parquet(data: bytes, name: str, limits: Limits) -> None:
    """Rows, columns and unpacked sizes from the footer; dictionary text as it unpacks."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(io.BytesIO(data))
    meta = source.metadata
    check_shape(name, meta.num_rows, len(source.schema_arrow), limits)
    unpacked = sum(
        meta.row_group(g).column(c).total_uncompressed_size
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    )
    texts = [f.name for f in source.schema_arrow if _is_text(f.type)]
    if texts and unpacked <= limits.max_unzipped_bytes:
        # read_dictionary: the indices and the dictionary, never the values repeated
        encoded = pq.ParquetFile(io.BytesIO(data), read_dictionary=texts)
        for column in encoded.read(columns=texts).columns:
            for chunk in column.chunks:
                if isinstance(chunk, pa.DictionaryArray):
                    lengths = pc.binary_length(chunk.dictionary).take(chunk.indices)
                    unpacked += pc.sum(lengths).as_py() or 0
    if unpacked > limits.max_unzipped_bytes:
        raise IntakeError(
            name,
            f"the Parquet file unpacks to {size_text(unpacked)}, over the "
            f"{size_text(limits.max_unzipped_bytes)} limit",
            "split it into smaller files",
        )


def _is_text(kind) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_string(kind)


def read_parquet(data: bytes, name: str, limits: Limits) -> RawTable:
    import geopandas as gpd
    import pandas as pd

    try:
        _check_parquet(data, name, limits)
        try:
            frame = gpd.read_parquet(io.BytesIO(data))
        except ValueError:  # plain Parquet without geo metadata: attributes only
            frame = pd.read_parquet(io.BytesIO(data))
    except IntakeError:
        raise
    except Exception as exc:  # Arrow raises several types for damaged files
        raise IntakeError(
            name,
            f"the Parquet file cannot be read ({type(exc).__name__})",
            "write it again (GeoParquet 1.x), or export the layer as GeoJSON",
        ) from exc
    return _from_geodataframe(frame, name, "GeoParquet", limits)
