"""CPU of building, for the first time, every view the load benchmark's viewers reach: this
tree beside a base commit, in fresh processes, alternately (base, this, base, this, ...).

python -m bench.first_builds [--base 9ab8622] [--passes 5] [--repeats 2]

A server whose caches are cold builds each view the first time a viewer asks for it; under
`bench.load --caches cold` twenty viewers ask for theirs within seconds, and the replicas'
two cores build them while the other viewers wait. This times those builds without a
server: the filter sets of the 20 viewers' plans (`bench.scenario.plan`: their links, type
and period changes and clicks), each plain filter set's timeline overview, map, people
totals, incident list and source panel, and each filter set's (with its selection) detail
timeline, through `ui.specs` as `ui.data` calls it for the bundled data: sharing the kept
filtered frames, the map's `MarkSource` and the detail rows where the tree's builders take
them (read from their signatures, so an older tree is timed as it runs). The chart
templates (`ui.specs._CHARTS`) are cleared before each pass, as a new process has none.

Prints the median CPU (`time.thread_time`) of a pass per tree and per view, and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEWERS = 20
ACTIONS = 6
VIEWS = ("overview", "map", "people", "list", "sources", "detail")


def filter_sets() -> tuple[list, list]:
    """The plain filter sets and the filter sets with their selections the plans reach."""
    from dataclasses import replace
    from datetime import date

    from atlas import schema
    from bench.scenario import Data, plan

    data = Data()
    seen = []
    for i in range(VIEWERS):
        query, steps = plan(data, i, ACTIONS, export=False)
        filters = data.initial(query)
        seen.append(filters)
        for step in steps:
            if step.kind == "type":
                labels = set(step.value)
                codes = tuple(c for c, e in schema.EVENT_TYPE_BY_CODE.items() if e.label in labels)
                filters = replace(filters, types=codes)
            elif step.kind == "period":
                start, end = (date.fromisoformat(v[:10]) for v in step.value)
                filters = replace(filters, start=start, end=end)
            else:
                filters = filters.with_selection(step.value)
            seen.append(filters)
    full = list(dict.fromkeys(seen))
    return list(dict.fromkeys(f.with_selection(None) for f in full)), full


def worker(passes: int) -> dict[str, list[float]]:
    """Runs in the tree measured (copied beside its packages): per pass, the CPU of each
    kind of view and of the whole pass."""
    import inspect

    from atlas.coverage import covered_spans
    from atlas.filters import apply_filters, visible_rows
    from atlas.loading import load_dataset
    from bench.scenario import Data
    from geo.crossings import load_crossings
    from ui import specs

    data, dataset = Data(), load_dataset()
    table, crossings = data.table, load_crossings()
    covered = covered_spans(dataset.documents, dataset.reports, dataset.incidents)
    whole = specs.whole_range(data.vocab, False, specs.has_background(dataset, data.vocab))
    plain, full = filter_sets()
    shares_frames = "frames" in inspect.signature(specs.people).parameters
    shares_marks = "source" in inspect.signature(specs.map_view).parameters
    shares_rows = "detail" in inspect.signature(specs.timeline_spec).parameters

    def one_pass() -> dict[str, float]:
        specs._CHARTS.clear()
        spent = dict.fromkeys(VIEWS, 0.0)

        def timed(view: str, build, *args, **kwargs):
            started = time.thread_time()
            result = build(*args, **kwargs)
            spent[view] += time.thread_time() - started
            return result

        started = time.thread_time()
        shared: dict = {}
        marks = {}
        if shares_marks:  # ui.data: once per dataset version
            from atlas.marks import mark_source

            marks["source"] = timed("map", mark_source, table, dataset.places, crossings)
        for f in plain:
            frames = {}
            if shares_frames:  # ui.data: once per filters, for every builder
                frame = apply_filters(table, f)
                frames["frames"] = (frame, visible_rows(frame))
            shared[f] = frames
            timed(
                "overview",
                specs.timeline_spec,
                table,
                covered,
                f,
                whole,
                False,
                "overview",
                **frames,
            )
            timed(
                "map",
                specs.map_view,
                dataset,
                table,
                crossings,
                f,
                False,
                400,
                False,
                **frames,
                **marks,
            )
            timed("people", specs.people, table, f, **frames)
            timed("list", specs.incident_list, table, f, **frames)
            timed("sources", specs.source_panel, dataset, table, None, f, False, **frames)
        rows: dict = {}
        for f in full:
            plain_f = f.with_selection(None)
            frames = dict(shared[plain_f])
            if shares_rows:  # ui.data: once per filters, for each of their selections
                if plain_f not in rows:
                    kept = frames.get("frames")
                    rows[plain_f] = timed("detail", specs.detail_rows, table, plain_f, whole, kept)
                frames["detail"] = rows[plain_f]
            timed(
                "detail", specs.timeline_spec, table, covered, f, whole, False, "detail", **frames
            )
        return {**spent, "pass": time.thread_time() - started}

    one_pass()  # imports, the outlines' first reads: paid once by any server
    out: dict[str, list[float]] = {}
    for _ in range(passes):
        for name, seconds in one_pass().items():
            out.setdefault(name, []).append(seconds)
    out["filter sets"] = [float(len(plain)), float(len(full))]
    return out


def measure(tree: Path, passes: int) -> dict[str, list[float]]:
    from bench.basetree import run_worker  # here: this file is also the base tree's worker

    return run_worker(tree, Path(__file__), f"worker({passes})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="9ab8622", help="commit to compare with")
    parser.add_argument("--passes", type=int, default=5, help="passes per process")
    parser.add_argument("--repeats", type=int, default=2, help="processes per tree")
    args = parser.parse_args(argv)
    from bench import basetree  # not at the top: see measure

    results: dict[str, dict[str, list[float]]] = {"base": {}, "this": {}}
    counts: list[float] = []
    with tempfile.TemporaryDirectory(prefix="first-builds-base-") as tmp:
        trees = {"base": basetree.extract(args.base, Path(tmp)), "this": ROOT}
        started = time.perf_counter()
        for _ in range(args.repeats):
            for name, tree in trees.items():
                for step, values in measure(tree, args.passes).items():
                    if step == "filter sets":
                        counts = values
                        continue
                    results[name].setdefault(step, []).extend(values)
    plain, full = (int(n) for n in counts)
    print(
        f"CPU of first builds, bundled data: {plain} plain filter sets, {full} with their "
        f"selections; medians in ms of {args.repeats} processes x {args.passes} passes per "
        f"tree; base {args.base}; {time.perf_counter() - started:.0f} s"
    )
    print(f"{'view':<10}{'base':>9}{'this':>9}{'ratio':>8}")
    for step in ("pass", *VIEWS):
        base = statistics.median(results["base"][step]) * 1000
        this = statistics.median(results["this"][step]) * 1000
        print(f"{step:<10}{base:>9.0f}{this:>9.0f}{base / max(this, 1e-9):>7.1f}x")


if __name__ == "__main__":
    main()
