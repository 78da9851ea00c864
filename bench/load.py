"""Load benchmark: N concurrent viewers of the dashboard, each a Streamlit session driven
through Streamlit's own WebSocket protocol (bench/protocol.py), against one `streamlit run`
process and against replicas behind nginx (deploy/replicas.py). It starts its own servers on
free loopback ports (bundled data) and prints a Markdown table of medians over --repeat runs.

Each viewer (bench/scenario.py) opens a link, then changes the event type and the period,
clicks an incident on the map, and downloads the filtered data (opens the Export tab, presses
"Prepare" for CSV, then fetches the /media/ file over HTTP with the viewer's cookie, so
through nginx it must come from the viewer's replica), with
a think time between actions and WebSocket keep-alive pings. A page whose count or card is
not what atlas.filters says counts as an error.

    python -m bench.load                       # N = 1 5 10 20 50, one process; 100 on 2 replicas
    python -m bench.load --quick               # smoke run: N = 1 2, one action each
    python -m bench.load --sessions 1 5 10 --replicas 0 2 --repeat 3 --browser 3
    python -m bench.load --backend postgres --replicas 2 --proxied-sessions 1 20 --no-export
    python -m bench.load --replicas 2 --proxied-sessions 1 20 --caches cold --repeat 3

Viewers (--viewers, default 20): every phase runs the plans of at least that many viewers,
N of them open at once (N = 1: one after another, each next one opening as the last
leaves), so N = 1 and N = 20 time the same filter changes and differ in concurrency only.
(Until 2026-12-03 a phase ran N viewers: N = 1 timed viewer 0's four changes, a p95 of four
samples of one link.)

Caches (--caches): warm (the default), every replica has first served every session the
phases run, so N = 1 and N = 20 find the same views built and differ in concurrency only;
cold, every phase runs on servers started for it that have only opened the default link,
so every viewer's filter changes build views new to the server, at N = 1 as at N = 20.
(Until 2026-12-03 the replicas were warmed with one session, the N = 1 phase's: its views
were built and N = 20's mostly not, which compared first builds with kept views.)

The data: the bundled files, or (--backend postgres) the team database every replica reads
through ATLAS_DATABASE_URL: a throwaway PostgreSQL cluster holding the bundled data
(tests/db/pgcluster.py, as `python -m atlas.db upgrade` and `import data` make it), or an
existing database with that data (--database-url). The expected counts come from the
bundled files either way.

Columns: load / action = seconds from the BackMsg sent to `script_finished` (p50, p95 over
all sessions and every --repeat run pooled; opening the Export tab is an action); filter =
the type and period changes among the actions (how many, in brackets); export = the
"Prepare" run that builds the CSV plus the file's fetch; runs/s = completed script runs per
second of the phase; CPU/run = server CPU seconds (all replicas and nginx) per completed run;
RSS = the servers' peak resident memory. Benchmarks print; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import signal
import statistics
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from bench.protocol import ProtocolError, RunResult, Session
from bench.scenario import (
    DATA_DOWNLOAD,
    DATA_FORMAT,
    EXPORT_TAB,
    MAP_LAYER,
    QUERIES,
    Data,
    Step,
    plan,
)
from bench.serverstats import cpu_seconds, rss_mb
from deploy.replicas import serving
from ui.state import TAB

FILTER_STEPS = ("type", "period")  # scenario steps that change a filter in the sidebar


@dataclass
class Phase:
    """What one run of N sessions measured."""

    loads: list[float] = field(default_factory=list)
    actions: list[float] = field(default_factory=list)
    filters: list[float] = field(default_factory=list)  # the actions that change a filter
    exports: list[float] = field(default_factory=list)
    errors: int = 0
    timeouts: int = 0
    wrong: int = 0
    runs: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    db_cpu: float = 0.0  # the database server's processes (a throwaway cluster only)
    rss: float = 0.0
    notes: list[str] = field(default_factory=list)


def route_cookie(url: str) -> dict[str, str]:
    """Open the page as a browser does first: nginx's sticky cookie (none without nginx)."""
    with urllib.request.urlopen(url + "/", timeout=60) as r:  # noqa: S310 - loopback
        cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
    return {"Cookie": "; ".join(cookies)} if cookies else {}


