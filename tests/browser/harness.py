"""Start the app with `streamlit run` on 127.0.0.1 and drive Debian's Chromium with
Playwright. Shared by the browser tests and bench/browser_timing.py."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from atlas.export.screenshot import CHROMIUM_ARGS, MAP, TIMELINE, find_browser
from atlas.gridmap import cell_colour
from deploy.replicas import streamlit_command, wait_healthy

__all__ = [
    "CELL_COLOURS",
    "MAP",
    "TIMELINE",
    "app_server",
    "browser_page",
    "click_until",
    "coloured_pixels",
    "wait_for_map",
]

ROOT = Path(__file__).resolve().parents[2]
# Okabe–Ito colours of the people events: distinct from every base-map colour
PEOPLE_COLOURS = [(213, 94, 0), (230, 159, 0), (204, 121, 167)]


def _blend(colour: list[int], background: tuple[int, int, int]) -> tuple[int, int, int]:
    alpha = colour[3] / 255
    return tuple(
        round(c * alpha + b * (1 - alpha)) for c, b in zip(colour[:3], background, strict=True)
    )


# Grid cells of large sets (atlas.gridmap.cell_colour), as drawn over the map's land fill
CELL_COLOURS = [_blend(cell_colour(count, 1000), (245, 243, 238)) for count in (1, 10, 100, 1000)]
DARKEST_CELL = [CELL_COLOURS[-1]]


def chromium_path() -> str | None:
    return find_browser()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(
    data_dir: Path | None = None,
    timeout: float = 60,
    extra_env: dict[str, str] | None = None,
    script: str = "serve.py",  # app.py with its routes (/oembed), as `make run` starts it
) -> Iterator[str]:
    """Run the dashboard (or another `script`, relative to the project); yield its base
    URL; stop it afterwards."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    if data_dir:
        env["ATLAS_DATA_DIR"] = str(data_dir)
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        streamlit_command(script, port),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, proc, timeout)
        except RuntimeError:
            log.seek(0)
            tail = log.read().decode()[-3000:]
            raise RuntimeError(f"streamlit did not start:\n{tail}") from None
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def browser_page(width: int = 1400, height: int = 1100):
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=chromium_path(),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": width, "height": height},
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def coloured_pixels(
    png: bytes, colours=PEOPLE_COLOURS, tolerance: int = 60
) -> list[tuple[int, int]]:
    """Pixel positions whose colour is within `tolerance` of one of `colours`."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    data = image.load()
    hits = []
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            r, g, b = data[x, y]
            if any(abs(r - cr) + abs(g - cg) + abs(b - cb) <= tolerance for cr, cg, cb in colours):
                hits.append((x, y))
    return hits


def wait_for_map(page, timeout: float = 60, colours=PEOPLE_COLOURS) -> list[tuple[int, int]]:
    """Wait until the map canvas shows incident-coloured pixels; return them."""
    page.wait_for_selector(f"{MAP} canvas", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = coloured_pixels(page.locator(MAP).screenshot(), colours)
        if len(hits) > 10:
            return hits
        time.sleep(0.5)
    raise AssertionError("the map drew no incident-coloured pixels")


def metric_value(page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def open_tab(page, name: str) -> None:
    """Click the dashboard tab named exactly `name`: Playwright matches role names as
    substrings, so "Incidents" alone also finds "Sources for these incidents"."""
    page.get_by_role("tab", name=name, exact=True).click()


def wait_until(predicate, timeout: float = 30, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def wait_idle(page, timeout: float = 60) -> None:
    """Wait until Streamlit's status widget ("Running…") is gone: a rerun in flight can
    replace a widget between a keystroke and the next."""
    wait_until(lambda: page.locator('[data-testid="stStatusWidget"]').count() == 0, timeout)


def choose_by_keyboard(
    page, label: str, text: str, done, option: str | None = None, timeout: float = 30
) -> None:
    """Focus the input named `label`, type `text`, (for a select box: wait until its dropdown
    lists an option containing `option`), press Enter, and wait for `done()`; at most three
    tries (a rerun that lands between typing and Enter resets the box)."""
    box = page.get_by_label(label, exact=True)
    box.wait_for(timeout=60_000)
    listed = page.locator('[role="option"]', has_text=option) if option else None
    for _attempt in range(3):
        wait_idle(page)
        box.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        try:
            if listed is not None:
                listed.first.wait_for(timeout=10_000)
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: try again
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
        try:
            wait_until(done, timeout=timeout)
            return
        except AssertionError:
            continue
    raise AssertionError(f"choosing {text!r} in {label!r} by keyboard did not register")


def click_until(page, hits: list[tuple[int, int]], done, timeout: float = 20) -> None:
    """Click the map on the most interior of `hits` until `done()` (software GL: a click may
    land before picking is ready); at most three clicks."""
    box = page.locator(MAP).bounding_box()
    found = set(hits)
    x, y = max(
        hits,
        key=lambda h: sum(
            (h[0] + dx, h[1] + dy) in found for dx in (-4, -2, 0, 2, 4) for dy in (-4, -2, 0, 2, 4)
        ),
    )
    for _attempt in range(3):
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            wait_until(done, timeout=timeout)
            return
        except AssertionError:
            continue
    raise AssertionError("the click on the map did not register")
