"""A whole session through nginx in front of two replicas (deploy/): the page loads over the
proxied WebSocket, a filter changes the count, an incident is selected from the list, and
the filtered data is prepared and downloads; nginx's log shows the download (/media/...)
came from the replica that runs the tab's WebSocket (Streamlit keeps download files in that
process)."""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from atlas.export.data import FORMATS
from deploy.replicas import serving
from tests.browser.harness import (
    choose_by_keyboard,
    metric_value,
    open_tab,
    wait_idle,
    wait_until,
)
from tests.browser.test_dashboard import expected_count, query

START = "/?type=detention&from=2013-11-01&to=2013-11-30"
PERIOD = {"types": ("detention",), "start": date(2013, 11, 1), "end": date(2013, 11, 30)}
KUNMING = "2013-11-15-kunming-detention"


def require_nginx() -> None:
    """Skip (fail in CI) when nginx is missing."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: `make test` installs it (make nginx)")
        pytest.skip("nginx not installed and not installable here: `make nginx` (root or sudo)")


@pytest.fixture(scope="module")
def cluster(chromium):
    require_nginx()
    with serving(replicas=2) as cluster:
        yield cluster


def upstreams(log: Path, path: str) -> set[str]:
    """The replicas nginx sent requests for `path` (a prefix) to, from its access log."""
    found = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        match = re.search(r'"GET (\S+) HTTP/[\d.]+" (\d+) .* upstream=(\S+) route=(\S+)', line)
        if match and match[1].startswith(path):
            assert match[2] in {"101", "200"}, line
            assert match[4] != "127.0.0.1", line  # keyed on the route cookie, not the address
            found.add(match[3])
    return found


def test_a_session_through_nginx_on_two_replicas(cluster, page, bundled):
    page.goto(cluster.url + START)
    expected = expected_count(bundled, **PERIOD)
    wait_until(lambda: metric_value(page) == expected, timeout=90)
    # filter: "Min. people" 10, committed with Tab, as a person types it
    wait_idle(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stNumberInput"] input').nth(1).fill("10")
    page.keyboard.press("Tab")
    wait_until(lambda: query(page).get("min_people") == ["10"], timeout=60)
    expected = expected_count(bundled, **PERIOD, min_people=10)
    wait_until(lambda: metric_value(page) == expected, timeout=60)
    # select: the Kunming detention from the incident list, by keyboard
    choose_by_keyboard(
        page,
        "Open an incident of the list",
        "Kunming",
        lambda: query(page).get("incident") == [KUNMING],
        option="Kunming",
        timeout=60,
    )
    wait_until(lambda: "Kunming" in page.locator(".st-key-detail").inner_text(), timeout=60)
    # export: the filtered incidents as CSV files in a ZIP, chosen, prepared, downloaded
    wait_idle(page)
    open_tab(page, "Export & embed")
    label = FORMATS["csv"].label
    shown = page.get_by_label("Data format", exact=True)  # a combobox: its value is the choice
    choose_by_keyboard(page, "Data format", "CSV", lambda: shown.input_value() == label, label)
    wait_idle(page)
    page.locator(".st-key-data_go button").click()
    button = page.locator(".st-key-data_download button")
    button.wait_for(timeout=90_000)
    assert "repatriation-atlas.zip" in button.inner_text()
    wait_idle(page)
    with page.expect_download(timeout=90_000) as download:
        button.click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        incidents = archive.read("incidents.csv").decode("utf-8")
    assert KUNMING in incidents
    # the WebSocket and the download went to one replica, chosen by the route cookie (nginx
    # logs the WebSocket when it closes: leave the page first)
    page.goto("about:blank")
    log = Path(cluster.runtime) / "access.log"
    stream = wait_until(lambda: upstreams(log, "/_stcore/stream"), timeout=30)
    media = upstreams(log, "/media/")
    assert len(stream) == 1 and media == stream, (stream, media)
    assert stream <= {u.removeprefix("http://") for u in cluster.replica_urls}
    assert all(p.poll() is None for p in cluster.processes)  # both replicas still up