def fetch(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
        return len(r.read())


def check(result: RunResult, step: Step, phase: Phase) -> None:
    """A finished run: an app error raises; a count or card unlike atlas.filters' is wrong."""
    phase.runs += 1
    if result.exception:
        raise ProtocolError(f"app error: {result.exception[:80]}")
    if result.metric != f"{step.expected_count:,}":
        phase.wrong += 1
        phase.notes.append(f"{step.kind}: count {result.metric}, expected {step.expected_count}")
    if step.expected_text and not any(step.expected_text in t for t in result.texts):
        phase.wrong += 1
        phase.notes.append(f"select: card without {step.expected_text[:30]!r}")


async def export(session: Session, step: Step, phase: Phase) -> float:
    """Open the Export tab (a run, timed as an action), keep the format the select box shows
    (sent with the next run), press "Prepare" and fetch the file it offers: the seconds of
    the Prepare run and the fetch."""
    opened = await session.set_widget(TAB, string_value=EXPORT_TAB)
    check(opened, step, phase)
    phase.actions.append(opened.seconds)
    session.remember(DATA_FORMAT, string_value=step.value)
    start = time.perf_counter()
    prepared = await session.press(step.widget)
    check(prepared, step, phase)
    url = prepared.downloads.get(DATA_DOWNLOAD)
    if not url:
        raise ProtocolError("no download button after Prepare")
    size = await asyncio.to_thread(fetch, session.base_url + url, session.headers)
    if not size:
        raise ProtocolError("empty download")
    return time.perf_counter() - start


async def act(session: Session, step: Step, phase: Phase) -> float:
    if step.kind == "export":
        return await export(session, step, phase)
    if step.kind == "select":
        result = await session.select_on_map(step.widget, MAP_LAYER, step.value)
    else:
        result = await session.set_widget(step.widget, string_array_value=step.value)
    check(result, step, phase)
    return result.seconds


@dataclass(frozen=True)
class Plan:
    """A viewer's link, its steps and the count its first page must show, worked out
    before the phase starts: the expected answers are pandas work on the client's one
    thread, which would delay reading the other viewers' answers (measured: ~5 s of CPU
    over a phase of 20 viewers, spent during the ramp)."""

    query: str
    steps: list[Step]
    first_count: int


def plans(data: Data, n: int, args) -> list[Plan]:
    out = []
    for i in range(n):
        query, steps = plan(data, i, args.actions, export=args.export)
        out.append(Plan(query, steps, data.count(data.initial(query))))
    return out


async def viewer(i: int, url: str, planned: Plan, args, phase: Phase, ramp: bool = True) -> None:
    rng = random.Random(1000 + i)  # noqa: S311 - reproducible timing, not security
    query, steps = planned.query, planned.steps
    start = rng.uniform(0, args.ramp)  # drawn always: the think times stay the same
    if ramp:  # people open the link within seconds
        await asyncio.sleep(start)
    session = Session(url, timeout=args.timeout, ping_interval=args.ping)
    try:
        session.headers = await asyncio.to_thread(route_cookie, url)
        await session.connect()
        loaded = await session.load(query)
        phase.runs += 1
        phase.loads.append(loaded.seconds)
        if loaded.metric != f"{planned.first_count:,}":
            phase.wrong += 1
        for step in steps:
            await asyncio.sleep(rng.uniform(*args.think))
            seconds = await act(session, step, phase)
            (phase.exports if step.kind == "export" else phase.actions).append(seconds)
            if step.kind in FILTER_STEPS:
                phase.filters.append(seconds)
    except TimeoutError:
        phase.timeouts += 1
    except Exception as exc:  # noqa: BLE001 - counted and reported
        phase.errors += 1
        phase.notes.append(f"{type(exc).__name__}: {str(exc)[:100]}")
    finally:
        try:
            await session.close()
        except Exception:  # noqa: BLE001,S110 - closing a broken socket
            pass


async def sample_rss(pids: list[int], phase: Phase, stop: asyncio.Event) -> None:
    while not stop.is_set():
        phase.rss = max(phase.rss, rss_mb(pids))
        try:
            await asyncio.wait_for(stop.wait(), 1)
        except TimeoutError:
            pass


def viewer_count(n: int, args) -> int:
    """How many viewers' plans a phase of N open at once runs: N, and at least --viewers,
    so a small N runs the same plans as N = --viewers, a few at a time."""
    return max(n, args.viewers)


async def run_phase(
    url: str, pids: list[int], n: int, data: Data, args, db_pids: tuple[int, ...] = ()
) -> Phase:
    """Viewers 0 … viewer_count - 1, at most `n` open at once: the first `n` open the link
    within --ramp seconds, each later one as soon as an earlier one leaves."""
    planned = plans(data, viewer_count(n, args), args)
    phase = Phase()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pids, phase, stop))
    db0 = cpu_seconds(list(db_pids))
    open_at_once = asyncio.Semaphore(n)  # FIFO: viewer i waits for the i - n th to leave

    async def one(i: int) -> None:
        async with open_at_once:
            await viewer(i, url, planned[i], args, phase, ramp=i < n)

    cpu0, t0 = cpu_seconds(pids), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(len(planned))))
    phase.wall = time.perf_counter() - t0
    phase.cpu = cpu_seconds(pids) - cpu0
    phase.db_cpu = cpu_seconds(list(db_pids)) - db0
    stop.set()
    await sampler
    return phase


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(phases: list[Phase]) -> dict[str, float | None]:
    """Times: percentiles of every sample of the repeated runs pooled (a run's own p95
    rests on a few dozen samples), and each run's own filter p95 (how much one run moves);
    rates, CPU and RSS: medians of the runs' figures; errors: summed."""

    def med(f):
        values = [v for v in (f(p) for p in phases) if v is not None]
        return statistics.median(values) if values else None

    def pooled(name: str, q: float) -> float | None:
        return pct([v for p in phases for v in getattr(p, name)], q)

    return {
        "load50": pooled("loads", 0.5),
        "load95": pooled("loads", 0.95),
        "act50": pooled("actions", 0.5),
        "act95": pooled("actions", 0.95),
        "filt50": pooled("filters", 0.5),
        "filt95": pooled("filters", 0.95),
        "export50": pooled("exports", 0.5),
        "errors": sum(p.errors for p in phases),
        "timeouts": sum(p.timeouts for p in phases),
        "wrong": sum(p.wrong for p in phases),
        "rate": med(lambda p: p.runs / p.wall if p.wall else None),
        "cpu_run": med(lambda p: p.cpu / p.runs if p.runs else None),
        "rss": med(lambda p: p.rss),
        "repeats": len(phases),
        "filters": sum(len(p.filters) for p in phases),
        "filt95_each": [pct(p.filters, 0.95) for p in phases],
    }


