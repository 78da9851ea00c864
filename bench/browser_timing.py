"""Measure, in headless Chromium against `streamlit run` on 127.0.0.1 (bundled data):

- page load → map drawn (incident-coloured pixels on the map canvas), cold and warm, for
  the dashboard and, in the same run and alternating with it, for a bare 300-point
  `st.pydeck_chart` app (bench/bare_pydeck_app.py): the ratio of the two is printed;
- filter change (a period preset chosen in the sidebar) → count and map updated;
- click on an incident on the map → its detail card shows it.

Prints a table of medians over --repeat runs. Benchmarks, not tests: nothing is asserted.
Usage: python -m bench.browser_timing [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from tests.browser.harness import (
    MAP,
    app_server,
    browser_page,
    metric_value,
    wait_for_map,
    wait_until,
)

KUNMING = "/?type=detention&from=2013-11-10&to=2013-11-30"
PRESET = "Late-2013 crackdown"  # a label of atlas.filters.PRESETS
BARE_APP = "bench/bare_pydeck_app.py"


def load_to_map(url: str) -> float:
    with browser_page() as page:
        start = time.perf_counter()
        page.goto(url)
        wait_for_map(page)
        return time.perf_counter() - start


def filter_to_update(url: str) -> float:
    """Choose a period preset; seconds until the count changed and the map redrew."""
    with browser_page() as page:
        page.goto(url)
        wait_for_map(page)
        time.sleep(1)  # let the first draw settle
        before_count = metric_value(page)
        before_map = page.locator(MAP).screenshot()
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        option = page.get_by_role("option", name=PRESET)
        option.wait_for()
        start = time.perf_counter()
        option.click()
        wait_until(lambda: metric_value(page) != before_count, timeout=60, interval=0.05)
        wait_until(lambda: page.locator(MAP).screenshot() != before_map, timeout=60, interval=0.05)
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


def row(name: str, values: list[float]) -> str:
    median = statistics.median(values)
    return f"| {name} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | {len(values)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with app_server() as url, app_server(script=BARE_APP) as bare:
        cold = [load_to_map(url)]  # cold: the server loads and caches the dataset
        bare_cold = [load_to_map(bare)]
        loads, bare_loads = [], []
        for _ in range(args.repeat):  # alternating, so that both see the same machine load
            bare_loads.append(load_to_map(bare))
            loads.append(load_to_map(url))
        filters = [filter_to_update(url) for _ in range(args.repeat)]
        clicks = [click_to_detail(url) for _ in range(args.repeat)]
    print("| measure | median s | min s | max s | runs |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, values in (
        ("bare 300-point pydeck app: load → map drawn (cold)", bare_cold),
        ("bare 300-point pydeck app: load → map drawn (warm)", bare_loads),
        ("dashboard: load → map drawn (cold server)", cold),
        ("dashboard: load → map drawn (warm)", loads),
        ("dashboard: filter change → count and map updated", filters),
        ("dashboard: click on map → detail shown", clicks),
    ):
        print(row(name, values))
    ratio = statistics.median(loads) / statistics.median(bare_loads)
    print(f"\nfirst map, dashboard / bare app (warm medians): {ratio:.2f}× (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
