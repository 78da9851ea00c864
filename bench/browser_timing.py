"""Measure, in headless Chromium against `streamlit run` on 127.0.0.1 (bundled data):

- page load → map drawn (incident-coloured pixels on the map canvas), cold and warm;
- click on an incident on the map → its detail card shows it.

Prints a table of medians over --repeat runs. Usage: python -m bench.browser_timing
"""

from __future__ import annotations

import argparse
import statistics
import time

from tests.browser.harness import MAP, app_server, browser_page, wait_for_map, wait_until

KUNMING = "/?type=detention&from=2013-11-10&to=2013-11-30"


def load_to_map(url: str) -> float:
    with browser_page() as page:
        start = time.perf_counter()
        page.goto(url)
        wait_for_map(page)
        return time.perf_counter() - start


def click_to_detail(url: str) -> float:
    with browser_page() as page:
        page.goto(url + KUNMING)
        hits = wait_for_map(page, colours=[(213, 94, 0)])
        time.sleep(1)  # let picking settle, as a person would
        box = page.locator(MAP).bounding_box()
        x = box["x"] + sum(h[0] for h in hits) / len(hits)
        y = box["y"] + sum(h[1] for h in hits) / len(hits)
        start = time.perf_counter()
        page.mouse.click(x, y)
        wait_until(
            lambda: "13 to 15" in (page.locator(".st-key-detail").all_inner_texts() or [""])[0],
            timeout=60,
            interval=0.05,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with app_server() as url:
        first = load_to_map(url)  # cold: the server loads and caches the dataset
        loads = [load_to_map(url) for _ in range(args.repeat)]
        clicks = [click_to_detail(url) for _ in range(args.repeat)]
    print(f"{'measure':<36}{'median s':>10}{'min s':>8}{'max s':>8}")
    print(f"{'page load → map drawn (cold server)':<36}{first:>10.2f}{first:>8.2f}{first:>8.2f}")
    for name, values in (
        ("page load → map drawn (warm)", loads),
        ("click on map → detail shown", clicks),
    ):
        print(f"{name:<36}{statistics.median(values):>10.2f}{min(values):>8.2f}{max(values):>8.2f}")


if __name__ == "__main__":
    main()
