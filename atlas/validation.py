"""Row-level validation of the dataset files.

Every rule returns `Problem`s that name the file, the row (the line number in the file,
header = line 1), the column, the offending value, what is wrong and what to do. Rules never
raise on bad data and never change it; the loader drops only the rows with errors.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import pandas as pd

from atlas import schema

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ISO2 = re.compile(r"^[A-Z]{2}$")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line number in the file (header is line 1); None for file-level
    column: str
    value: str
    message: str
    fix: str
    # "error": the row is not loaded; "warning": it loads, and a reviewer should look.
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row is not None else self.file
        value = f" (value: {self.value!r})" if self.value else ""
        lead = "warning: " if self.severity == "warning" else ""
        return f"{lead}{where}, column '{self.column}'{value}: {self.message}. Fix: {self.fix}"

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"


class Checked:
    """The errors and warnings of a result that carries its `problems` (a dataset, a
    folder checked in chunks)."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def records(frame: pd.DataFrame, chunk: int = 10_000) -> Iterator[dict]:
    """The rows as dicts, like `frame.to_dict("records")` but without pandas' per-value
    boxing (several times faster on large imports), made `chunk` rows at a time: a dict
    per row of 200,000, all alive at once, took hundreds of MB."""
    columns = list(frame.columns)
    for start in range(0, len(frame), chunk):
        for values in frame.iloc[start : start + chunk].to_numpy().tolist():
            yield dict(zip(columns, values, strict=True))


def line_of(index: int) -> int:
    """Line number in the CSV of the frame row at positional `index` (header is line 1)."""
    return index + 2


def row_of(rec: dict, index: int) -> int:
    """The row a record came from: its `_line` (set by readers and imports) or its position."""
    line = rec.get("_line")
    return int(line) if line not in (None, "") else line_of(index)


def missing_columns(frame: pd.DataFrame, required: Iterable[str], file: str) -> list[Problem]:
    present = frame.attrs.get("source_columns", tuple(frame.columns))
    return [
        Problem(
            file,
            None,
            col,
            "",
            "required column is missing",
            f"add a '{col}' column (see data/README.md)",
        )
        for col in required
        if col not in present
    ]


