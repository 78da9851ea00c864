"""The zooming timeline in a real browser: a brush across November 2013 in the late-2013
view selects exactly the November incidents on the first try."""

from __future__ import annotations

from datetime import date

from atlas.filters import Filters, apply_filters
from atlas.incidents import incident_table
from atlas.timeline import LABEL_WIDTH
from tests.browser.harness import TIMELINE, metric_value, wait_for_map, wait_until
from tests.browser.test_dashboard import query

PERIOD = (date(2013, 10, 1), date(2014, 3, 31))  # the late-2013 preset: 182 days


def test_a_brush_across_november_2013_selects_the_november_incidents(server, page, bundled):
    page.goto(f"{server}/?from=2013-10-01&to=2014-03-31")
    wait_for_map(page)
    chart = page.locator(TIMELINE)
    chart.scroll_into_view_if_needed()
    box = wait_until(lambda: (b := chart.bounding_box()) and b["height"] > 200 and b)
    # the plot spans the chart right of the fixed label column, over the period's days
    left, right = box["x"] + LABEL_WIDTH + 5, box["x"] + box["width"] - 5
    days = (PERIOD[1] - PERIOD[0]).days + 1

    def x_of(day: date) -> float:
        return left + (right - left) * (day - PERIOD[0]).days / days

    y = box["y"] + box["height"] * 0.4
    page.mouse.move(x_of(date(2013, 11, 1)), y)
    page.mouse.down()
    page.mouse.move(x_of(date(2013, 12, 1)), y, steps=12)
    page.mouse.up()
    wait_until(lambda: query(page).get("from") == ["2013-11-01"], timeout=30)
    assert query(page)["to"] == ["2013-11-30"]
    frame = apply_filters(
        incident_table(bundled), Filters(start=date(2013, 11, 1), end=date(2013, 11, 30))
    )
    expected = str(int(frame["in_period"].sum()))
    assert wait_until(lambda: metric_value(page) == expected, timeout=30)
