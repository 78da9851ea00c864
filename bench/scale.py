"""Does the dashboard stay interactive at 10k, 100k and 1M incidents? Prints a table.

python -m bench.scale [--sizes 10000 100000 1000000] [--root /tmp/atlas-bench] [--changes 5]

For each N, a synthetic dataset (atlas.synthetic, seed 1) is generated once under --root,
and measured in fresh processes:

- load: cold = validate the CSVs, build the incident table and write the columnar copy
  (atlas.store); taken from the copy's manifest when it already exists (--cold measures it
  again into a fresh folder); warm = read the columnar copy. RSS after a warm load.
- rerun: the full app script (AppTest, the dashboard page) after each of --changes filter
  changes (event types); median, and the largest RSS after one of them (freed frames are
  returned at Python's own pace, so RSS moves by a few hundred MB at 1M). Also a rerun
  after selecting the busiest map cell.
- payload: bytes of the element protos a rerun sends (sum of ByteSize over the AppTest
  tree: map, timeline, tables, everything). An upper bound: Streamlit skips re-sending a
  large unchanged message the browser already has. The static files the browser fetches
  once (base-map GeoJSON) are listed separately.
- naive: the same reruns with aggregation switched off (atlas.grid.DETAIL_LIMIT raised):
  every in-period incident inline to pydeck through the per-incident layers (compact
  JSON) and every incident to the timeline chart. Fewer repeats at 1M (--naive-changes).
- browser (--browser K): in headless Chromium, page load → grid cells drawn, and K single
  clicks (each on a fresh page) on the busiest cells → the cell in the URL and the count
  narrowed; how many registered; the server's RSS after the first page and after all.
- sessions: RSS before and after a second AppTest session on the same data in the same
  process (the data are cached once per process with st.cache_resource).

python -m bench.scale --backend postgres [--sizes 100000 1000000] [--url URL] [--reuse]

The team database (issue 16): each dataset is imported with `python -m atlas.db import`
(timed, with its stages) into a throwaway cluster (tests/db/pgcluster.py), or into the
database --url names (--reuse: kept when it already holds N incidents); then the same app
figures (reruns, payload, RSS of the app process, + a second session) are measured on
ATLAS_DATABASE_URL and, in the same run, on the files as the baseline (naive reruns off).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TYPE_CHANGES = (
    ["detention"],
    ["detention", "repatriation"],
    ["crackdown"],
    [],
    ["repatriation", "transfer"],
    ["official_statement"],
    [],
)


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def payload(at) -> dict[str, int]:
    """Bytes of every element proto in an AppTest tree, by element kind."""
    sizes: dict[str, int] = {}

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children is None:
            proto = getattr(node, "proto", None)
            if proto is not None:
                sizes[node.type] = sizes.get(node.type, 0) + proto.ByteSize()
            return
        for child in children.values():
            walk(child)

    walk(at._tree)  # AppTest has no public walk of its tree
    return sizes


def _kinds(sizes: dict[str, int]) -> dict[str, int]:
    kinds = {
        "map": sizes.get("deck_gl_json_chart", 0),
        "timeline": sizes.get("vega_lite_chart", 0) + sizes.get("arrow_vega_lite_chart", 0),
        "tables": sizes.get("dataframe", 0) + sizes.get("arrow_data_frame", 0),
    }
    kinds["total"] = sum(sizes.values())
    return kinds


# --- workers (each in a fresh process; environment set by the parent) ----------------


# periods inside the synthetic data's 2000–2025 (atlas.synthetic)
PERIOD_CHANGES = (
    (date(2013, 10, 1), date(2014, 3, 31)),
    (date(2016, 1, 1), date(2016, 12, 31)),
    (date(2010, 6, 1), date(2012, 5, 31)),
    (date(2020, 1, 1), date(2021, 6, 30)),
    (date(2005, 1, 1), date(2024, 12, 31)),
)


def worker_load() -> dict:
    from atlas.store import load_tables

    data_dir = Path(os.environ["ATLAS_DATA_DIR"])
    base = rss_mb()
    start = time.perf_counter()
    dataset, table = load_tables(data_dir)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rss_mb": rss_mb(),
        "rss_data_mb": rss_mb() - base,
        "peak_mb": peak_mb(),
        "rows": len(table),
        "reports": len(dataset.reports),
    }


def _reruns(
    at, changes: list[list[str]], rss: list[float] | None = None
) -> tuple[list[float], list[dict[str, int]]]:
    times, sizes = [], []
    for types in changes:
        at.multiselect(key="f_types").set_value(types)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        sizes.append(_kinds(payload(at)))
        if rss is not None:
            rss.append(rss_mb())
    return times, sizes


def _median_sizes(sizes: list[dict[str, int]]) -> dict[str, float]:
    return {k: statistics.median(s[k] for s in sizes) for k in sizes[0]}


def worker_app(changes: int, naive_changes: int) -> dict:
    from streamlit.testing.v1 import AppTest

    import atlas.grid

    out: dict = {"rss_start_mb": rss_mb()}
    at = AppTest.from_file(APP, default_timeout=3600)
    start = time.perf_counter()
    at.run()
    out["first_run_s"] = time.perf_counter() - start
    assert not at.exception, at.exception
    out["rss_after_first_run_mb"] = rss_mb()
    out["first_payload"] = _kinds(payload(at))
    captions = [c.value for c in at.caption if "grid cells" in c.value]
    out["caption"] = captions[0] if captions else ""
    out["rss_reruns_mb"] = []
    times, sizes = _reruns(at, [list(c) for c in TYPE_CHANGES[:changes]], out["rss_reruns_mb"])
    out["rerun_s"] = times
    out["payload"] = _median_sizes(sizes)
    out["payload_max"] = max(s["total"] for s in [out["first_payload"], *sizes])
    # the other common filter change: the period (every type), as the sidebar's field sets it
    at.multiselect(key="f_types").set_value([])
    at.run()
    out["period_rerun_s"] = []
    for start, end in PERIOD_CHANGES[:changes]:
        at.date_input(key="f_period").set_value((start, end))
        begun = time.perf_counter()
        at.run()
        out["period_rerun_s"].append(time.perf_counter() - begun)
        assert not at.exception, at.exception
    # drill down: select the busiest cell of the whole map, as a click would
    from atlas.filters import Filters, apply_filters
    from atlas.grid import GRID_SIZES, grid_cells
    from ui import data

    db = data.database_backend()
    if db is not None:  # the database counts the cells; the app process holds no table
        busiest = db.grid_cells(Filters(), GRID_SIZES[0])["cell"].iloc[0]
    else:
        _, table, _ = data.load()
        busiest = grid_cells(apply_filters(table, Filters()), GRID_SIZES[0])["cell"].iloc[0]
    at.multiselect(key="f_types").set_value([])
    at.run()
    at.session_state["cell"] = busiest
    start = time.perf_counter()
    at.run()
    out["cell_rerun_s"] = time.perf_counter() - start
    out["cell_payload"] = _kinds(payload(at))
    out["cell"] = busiest
    out["cell_caption"] = [c.value for c in at.caption if "cell" in c.value][:2]

    before = rss_mb()
    second = AppTest.from_file(APP, default_timeout=3600)
    second.run()
    assert not second.exception, second.exception
    out["second_session_delta_mb"] = rss_mb() - before
    out["rss_two_sessions_mb"] = rss_mb()
    if not naive_changes:
        return out

    atlas.grid.DETAIL_LIMIT = 10**12  # the naive approach: never aggregate
    naive = AppTest.from_file(APP, default_timeout=3600)
    start = time.perf_counter()
    naive.run()
    out["naive_first_run_s"] = time.perf_counter() - start
    times, sizes = _reruns(naive, [list(c) for c in TYPE_CHANGES[:naive_changes]])
    out["naive_rerun_s"] = times
    out["naive_payload"] = _median_sizes(sizes)
    out["rss_end_mb"] = rss_mb()
    return out


def browser_click(data_dir: Path, store: Path, n: int, attempts: int) -> dict:
    """In headless Chromium: page load → cells drawn (first load: the server loads the
    data), then `attempts` times on a fresh page: one click on the busiest cells, once the
    page has settled → the cell in the URL (within 30 s) and the count narrowed."""
    from tests.browser.harness import (
        CELL_COLOURS,
        DARKEST_CELL,
        app_server,
        browser_page,
        metric_value,
        wait_for_map,
        wait_until,
    )
    from tests.browser.harness import MAP as MAP_SELECTOR
    from tests.browser.test_dashboard import query

    def count(page) -> int:
        return int(metric_value(page).replace(",", ""))

    out: dict = {"clicks": [], "attempts": attempts}
    with app_server(data_dir, timeout=120, extra_env={"ATLAS_CACHE_DIR": str(store)}) as url:
        with browser_page() as page:
            start = time.perf_counter()
            page.goto(url)
            wait_for_map(page, timeout=900, colours=CELL_COLOURS)
            wait_until(lambda: count(page) == n, timeout=900)
            out["first_load_s"] = time.perf_counter() - start
            time.sleep(15)  # let this session's run finish (source panel, exports)
            out["server_rss_first_mb"] = server_rss_mb(url)
        for _ in range(attempts):
            with browser_page() as page:
                start = time.perf_counter()
                page.goto(url)
                hits = wait_for_map(page, timeout=300, colours=DARKEST_CELL)
                wait_until(lambda page=page: count(page) == n, timeout=300)
                out.setdefault("load_s", []).append(time.perf_counter() - start)
                time.sleep(5)  # settle, as a person would look before clicking
                box = page.locator(MAP_SELECTOR).bounding_box()
                found = set(hits)
                x, y = max(
                    hits,
                    key=lambda h, found=found: sum(
                        (h[0] + dx, h[1] + dy) in found
                        for dx in (-4, -2, 0, 2, 4)
                        for dy in (-4, -2, 0, 2, 4)
                    ),
                )
                start = time.perf_counter()
                page.mouse.click(box["x"] + x, box["y"] + y)
                try:
                    wait_until(lambda page=page: "cell" in query(page), timeout=30)
                    url_s = time.perf_counter() - start
                    wait_until(lambda page=page: 0 < count(page) < n, timeout=60)
                    out["clicks"].append((url_s, time.perf_counter() - start))
                except AssertionError:
                    pass
                time.sleep(10)  # let the run the click started finish before the next page
        out["server_rss_mb"] = server_rss_mb(url)
    return out


def server_rss_mb(url: str) -> float:
    """Resident memory of the `streamlit run` process serving `url`, MB."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in args and port.encode() in args:
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    return float("nan")


