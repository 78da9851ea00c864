"""Server-side aggregation for large filtered sets: a longitude/latitude degree grid.

When more than `DETAIL_LIMIT` incidents are in the period, the map shows grid cells with
counts instead of one mark per incident (and the timeline binned counts): what reaches the
browser then grows with the number of occupied cells and months, not with the incidents.

A cell is named by its size in degrees and its south-west corner, as in the URL:
``0.5/124.5/40.0`` is the cell from longitude 124.5 to 125.0 and latitude 40.0 to 40.5
(EPSG:4326; longitude first, as everywhere in code). Selecting a cell narrows the filtered
frame to the incidents whose own point lies in it (south-west edges inclusive); the map
then shows that cell at the next finer size, or its incidents once they are few enough.
Incidents without a point of their own (unlocated, or several places) are in no cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas import schema

# In-period incidents above which map and timeline aggregate. Chosen so that the detailed
# views (about 530 bytes per incident on the map as compact JSON, about 150 on the timeline)
# stay well under 1 MB per rerun.
DETAIL_LIMIT = 1_000
GRID_SIZES = (0.5, 0.05, 0.005)  # degrees: whole region, then each drill-down level
_DIGITS = 3  # decimals in a cell name; enough for the finest size


@dataclass(frozen=True)
class Cell:
    size: float
    lon: float  # south-west corner
    lat: float

    @property
    def name(self) -> str:
        return f"{self.size:g}/{self.lon:.{_DIGITS}f}/{self.lat:.{_DIGITS}f}"

    @property
    def finer(self) -> float:
        """The grid size to show inside this cell (the finest size stays the finest)."""
        finer = [s for s in GRID_SIZES if s < self.size]
        return finer[0] if finer else self.size

    def contains(self, lon: pd.Series, lat: pd.Series) -> np.ndarray:
        lon, lat = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
        eps = self.size * 1e-9  # corners are rounded names: keep edge points inside
        return (
            (lon >= self.lon - eps)
            & (lon < self.lon + self.size - eps)
            & (lat >= self.lat - eps)
            & (lat < self.lat + self.size - eps)
        )

    def centre(self) -> tuple[float, float]:
        return (self.lon + self.size / 2, self.lat + self.size / 2)


def parse_cell(text: str) -> Cell | None:
    """A cell from its name, or None when the text is not a cell of the grid."""
    parts = text.split("/")
    if len(parts) != 3:
        return None
    try:
        size, lon, lat = (float(p) for p in parts)
    except ValueError:
        return None
    if size not in GRID_SIZES or not (-180 <= lon < 180 and -90 <= lat < 90):
        return None
    for corner in (lon, lat):
        steps = corner / size
        if abs(steps - round(steps)) > 1e-6:
            return None  # not on the grid's lines
    return Cell(size, round(lon, _DIGITS), round(lat, _DIGITS))


def cell_of(lon: float, lat: float, size: float) -> Cell:
    return Cell(
        size,
        round(math.floor(lon / size) * size, _DIGITS),
        round(math.floor(lat / size) * size, _DIGITS),
    )


def distinct_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct integer keys (sorted) and how often each occurs: `np.unique(...,
    return_counts=True)`, but by counting (O(n)) when the keys span a small range."""
    if len(keys) == 0:
        return keys.astype(np.int64), np.zeros(0, dtype=np.int64)
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if span > 4 * len(keys) + 1_000_000:
        return np.unique(keys, return_counts=True)
    counts = np.bincount(keys - low, minlength=span)
    present = np.flatnonzero(counts)
    return present + low, counts[present]


def aggregated(n_in_period: int, limit: int | None = None) -> bool:
    """True when map and timeline show counts rather than individual incidents (above
    `limit`, by default `DETAIL_LIMIT` as it is at the call: the benchmark raises it to
    measure the naive approach)."""
    return n_in_period > (DETAIL_LIMIT if limit is None else limit)


def grid_cells(visible: pd.DataFrame, size: float) -> pd.DataFrame:
    """One row per occupied cell of `size` degrees: its name, corner, polygon, counts.

    Columns: cell, lon, lat (south-west corner), count, and one count column per event
    type code (`n_<code>`), then `types_text` for the tooltip. Vectorised: a million
    incidents take a few tens of milliseconds."""
    located = visible["longitude"].notna() & visible["latitude"].notna()
    lon = visible.loc[located, "longitude"].to_numpy(dtype=float)
    lat = visible.loc[located, "latitude"].to_numpy(dtype=float)
    ix = np.floor(lon / size).astype(np.int64)
    iy = np.floor(lat / size).astype(np.int64)
    types = pd.Categorical(visible.loc[located, "event_type"], categories=schema.EVENT_TYPE_CODES)
    n_types = len(schema.EVENT_TYPE_CODES)
    cell_key = (ix + 100_000) * 1_000_000 + (iy + 100_000)  # one int per cell
    keys, counts = distinct_counts(cell_key * n_types + types.codes)
    cells, slot = np.unique(keys // n_types, return_inverse=True)
    per_type = np.zeros((len(cells), n_types), dtype=np.int64)
    per_type[slot, keys % n_types] = counts
    return cell_table(cells // 1_000_000 - 100_000, cells % 1_000_000 - 100_000, per_type, size)


def cell_table(cx: np.ndarray, cy: np.ndarray, per_type: np.ndarray, size: float) -> pd.DataFrame:
    """The frame of `grid_cells` from cell indices (floor of longitude / size, latitude /
    size; sorted by cx, then cy) and counts per event type (one column per code, in
    `schema.EVENT_TYPE_CODES` order). The team database counts in SQL and shapes here."""
    out = pd.DataFrame(
        {
            "lon": np.round(cx * size, _DIGITS),
            "lat": np.round(cy * size, _DIGITS),
            "count": per_type.sum(axis=1),
        }
    )
    for i, code in enumerate(schema.EVENT_TYPE_CODES):
        out[f"n_{code}"] = per_type[:, i]
    out.insert(
        0, "cell", [Cell(size, x, y).name for x, y in zip(out["lon"], out["lat"], strict=True)]
    )
    labels = {e.code: e.label for e in schema.EVENT_TYPES}
    out["types_text"] = [
        " · ".join(
            f"{labels[c]} {n:,}" for c, n in zip(schema.EVENT_TYPE_CODES, row, strict=True) if n
        )
        for row in out[[f"n_{c}" for c in schema.EVENT_TYPE_CODES]].itertuples(index=False)
    ]
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
