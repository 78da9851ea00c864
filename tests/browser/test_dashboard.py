"""What only a browser shows: the map draws, clicks and brushes link the views, URLs reopen
views, and text from data never runs as HTML."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from tests.browser.conftest import HOSTILE_ID, HOSTILE_SUMMARY, HOSTILE_TITLE
from tests.browser.harness import (
    MAP,
    TIMELINE,
    coloured_pixels,
    metric_value,
    wait_for_map,
    wait_idle,
    wait_until,
)


def expected_count(bundled, **filters) -> str:
    frame = apply_filters(incident_table(bundled), Filters(**filters))
    return str(int(frame["in_period"].sum()))


def query(page) -> dict[str, list[str]]:
    # Streamlit updates the URL with history.replaceState, which page.url does not follow
    return parse_qs(urlparse(page.evaluate("location.href")).query)


def test_map_draws_incidents(server, page, bundled):
    page.goto(server)
    hits = wait_for_map(page)
    assert len(hits) > 10
    assert metric_value(page) == expected_count(bundled)


def test_click_on_map_opens_detail_and_highlights_on_timeline(server, page):
    # Only the Kunming detention is a detention point in this period: click it.
    page.goto(f"{server}/?type=detention&from=2013-11-10&to=2013-11-30")
    hits = wait_for_map(page, colours=[(213, 94, 0)])
    page.locator(TIMELINE).wait_for()
    assert _black_pixels(page) == []  # nothing selected yet
    box = page.locator(MAP).bounding_box()
    x = sum(h[0] for h in hits) / len(hits)
    y = sum(h[1] for h in hits) / len(hits)
    for _attempt in range(2):  # software GL: a click may land before picking is ready
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            wait_until(lambda: "incident" in query(page), timeout=15)
            break
        except AssertionError:
            continue
    assert query(page)["incident"] == ["2013-11-15-kunming-detention"]
    detail = page.locator(".st-key-detail")
    detail.wait_for(timeout=20_000)
    assert "13 to 15 North Korean refugees detained" in detail.inner_text()
    assert "15 Defectors Nabbed by China Police in Kunming" in detail.inner_text()
    # the timeline marks the selection with a black outline, the only pure black it draws
    assert wait_until(lambda: len(_black_pixels(page)) > 10)


def _black_pixels(page) -> list:
    return coloured_pixels(page.locator(TIMELINE).screenshot(), [(0, 0, 0)], tolerance=90)


ALL_COLOURS = [
    (213, 94, 0),
    (230, 159, 0),
    (204, 121, 167),
    (0, 158, 115),
    (0, 114, 178),
    (86, 180, 233),
]


def test_brush_on_timeline_narrows_map_and_count(server, page):
    page.goto(server)
    before_pixels = len(wait_for_map(page, colours=ALL_COLOURS))
    before_count = int(metric_value(page))
    chart = page.locator(TIMELINE)
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    y = box["y"] + box["height"] * 0.45
    page.mouse.move(box["x"] + box["width"] * 0.70, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.85, y, steps=12)
    page.mouse.up()
    wait_until(lambda: "from" in query(page) or "to" in query(page), timeout=30)
    after = wait_until(
        lambda: int(metric_value(page)) < before_count and int(metric_value(page)), timeout=30
    )
    assert 0 < after < before_count
    page.locator(MAP).scroll_into_view_if_needed()
    wait_until(
        lambda: (
            0 < len(coloured_pixels(page.locator(MAP).screenshot(), ALL_COLOURS)) < before_pixels
        ),
        timeout=30,
    )


def test_url_with_filters_reopens_the_same_view(server, page, bundled):
    page.goto(f"{server}/?type=repatriation&place=Liaoning")
    wait_for_map(page, colours=[(204, 121, 167)])
    assert metric_value(page) == expected_count(
        bundled, types=("repatriation",), places=("Liaoning",)
    )
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Forced repatriation" in sidebar and "Liaoning" in sidebar
    assert query(page) == {"type": ["repatriation"], "place": ["Liaoning"]}


def test_changing_a_filter_widget_updates_url_and_count(server, page, bundled):
    page.goto(server)
    wait_for_map(page)
    wait_idle(page)  # a rerun in flight could replace the input between fill and Tab
    page.locator('[data-testid="stSidebar"] [data-testid="stNumberInput"] input').nth(1).fill("100")
    page.keyboard.press("Tab")  # commit the value
    wait_until(lambda: query(page).get("min_people") == ["100"], timeout=30)
    expected = expected_count(bundled, min_people=100)
    assert wait_until(lambda: metric_value(page) == expected, timeout=30)


def test_text_from_data_is_shown_as_text_and_never_runs(hostile_server, page):
    page.goto(f"{hostile_server}/?incident={HOSTILE_ID}")
    detail = page.locator(".st-key-detail")
    detail.wait_for(timeout=60_000)
    text = detail.inner_text()
    assert HOSTILE_TITLE in text
    assert "<script>window.__xss=2</script>" in text and "**not bold**" in text
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    wait_for_map(page)  # the map (and its tooltip data) still draws
    assert HOSTILE_SUMMARY.split("**")[0].strip() in text


def test_pages_open_directly_by_url_with_the_shared_filters(server, page):
    page.goto(f"{server}/incident?incident=2013-11-15-kunming-detention")
    detail = page.locator(".st-key-detail")
    detail.wait_for(timeout=60_000)
    assert "13 to 15 North Korean refugees detained" in detail.inner_text()
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=30_000)
    assert wait_until(
        lambda: "Matching incidents" in page.locator('[data-testid="stSidebar"]').inner_text()
    )
    assert "Map & timeline" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.goto(f"{server}/sources?type=detention")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    assert page.locator("h1").first.inner_text() == "Sources"
    assert query(page) == {"type": ["detention"]}