# --- parent -------------------------------------------------------------------------


def _run_worker(kind: str, env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--worker", kind, *args],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode or not lines:
        raise RuntimeError(f"worker {kind} failed:\n{result.stderr[-4000:]}")
    return json.loads(lines[-1])


def ensure_data(root: Path, n: int, seed: int) -> Path:
    from atlas.synthetic import write

    folder = root / f"n{n}"
    if not (folder / "incidents.csv").exists():
        start = time.perf_counter()
        write(n, seed, folder)
        print(f"generated {n:,} incidents in {time.perf_counter() - start:.1f} s", flush=True)
    return folder


def cold_load(data_dir: Path, store: Path, force: bool) -> tuple[float, float | None, str]:
    """Seconds of a cold load, its peak RSS (None if recorded), and how it was obtained."""
    from atlas.store import copy_folder

    manifest = copy_folder(data_dir, store) / "manifest.json"
    recorded = json.loads(manifest.read_text()).get("built_seconds") if manifest.exists() else None
    if recorded is not None and not force:
        return float(recorded), None, "recorded when the columnar copy was built"
    # a fresh folder when a copy exists already (else the "cold" load would read it)
    target = Path(tempfile.mkdtemp(prefix="atlas-cold-")) if manifest.exists() else store
    env = {"ATLAS_DATA_DIR": str(data_dir), "ATLAS_CACHE_DIR": str(target)}
    result = _run_worker("load", env)
    return result["seconds"], result["peak_mb"], "measured"


def static_files() -> list[tuple[str, int]]:
    return [(p.name, p.stat().st_size) for p in sorted((ROOT / "static" / "geo").glob("*"))]


def _kb(n: float) -> str:
    return f"{n / 1024:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "atlas-bench")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--naive-changes", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="measure cold loads again")
    parser.add_argument(
        "--browser", type=int, default=0, metavar="K", help="also click the map K times"
    )
    parser.add_argument("--backend", choices=["files", "postgres"], default="files")
    parser.add_argument("--url", help="postgres: an existing database (else a throwaway cluster)")
    parser.add_argument(
        "--reuse", action="store_true", help="postgres: keep --url's data when it has N incidents"
    )
    parser.add_argument(
        "--files-up-to",
        type=int,
        default=10**12,
        metavar="N",
        help="postgres: measure the files backend beside it only up to N incidents (the files "
        "hold the table in the process: 1.3–2.0 GB at 1M, over this machine at 10M)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("worker_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "load":
        print(json.dumps(worker_load()))
        return
    if args.worker == "app":
        print(json.dumps(worker_app(int(args.worker_args[0]), int(args.worker_args[1]))))
        return

    if args.backend == "postgres":
        from bench.scale_db import main_postgres

        main_postgres(args)
        return

    store = args.root / "cache"
    rows = []
    clicks: dict[int, dict] = {}
    for n in args.sizes:
        data_dir = ensure_data(args.root, n, args.seed)
        cold, cold_peak, how = cold_load(data_dir, store, args.cold)
        env = {"ATLAS_DATA_DIR": str(data_dir), "ATLAS_CACHE_DIR": str(store)}
        warm = _run_worker("load", env)
        naive_changes = args.naive_changes if n < 1_000_000 else min(args.naive_changes, 2)
        app = _run_worker("app", env, str(args.changes), str(naive_changes))
        rows.append((n, cold, cold_peak, how, warm, app))
        print(f"measured N={n:,}", flush=True)
        print(json.dumps({"n": n, "cold": cold, "warm": warm, "app": app}), flush=True)
        if args.browser:
            clicks[n] = browser_click(data_dir, store, n, args.browser)
            print(json.dumps({"n": n, "browser": clicks[n]}), flush=True)

    print()
    print(
        "| N | cold load s | warm load s | RSS after warm load MB | RSS app, 1 session MB "
        "| RSS over the reruns, max MB | + 2nd session MB | rerun median ms "
        "| payload/rerun KB (map / timeline / tables) | payload max KB "
        "| rerun after cell click ms | naive rerun median ms | naive payload KB "
        "| naive ÷ aggregated: time / bytes |"
    )
    print("|" + "---|" * 14)
    for n, cold, _, _, warm, app in rows:
        rerun = statistics.median(app["rerun_s"]) * 1000
        naive = statistics.median(app["naive_rerun_s"]) * 1000
        p, q = app["payload"], app["naive_payload"]
        print(
            f"| {n:,} | {cold:,.1f} | {warm['seconds']:.2f} | {warm['rss_mb']:,.0f} "
            f"| {app['rss_after_first_run_mb']:,.0f} | {max(app['rss_reruns_mb']):,.0f} "
            f"| {app['second_session_delta_mb']:+,.0f} "
            f"| {rerun:,.0f} | {_kb(p['total'])} ({_kb(p['map'])} / {_kb(p['timeline'])} / "
            f"{_kb(p['tables'])}) | {_kb(app['payload_max'])} "
            f"| {app['cell_rerun_s'] * 1000:,.0f} | {naive:,.0f} "
            f"| {_kb(q['total'])} ({_kb(q['map'])} / {_kb(q['timeline'])} / {_kb(q['tables'])}) "
            f"| {naive / rerun:,.0f}× / {q['total'] / max(p['total'], 1):,.0f}× |"
        )
    print()
    for n, cold, cold_peak, how, _, app in rows:
        peak = f", peak RSS {cold_peak:,.0f} MB" if cold_peak else ""
        first = app["first_run_s"]
        print(f"N={n:,}: cold load {cold:,.1f} s ({how}{peak}); first app run {first:.2f} s")
        print(
            f"  reruns ms: {[round(t * 1000) for t in app['rerun_s']]}; naive: "
            f"{[round(t * 1000) for t in app['naive_rerun_s']]} (first naive run "
            f"{app['naive_first_run_s']:.1f} s)"
        )
        print(f"  {app['caption']}")
        print(
            f"  cell {app['cell']}: payload {_kb(app['cell_payload']['total'])} KB; "
            f"{' | '.join(app['cell_caption'])}"
        )
    for n, click in clicks.items():
        done = click["clicks"]
        times = (
            f"median {statistics.median(c[0] for c in done):.1f} s to the URL, "
            f"{statistics.median(c[1] for c in done):.1f} s to the narrowed count"
            if done
            else "no click registered"
        )
        print(
            f"Browser N={n:,}: page load → cells drawn {click['first_load_s']:.1f} s (first, "
            f"server loads the data), then median {statistics.median(click['load_s']):.1f} s; "
            f"a click on a cell registered {len(done)} of {click['attempts']} times ({times}); "
            f"server RSS {click['server_rss_first_mb']:,.0f} MB after the first page, "
            f"{click['server_rss_mb']:,.0f} MB after all {click['attempts'] + 1}"
        )
    print("\nStatic files the browser fetches once (served from static/, cached):")
    for name, size in static_files():
        print(f"  app/static/geo/{name}: {size / 1024:,.0f} KB")


if __name__ == "__main__":
    main()
