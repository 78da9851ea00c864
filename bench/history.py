"""What the history (migration 0003h) costs an import: `python -m atlas.db import` on the
same data without history, with the row triggers recording every row, and as shipped (the
import turns the row triggers off for its transaction and records itself set-based).

python -m bench.history [--n 100000] [--repeats 3] [--modes 0 1 2] [--root /tmp/atlas-bench]

Each mode gets a fresh database on a throwaway cluster (tests/db/pgcluster.py; socket only,
fsync off), imports once into the empty schema, then replaces the dataset --repeats times,
the modes taking turns
(an import deletes every row and loads the folder again: with row triggers that is a
history row per deleted row and per loaded one). Prints medians of the write phase (the
loader's validation is the same in every mode and is printed apart) and the history rows
written (ratio: to the first mode run), and, with history, how long the editing page's two
questions take on that database (`as_of` now, `changed_since` today); asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

import sqlalchemy as sa

MODES = ("no history (0002)", "row triggers", "set-based (shipped)")


def _patch(mode: str):
    from atlas.db import history

    if mode == MODES[1]:  # the import leaves the row triggers on and records nothing itself
        return mock.patch.object(history, "begin_import", return_value=False)
    return contextlib.nullcontext()


def _queries(url: str) -> dict[str, float]:
    """The editing page's two questions on the whole dataset, median of 3 (s)."""
    from atlas.db import engine, history

    out = {}
    with engine(url).connect() as connection:
        now = connection.execute(sa.text("SELECT now()")).scalar_one()
        for name, ask in (
            ("as_of", lambda: history.as_of(connection, now)),
            ("changed_since", lambda: history.changed_since(connection, now.date())),
        ):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                ask()
                times.append(time.perf_counter() - start)
            out[name] = statistics.median(times)
    return out


def _history_rows(url: str) -> int:
    from atlas.db import engine, history

    with engine(url).connect() as connection:
        if not history.has_history(connection):
            return 0
        return connection.execute(sa.text("SELECT count(*) FROM history")).scalar_one()


def compare(cluster, folder: Path, modes: list[str], repeats: int) -> dict[str, dict]:
    """Each mode on its own database; the replacing imports interleaved (mode A, B, C, A,
    B, C…) so that a change in the machine's load falls on every mode alike."""
    from atlas.db import engine, upgrade
    from atlas.db.transfer import import_folder

    urls, results = {}, {}
    for i, mode in enumerate(modes):
        urls[mode] = cluster.create_database(f"h{i}")
        upgrade(urls[mode], "0002" if mode == MODES[0] else "head")
        with _patch(mode):
            first = import_folder(urls[mode], folder)
        results[mode] = {"first": first.seconds["write"], "replace": [], "validate": []}
    for _ in range(repeats):
        for mode in modes:
            with _patch(mode):
                again = import_folder(urls[mode], folder)
            results[mode]["replace"].append(again.seconds["write"])
            results[mode]["validate"].append(again.seconds["validate"])
    for i, mode in enumerate(modes):
        r = results[mode]
        r["replace"] = statistics.median(r["replace"])
        r["validate"] = statistics.median(r["validate"])
        r["history"] = _history_rows(urls[mode])
        r["queries"] = _queries(urls[mode]) if r["history"] else {}
        engine(urls[mode]).dispose()
        cluster.drop_database(f"h{i}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--modes", nargs="+", type=int, default=[0, 1, 2], help="of MODES")
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "atlas-bench")
    args = parser.parse_args()

    from atlas.paths import BUNDLED_DATA_DIR
    from bench.scale import ensure_data
    from tests.db import pgcluster

    datasets = {
        "bundled": BUNDLED_DATA_DIR,
        f"synthetic {args.n:,}": ensure_data(args.root, args.n, 1),
    }
    with pgcluster.cluster() as cluster:
        print(
            "| data | mode | validate s | first write s | replace write s | ratio | history rows |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for label, folder in datasets.items():
            modes = [MODES[i] for i in args.modes]
            results = compare(cluster, folder, modes, args.repeats)
            base = results[modes[0]]["replace"]
            for mode, r in results.items():
                print(
                    f"| {label} | {mode} | {r['validate']:.2f} | {r['first']:.2f} | "
                    f"{r['replace']:.2f} | {r['replace'] / base:.2f} | {r['history']:,} |",
                    flush=True,
                )
                for name, seconds in r["queries"].items():
                    print(f"|   | {name} (median of 3) | {seconds:.2f} s | | | | |", flush=True)


if __name__ == "__main__":
    main()
