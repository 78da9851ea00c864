"""Time every export on the bundled data (all 62 incidents) and print a table.

python -m bench.exports [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from atlas.export.briefing import briefing_pdf
from atlas.export.data import FORMATS, export_bytes, subset, visible_ids
from atlas.export.figures import export_figure
from atlas.export.screenshot import screenshot
from atlas.filters import Filters, Vocabulary, apply_filters
from atlas.incidents import incident_table
from atlas.loading import load_dataset
from atlas.paths import DATA_DIR
from geo.crossings import load_crossings
from tests.browser.harness import app_server


def timed(fn, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dataset = load_dataset()
    table = incident_table(dataset)
    vocab = Vocabulary.of(table)
    frame = apply_filters(table, Filters())
    crossings = load_crossings()
    chosen = subset(dataset, visible_ids(frame), DATA_DIR)
    jobs = {f"data {key}": (lambda key=key: export_bytes(chosen, key)) for key in FORMATS}
    for kind in ("map", "timeline"):
        for fmt in ("png", "svg", "pdf"):
            jobs[f"figure {kind} {fmt}"] = lambda kind=kind, fmt=fmt: export_figure(
                kind, fmt, frame, dataset.places, crossings
            )
    jobs["briefing pdf"] = lambda: briefing_pdf(
        dataset,
        frame,
        Filters(),
        crossings,
        first=vocab.first,
        last=vocab.last,
        url="http://localhost:8501/",
        generated_at=datetime.now(UTC),
    )
    rows = [(name, *timed(fn, args.repeat)) for name, fn in jobs.items()]
    with app_server() as url:
        rows.append(("screenshot 1600x900 @2x", *timed(lambda: screenshot(url), 1)))
    print(f"{'export (all 62 incidents)':<28}{'median s':>10}{'bytes':>12}")
    for name, seconds, size in rows:
        print(f"{name:<28}{seconds:>10.2f}{size:>12,}")


if __name__ == "__main__":
    main()
