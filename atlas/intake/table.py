"""What every reader returns and how it refuses: the table read, its limits, its errors.

The readers (`atlas.intake.readers`) share this contract; `atlas.intake.formats` picks the
reader for a file. Limits are checked while a file is read, never after: a reader stops at
the first row or column past a limit, so memory stays bounded by the limits, not by what a
file declares or unpacks to.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from atlas.validation import Problem

GEOMETRY_COLUMNS = ("geometry_longitude", "geometry_latitude", "geometry_type")
GEOMETRY_PRECISION = "geometry_precision"  # an area's precision (province, region…)


@dataclass(frozen=True)
class Limits:
    """What an upload may be. A larger file is refused with a message saying so."""

    max_bytes: int = 50 * 2**20
    max_rows: int = 200_000
    max_columns: int = 500
    # rows × columns: 200,000 rows of 20 columns. Each cell is a Python string (about 56
    # bytes for a short one): 4 million distinct cells read from CSV peaked at ~470 MB.
    max_cells: int = 4_000_000
    max_unzipped_bytes: int = 500 * 2**20  # XLSX and ZIP: against decompression bombs
    max_cell_bytes: int = 128 * 2**10  # one cell; a longer one is a problem for its row


DEFAULT_LIMITS = Limits()


class IntakeError(Exception):
    """The file cannot be read at all; `problem` says what and how to fix it."""

    def __init__(self, file: str, message: str, fix: str, column: str = "", value: str = ""):
        self.problem = Problem(file, None, column, value, message, fix)
        super().__init__(str(self.problem))


@dataclass
class RawTable:
    """A flat table as read: original column names, every value a string, and `_line`.
    `layers`: the sheets of a workbook or layers of a GeoPackage, `layer` the one read."""

    file: str
    format: str
    frame: pd.DataFrame
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # row-level reading problems
    tables: dict[str, pd.DataFrame] | None = None  # an atlas export: the four tables
    layers: list[str] = field(default_factory=list)
    layer: str | None = None

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "_line"]


def text(value: object) -> str:
    """A cell value as text: 13.0 -> '13', 40.1292 -> '40.1292', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | pd.Timestamp):
        if pd.isna(value):
            return ""
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def size_text(n: int) -> str:
    """Bytes for people: '51.2 MB', '512 KB', '900 bytes' (never '0 MB')."""
    if n >= 2**30:
        return f"{n / 2**30:.1f}".removesuffix(".0") + " GB"
    if n >= 2**20:
        return f"{n / 2**20:.1f}".removesuffix(".0") + " MB"
    if n >= 2**10:
        return f"{n / 2**10:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


def too_many_rows(file: str, rows: int, limits: Limits, more: bool = False) -> IntakeError:
    """`more`: the reader stopped at the limit, so the file has at least `rows`."""
    count = f"over {limits.max_rows:,}" if more else f"{rows:,}"
    return IntakeError(
        file,
        f"the file has {count} rows, over the {limits.max_rows:,}-row limit",
        "split it into smaller files and import them one at a time",
    )


def too_many_columns(file: str, columns: int, limits: Limits, more: bool = False) -> IntakeError:
    count = f"over {limits.max_columns:,}" if more else f"{columns:,}"
    return IntakeError(
        file,
        f"the file has {count} columns, over the {limits.max_columns:,} limit",
        "remove the columns you do not need",
    )


def too_many_cells(file: str, rows: int, columns: int, limits: Limits) -> IntakeError:
    return IntakeError(
        file,
        f"the file has {rows:,} rows of {columns:,} columns, over the limit of "
        f"{limits.max_cells:,} cells",
        "remove the columns you do not need, or split the rows into smaller files",
    )


def check_shape(file: str, rows: int, columns: int, limits: Limits) -> None:
    """Refuse a table by its declared or counted shape, before its cells are read."""
    if rows > limits.max_rows:
        raise too_many_rows(file, rows, limits)
    if columns > limits.max_columns:
        raise too_many_columns(file, columns, limits)
    if rows * columns > limits.max_cells:
        raise too_many_cells(file, rows, columns, limits)


