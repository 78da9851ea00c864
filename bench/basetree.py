"""A base commit measured beside this tree (`bench.rerun`, `bench.first_builds`): the base
is extracted with `git archive` into a temporary folder (no worktree), and the same worker,
the benchmark's own file copied beside each tree's packages, runs there in a fresh process.

Benchmarks import this inside the functions that run in this tree only: their file is the
worker a base tree imports, and an older base has no `bench/basetree.py`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def extract(commit: str, into: Path) -> Path:
    """The files of `commit` in the folder `into`."""
    tar = subprocess.run(
        ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    return into


def run_worker(tree: Path, benchmark: Path, call: str):
    """The JSON value of `call` (e.g. "worker(7)", a name of the benchmark's file) computed
    in a fresh process in `tree`, on the tree's own bundled data."""
    module = f"bench_{benchmark.stem}_worker"
    env = {**os.environ, "PYTHONPATH": str(tree), "ATLAS_DATA_DIR": str(tree / "data")}
    code = (
        f"import json, sys; sys.path.insert(0, '.'); from {module} import *; "
        f"print('RESULT' + json.dumps({call}))"
    )
    (tree / f"{module}.py").write_text(benchmark.read_text())
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True
        )
    finally:
        (tree / f"{module}.py").unlink()
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT")]
    if not lines:
        raise SystemExit(f"{tree}: no result\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT") :])
