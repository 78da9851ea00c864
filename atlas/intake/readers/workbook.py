"""XLSX workbooks (and the ZIP checks shared with the atlas's own ZIP export).

A ZIP is refused by what its directory declares before any member is unpacked: total
unpacked size, each member's compression ratio, and for a workbook the number of entries
in its shared-strings table (which openpyxl loads whole). A sheet is then streamed cell by
cell (openpyxl's own cell parser over an XML stream whose elements are dropped as soon as
they are read): a row is never built as wide as the sheet's declared dimension, and the
reader stops at the first value past the column limit or the first row past the row limit.

The first visible sheet with data is read unless another is named (`layer`); the others
are named in a note. Formula cells keep their formula text (never computed).
"""

from __future__ import annotations

import io
import re
import zipfile

from atlas.intake.readers.export import read_export
from atlas.intake.table import (
    IntakeError,
    Limits,
    RawTable,
    bounded_cell,
    check_shape,
    layer_note,
    make_frame,
    size_text,
    text,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)
from atlas.validation import Problem

MAX_RATIO = 250  # unpacked/packed for a member over RATIO_FROM bytes; XML sheets reach ~50
RATIO_FROM = 10 * 2**20
# openpyxl holds every shared string as a Python string (4.9 million took 890 MB): five
# distinct texts a row (title, place, source, url, summary) at the row limit.
SHARED_STRINGS_PER_ROW = 5


