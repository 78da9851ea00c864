"""Peak memory and time of importing hostile files ("bombs"), each in a fresh process.

python -m bench.bombs [--only NAME ...] [--read-only] [--keep DIR]

Each bomb is generated here (in a temporary folder), under the 50 MB upload limit, then
imported by `atlas.intake.import_file` (or only read, `--read-only`) in a new Python
process; the table gives that process's peak resident memory (ru_maxrss of the child), the
same for the valid corpus file of the same format (the baseline: interpreter, pandas,
geopandas), the wall time and the first problem reported. Target: no upload under the
limit takes more than 500 MB. The generators are also used, smaller, by the tests.

Measured 2026-12-02 (2 cores; baseline interpreter + libraries 125-185 MB): every bomb is
refused or reported at 125-241 MB, in 0.5-4 s; files just under the limits are read in
at most 456 MB (XLSX 200,000 × 20 distinct cells, 58 s) and 449 MB (the same as CSV).

The whole import of a valid file at the row limit (`--only csv_200k_incidents_valid
geojson_200k_points --repeat 3`; peak MB, median of 3 runs, baseline 172 MB):

    case                         before (a89bd03)   after
    CSV, 199,999 incidents            1,618 MB      827 MB
    GeoJSON, 199,999 points           1,310 MB      685 MB

Still above the 500 MB target. Where the rest goes (CSV, tracemalloc and RSS sampling): the
gazetteer's index, loaded by geocoding, ~137 MB; the import's result, which holds the file
as read (`ImportResult.raw`, for the invalid-rows download), the converted tables of
strings (`Dataset.raw`, for exports) and the typed dataset, ~300 MB of Python objects that
freed temporaries leave fragmented in the allocator's arenas. The peak is now the end of
`build_dataset`, not conversion or the rules.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "intake"


# --- generators ------------------------------------------------------------------------


def xlsx_with_sheet(sheet_xml: bytes, shared_strings: bytes | None = None) -> bytes:
    """A valid one-sheet workbook (openpyxl) whose sheet (and shared strings) are replaced."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "data"
    book.active["A1"] = "id"
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        types = source.read("[Content_Types].xml")
        if shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
            types = types.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        for name in source.namelist():
            content = {"[Content_Types].xml": types, "xl/worksheets/sheet1.xml": sheet_xml}
            target.writestr(name, content.get(name) or source.read(name))
    return out.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def xlsx_far_right(rows: int = 50_000) -> bytes:
    """A header, then rows whose one cell is in the last column (XFD): openpyxl's
    read-only rows are as wide as the sheet, 16,384 cells each."""
    body = b"".join(
        b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
        for n in range(2, rows + 2)
    )
    sheet = (
        SHEET_HEAD + b'<dimension ref="A1:XFD%d"/><sheetData>' % (rows + 1)
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        + body + b"</sheetData></worksheet>"
    )  # fmt: skip
    return xlsx_with_sheet(sheet)


def xlsx_shared_strings(entries: int = 6_000_000) -> bytes:
    """A shared-strings table of many distinct short strings (openpyxl loads it whole)."""
    strings = b"".join(b"<si><t>%x</t></si>" % n for n in range(entries))
    table = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'uniqueCount="1">' + strings + b"</sst>"
    )
    sheet = (
        SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        b"</sheetData></worksheet>"
    )
    return xlsx_with_sheet(sheet, table)


