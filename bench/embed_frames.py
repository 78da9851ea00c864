"""Pictures of the embed in iframes of 800×450, 1280×720 and 600×800 (a page served from
127.0.0.1), for the three views of the README, and of the screenshot presets; prints each
frame's scroll size and the seconds to its drawn map. Writes PNGs to --out (docs/ keeps
embed-800x450.png, embed-1280x720.png and embed-600x800.png).

Usage: python -m bench.embed_frames --out /tmp/embeds [--presets]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from atlas.export.screenshot import PRESETS, screenshot
from tests.browser.embed_page import frames_page, host_page
from tests.browser.harness import MAP, app_server, browser_page, coloured_pixels

VIEWS = {
    "nov2013": "/?type=detention&from=2013-11-01&to=2013-11-30",
    "post2020": "/?from=2020-01-01",
    "selected": "/?type=detention&from=2013-11-01&to=2013-11-30"
    "&incident=2013-11-15-kunming-detention",
}
FRAMES = [(800, 450), (1280, 720), (600, 800)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--presets", action="store_true", help="also the screenshot presets")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with app_server() as server:
        for name, view in VIEWS.items():
            with (
                browser_page(1300, 2200) as page,
                host_page(frames_page(server, view, FRAMES)) as u,
            ):
                start = time.perf_counter()
                page.goto(u)
                for index, (w, h) in enumerate(FRAMES):
                    frame = page.frame_locator("iframe").nth(index)
                    frame.locator(f"{MAP} canvas").wait_for(timeout=120_000)
                    while len(coloured_pixels(frame.locator(MAP).screenshot(timeout=120_000))) < 10:
                        time.sleep(0.3)
                    drawn = time.perf_counter() - start
                    time.sleep(1.0)  # the timeline's last frame (a picture, not a test)
                    inner = page.frames[index + 1]
                    scroll = inner.evaluate(
                        "[document.scrollingElement.scrollHeight, innerHeight, innerWidth]"
                    )
                    box = page.locator("iframe").nth(index).bounding_box()
                    path = args.out / f"embed-{name}-{w}x{h}.png"
                    page.screenshot(path=str(path), clip=box)
                    print(f"{path.name}: drawn after {drawn:.1f} s, scroll/inner {scroll}")
        if args.presets:
            for key, (_label, w, h) in PRESETS.items():
                for scale in (1, 2):
                    start = time.perf_counter()
                    path = args.out / f"shot-{key}-{scale}x.png"
                    screenshot(server + VIEWS["selected"], path, width=w, height=h, scale=scale)
                    print(f"{path.name}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