def check_zip(data: bytes, name: str, kind: str, limits: Limits) -> None:
    """Refuse a damaged ZIP, or one that would unpack past the limits, before unpacking."""
    damaged = IntakeError(
        name,
        f"the {kind} file is damaged or truncated (not a complete ZIP archive)",
        "save or export it again from the program that made it",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise damaged from exc
    with archive:
        members = archive.infolist()
        total = sum(info.file_size for info in members)
        if total > limits.max_unzipped_bytes:
            raise IntakeError(
                name,
                f"the {kind} file unpacks to {size_text(total)}, over the "
                f"{size_text(limits.max_unzipped_bytes)} limit",
                "split it into smaller files",
            )
        for info in members:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FROM and ratio > MAX_RATIO:
                raise IntakeError(
                    name,
                    f"the {kind} file's part {info.filename!r} unpacks from "
                    f"{size_text(info.compress_size)} to {size_text(info.file_size)} "
                    f"({ratio:,.0f} times): a decompression bomb, not a spreadsheet",
                    "save it again from the spreadsheet program, or export it as CSV",
                )
        if kind == "XLSX":
            _check_shared_strings(archive, name, limits)
        try:  # every member's checksum; memory stays bounded (read a block at a time)
            if archive.testzip() is not None:
                raise damaged
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
            raise damaged from exc


def _check_shared_strings(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """openpyxl reads the whole shared-strings table into a list: count its entries first
    (streamed, a block at a time), whatever its `uniqueCount` claims."""
    member = next((n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    if member is None:
        return
    count, tail = 0, b""
    try:
        with archive.open(member) as stream:
            while block := stream.read(2**20):
                chunk = tail + block
                count += len(re.findall(rb"<(?:\w+:)?si[\s>/]", chunk))
                cut = chunk.rfind(b"<")
                tail = chunk[cut:] if cut >= len(chunk) - 8 else b""
                if tail:
                    count -= len(re.findall(rb"<(?:\w+:)?si[\s>/]", tail))
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        return  # testzip reports the damage
    most = limits.max_rows * SHARED_STRINGS_PER_ROW
    if count > most:
        raise IntakeError(
            name,
            f"the workbook's shared-strings table has {count:,} entries, over the "
            f"{most:,} the importer reads",
            "save the sheet that holds the data as its own workbook, or export it as CSV",
        )


def read_xlsx(data: bytes, name: str, limits: Limits, layer: str | None = None) -> RawTable:
    import openpyxl

    try:
        # data_only=False: a formula cell gives its formula text; nothing is computed.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise IntakeError(
            name,
            f"the XLSX file cannot be opened ({type(exc).__name__})",
            "save it again from the spreadsheet program, or export it as CSV",
        ) from exc
    try:
        if layer is None and {"incidents", "places", "reports", "documents"} <= set(
            book.sheetnames
        ):
            return read_export(data, "xlsx", name)
        visible = [s for s in book.sheetnames if book[s].sheet_state == "visible"]
        if layer is not None and layer not in book.sheetnames:
            raise IntakeError(
                name,
                f"the workbook has no sheet {layer!r}; its sheets are "
                + ", ".join(repr(s) for s in book.sheetnames),
                "choose one of its sheets",
            )
        order = [layer] if layer is not None else visible
        if not order:
            raise IntakeError(name, "the workbook has no visible sheet", "unhide a sheet")
        empty = []
        for title in order:
            table = _sheet(book, title, name, limits)
            if table is not None:
                break
            empty.append(title)
        else:
            where = f"sheet {layer!r}" if layer else "every visible sheet"
            raise IntakeError(name, f"the file is empty ({where})", "choose the sheet with data")
        table.layers, table.layer = list(book.sheetnames), title
        others = [s for s in book.sheetnames if s != title and s not in empty]
        table.notes.append(layer_note("sheet", title, empty, others))
        return table
    finally:
        book.close()


def _cells(book, title: str, name: str, limits: Limits):
    """(row number, [(column index from 0, value, is formula)]) for each row with a value."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, SHEET_MAIN_NS, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"  # noqa: N806
    sheet = book[title]
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    with sheet._get_source() as source:
        sheet_data, row, number, cells = None, None, 0, []
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == ROW_TAG:
                    row, cells = element, []
                    number = int(float(element.get("r", number + 1)))
                    parser.row_counter, parser.col_counter = number, 0
                elif tag == SHEET_DATA:
                    sheet_data = element
                continue
            if tag == CELL_TAG:
                cell = parser.parse_cell(element)
                if row is not None:
                    row.remove(element)  # a row never holds more than one cell element
                if cell["value"] is None or cell["value"] == "":
                    continue
                if cell["column"] > limits.max_columns:
                    where = f"{get_column_letter(min(cell['column'], 18278))}{number}"
                    raise IntakeError(
                        name,
                        f"sheet {title!r} has a value in cell {where} (column "
                        f"{cell['column']:,}), past the {limits.max_columns:,}-column limit",
                        "delete the columns to the right of the data, or move that value",
                        value=text(cell["value"])[:80],
                    )
                cells.append((cell["column"] - 1, cell["value"], cell["data_type"] == "f"))
            elif tag == ROW_TAG:
                if sheet_data is not None:
                    sheet_data.remove(element)  # nor sheetData more than one row
                row = None
                if cells:
                    yield number, cells
            elif tag == SHEET_DATA:
                return


def _sheet(book, title: str, name: str, limits: Limits) -> RawTable | None:
    """The sheet as a RawTable, or None when it has no value at all. Cells go straight
    into their column (a column first seen late is filled with "" above)."""
    header: list[str] | None = None
    columns: list[list[str]] = []
    lines: list[int] = []
    formulas: list[tuple[int, int]] = []  # (row, column index) of formula cells
    problems: list[Problem] = []
    for number, cells in _cells(book, title, name, limits):
        values: dict[int, str] = {}
        for index, value, formula in cells:
            cell = text(value)
            if cell:
                values[index] = cell
            if formula:
                formulas.append((number, index))
        if not values:
            continue
        if header is None:
            header = [values.get(i, "") for i in range(max(values) + 1)]
            continue
        if len(lines) >= limits.max_rows:
            raise too_many_rows(name, len(lines) + 1, limits, more=True)
        width = max(len(header), len(columns), max(values) + 1)
        if width * (len(lines) + 1) > limits.max_cells:
            raise too_many_cells(name, len(lines) + 1, width, limits)
        while len(columns) < width:
            columns.append([""] * len(lines))
        for index, column in enumerate(columns):
            label = header[index] if index < len(header) else f"(column {index + 1})"
            column.append(
                bounded_cell(name, number, label, values.get(index, ""), limits, problems)
            )
        lines.append(number)
    if header is None:
        return None
    width = max(len(header), len(columns))
    if width > limits.max_columns:
        raise too_many_columns(name, width, limits)
    # trailing columns with neither a header nor a value are not columns
    while len(columns) < len(header):
        columns.append([""] * len(lines))
    header = header + [""] * (width - len(header))
    while header and not header[-1] and not any(columns[len(header) - 1]):
        header.pop()
        columns.pop()
    check_shape(name, len(lines), len(header), limits)
    width = len(header)
    position_of = {number: position for position, number in enumerate(lines)}
    for number, index in formulas:  # text that merely begins with '=' is just text
        if number in position_of and index < width:
            problems.append(
                Problem(
                    name,
                    number,
                    header[index],
                    columns[index][position_of[number]][:80],
                    "the cell holds a formula: its text is kept, it is not computed",
                    "paste the values instead of the formula if a value was meant",
                    "warning",
                )
            )
    frame = make_frame(name, header, lines, columns=columns)
    return RawTable(name, "XLSX", frame, problems=problems)