def _vocab(
    file: str,
    row: int,
    column: str,
    value: str,
    allowed: Iterable[str],
    hints: dict[str, str] | None = None,
) -> list[Problem]:
    allowed = list(allowed)
    if value in allowed:
        return []
    hinted = (hints or {}).get(value.strip().lower())
    close = difflib.get_close_matches(value, allowed, n=3, cutoff=0.4)
    if hinted:
        close = [hinted, *(c for c in close if c != hinted)][:3]
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return [
        Problem(
            file,
            row,
            column,
            value,
            "not in the vocabulary",
            f"{hint}use one of: {', '.join(allowed)}",
        )
    ]


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def parse_int(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None  # not '²' or '９'


def parse_float(value: str) -> float | None:
    # ASCII only, as pandas reads it: Python's float() also takes '４０' and '4_0', which
    # pandas (the admin-1 check, the map) cannot, and which the CSVs should not hold.
    if not value.isascii() or "_" in value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def check_dates(file: str, row: int, rec: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    start, end = rec["date_start"], rec["date_end"]
    d0, d1 = parse_day(start), parse_day(end)
    for col, raw, parsed in (("date_start", start, d0), ("date_end", end, d1)):
        if parsed is None:
            problems.append(
                Problem(
                    file,
                    row,
                    col,
                    raw,
                    "not a valid date",
                    "write a real calendar date as YYYY-MM-DD",
                )
            )
    precision = rec["date_precision"]
    problems += _vocab(file, row, "date_precision", precision, schema.DATE_PRECISIONS)
    if problems:
        return problems
    if d0 > d1:
        return [
            Problem(
                file,
                row,
                "date_end",
                end,
                f"is before date_start {start}",
                "swap the dates or correct the one that is wrong",
            )
        ]
    expected: tuple[date, date] | None = None
    if precision in ("day", "on_or_before"):
        expected = (d0, d0)
    elif precision == "month":
        expected = (d0.replace(day=1), d0.replace(day=calendar.monthrange(d0.year, d0.month)[1]))
    elif precision == "year":
        expected = (date(d0.year, 1, 1), date(d0.year, 12, 31))
    elif precision == "month_part" and (d0.year, d0.month) != (d1.year, d1.month):
        return [
            Problem(
                file,
                row,
                "date_end",
                end,
                "a month_part range must stay in one month",
                "use 'range' for spans across months",
            )
        ]
    if expected and (d0, d1) != expected:
        return [
            Problem(
                file,
                row,
                "date_end",
                end,
                f"does not match date_precision '{precision}' "
                f"(expected {expected[0]} to {expected[1]})",
                "fix the dates or choose the precision that matches them",
            )
        ]
    return []


def check_coordinates(file: str, row: int, rec: dict[str, str], *, required: bool) -> list[Problem]:
    lat_raw, lon_raw = rec["latitude"], rec["longitude"]
    if not lat_raw and not lon_raw:
        if required:
            return [
                Problem(
                    file,
                    row,
                    "latitude",
                    "",
                    "coordinates are missing",
                    "give latitude and longitude in decimal degrees, or set "
                    "geo_precision to 'unlocated'",
                )
            ]
        return []
    if not required:
        return [
            Problem(
                file,
                row,
                "latitude",
                lat_raw,
                f"geo_precision '{rec['geo_precision']}' takes no coordinates",
                "empty latitude/longitude, or choose a precision that has a point",
            )
        ]
    for col, raw, other in (("latitude", lat_raw, "longitude"), ("longitude", lon_raw, "latitude")):
        if not raw:
            return [
                Problem(
                    file,
                    row,
                    col,
                    "",
                    f"is missing ({other} is given)",
                    "give both latitude and longitude, or neither",
                )
            ]
    lat, lon = parse_float(lat_raw), parse_float(lon_raw)
    lat_ok = lat is not None and -90 <= lat <= 90
    lon_ok = lon is not None and -180 <= lon <= 180
    if not lat_ok and lon_ok and lat is not None and -180 <= lat <= 180 and -90 <= lon <= 90:
        return [
            Problem(
                file,
                row,
                "latitude",
                lat_raw,
                "latitude and longitude look swapped",
                f"check the source; did you mean latitude {lon_raw}, longitude {lat_raw}?",
            )
        ]
    problems = []
    if not lat_ok:
        problems.append(
            Problem(
                file,
                row,
                "latitude",
                lat_raw,
                "is not a latitude between -90 and 90",
                "use decimal degrees north (e.g. 40.1292 for Dandong)",
            )
        )
    if not lon_ok:
        problems.append(
            Problem(
                file,
                row,
                "longitude",
                lon_raw,
                "is not a longitude between -180 and 180",
                "use decimal degrees east (e.g. 124.3947 for Dandong)",
            )
        )
    return problems


def check_people(file: str, row: int, rec: dict[str, str], event_type: str | None) -> list[Problem]:
    qualifier = rec.get("people_qualifier") or "unknown"
    problems = _vocab(file, row, "people_qualifier", qualifier, schema.PEOPLE_QUALIFIERS)
    count_problems, lo, hi = check_counts(file, row, rec)
    problems += count_problems
    lo_raw, hi_raw = rec["people_min"], rec["people_max"]
    if problems:
        return problems
    if event_type is not None and event_type not in schema.PEOPLE_EVENT_TYPES and (lo or hi):
        return [
            Problem(
                file,
                row,
                "people_min",
                lo_raw or hi_raw,
                f"event type '{event_type}' carries no people count",
                "record the people on the detention/transfer/repatriation incident "
                "and link it in related_ids",
            )
        ]
    rule = {
        "exact": lo is not None and lo == hi,
        "approximate": lo is not None and lo == hi,
        "range": lo is not None and hi is not None and lo < hi,
        "at_least": lo is not None and hi is None,
        "unknown": lo is None and hi is None,
    }[qualifier]
    if not rule:
        return [
            Problem(
                file,
                row,
                "people_qualifier",
                qualifier,
                f"does not match people_min={lo_raw!r} people_max={hi_raw!r}",
                schema.PEOPLE_QUALIFIERS[qualifier],
            )
        ]
    return []


def check_counts(
    file: str, row: int, rec: dict[str, str]
) -> tuple[list[Problem], int | None, int | None]:
    """people_min / people_max as whole numbers ≥ 0 (empty = unknown), and min ≤ max."""
    problems = []
    lo_raw, hi_raw = rec["people_min"], rec["people_max"]
    lo, hi = parse_int(lo_raw), parse_int(hi_raw)
    for col, raw, parsed in (("people_min", lo_raw, lo), ("people_max", hi_raw, hi)):
        if raw and parsed is None:
            problems.append(
                Problem(
                    file,
                    row,
                    col,
                    raw,
                    "is not a whole number ≥ 0",
                    "write digits only (no '~', '+' or words; put words in people_text)",
                )
            )
    if lo is not None and hi is not None and lo > hi:
        problems.append(
            Problem(
                file,
                row,
                "people_max",
                hi_raw,
                f"is smaller than people_min {lo}",
                "swap or correct the numbers",
            )
        )
    return problems, lo, hi


def unknown_incident(file: str, row: int, value: str) -> Problem:
    return Problem(
        file,
        row,
        "incident_id",
        value,
        "names no incident in incidents.csv",
        "fix the id or add the incident",
    )