HEADER = (
    "| setup | N | load p50 / p95 s | action p50 / p95 s | filter p50 / p95 s (changes) "
    "| export p50 s | errors / timeouts / wrong | runs/s | CPU/run s | RSS MB | repeats |\n"
    "|---|---:|---|---|---|---:|---|---:|---:|---:|---:|"
)


def row(setup: str, n: int, s: dict) -> str:
    def f(v, digits=2):
        return "—" if v is None else f"{v:.{digits}f}"

    return (
        f"| {setup} | {n} | {f(s['load50'])} / {f(s['load95'])} | {f(s['act50'])} / "
        f"{f(s['act95'])} | {f(s['filt50'])} / {f(s['filt95'])} ({s['filters']}) | "
        f"{f(s['export50'])} | "
        f"{s['errors']} / {s['timeouts']} / "
        f"{s['wrong']} | {f(s['rate'])} | {f(s['cpu_run'])} | {f(s['rss'], 0)} | "
        f"{s['repeats']} |"
    )


def bench_setup(
    replicas: int,
    sessions: list[int],
    data: Data,
    args,
    database_url: str | None = None,
    db_pids: tuple[int, ...] = (),
) -> list[str]:
    """The phases of one server set-up (replicas = 0: one process, no proxy), on the bundled
    files or on the team database at `database_url` (whose server runs as `db_pids`, when
    known: their CPU is printed apart). --caches warm: one set of servers, and before the
    phases each replica serves, directly, every session the phases run, so every phase
    finds its views built and N = 1 and N = 20 differ only in concurrency; cold: each phase
    (and repeat) on servers started for it that have opened the default link once (modules
    imported, data loaded), so at N = 1 as at N = 20 the viewers' other views are new."""
    setup = "1 process" if replicas == 0 else f"{replicas} replicas + nginx"
    if database_url:
        setup += " on PostgreSQL"
    setup += f", {args.caches} caches"
    start = partial(serving, max(replicas, 1), proxy=replicas > 0, database_url=database_url)

    def measure(cluster, n: int) -> Phase:
        pids = cluster.pids + ([cluster.nginx.pid] if cluster.nginx else [])
        return asyncio.run(run_phase(cluster.url, pids, n, data, args, db_pids))

    rows = []
    if args.caches == "warm":
        with start() as cluster:
            warm = max(viewer_count(n, args) for n in sessions)
            for url in cluster.replica_urls:
                asyncio.run(run_phase(url, cluster.pids, warm, data, args))
            for n in sessions:
                rows.append(report(setup, n, [measure(cluster, n) for _ in range(args.repeat)]))
        return rows
    for n in sessions:
        phases = []
        for _ in range(args.repeat):
            with start() as cluster:
                for url in cluster.replica_urls:
                    asyncio.run(open_link(url, args))
                phases.append(measure(cluster, n))
        rows.append(report(setup, n, phases))
    return rows


