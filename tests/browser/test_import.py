"""The Data page in a real browser: an upload shows its validation report, then its
incidents on the map; script and HTML in the file run nowhere."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.harness import MAP, metric_value, wait_for_map, wait_until

PAYLOAD_TITLE = '<img src=x onerror="window.__xss=1">Test row: 단둥 detention'
PAYLOAD_SUMMARY = "<script>window.__xss=2</script> **not bold** 脱北者"
ROWS = [
    # id, date, type, place, lat, lon, people, source, title, notes
    (
        "t1",
        "2013-11-15",
        "detention",
        "Kunming",
        "25.0389",
        "102.7183",
        "13-15",
        "Test source A; Test source B",
        "Test row: Kunming",
        "Test row",
    ),
    (
        "t2",
        "2012-02-20",
        "repatriation",
        "Dandong",
        "",
        "",
        "about 30",
        '<b onmouseover="window.__xss=3">Test source</b>',
        PAYLOAD_TITLE,
        PAYLOAD_SUMMARY,
    ),
    ("t3", "2013-02-30", "detention", "Yanji", "", "", "", "Test source A", "Test row: bad", ""),
]


def _upload_file(tmp_path: Path) -> Path:
    lines = ["id,date,type,place,lat,lon,people,source,title,notes"]
    for row in ROWS:
        lines.append(",".join(f'"{v.replace(chr(34), chr(34) * 2)}"' for v in row))
    path = tmp_path / "ngo-sheet.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_upload_shows_report_then_map_and_runs_no_script(server, page, tmp_path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(_upload_file(tmp_path))
    )
    page.get_by_role("button", name="Check and import").click(timeout=60_000)
    page.locator(".st-key-import_report").wait_for(timeout=60_000)  # the validation report table
    body = page.locator('[data-testid="stMain"]')
    wait_until(lambda: "2 incident(s) loaded" in body.inner_text(), timeout=30)
    assert "1 error(s)" in body.inner_text()
    page.locator(".st-key-import_preview").wait_for()
    assert page.evaluate("() => window.__xss") is None

    page.get_by_role("button", name="Show this data on the dashboard").click()
    hits = wait_for_map(page, timeout=90, colours=[(213, 94, 0), (204, 121, 167)])
    assert wait_until(lambda: metric_value(page) == "2", timeout=30)
    # open the repatriation (geocoded to Dandong): its card shows the payloads as text
    box = page.locator(MAP).bounding_box()
    pink = wait_for_map(page, colours=[(204, 121, 167)])
    x = sum(h[0] for h in pink) / len(pink)
    y = sum(h[1] for h in pink) / len(pink)
    detail = page.locator(".st-key-detail")
    for _attempt in range(3):  # software GL: a click may land before picking is ready
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            detail.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    text = detail.inner_text()
    assert PAYLOAD_TITLE in text and "**not bold**" in text and "脱北者" in text
    assert "Geocoded offline from 'Dandong'" in text
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []
    assert hits
