"""CSV and TSV: decoded a chunk at a time and read row by row within the limits.

The text is never decoded whole: `csv` reads from a text stream over the bytes, and the
reader stops at the first row past the row or cell limit. The header decides the width.
A cell longer than `Limits.max_cell_bytes` is a problem for its row (cut in the table),
not a reason to refuse the file; the field limit of the `csv` module is raised to the
file limit so that such a cell can be read and reported.
"""

from __future__ import annotations

import codecs
import csv
import io

from atlas.intake.encoding import CODECS, EncodingError, check, wide_encoding
from atlas.intake.table import (
    IntakeError,
    Limits,
    RawTable,
    bounded_cell,
    make_frame,
    size_text,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)
from atlas.validation import Problem

SNIFF_BYTES = 32768
CELL_READ_FACTOR = 16  # a cell up to 16 × max_cell_bytes (2 MB) is read, then reported


def read_csv(data: bytes, name: str, encoding: str | None, limits: Limits) -> RawTable:
    """A CSV (any of `encoding.CHOICES`; `,` `;` tab or `|` delimited) as a RawTable."""
    if b"\x00" in data[:4096] and (encoding or wide_encoding(data)) not in WIDE:
        raise IntakeError(
            name,
            "the file holds binary data, not text",
            "export the sheet as CSV (or upload the XLSX itself)",
        )
    try:
        used = check(data, encoding)
    except EncodingError as exc:
        raise IntakeError(
            name,
            f"cannot read the text: {exc}",
            "save the file as UTF-8 CSV, or choose its encoding on the Data page (--encoding)",
        ) from exc
    codec = CODECS[used]
    sample = codecs.getincrementaldecoder(codec)(errors="replace").decode(data[:SNIFF_BYTES])
    try:
        delimiter = csv.Sniffer().sniff(sample[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = "\t" if name.lower().endswith(".tsv") else ","
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")
    # Process-wide, and the same for every upload: a cell may be read up to this size (and
    # is then one row's problem); a larger one, most often a quote never closed, stops
    # the file with the row where it starts.
    csv.field_size_limit(limits.max_cell_bytes * CELL_READ_FACTOR)
    table = _rows(stream, name, delimiter, limits)
    table.encoding = used
    if delimiter != ",":
        table.notes.append(f"delimiter {delimiter!r}")
    return table


WIDE = {k for k in CODECS if k.startswith(("UTF-16", "UTF-32"))}


def _count_rest(reader) -> int:
    """The rows left, counted and dropped (for the message; memory stays flat)."""
    try:
        return sum(1 for cells in reader if any(c.strip() for c in cells))
    except csv.Error:
        return 0


def _rows(stream: io.TextIOBase, name: str, delimiter: str, limits: Limits) -> RawTable:
    # strict: an unclosed quote would otherwise swallow every later row into one cell, and
    # '"a"b' would silently lose its quotes.
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    columns: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    most = limits.max_rows
    previous = 0
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                if len(cells) > limits.max_columns:
                    raise too_many_columns(name, len(cells), limits)
                header = cells
                header[0] = header[0].removeprefix("\ufeff")  # UTF-16/32 byte order mark
                most = min(limits.max_rows, limits.max_cells // len(header))
                columns = [[] for _ in header]  # column by column: no list per row
                continue
            if len(lines) >= most:
                total = len(lines) + 1 + _count_rest(reader)
                if total > limits.max_rows:
                    raise too_many_rows(name, total, limits)
                raise too_many_cells(name, total, len(header), limits)
            width = len(header)
            if len(cells) > width:
                problems.append(
                    Problem(
                        name,
                        line,
                        "",
                        delimiter.join(cells[width : width + 20])[:80],
                        f"the row has {len(cells)} cells but the header has {width}",
                        "quote cells that contain the delimiter, or remove the extra cells",
                    )
                )
                cells = cells[:width]
            for index, cell in enumerate(cells):
                cell = bounded_cell(name, line, header[index], cell.strip(), limits, problems)
                columns[index].append(cell)
            for index in range(len(cells), width):
                columns[index].append("")
            lines.append(line)
    except csv.Error as exc:
        what = str(exc)
        if "unexpected end of data" in what:
            what = "a quote opened there is never closed"
        elif "field larger than field limit" in what:
            what = (
                f"a cell is over {size_text(limits.max_cell_bytes * CELL_READ_FACTOR)} "
                "(most often a quote that is never closed)"
            )
        raise IntakeError(
            name,
            f"the CSV is malformed in the row starting on line {previous + 1}: {what}",
            "check that row for an unclosed quote; save the file again as CSV",
        ) from exc
    if header is None:
        raise IntakeError(name, "the file is empty", "choose the file that holds the data")
    table = RawTable(name, "CSV", make_frame(name, header, lines, columns=columns))
    table.problems = problems
    return table
