"""What the history (migration 0003h) costs an import: `python -m atlas.db import` on the
same data without history, with the row triggers recording every row, and as shipped (the
import turns the row triggers off for its transaction and records itself set-based).

python -m bench.history [--n 100000] [--repeats 3] [--modes 0 1 2] [--root /tmp/atlas-bench]

Each mode gets a fresh database on a throwaway cluster (tests/db/pgcluster.py; socket only,
fsync off), imports once into the empty schema, then replaces the dataset --repeats times
(an import deletes every row and loads the folder again: with row triggers that is a
history row per deleted row and per loaded one). Prints medians of the write phase (the
loader's validation is the same in every mode and is printed apart) and the history rows
written (ratio: to the first mode run), and, with history, how long the editing page's two
questions take on that database (`as_of` now, `changed_since` today); asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

import sqlalchemy as sa

MODES = ("no history (0002)", "row triggers", "set-based (shipped)")


def run(cluster, name: str, folder: Path, mode: str, repeats: int) -> dict:
    from atlas.db import engine, history, upgrade
    from atlas.db.transfer import import_folder

    url = cluster.create_database(name)
    upgrade(url, "0002" if mode == MODES[0] else "head")
    patch = (
        mock.patch.object(history, "begin_import", return_value=False)
        if mode == MODES[1]
        else mock.patch.object(history, "begin_import", wraps=history.begin_import)
    )
    with patch:
        first = import_folder(url, folder)
        again = [import_folder(url, folder) for _ in range(repeats)]
    queries = {}
    with engine(url).connect() as connection:
        recorded = history.has_history(connection)
        rows = (
            connection.execute(sa.text("SELECT count(*) FROM history")).scalar_one()
            if recorded
            else 0
        )
        if recorded:  # the page's two questions, on the whole dataset
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
                queries[name] = statistics.median(times)
    engine(url).dispose()
    cluster.drop_database(name)
    return {
        "first": first.seconds["write"],
        "replace": statistics.median(r.seconds["write"] for r in again),
        "validate": statistics.median(r.seconds["validate"] for r in [first, *again]),
        "history": rows,
        "queries": queries,
    }


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
            base = None
            for i in args.modes:
                mode = MODES[i]
                r = run(cluster, f"h{i}", folder, mode, args.repeats)
                base = base or r["replace"]
                print(
                    f"| {label} | {mode} | {r['validate']:.2f} | {r['first']:.2f} | "
                    f"{r['replace']:.2f} | {r['replace'] / base:.2f} | {r['history']:,} |",
                    flush=True,
                )
                for name, seconds in r["queries"].items():
                    print(f"|   | {name} (median of 3) | {seconds:.2f} s | | | | |", flush=True)


if __name__ == "__main__":
    main()
