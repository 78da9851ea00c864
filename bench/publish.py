"""What the database's public tier costs, each figure beside a baseline of the same run.

python -m bench.publish [--n 10000] [--repeats 5] [--root /tmp/atlas-bench]

A synthetic dataset (atlas.synthetic, seed 1, shared with bench.db / bench.scale) is
imported into a throwaway cluster (tests/db/pgcluster.py), which publishes it. Then, as
medians of --repeats after one warm-up:
- `refresh_public` (read the published rows, redact, rewrite the copy; one transaction)
  beside reading the whole base as text tables (`read_text_tables`, what an export reads);
- an UPDATE of 1% of the incidents with the fail-closed triggers beside the same UPDATE with
  them disabled (both rolled back);
- the backend's aggregate questions asked by a public login (security-invoker views over
  row-level security) beside the same questions asked by the owner on the base tables.
Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench.db import FILTERS, median_ms
from bench.scale import ensure_data

QUESTIONS = ("grid_cells", "month_bins", "counts_by_type", "source_summary")


def median_s(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "atlas-bench")
    return parser


def main() -> None:
    args = build_parser().parse_args()

    from atlas.backend import PostgresBackend
    from atlas.db import engine, upgrade
    from atlas.db.publish import public_login, refresh_public
    from atlas.db.transfer import import_folder, read_text_tables
    from atlas.policy import load_policy
    from tests.db import pgcluster

    folder = ensure_data(args.root, args.n, 1)
    policy = load_policy()
    with pgcluster.cluster() as cluster:
        url = cluster.create_database("bench")
        upgrade(url)
        start = time.perf_counter()
        result = import_folder(url, folder)
        print(
            f"import of {args.n:,} incidents ({result.rows['reports']:,} reports), publishing"
            f" included: {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        owner = engine(url)

        def refresh() -> None:
            with owner.begin() as connection:
                refresh_public(connection, policy)

        def read_all() -> None:
            with owner.connect() as connection:
                read_text_tables(connection)

        base_s, refresh_s = median_s(read_all, args.repeats), median_s(refresh, args.repeats)
        print(
            f"refresh_public {refresh_s:.2f} s; read_text_tables of the base {base_s:.2f} s"
            f" (ratio {refresh_s / base_s:.1f})",
            flush=True,
        )

        def update(triggers: bool) -> Callable[[], None]:
            def run() -> None:
                with owner.connect() as connection, connection.begin() as transaction:
                    for event in () if triggers else ("update", "delete"):
                        name = f"incidents_public_{event}"
                        connection.execute(sa.text(f"ALTER TABLE incidents DISABLE TRIGGER {name}"))
                    connection.execute(
                        sa.text(
                            "UPDATE incidents SET title = title || '.' WHERE row_order % 100 = 0"
                        )
                    )
                    transaction.rollback()

            return run

        with_s, without_s = (
            median_s(update(True), args.repeats),
            median_s(update(False), args.repeats),
        )
        print(
            f"UPDATE of {args.n // 100:,} incidents: {with_s * 1000:,.0f} ms with the fail-closed"
            f" triggers, {without_s * 1000:,.0f} ms without (ratio {with_s / without_s:.1f})",
            flush=True,
        )

        with owner.begin() as connection:
            public_login(connection, "bench_public", "bench")
        public_url = sa.make_url(url).set(username="bench_public")
        public = PostgresBackend(public_url.render_as_string(hide_password=False))
        team = PostgresBackend(url)
        print("\n| question | filter | owner, base ms | public role, views ms | ratio | rows |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for question in QUESTIONS:
            for name in ("none", "type", "province"):
                team_ms, rows = median_ms(team, question, FILTERS[name], args.repeats)
                public_ms, public_rows = median_ms(public, question, FILTERS[name], args.repeats)
                print(
                    f"| {question} | {name} | {team_ms:,.0f} | {public_ms:,.0f} |"
                    f" {public_ms / team_ms:.2f} | {rows:,} / {public_rows:,} |",
                    flush=True,
                )
        public.engine.dispose()
        team.engine.dispose()


if __name__ == "__main__":
    main()
