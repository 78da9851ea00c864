"""The briefing's incident table as text: one row per incident, each cell a list of lines
wrapped to its column, nothing cut (the dates in ISO form and as written)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from atlas.context import dates_iso


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # share of the table's width
    text: Callable[[dict], str]


COLUMNS = (
    Column(
        "Date",
        0.13,
        lambda r: dates_iso(r["date_precision"], r["date_start"].date(), r["date_end"].date()),
    ),
    Column("Date as written", 0.17, lambda r: r["date_text"]),
    Column("Incident", 0.31, lambda r: r["title"]),
    Column("Place", 0.14, lambda r: r["location_name"]),
    Column("People", 0.1, lambda r: r["people_label"]),
    Column("Sources", 0.15, lambda r: ", ".join(r["sources"])),
)


def table_rows(visible: pd.DataFrame, chars: Callable[[float], int]) -> Iterator[list[list[str]]]:
    """Rows of wrapped cells, in `visible`'s order; `chars(width)` is how many characters
    fit in a column of that share of the table."""
    for rec in visible.to_dict("records"):
        yield [
            textwrap.wrap(str(column.text(rec)), max(8, chars(column.width) - 1)) or [""]
            for column in COLUMNS
        ]
