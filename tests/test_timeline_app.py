"""AppTest: the zoom buttons set the period filter (and so the URL and the detail's span)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.test_app import run, url_of


def _detail_domain(at) -> list[str]:
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    return spec["layer"][-1]["encoding"]["x"]["scale"]["domain"]


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ("zoom_month", {"from": ["2013-11-01"], "to": ["2013-11-30"]}),
        ("zoom_quarter", {"from": ["2013-10-01"], "to": ["2013-12-31"]}),
        ("zoom_year", {"from": ["2013-01-01"], "to": ["2013-12-31"]}),
        ("zoom_reset", {}),
    ],
)
def test_zoom_buttons_set_the_period_around_the_selection(button, expected):
    at = run({"incident": "2013-11-15-kunming-detention"})
    at.button(key=button).click().run()
    assert not at.exception, at.exception
    url = url_of(at)
    assert {k: url[k] for k in ("from", "to") if k in url} == expected
    if expected:
        assert _detail_domain(at) == [f"{expected['from'][0]}T00:00:00Z", _day_after(expected)]


def _day_after(expected: dict) -> str:
    return f"{date.fromisoformat(expected['to'][0]) + timedelta(days=1):%Y-%m-%d}T00:00:00Z"
