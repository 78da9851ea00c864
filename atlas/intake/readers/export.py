"""The atlas's own data exports (CSV zip, GeoJSON, XLSX), read back as its four tables."""

from __future__ import annotations

from atlas.intake.table import IntakeError, RawTable


def read_export(data: bytes, fmt: str, name: str) -> RawTable:
    """The atlas's own data export (`fmt`: csv zip, geojson, xlsx): its four tables as
    they are."""
    import pandas as pd

    from atlas.export.data import ExportError
    from atlas.export.reading import read_subset

    try:
        subset = read_subset(data, fmt)
    except ExportError as exc:
        raise IntakeError(
            name,
            f"not an atlas data export: {exc}",
            "upload the ZIP, GeoJSON or XLSX the atlas exported, unchanged",
        ) from exc
    tables = {}
    for key, frame in subset.frames().items():
        frame = frame.copy()
        frame["_line"] = list(range(2, len(frame) + 2))
        tables[key] = frame
    empty = pd.DataFrame({"_line": []})
    return RawTable(name, "atlas export", empty, tables=tables)
