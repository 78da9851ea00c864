"""`python -m atlas.db import` at scale: the whole-folder import as it was beside the chunked
one, in the same run: seconds (validate, write) and the peak memory of the importing process.

python -m bench.import_db [--n 100000] [--repeats 1] [--chunk-rows 100000 [20000 …]]
    [--modes whole chunked] [--root /tmp/atlas-bench]

A synthetic dataset (atlas.synthetic, seed 1; generated once under --root, shared with
bench.scale) is imported into a throwaway cluster (tests/db/pgcluster.py; socket only,
fsync off), each import in its own process (so its peak RSS, VmHWM, is the import's):
"whole" is `import_folder` of commit BASELINE (the loader on the whole folder, then the
four files read again and COPYed whole) read from git, run on today's rules; "chunked" is
today's `atlas.db.transfer.import_folder(chunk_rows=…)`. Medians over --repeats; the ratio
is whole ÷ chunked. Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from atlas.chunks import DEFAULT_CHUNK_ROWS
from atlas.paths import PROJECT_ROOT
from bench.scale import ensure_data, peak_mb, rss_mb

BASELINE = "d54b6eb"  # the last commit whose import loaded the whole folder at once


def _old_import():
    """`import_folder` of BASELINE, loaded from git as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{BASELINE}:atlas/db/transfer.py"],  # noqa: S607 (git on PATH)
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="atlas-bench-")) / "transfer_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("transfer_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.import_folder


def _peak_after(module, name: str, into: dict, key: str) -> None:
    """Record the peak RSS (VmHWM) when `module.name` returns, in `into[key]`."""
    inner = getattr(module, name)

    def wrapped(*args, **kwargs):
        result = inner(*args, **kwargs)
        into[key] = peak_mb()
        return result

    setattr(module, name, wrapped)


def _peak_before(module, name: str, into: dict, key: str) -> None:
    inner = getattr(module, name)

    def wrapped(*args, **kwargs):
        into[key] = peak_mb()
        return inner(*args, **kwargs)

    setattr(module, name, wrapped)


def child(mode: str, url: str, folder: Path, chunk_rows: int) -> None:
    """One import in this process; prints its figures as JSON (peak RSS after validation,
    before the public tier's refresh, which reads the published rows whole, and at the end)."""
    import atlas.db.publish

    phases: dict[str, float] = {}
    _peak_before(atlas.db.publish, "refresh_public", phases, "peak_before_public_mb")
    if mode == "whole":
        run = _old_import()
        _peak_after(sys.modules["transfer_baseline"], "load_dataset", phases, "peak_validate_mb")
    else:
        import atlas.db.transfer
        from atlas.db.transfer import import_folder

        _peak_after(atlas.db.transfer, "check_folder", phases, "peak_validate_mb")

        def run(url: str, folder: Path):
            return import_folder(url, folder, chunk_rows=chunk_rows)

    ready = rss_mb()
    start = time.perf_counter()
    result = run(url, folder)
    print(
        json.dumps(
            {
                "validate": result.seconds["validate"],
                "write": result.seconds["write"],
                "total": time.perf_counter() - start,
                "peak_mb": peak_mb(),
                "ready_mb": ready,
                **phases,
                "rows": result.rows,
            }
        )
    )


def _measure(mode: str, url: str, folder: Path, chunk_rows: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.import_db", "--child", mode, "--url", url]
        + ["--folder", str(folder), "--chunk-rows", str(chunk_rows)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--chunk-rows", type=int, nargs="+", default=[DEFAULT_CHUNK_ROWS], help="one run each"
    )
    parser.add_argument("--modes", nargs="+", choices=("whole", "chunked"))
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "atlas-bench")
    parser.add_argument("--child", choices=("whole", "chunked"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    return parser


def main() -> None:
    args = build_parser().parse_args()
    if args.child:
        child(args.child, args.url, args.folder, args.chunk_rows[0])
        return

    from atlas.db import upgrade
    from tests.db import pgcluster

    plans = [
        (f"chunked {rows:,}", "chunked", rows) if mode == "chunked" else ("whole", "whole", 0)
        for mode in args.modes or ["whole", "chunked"]
        for rows in (args.chunk_rows if mode == "chunked" else [0])
    ]
    folder = ensure_data(args.root, args.n, 1)
    with pgcluster.cluster() as cluster:
        url = cluster.create_database("bench")
        upgrade(url)
        runs: dict[str, list[dict]] = {label: [] for label, _, _ in plans}
        for _ in range(args.repeats):
            for label, mode, rows in plans:  # alternated: the machine's load falls on all
                runs[label].append(_measure(mode, url, folder, rows or DEFAULT_CHUNK_ROWS))
                print(f"{label}: {runs[label][-1]}", flush=True)
    rows = next(iter(runs.values()))[0]["rows"]
    print(
        f"\nimport of {args.n:,} incidents ({rows['reports']:,} reports), "
        f"median of {args.repeats}; RSS in MB:\n"
    )
    print(
        "| import | validate s | write s | total s | peak RSS | after validation "
        "| before public tier | at start |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    medians = {}
    for label, found in runs.items():
        medians[label] = {
            k: statistics.median(r[k] for r in found) for k in found[0] if k != "rows"
        }
        m = medians[label]
        print(
            f"| {label} | {m['validate']:.1f} | {m['write']:.1f} | {m['total']:.1f} "
            f"| {m['peak_mb']:,.0f} | {m.get('peak_validate_mb', 0):,.0f} "
            f"| {m.get('peak_before_public_mb', 0):,.0f} | {m['ready_mb']:,.0f} |"
        )
    if "whole" in medians:
        w = medians["whole"]
        for label, c in medians.items():
            if label != "whole":
                print(
                    f"whole ÷ {label}: time {w['total'] / c['total']:.2f}, peak RSS "
                    f"{w['peak_mb'] / c['peak_mb']:.2f}, after validation "
                    f"{w['peak_validate_mb'] / c['peak_validate_mb']:.2f}"
                )


if __name__ == "__main__":
    main()