async def open_link(url: str, args) -> None:
    """One tab opening the default link (QUERIES[0]), directly on a replica: a cold server's
    first run imports the page modules and loads the data."""
    session = Session(url, timeout=args.timeout, ping_interval=None)
    await session.connect()
    try:
        await session.load(QUERIES[0])
    finally:
        await session.close()


def report(setup: str, n: int, phases: list[Phase]) -> str:
    """Print one row of the table (and its notes); return the row."""
    summary = summarise(phases)
    line = row(setup, n, summary)
    print(line, flush=True)
    if len(phases) > 1:
        each = ", ".join("—" if v is None else f"{v:.2f}" for v in summary["filt95_each"])
        print(f"    filter p95 of each repeat: {each} s", flush=True)
    if any(p.db_cpu for p in phases):
        per_run = statistics.median(p.db_cpu / p.runs for p in phases if p.runs)
        print(f"    PostgreSQL CPU/run {per_run:.3f} s (not in CPU/run)", flush=True)
    print(f"    machine load average {os.getloadavg()[0]:.1f} after this row", flush=True)
    for note in sorted({x for p in phases for x in p.notes})[:5]:
        print(f"    {note}", flush=True)
    return line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20, 50])
    parser.add_argument(
        "--replicas",
        type=int,
        nargs="+",
        default=[0, 2],
        help="set-ups: 0 = one process without nginx, k = k replicas + nginx",
    )
    parser.add_argument(
        "--proxied-sessions",
        type=int,
        nargs="+",
        default=[100],
        help="N for the replica set-ups (default 100)",
    )
    parser.add_argument(
        "--viewers",
        type=int,
        default=20,
        help="every phase runs at least this many viewers' plans, N at a time (N = 1: one "
        "after another), so each N times the same filter changes",
    )
    parser.add_argument("--actions", type=int, default=6, help="actions after the load")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(1.0, 3.0), help="seconds between actions (uniform)"
    )
    parser.add_argument("--ramp", type=float, default=2.0, help="sessions start within s")
    parser.add_argument("--timeout", type=float, default=120, help="per action, s")
    parser.add_argument(
        "--ping", type=float, default=20, help="client keep-alive ping interval s (0: none)"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--caches",
        choices=("warm", "cold"),
        default="warm",
        help="warm: each replica has served every session's views first; cold: each phase "
        "on newly started servers (see bench_setup)",
    )
    parser.add_argument(
        "--browser", type=int, default=0, help="also time K real browser pages against the protocol"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: N = 1 2")
    parser.add_argument(
        "--backend",
        choices=("files", "postgres"),
        default="files",
        help="postgres: the replicas read a throwaway database holding the bundled data",
    )
    parser.add_argument(
        "--database-url", help="an existing database holding the bundled data (implies postgres)"
    )
    parser.add_argument(
        "--no-export",
        dest="export",
        action="store_false",
        help="no data download at the end of a session",
    )
    return parser


@contextmanager
def team_database(args) -> Iterator[tuple[str | None, tuple[int, ...]]]:
    """The database the replicas read (None: the bundled files) and its server's process
    (a throwaway cluster's; none for --database-url)."""
    if args.database_url:
        yield args.database_url, ()
    elif args.backend == "postgres":
        from tests.db import pgcluster

        with pgcluster.bundled_database("load") as (pg, url):
            yield url, (pg.server_pid(),)
    else:
        yield None, ()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers it started
    if args.quick:
        args.sessions, args.proxied_sessions, args.actions = [1, 2], [2], 1
        args.think, args.ramp, args.viewers = (0.2, 0.5), 0.5, 2
    args.ping = args.ping or None
    data = Data()
    # The client's own full GC passes walked its table and imports: one took 0.11 s in a
    # 20-viewer phase (gc callbacks), while answers waited to be read. Kept out, as the
    # servers do (ui.heap).
    gc.collect()
    gc.freeze()
    load = os.getloadavg()
    print(
        f"# bench.load: {os.cpu_count()} cores, load average {load[0]:.2f} at the start; "
        f"{args.actions} actions per session, think {args.think[0]:g}–{args.think[1]:g} s, "
        f"ping {args.ping or 'off'}, repeat {args.repeat}; each phase runs at least "
        f"{args.viewers} viewers, N at a time\n"
    )
    with team_database(args) as (url, db_pids):
        print(f"data: {'the team database (bundled data)' if url else 'the bundled files'}\n")
        print(HEADER, flush=True)
        for replicas in args.replicas:
            sessions = args.sessions if replicas == 0 else args.proxied_sessions
            bench_setup(replicas, sessions, data, args, url, db_pids)
    if args.browser:
        from bench.load_browser import compare

        compare(args.browser, data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
