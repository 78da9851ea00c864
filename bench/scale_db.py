"""`python -m bench.scale --backend postgres`: the dashboard on the team database beside the
files, at each N of --sizes (see bench/scale.py's docstring). Prints a table."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from bench.scale import ROOT, _kb, _run_worker, cold_load, ensure_data

IMPORT_STAGES = re.compile(r"\(validate ([\d.]+) s, write ([\d.]+) s\)")


def incidents_in(url: str) -> int:
    """How many incidents the database holds (0 without a schema)."""
    import sqlalchemy as sa

    from atlas.db import engine

    try:
        with engine(url).connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM incidents")).scalar_one()
    except sa.exc.ProgrammingError:
        return 0


def import_with_cli(url: str, folder: Path) -> dict:
    """`python -m atlas.db upgrade` then `import DIR`, timed; the import's own stages."""
    env = {**os.environ, "ATLAS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    for command in (["upgrade"], ["import", str(folder)]):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "atlas.db", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"atlas.db {command[0]} failed:\n{done.stderr[-3000:]}")
    seconds = time.perf_counter() - start
    stages = IMPORT_STAGES.search(done.stdout)
    validate, write = (float(g) for g in stages.groups()) if stages else (float("nan"),) * 2
    return {"seconds": seconds, "validate": validate, "write": write, "reused": False}


def main_postgres(args) -> None:
    from tests.db import pgcluster

    store = args.root / "cache"
    results = []
    with nullcontext(None) if args.url else pgcluster.cluster() as cluster:
        for n in args.sizes:
            folder = ensure_data(args.root, n, args.seed)
            url = args.url or cluster.create_database(f"scale{n}")
            if args.reuse and incidents_in(url) == n:
                imported = {"seconds": float("nan"), "reused": True}
            else:
                imported = import_with_cli(url, folder)
            print(f"N={n:,}: import {imported}", flush=True)
            db = _run_worker("app", {"ATLAS_DATABASE_URL": url}, str(args.changes), "0")
            print(f"N={n:,}: postgres measured", flush=True)
            if n > args.files_up_to:
                results.append((n, imported, {"postgres": db}))
                continue
            cold_load(folder, store, False)  # the files' columnar copy, built once
            env = {"ATLAS_DATA_DIR": str(folder), "ATLAS_CACHE_DIR": str(store)}
            files = _run_worker("app", {**env, "ATLAS_DATABASE_URL": ""}, str(args.changes), "0")
            print(f"N={n:,}: files measured", flush=True)
            results.append((n, imported, {"postgres": db, "files": files}))

    print()
    print(
        "| N | backend | import s (validate + write) | first run s | RSS app, 1 session MB "
        "| RSS over the reruns, max MB | + 2nd session MB | rerun median ms "
        "| payload/rerun KB (map / timeline / tables) | payload max KB | rerun after cell ms "
        "| rerun after a period change, median ms |"
    )
    print("|" + "---|" * 12)
    for n, imported, apps in results:
        for name, app in apps.items():
            if name == "postgres" and not imported["reused"]:
                how = (
                    f"{imported['seconds']:,.0f} ({imported['validate']:,.0f} + "
                    f"{imported['write']:,.0f})"
                )
            else:
                how = "kept" if name == "postgres" else "–"
            rerun = statistics.median(app["rerun_s"]) * 1000
            p = app["payload"]
            print(
                f"| {n:,} | {name} | {how} | {app['first_run_s']:.1f} "
                f"| {app['rss_after_first_run_mb']:,.0f} | {max(app['rss_reruns_mb']):,.0f} "
                f"| {app['second_session_delta_mb']:+,.0f} | {rerun:,.0f} "
                f"| {_kb(p['total'])} ({_kb(p['map'])} / {_kb(p['timeline'])} / "
                f"{_kb(p['tables'])}) | {_kb(app['payload_max'])} "
                f"| {app['cell_rerun_s'] * 1000:,.0f} "
                f"| {statistics.median(app['period_rerun_s']) * 1000:,.0f} |"
            )
    for n, _, apps in results:
        for name, app in apps.items():
            print(
                f"N={n:,} {name}: reruns ms {[round(t * 1000) for t in app['rerun_s']]}; "
                f"period changes ms {[round(t * 1000) for t in app['period_rerun_s']]}"
            )
