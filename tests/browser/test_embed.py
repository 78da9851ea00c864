"""The embed layout in real frames: iframes of 800×450, 1280×720 and 600×800 in a page served
from 127.0.0.1 show the title, the filters in words, the map, the timeline and the as-of
footer inside the frame without scrolling; a click in the embed selects; the screenshot of
the same view carries the same boxes."""

from __future__ import annotations

import io

from PIL import Image, ImageStat

from atlas.export.screenshot import main as screenshot_cli
from tests.browser.embed_page import frames_page, host_page
from tests.browser.harness import MAP, browser_page, click_until, wait_for_map, wait_until

VIEW = "/?type=detention&from=2013-11-01&to=2013-11-30"
SELECTED = VIEW + "&incident=2013-11-15-kunming-detention"
FRAMES = [(800, 450), (1280, 720), (600, 800)]
BOXES = ("embed_title", "embed_sentence", "embed_mapbox", "embed_timeline", "embed_footer")
# the frame's scroll size, and each box's place in it (CSS px, relative to the frame)
MEASURE = """(boxes) => {
  const se = document.scrollingElement, main = document.querySelector('[data-testid=stMain]');
  const out = {scroll: [se.scrollHeight, se.clientHeight, main.scrollHeight, main.clientHeight],
               text: document.body.innerText};
  for (const key of boxes) {
    const e = document.querySelector('.st-key-' + key);
    if (e) { const r = e.getBoundingClientRect(); out[key] = [r.left, r.top, r.right, r.bottom]; }
  }
  return out;
}"""


def test_embeds_fit_their_frames_and_say_what_they_show(server, page):
    page.set_viewport_size({"width": 1300, "height": 2200})
    with host_page(frames_page(server, SELECTED, FRAMES)) as url:
        page.goto(url)
        for index, (width, height) in enumerate(FRAMES):
            frame = page.frame_locator("iframe").nth(index)
            frame.locator(".st-key-embed_footer").wait_for(timeout=120_000)
            frame.locator(f"{MAP} canvas").wait_for(timeout=120_000)
            inner = page.frames[index + 1]
            seen = inner.evaluate(MEASURE, list(BOXES))
            sh, ch, main_sh, main_ch = seen["scroll"]
            assert sh <= ch and main_sh <= main_ch, (width, height, seen["scroll"])
            for key in BOXES:
                left, top, right, bottom = seen[key]
                assert left >= 0 and top >= 0, (key, width, height)
                assert right <= width + 0.5 and bottom <= height + 0.5, (key, width, height)
                assert bottom - top > 10, (key, "empty box")
            text = seen["text"]
            assert "Detention / arrest, Nov 2013" in text  # the title from the filters
            assert "Period: 1 Nov 2013 – 30 Nov 2013" in text  # the filters in words
            assert "Data as of 7 Jun 2024" in text and "Sources:" in text
            assert "Open the full view" in text
            assert "Select an incident" not in text  # no hints in an embed
            assert inner.locator(".st-key-embed_card").is_visible()  # the card of the selection
            assert inner.locator('[data-testid="stVegaLiteChart"]').count() == 1
            link = inner.get_by_role("link", name="Open the full view ↗")
            assert link.get_attribute("href").startswith("./?")
            assert "embed" not in link.get_attribute("href")


def test_a_click_on_the_embedded_map_selects_and_shows_the_card(server, page):
    page.set_viewport_size({"width": 800, "height": 450})
    page.goto(server + VIEW + "&embed=true&title=Kunming%20%2A%2Abus%2A%2A")
    hits = wait_for_map(page, timeout=120)
    assert page.locator(".st-key-embed_title").inner_text().strip() == "Kunming **bus**"
    assert not page.locator(".st-key-embed_card").count()
    click_until(page, hits, lambda: page.locator(".st-key-embed_card").count() > 0)
    assert "incident=" in page.evaluate("location.href")
    scroll = page.evaluate("[document.scrollingElement.scrollHeight, innerHeight]")
    assert scroll[0] <= scroll[1]


def _ink_rows(image: Image.Image, top: float, bottom: float, scale: int) -> float:
    """How much a band of rows (CSS px) differs from a blank white band."""
    band = image.crop((0, int(top * scale), image.width, int(bottom * scale))).convert("L")
    return ImageStat.Stat(band).stddev[0]


def test_the_screenshot_of_the_view_carries_the_same_boxes(server, tmp_path, capsys):
    out = tmp_path / "view.png"
    code = screenshot_cli([server + SELECTED, "--out", str(out), "--preset", "slide"])
    assert code == 0, capsys.readouterr().err
    image = Image.open(io.BytesIO(out.read_bytes())).convert("RGB")
    assert image.size == (2560, 1440)
    # the same view in a browser of the same size (after the CLI's own Playwright has
    # closed: two sync Playwrights cannot nest): where its boxes are
    with browser_page(1280, 720) as page:
        page.goto(server + SELECTED + "&embed=true&w=1280&h=720")
        wait_for_map(page, timeout=120)
        wait_until(lambda: page.locator(".st-key-embed_footer").count() > 0)
        seen = page.evaluate(MEASURE, list(BOXES))
    for key in BOXES:  # each box of the live embed has ink at the same place in the PNG
        _left, top, _right, bottom = seen[key]
        assert _ink_rows(image, top, bottom, 2) > 5, key
    assert _ink_rows(image, seen["embed_footer"][3] + 2, 720, 2) < 1  # below: blank
