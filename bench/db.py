"""The two backends side by side at scale: the same questions, medians in milliseconds.

python -m bench.db [--n 100000] [--repeats 7] [--root /tmp/atlas-bench] [--url URL [--reuse]]
    [--questions filtered grid_cells month_bins counts_by_type source_summary]

A synthetic dataset (atlas.synthetic, seed 1; generated once under --root, shared with
bench.scale) is imported into PostgreSQL (`atlas.db.transfer.import_folder`: the loader's
validation, then COPY in one transaction) and read by the files backend from its columnar
copy. Without --url a throwaway cluster is started (tests/db/pgcluster.py; socket only,
fsync off). Each question (`atlas.backend.Backend`) is asked for a few filters, each
--repeats times after one warm-up; the table gives the median per backend and the rows
that travel (the database sends only these; the files backend holds the whole table in
this process). --reuse keeps --url's data when it already holds --n incidents (no import).
Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from atlas.filters import Filters
from atlas.grid import Cell
from bench.scale import ensure_data, rss_mb
from bench.scale_db import incidents_in

FILTERS = {
    "none": Filters(),
    "type": Filters(types=("detention",)),
    "period": Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)),
    "province": Filters(places=("Jilin",), min_people=5),
    "cell": Filters(cell=Cell(0.5, 129.5, 42.5)),
}
QUESTIONS = ("filtered", "grid_cells", "month_bins", "counts_by_type", "source_summary")


def _ask(backend, question: str, filters: Filters):
    if question == "grid_cells":
        return backend.grid_cells(filters, 0.5)
    return getattr(backend, question)(filters)


def median_ms(backend, question: str, filters: Filters, repeats: int) -> tuple[float, int]:
    rows = len(_ask(backend, question, filters))  # warm-up: caches, plans, pool
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _ask(backend, question, filters)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, rows


def _import(url: str, folder: Path, n: int) -> None:
    from atlas.db.transfer import import_folder

    start = time.perf_counter()
    result = import_folder(url, folder)
    print(
        f"import of {n:,} incidents ({result.rows['reports']:,} reports): "
        f"{time.perf_counter() - start:.1f} s (validation {result.seconds['validate']:.1f} s, "
        f"reading again + COPY {result.seconds['write']:.1f} s; one transaction)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "atlas-bench")
    parser.add_argument("--url", help="an existing database (else a throwaway cluster)")
    parser.add_argument("--reuse", action="store_true", help="keep --url's data if it has --n")
    parser.add_argument("--questions", nargs="+", choices=QUESTIONS, default=list(QUESTIONS))
    args = parser.parse_args()

    from atlas.backend import FilesBackend, PostgresBackend
    from atlas.db import upgrade
    from tests.db import pgcluster

    folder = ensure_data(args.root, args.n, 1)
    with nullcontext(None) if args.url else pgcluster.cluster() as cluster:
        url = args.url or cluster.create_database("bench")
        upgrade(url)
        if args.reuse and incidents_in(url) == args.n:
            print(f"kept the {args.n:,} incidents already in the database", flush=True)
        else:
            _import(url, folder, args.n)
        files, db = FilesBackend(folder), PostgresBackend(url)
        before = rss_mb()
        start = time.perf_counter()
        files.table()
        print(
            f"files backend load: {time.perf_counter() - start:.1f} s, "
            f"+{rss_mb() - before:.0f} MB RSS in this process",
            flush=True,
        )
        print("\n| question | filter | files ms | postgres ms | rows |")
        print("| --- | --- | ---: | ---: | ---: |")
        for question in args.questions:
            for name, filters in FILTERS.items():
                files_ms, rows = median_ms(files, question, filters, args.repeats)
                db_ms, db_rows = median_ms(db, question, filters, args.repeats)
                note = "" if rows == db_rows else f" (db {db_rows:,})"
                print(
                    f"| {question} | {name} | {files_ms:,.0f} | {db_ms:,.0f} | {rows:,}{note} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
