"""Screenshot time against time to first map, in the same run (bundled data, 127.0.0.1):

- first map: launch headless Chromium, open the view, wait for incident-coloured pixels on
  the map canvas (what a person waits for);
- CLI screenshot: `atlas.export.screenshot.screenshot` of the same view (browser start,
  load, wait until drawn and settled, capture, PNG), at 1280×720 1× and 2×.

Alternating, medians over --repeat runs, printed side by side with their ratio.
Benchmarks, not tests: nothing is asserted. Usage: python -m bench.screenshot_timing
"""

from __future__ import annotations

import argparse
import statistics
import time

from atlas.export.screenshot import embed_url, screenshot
from tests.browser.harness import app_server, browser_page, wait_for_map

VIEW = "/?type=detention&from=2013-11-01&to=2013-11-30"


def first_map(url: str) -> float:
    start = time.perf_counter()
    with browser_page(1280, 720) as page:
        page.goto(embed_url(url))
        wait_for_map(page)
        return time.perf_counter() - start


def shot(url: str, scale: float) -> float:
    start = time.perf_counter()
    screenshot(url, width=1280, height=720, scale=scale)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"first map": [], "screenshot 1×": [], "screenshot 2×": []}
    with app_server() as base:
        url = base + VIEW
        first_map(url)  # warm the server's caches once
        for _ in range(args.repeat):
            runs["first map"].append(first_map(url))
            runs["screenshot 1×"].append(shot(url, 1))
            runs["screenshot 2×"].append(shot(url, 2))
    ref = statistics.median(runs["first map"])
    print(f"{'':16} {'median s':>9} {'× first map':>12}   runs")
    for name, values in runs.items():
        med = statistics.median(values)
        shown = " ".join(f"{v:.1f}" for v in values)
        print(f"{name:16} {med:9.1f} {med / ref:12.2f}   {shown}")


if __name__ == "__main__":
    main()
