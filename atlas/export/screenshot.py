"""Screenshot of a live dashboard view in its embed layout (ui.embed), in headless Chromium.

    python -m atlas.export.screenshot "http://localhost:8501/?type=detention" \
        --out view.png --preset slide --scale 2

The URL keeps its filters and selection; `embed=true` and the frame's size (`w`, `h`) are
added, so the picture is the embed a reader opens from the link, laid out for that size
at once (no size report from the browser first). Presets: a 16:9 slide, an A4 and a Letter
page (portrait, CSS pixels at 96 dpi) and a square social card, each at 1× or 2×. The
picture is taken once the app has finished its run, the map canvas has drawn and stopped
changing, and the timeline has drawn its marks.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from PIL import Image, ImageChops, ImageStat

from atlas.export.files import write_atomic

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAP = '[data-testid="stDeckGlJsonChart"]'
# The app's pages by URL path (app.py's st.navigation; a test holds the two equal).
PAGES = ("", "sources", "incident", "data")
NOT_SHOT = ("edit",)  # the editing page (team database only) is a form, not a view to export
_BASE_PATH = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")
# The timeline's detail view: the first of its two charts (the overview strip follows it)
TIMELINE = '[data-testid="stVegaLiteChart"] >> nth=0'
# (width, height) in CSS pixels; A4 and Letter portrait at 96 dpi
PRESETS = {
    "slide": ("16:9 slide", 1280, 720),
    "a4": ("A4 page, portrait", 794, 1123),
    "letter": ("Letter page, portrait", 816, 1056),
    "square": ("Square social card", 1080, 1080),
}
POLL = 0.25  # s between two captures of the map while it settles


class ScreenshotError(RuntimeError):
    """The screenshot could not be taken; the message says why and what to do."""


def find_browser() -> str | None:
    """Debian's chromium (or $ATLAS_CHROMIUM); None means: try Playwright's own browser."""
    for candidate in (
        os.environ.get("ATLAS_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        if candidate and (
            path := shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        ):
            return path
    return None


def loopback_url(port: int, page: str, query: str = "", base_path: str = "") -> str:
    """The URL at which the app's own server screenshots one of its views: on 127.0.0.1
    at the server's port, a known page, a query string the caller built from validated
    filters. Nothing the browser reports (st.context.url) goes in: a modified client
    could otherwise make the server's Chromium open another host or port."""
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ValueError(f"not a port: {port!r}")
    if page not in PAGES:
        raise ValueError(f"not a page of the app: {page!r}")
    base = base_path.strip("/")
    if base and (not _BASE_PATH.fullmatch(base) or {".", ".."} & set(base.split("/"))):
        raise ValueError(f"not a base path: {base_path!r}")
    path = "/".join(p for p in (base, page) if p)
    url = f"http://127.0.0.1:{port}/{path}"
    return url + (f"?{query}" if query else "")


def embed_url(url: str, width: int | None = None, height: int | None = None) -> str:
    """The same view with embed=true (kept once, whatever the URL already had) and, when
    given, the frame's size as `w` and `h` (replacing any the URL had)."""
    parts = urlparse(url)
    drop = {"embed"} | ({"w", "h"} if width and height else set())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
    query.append(("embed", "true"))
    if width and height:
        query += [("w", str(int(width))), ("h", str(int(height)))]
    return urlunparse(parts._replace(query=urlencode(query)))


def ink_pixels(png: bytes, background: tuple[int, int, int] = (255, 255, 255)) -> int:
    """How many pixels differ from a plain background (a blank canvas has none)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    diff = ImageChops.difference(image, Image.new("RGB", image.size, background)).convert("L")
    return sum(diff.point(lambda v: 255 if v > 16 else 0).histogram()[255:])


def variance(png: bytes) -> float:
    return float(sum(ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).var))


# Streamlit shows its status widget ("Running…") while the script runs
RUNNING = '[data-testid="stStatusWidget"]'
# a drawn timeline: Vega's symbols (incidents) or bars (monthly counts of large sets)
TIMELINE_MARKS = '[data-testid="stVegaLiteChart"] :is(.mark-symbol, .mark-rect) path'


def wait_until_drawn(page, timeout: float = 90) -> None:
    """Wait until the app's run has finished, the map canvas has drawn and settled (two
    equal captures POLL s apart, at one pixel per CSS pixel: cheap at 2×) and the timeline
    has drawn its marks. Conditions only, no fixed sleeps."""
    deadline = time.monotonic() + timeout
    page.wait_for_selector(f"{MAP} canvas", timeout=timeout * 1000)
    previous = None
    while time.monotonic() < deadline:
        shot = page.locator(MAP).screenshot(scale="css", animations="disabled")
        if shot == previous and ink_pixels(shot) > 1000 and page.locator(RUNNING).count() == 0:
            break
        previous = shot
        time.sleep(POLL)
    else:
        raise ScreenshotError("the map did not finish drawing in time")
    remaining = max(1.0, deadline - time.monotonic())
    page.wait_for_selector(TIMELINE_MARKS, state="attached", timeout=remaining * 1000)


def screenshot(
    url: str,
    out: Path | None = None,
    *,
    width: int = 1280,
    height: int = 720,
    scale: float = 2,
    timeout: float = 90,
) -> bytes:
    """PNG of the view at `url`, width×height CSS pixels at `scale` (so 3200×1800 at 2×)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ScreenshotError(
            "Playwright is not installed: pip install -r requirements-test.txt"
        ) from exc
    browser = find_browser()
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=browser,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": width, "height": height},
                device_scale_factor=scale,
            )
            try:
                page = context.pages[0] if context.pages else context.new_page()
                page.goto(embed_url(url, width, height), timeout=timeout * 1000)
                wait_until_drawn(page, timeout)
                png = page.screenshot(full_page=False)
            finally:
                context.close()
    except PlaywrightError as exc:
        hint = (
            "install Debian's chromium (apt-get install chromium) or Playwright's "
            "browser, or set ATLAS_CHROMIUM to a Chromium binary"
        )
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScreenshotError(f"no usable browser ({first}); {hint}") from exc
    if out is not None:
        write_atomic(Path(out), lambda tmp: tmp.write_bytes(png))
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a dashboard URL, with its filters and selection")
    parser.add_argument("--out", type=Path, default=Path("atlas-view.png"))
    parser.add_argument(
        "--preset",
        choices=list(PRESETS),
        default="slide",
        help="; ".join(f"{k}: {v[0]}, {v[1]}×{v[2]}" for k, v in PRESETS.items()),
    )
    parser.add_argument("--width", type=int, help="CSS pixels (instead of the preset's)")
    parser.add_argument("--height", type=int, help="CSS pixels (instead of the preset's)")
    parser.add_argument("--scale", type=float, default=2, help="device pixels per CSS pixel")
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args(argv)
    _label, width, height = PRESETS[args.preset]
    args.width, args.height = args.width or width, args.height or height
    start = time.perf_counter()
    try:
        screenshot(
            args.url,
            args.out,
            width=args.width,
            height=args.height,
            scale=args.scale,
            timeout=args.timeout,
        )
    except ScreenshotError as exc:
        print(f"screenshot failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {args.out} ({args.width * args.scale:.0f}×{args.height * args.scale:.0f}) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