def long_cell(file: str, line: int, column: str, cell: str, limits: Limits) -> Problem:
    """A cell over `max_cell_bytes`: one problem for its row, not the whole file."""
    return Problem(
        file,
        line,
        column,
        cell[:80],
        f"the cell holds {size_text(len(cell.encode('utf-8')))} of text, over the "
        f"{size_text(limits.max_cell_bytes)} a cell may hold (a missing closing quote, or "
        "a whole document pasted into one cell)",
        "shorten the cell, or check the row for a quote that is never closed",
    )


KEEP_OF_LONG_CELL = 1000  # characters of an over-long cell kept in the table


def bounded_cell(
    file: str, line: int, column: str, cell: str, limits: Limits, problems: list[Problem]
) -> str:
    """`cell`, or, when it is over `max_cell_bytes`, its start, with a problem for its row
    added to `problems` (the whole text would be read by every later check)."""
    if len(cell) <= limits.max_cell_bytes // 4 or len(cell.encode("utf-8")) <= (
        limits.max_cell_bytes
    ):
        return cell
    problems.append(long_cell(file, line, column, cell, limits))
    return cell[:KEEP_OF_LONG_CELL] + " …"


def _key(name: str) -> str:
    # The same key as `atlas.intake.mapping.column_key` ('Event Date ' → 'event_date').
    return re.sub(r"[\s\-./()]+", "_", name.strip().lower()).strip("_")


def make_frame(
    file: str,
    header: list[str],
    rows_or_lines: list,
    lines: list[int] | None = None,
    *,
    columns: list[list[str]] | None = None,
) -> pd.DataFrame:
    """The table of strings with `_line`, once its header is known to name each column
    once: 'Date' and 'date' are the same name to the column mapping, which would pick one
    of them silently. `make_frame(file, header, rows, lines)`, or column by column (less
    memory: no list per row) `make_frame(file, header, lines, columns=columns)`."""
    names = [h.strip() or f"(column {i + 1})" for i, h in enumerate(header)]
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise IntakeError(
            file,
            f"the header names column(s) {', '.join(sorted(seen))} more than once",
            "give every column its own name",
        )
    by_key: dict[str, list[str]] = {}
    for n in names:
        by_key.setdefault(_key(n), []).append(n)
    alike = [group for group in by_key.values() if len(group) > 1]
    if alike:
        pairs = "; ".join(" and ".join(repr(n) for n in group) for group in alike)
        raise IntakeError(
            file,
            f"the header has columns {pairs}, which differ only in case, spaces or "
            "punctuation: the column mapping cannot tell which one is meant",
            "rename or remove one of them",
        )
    if columns is None:
        frame = pd.DataFrame(rows_or_lines, columns=names, dtype=object)
        frame["_line"] = lines
        return frame
    data = {}
    for index, name in enumerate(names):
        data[name] = np.array(columns[index], dtype=object)
        columns[index] = []  # each list freed once copied: one copy at a time
    frame = pd.DataFrame(data, dtype=object, copy=False)  # object: no string inference
    frame["_line"] = np.array(rows_or_lines, dtype=np.int64)
    return frame


def layer_note(kind: str, chosen: str, empty: list[str], others: list[str]) -> str:
    """ "sheet 'incidents' (the first with data; empty: 'Notes'); other sheets, not read: …"
    for a workbook's sheet or a GeoPackage's layer (`kind`)."""
    note = f"{kind} {chosen!r}"
    if empty:
        first = "data" if kind == "sheet" else "features"
        note += f" (the first with {first}; empty: {', '.join(repr(n) for n in empty)})"
    if others:
        note += f"; other {kind}s, not read: {', '.join(repr(n) for n in others)}"
    return note
