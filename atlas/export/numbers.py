"""Numbers in exports: numeric columns written as numbers that read back as the same text.

The data files hold numbers as text ("43.5760", "12", ""), and an export must load back
byte-identical. So a value is written as a number only when the number gives back exactly
its text: in GeoJSON the text itself is the JSON number literal (read with
`json.loads(..., parse_float=str, parse_int=str)`), in XLSX the cell holds the number with a
number format of as many decimals as the text has. Anything else (an empty cell, "007",
"1e3", a hostile string) stays text, so no value is ever changed.
"""

from __future__ import annotations

import json
import re
from typing import Any

# The numeric columns of the files and their types, as `atlas.loading` types them on load
# (coordinates as floats, people counts as integers), in whichever file they appear.
NUMERIC: dict[str, type] = {
    "latitude": float,
    "longitude": float,
    "people_min": int,
    "people_max": int,
}
MAX_DIGITS = 15  # what a spreadsheet's double keeps exactly

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.([0-9]+))?")


class RawNumber(str):
    """A JSON number literal, written as is by `dumps`."""


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def json_value(column: str, text: str) -> Any:
    """The GeoJSON property for `text` in `column`: the literal for a numeric column's
    number, None for its empty cell, else the text."""
    kind = NUMERIC.get(column)
    if kind is None:
        return text
    if text == "":
        return None
    pattern = _INT if kind is int else _DECIMAL
    return RawNumber(text) if pattern.fullmatch(text) else text


def json_text(value: Any) -> Any:
    """Undo `json_value` on a property read with `parse_float=str, parse_int=str`."""
    return "" if value is None else value


def dumps(value: Any, level: int = 0) -> str:
    """JSON as `json.dumps(value, ensure_ascii=False, indent=1)` writes it, with each
    `RawNumber` as its literal."""
    if isinstance(value, RawNumber):
        return str(value)
    pad, inner = "\n" + " " * level, "\n" + " " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (
            json.dumps(k, ensure_ascii=False) + ": " + dumps(v, level + 1) for k, v in value.items()
        )
        return "{" + inner + ("," + inner).join(items) + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join(dumps(v, level + 1) for v in value) + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def cell_number(column: str, text: str) -> tuple[int | float, str] | None:
    """(number, number format) for an XLSX cell of `text` in `column`, or None when the
    value stays text (not numeric, or a number that would not read back as `text`)."""
    kind = NUMERIC.get(column)
    if kind is None or _digits(text) > MAX_DIGITS:
        return None
    if kind is int:
        if _INT.fullmatch(text) and text != "-0":
            return int(text), "0"
        return None
    match = _DECIMAL.fullmatch(text)
    if not match or text.lstrip("-").strip("0.") == "" and text.startswith("-"):
        return None  # not a plain decimal, or a negative zero that would lose its sign
    decimals = len(match.group(1) or "")
    number = float(text)
    if f"{number:.{decimals}f}" != text:
        return None
    return number, ("0." + "0" * decimals) if decimals else "0"


def cell_text(value: int | float, number_format: str) -> str:
    """Undo `cell_number`: the text of a number cell with its number format."""
    decimals = len(number_format.partition(".")[2]) if "." in number_format else 0
    return f"{value:.{decimals}f}" if decimals else str(int(value))
