"""Time the import (read, map, convert, geocode, validate) of generated sheets; print a table.

python -m bench.imports [--sizes 1000 10000 100000] [--repeat 3]

The sheets are made here, deterministically (random.Random(42)): one row per incident,
realistic columns (id, date, type, place, lat, lon, people, source, notes), about half of
the rows with coordinates and half with only a place name to geocode (including one
ambiguous name), Korean and Chinese text in the notes. They are test data, not incidents.
The offline gazetteer's index is built once per process and timed on its own.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import statistics
import time

import openpyxl

from atlas.intake import import_file
from geo.gazetteer import resolve

PLACES = [  # name, latitude, longitude ("" = geocode the name); x = longitude
    ("Dandong", "", ""),
    ("Yanji", "", ""),
    ("Shenyang", "", ""),
    ("Tumen", "", ""),
    ("Ji'an", "", ""),  # ambiguous: reported, stays unlocated
    ("Kunming", "25.0389", "102.7183"),
    ("Hunchun", "42.8678", "130.3597"),
    ("Changbai", "41.4199", "128.2000"),
]
TYPES = ["detention", "repatriation", "transfer", "crackdown", "international_response"]
NOTES = ["Test row: 탈북자 구금", "Test row: 脱北者被遣返", "Test row: border check"]


def sheet_rows(n: int) -> list[list[str]]:
    rng = random.Random(42)  # noqa: S311 - test data, not secrets
    rows = [["id", "date", "type", "place", "lat", "lon", "people", "source", "notes"]]
    for i in range(n):
        place, lat, lon = rng.choice(PLACES)
        kind = rng.choice(TYPES)
        people = str(rng.randrange(1, 60)) if kind in TYPES[:3] else ""
        date = f"{rng.randrange(2000, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        sources = "; ".join(f"Test source {rng.randrange(40)}" for _ in range(rng.randrange(1, 3)))
        rows.append([f"t{i}", date, kind, place, lat, lon, people, sources, rng.choice(NOTES)])
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("incidents")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    resolve("Dandong")
    print(f"gazetteer index (once per process): {time.perf_counter() - start:.2f} s")
    print(
        f"{'file':<22}{'MB':>7}{'median s':>10}{'rows/s':>10}{'loaded':>9}{'errors':>8}"
        f"{'warnings':>10}"
    )
    for n in args.sizes:
        rows = sheet_rows(n)
        files = {f"{n:,} rows CSV": as_csv(rows)}
        if n <= 10_000:  # writing a larger XLSX here takes longer than reading it
            files[f"{n:,} rows XLSX"] = as_xlsx(rows)
        for label, data in files.items():
            name = "sheet.xlsx" if "XLSX" in label else "sheet.csv"
            times = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                result = import_file(data, name)
                times.append(time.perf_counter() - begin)
            seconds = statistics.median(times)
            print(
                f"{label:<22}{len(data) / 2**20:>7.1f}{seconds:>10.2f}{n / seconds:>10,.0f}"
                f"{result.loaded:>9,}{len(result.errors):>8,}{len(result.warnings):>10,}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
