"""Do the protocol clients tell the truth? The same page load and the same filter change
timed in headless Chromium and with a protocol session (bench/protocol.py), alternating, on
one idle `streamlit run` process. Chromium with software WebGL saturates two cores at about
five pages, so browsers check the protocol figures at N = 1, they cannot replace them.

Browser load = navigation → "Matching incidents" shows the expected count and Streamlit's
status widget is gone (the map may still be drawing: WebGL is the browser's work, not the
server's). Browser change = "Min. people" committed with Tab → the count updated.
    python -m bench.load_browser --pages 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import replace

from bench.protocol import Session
from bench.scenario import Data
from deploy.replicas import serving
from tests.browser.harness import browser_page, metric_value, wait_until

QUERY = "type=detention&type=repatriation"
MIN_PEOPLE = 10


def browser_times(url: str, expected: tuple[str, str]) -> tuple[float, float]:
    with browser_page() as page:
        start = time.perf_counter()
        page.goto(f"{url}/?{QUERY}")
        wait_until(lambda: metric_value(page) == expected[0], timeout=120, interval=0.05)
        wait_until(
            lambda: page.locator('[data-testid="stStatusWidget"]').count() == 0,
            timeout=120,
            interval=0.05,
        )
        load = time.perf_counter() - start
        box = page.locator('[data-testid="stSidebar"] [data-testid="stNumberInput"] input').nth(1)
        box.fill(str(MIN_PEOPLE))
        start = time.perf_counter()
        page.keyboard.press("Tab")  # commits the value: the rerun starts here
        wait_until(lambda: metric_value(page) == expected[1], timeout=120, interval=0.05)
        return load, time.perf_counter() - start


async def protocol_times(url: str, expected: tuple[str, str]) -> tuple[float, float]:
    session = Session(url)
    await session.connect()
    try:
        load = await session.load(QUERY)
        change = await session.set_widget("f_min_people", double_value=MIN_PEOPLE)
    finally:
        await session.close()
    if (load.metric, change.metric) != expected:
        raise AssertionError(f"protocol saw {load.metric}, {change.metric}; expected {expected}")
    return load.seconds, change.seconds


def compare(pages: int, data: Data) -> list[str]:
    """Print and return a Markdown table: medians of `pages` alternating runs."""
    model = data.initial(QUERY)
    expected = (f"{data.count(model):,}", f"{data.count(replace(model, min_people=MIN_PEOPLE)):,}")
    browser, protocol = [], []
    with serving(1, proxy=False) as cluster:
        asyncio.run(protocol_times(cluster.url, expected))  # warm the caches
        for _ in range(pages):
            browser.append(browser_times(cluster.url, expected))
            protocol.append(asyncio.run(protocol_times(cluster.url, expected)))
    lines = [
        "",
        f"| client (1 session, medians of {pages}) | page load s | filter change s |",
        "|---|---:|---:|",
    ]
    for name, runs in (("headless Chromium", browser), ("protocol client", protocol)):
        load = statistics.median(r[0] for r in runs)
        change = statistics.median(r[1] for r in runs)
        lines.append(f"| {name} | {load:.2f} | {change:.2f} |")
    print("\n".join(lines), flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args(argv)
    compare(args.pages, Data())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