def xlsx_cells(rows: int = 199_999, columns: int = 20) -> bytes:
    """Just under the row and cell limits: every cell a distinct inline string."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c + 1) for c in range(columns)]

    def row(r: int) -> bytes:
        cells = "".join(
            f'<c r="{letters[c]}{r}" t="inlineStr"><is><t>{r:x}{c}</t></is></c>'
            for c in range(columns)
        )
        return f'<row r="{r}">{cells}</row>'.encode()

    body = b"".join(row(r) for r in range(1, rows + 2))
    return xlsx_with_sheet(SHEET_HEAD + b"<sheetData>" + body + b"</sheetData></worksheet>")


def zip_declaring(unpacked: int = 2 * 2**30) -> bytes:
    """An XLSX-named ZIP whose one member unpacks to `unpacked` bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = bytes(2**24)
            for _ in range(unpacked // len(block)):
                member.write(block)
    return out.getvalue()


def parquet_dictionary(rows: int = 5_000_000, width: int = 1) -> bytes:
    """One text column, dictionary-encoded: one value repeated `rows` times."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    indices = pa.array([0] * rows, type=pa.int32())
    column = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * width]))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"title": column}), buffer, compression="zstd")
    return buffer.getvalue()


def csv_one_cell_rows(size: int = 10 * 2**20) -> bytes:
    return b"id\n" + b"a\n" * (size // 2)


def csv_wide(columns: int = 1_000_000) -> bytes:
    return b"id" + b"," * columns + b"\n1" + b"," * columns + b"\n"


def csv_long_cells(size: int = 2 * 2**20 - 1, rows: int = 20) -> bytes:
    """Rows whose summary is `size` bytes (each one row's problem while under 2 MB)."""
    head = b"id,event_type,date,location,summary\n"
    row = b'%d,detention,2013-11-15,Dandong,"' + b"x" * size + b'"\n'
    return head + b"".join(row % n for n in range(rows))


def csv_cells(rows: int = 199_999, columns: int = 20) -> bytes:
    """Just under the row and cell limits: every cell a distinct short text."""
    head = ",".join(f"c{n}" for n in range(columns)) + "\n"
    body = "".join(",".join(f"{r:x}{c}" for c in range(columns)) + "\n" for r in range(rows))
    return (head + body).encode()


def csv_incidents(rows: int = 199_999) -> bytes:
    """Not a bomb: valid incidents at the row limit (bench.imports' sheet), to show what
    the whole import costs beyond reading."""
    from bench.imports import as_csv, sheet_rows

    return as_csv(sheet_rows(rows))


def geojson_points(features: int = 199_999) -> bytes:
    """Just under the row and object limits: Points with a few properties."""
    feature = (
        '{"type":"Feature","properties":{"id":"t%d","event_type":"detention",'
        '"date":"2013-11-15","title":"Test row %d"},'
        '"geometry":{"type":"Point","coordinates":[124.%d,40.%d]}}'
    )
    body = ",".join(feature % (n, n, n, n) for n in range(features))
    return ('{"type":"FeatureCollection","features":[' + body + "]}").encode()


def geojson_coordinates(positions: int = 2_800_000) -> bytes:
    body = ",".join(
        f"[{124 + n % 1000 / 1000:.3f},{40 + n % 997 / 1000:.3f}]" for n in range(positions)
    )
    return (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"LineString","coordinates":[' + body + "]}}]}"
    ).encode()


def geojson_objects(count: int = 15_000_000) -> bytes:
    return b'{"type":"FeatureCollection","features":[' + b",".join([b"{}"] * count) + b"]}"


def json_deep(depth: int = 20_000_000) -> bytes:
    return b'{"type":"FeatureCollection","features":' + b"[" * depth + b"]" * depth + b"}"


BOMBS: dict[str, tuple[str, str, Callable[[], bytes]]] = {
    # name: (file name, baseline corpus file, generator)
    "xlsx_far_right_cells": ("far.xlsx", "valid.xlsx", xlsx_far_right),
    "xlsx_shared_strings": ("strings.xlsx", "valid.xlsx", xlsx_shared_strings),
    "xlsx_shared_strings_4.9M": (
        "strings49.xlsx",
        "valid.xlsx",
        lambda: xlsx_shared_strings(4_900_000),
    ),
    "xlsx_shared_strings_999k": (
        "strings999.xlsx",
        "valid.xlsx",
        lambda: xlsx_shared_strings(999_999),
    ),
    "xlsx_200k_rows_x_20_distinct": ("cells.xlsx", "valid.xlsx", xlsx_cells),
    "xlsx_declaring_2GB": ("big.xlsx", "valid.xlsx", zip_declaring),
    "parquet_5M_dictionary_rows": ("dict.parquet", "valid.parquet", parquet_dictionary),
    "parquet_200k_x_1MB_dictionary": (
        "wide.parquet",
        "valid.parquet",
        lambda: parquet_dictionary(200_000, 2**20),
    ),
    "csv_10MB_one_cell_rows": ("rows.csv", "valid_utf8.csv", csv_one_cell_rows),
    "csv_million_empty_columns": ("wide.csv", "valid_utf8.csv", csv_wide),
    "csv_20_cells_of_2MB": ("cells.csv", "valid_utf8.csv", csv_long_cells),
    "csv_40MB_cell": ("cell.csv", "valid_utf8.csv", lambda: csv_long_cells(40 * 2**20, 1)),
    "csv_200k_rows_x_20_distinct": ("cells.csv", "valid_utf8.csv", csv_cells),
    "csv_200k_incidents_valid": ("incidents.csv", "valid_utf8.csv", csv_incidents),
    "geojson_200k_points": ("points.geojson", "valid.geojson", geojson_points),
    "geojson_2.8M_positions": ("line.geojson", "valid.geojson", geojson_coordinates),
    "geojson_15M_empty_objects": ("objects.geojson", "valid.geojson", geojson_objects),
    "json_nested_20M_deep": ("deep.geojson", "valid.geojson", json_deep),
}

CHILD = """
import resource, sys
# A failed bound must not take the shared machine down: address space capped at 6 GB.
resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
from pathlib import Path
from atlas.intake import import_file, read_upload
from atlas.intake.formats import IntakeError
path = Path(sys.argv[1])
data = path.read_bytes()
if sys.argv[2] == "read":
    try:
        table = read_upload(data, path.name)
        first = str(table.problems[0]) if table.problems else ""
        print(f"read {len(table.frame):,} rows; {first}")
    except IntakeError as exc:
        print(exc.problem.message)
else:
    result = import_file(data, path.name)
    print(result.problems[0].message if result.problems else f"{result.loaded} loaded")
"""


def run_one(path: Path, mode: str) -> tuple[float, float, str]:
    """Measured through a fresh wrapper process so that RUSAGE_CHILDREN is this one alone."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], sys.argv[2], sys.argv[3]],"
        " capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "lines = (p.stdout or p.stderr).strip().splitlines()\n"
        "print(f'{peak:.0f}\\t{s:.2f}\\t' + (lines[-1] if lines else f'exit {p.returncode}'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, CHILD, str(path), mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    peak, seconds, message = done.stdout.rstrip("\n").split("\t", 2)
    return float(peak), float(seconds), message[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(BOMBS), help="these bombs only")
    parser.add_argument("--read-only", action="store_true", help="read_upload, not import")
    parser.add_argument("--keep", type=Path, help="write the bombs here (default: temp dir)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per file; the median")
    args = parser.parse_args()
    mode = "read" if args.read_only else "import"
    names = args.only or list(BOMBS)
    baselines: dict[str, float] = {}
    print(f"{'bomb':32} {'size':>8} {'peak MB':>8} {'base MB':>8} {'s':>6}  outcome")
    with tempfile.TemporaryDirectory(prefix="atlas-bombs-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            file_name, baseline, generate = BOMBS[name]
            path = folder / file_name
            path.write_bytes(generate())
            if baseline not in baselines:
                baselines[baseline] = run_one(CORPUS / baseline, mode)[0]
            runs = sorted(run_one(path, mode) for _ in range(args.repeat))
            peak, seconds, message = runs[len(runs) // 2]
            size = path.stat().st_size / 2**20
            print(
                f"{name:32} {size:7.1f}M {peak:8.0f} {baselines[baseline]:8.0f} "
                f"{seconds:6.1f}  {message}",
                flush=True,
            )
            if not args.keep:
                path.unlink()


if __name__ == "__main__":
    main()
