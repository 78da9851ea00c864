"""CPU time of one rerun of the dashboard on the bundled data, this tree beside a base commit.

python -m bench.rerun [--base 8e74cea] [--rounds 7] [--repeats 2]

The base commit is extracted with `git archive` into a temporary folder (no worktree), and
both trees are measured in fresh processes, alternately (base, this, base, this, ...),
with the same script driven through AppTest (the dashboard page, bundled data):

- cold: the first run of the process (data loaded, every cache empty); once per process.
- first load: a new session opening the default view (what fifty readers of one link do).
- filter (new): that session changes the event-type filter to a value no session has used.
- filter (seen): a second session makes the same change (another reader, same click).
- select (new) / select (seen): the session searches an incident id, which selects it
  (map, timeline, card and list all change); then a second session does the same.
- tab: the session opens the "Sources for these incidents" tab.

CPU time is `time.process_time()` of the measuring process around `AppTest.run()`: the
script thread, plus AppTest's own work of reading the element protos back (an upper
bound for the server's script time; `harness` gives that floor, a one-line app). AppTest
compiles the scripts again on every run (a new ScriptCache each time, ~40 ms a page with
Streamlit's "magic"); a server keeps one ScriptCache for all sessions, so the workers
share one too (both trees alike).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TYPES = (
    ["detention"],
    ["repatriation"],
    ["detention", "repatriation"],
    ["transfer", "detention"],
    ["crackdown", "detention"],
    ["official_statement", "repatriation"],
    ["held", "detention"],
    ["repatriation", "transfer"],
)
STEPS = ("first load", "filter (new)", "filter (seen)", "select (new)", "select (seen)", "tab")


def _cpu(at) -> float:
    start = time.process_time()
    at.run()
    spent = time.process_time() - start
    assert not at.exception, at.exception
    return spent


def _targets(types: list[str]) -> str:
    """An incident id the `types` filter leaves, for the search box to select."""
    from atlas.filters import Filters, apply_filters
    from atlas.paths import DATA_DIR
    from atlas.store import load_tables

    _, table = load_tables(DATA_DIR)
    frame = apply_filters(table, Filters(types=tuple(types)))
    return str(frame[frame["in_period"]]["incident_id"].iloc[len(frame) // 3])


def _open_sources(at) -> None:
    tabs = [t for t in at.get("tab") if "Sources" in t.label]
    if "dashboard_tab" in at.session_state or not tabs:  # a lazy tab: open it by its key
        at.session_state["dashboard_tab"] = "Sources for these incidents"


def worker(rounds: int) -> dict[str, list[float]]:
    """Runs inside the tree being measured (cwd and sys.path[0])."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest, app_test, local_script_runner

    shared = ScriptCache()  # as the server's Runtime holds one for every session
    local_script_runner.ScriptCache = app_test.ScriptCache = lambda: shared
    app = str(Path.cwd() / "app.py")
    out: dict[str, list[float]] = {step: [] for step in (*STEPS, "cold", "harness")}
    out["cold"].append(_cpu(AppTest.from_file(app, default_timeout=120)))
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as bare:
        bare.write("import streamlit as st\nst.write('x')\n")
    for n in range(rounds):
        types = TYPES[n % len(TYPES)]
        target = _targets(types)
        first, second = (AppTest.from_file(app, default_timeout=120) for _ in range(2))
        out["first load"].append(_cpu(first))
        second.run()
        for at, label in ((first, "new"), (second, "seen")):
            at.multiselect(key="f_types").set_value(types)
            out[f"filter ({label})"].append(_cpu(at))
        for at, label in ((first, "new"), (second, "seen")):
            at.text_input(key="search").input(target)
            out[f"select ({label})"].append(_cpu(at))
            assert at.session_state["incident"] == target, "the search did not select"
        _open_sources(first)
        out["tab"].append(_cpu(first))
        harness = AppTest.from_file(bare.name)
        harness.run()
        out["harness"].append(_cpu(harness))
    os.unlink(bare.name)
    return out


def measure(tree: Path, rounds: int) -> dict[str, list[float]]:
    from bench.basetree import run_worker  # here: this file is also the base tree's worker

    return run_worker(tree, Path(__file__), f"worker({rounds})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="8e74cea", help="commit to compare with")
    parser.add_argument("--rounds", type=int, default=7, help="sessions per process")
    parser.add_argument("--repeats", type=int, default=2, help="processes per tree")
    args = parser.parse_args()
    from bench import basetree  # not at the top: see measure

    trees = {"base": None, "this": ROOT}
    results: dict[str, dict[str, list[float]]] = {"base": {}, "this": {}}
    with tempfile.TemporaryDirectory(prefix="rerun-base-") as tmp:
        trees["base"] = basetree.extract(args.base, Path(tmp))
        started = time.perf_counter()
        for _ in range(args.repeats):
            for name, tree in trees.items():
                for step, values in measure(tree, args.rounds).items():
                    results[name].setdefault(step, []).extend(values)
    print(
        f"CPU per rerun, bundled data, medians in ms ({args.repeats} processes x "
        f"{args.rounds} sessions per tree; base {args.base}; {time.perf_counter() - started:.0f} s)"
    )
    print(f"{'step':<15}{'base':>9}{'this':>9}{'ratio':>8}")
    for step in ("cold", *STEPS, "harness"):
        base = statistics.median(results["base"][step]) * 1000
        this = statistics.median(results["this"][step]) * 1000
        print(f"{step:<15}{base:>9.0f}{this:>9.0f}{base / this:>7.1f}x")
    every = [v for s in STEPS for v in results["this"][s]]
    every_base = [v for s in STEPS for v in results["base"][s]]
    print(
        f"{'all reruns':<15}{statistics.median(every_base) * 1000:>9.0f}"
        f"{statistics.median(every) * 1000:>9.0f}"
        f"{statistics.median(every_base) / statistics.median(every):>7.1f}x"
    )


if __name__ == "__main__":
    main()
