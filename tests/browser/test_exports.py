"""Screenshot export and embedding, in the real browser."""

from __future__ import annotations

import io

from PIL import Image

from atlas.export.screenshot import main as screenshot_cli
from atlas.export.screenshot import variance
from tests.browser.harness import MAP, wait_for_map
from ui.exports import iframe_snippet

FILTERED = "/?type=detention&type=repatriation&from=2013-10-01&to=2014-03-31"


def test_cli_screenshot_has_requested_size_and_a_drawn_map(server, tmp_path, capsys):
    out = tmp_path / "view.png"
    code = screenshot_cli(
        [server + FILTERED, "--out", str(out), "--width", "1200", "--height", "700", "--scale", "2"]
    )
    assert code == 0, capsys.readouterr().err
    image = Image.open(out)
    assert image.size == (2400, 1400)
    # the map sits in the left three fifths, below the legend: it must not be blank
    region = image.crop((150, 260, 1300, 1000))
    buffer = io.BytesIO()
    region.save(buffer, "PNG")
    assert variance(buffer.getvalue()) > 200
    assert [p for p in tmp_path.iterdir()] == [out]  # no .part file left behind


def test_cli_screenshot_without_a_browser_says_why(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.setenv("PATH", str(tmp_path))  # hide chromium from shutil.which
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))
    code = screenshot_cli([server, "--out", str(tmp_path / "x.png"), "--timeout", "20"])
    assert code == 1
    assert "no usable browser" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_embed_view_has_no_chrome_and_draws(server, page):
    page.goto(server + FILTERED + "&embed=true")
    wait_for_map(page)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
    for testid in ("stSidebar", "stHeader", "stToolbar"):
        assert not page.locator(f'[data-testid="{testid}"]').is_visible(), testid
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1  # the detail only


def test_page_with_generated_iframe_loads_the_view(server, page):
    page.set_content(
        f"<html><body><h1>Briefing</h1>{iframe_snippet(server + FILTERED)}</body></html>"
    )
    frame = page.frame_locator("iframe")
    frame.locator(f"{MAP} canvas").wait_for(timeout=60_000)
    assert frame.locator('[data-testid="stMetricValue"]').count() >= 0  # sidebar hidden
    assert not frame.locator('[data-testid="stSidebar"]').is_visible()
    frame.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
    assert frame.locator('[data-testid="stVegaLiteChart"]').count() == 1  # the detail only
