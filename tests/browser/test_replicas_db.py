"""The browser session of test_replicas.py once on the team backend (issue 16): a throwaway
PostgreSQL cluster holding the bundled data (tests/db/pgcluster.py), two replicas on its
ATLAS_DATABASE_URL behind nginx (deploy/, the checked-in template), one Chromium page
through nginx. Load, change a filter, click the map mark, export the data; every request
that carries the tab's route cookie reached one replica (nginx's access log). A teammate's
UPDATE shows on the next rerun of both replicas; then the other replica is killed and the
tab goes on as if nothing happened (a rerun succeeds, a new viewer is served)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from atlas.export.data import FORMATS
from bench.protocol import Session
from deploy.replicas import serving
from tests.browser.harness import (
    choose_by_keyboard,
    click_until,
    metric_value,
    open_tab,
    wait_for_map,
    wait_idle,
    wait_until,
)
from tests.browser.test_dashboard import expected_count, query
from tests.browser.test_replicas import require_nginx
from tests.db import pgcluster

START = "/?type=detention&from=2013-11-01&to=2013-11-30"
PERIOD = {"types": ("detention",), "start": date(2013, 11, 1), "end": date(2013, 11, 30)}
KUNMING = "2013-11-15-kunming-detention"
DETENTION = [(213, 94, 0)]  # the colour of a detention mark (tests/browser/harness.py)
# letters and spaces only: the card shows it as written (ui.text.md escapes punctuation)
EDITED = "Kunming detention as a teammate corrected it"
LINE = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d+) \d+ upstream=(\S+) route=(\S+)$')


@pytest.fixture(scope="module")
def team(chromium):
    """(nginx + two replicas on the team database, the database's URL)."""
    require_nginx()
    reason = pgcluster.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with (
        pgcluster.bundled_database() as (_pg, url),
        serving(replicas=2, database_url=url) as cluster,
    ):
        yield cluster, url


def requests_of(log: Path, route: str) -> list[tuple[str, str, str]]:
    """(path, status, upstream) of every request nginx routed on `route` (the tab's cookie)."""
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        match = LINE.search(line)
        if match and match[5] == route:
            found.append((match[2], match[3], match[4]))
    return found


def card_on(replica_url: str) -> str:
    """The Markdown a new tab opened on `replica_url` at the Kunming card draws (Streamlit's
    own protocol, no browser)."""

    async def run() -> str:
        session = Session(replica_url, timeout=60, ping_interval=None)
        await session.connect()
        try:
            result = await session.load(START[2:] + f"&incident={KUNMING}")
            return "\n".join(result.texts)
        finally:
            await session.close()

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        return thread.submit(asyncio.run, run()).result()


def set_min_people(page, value: int) -> None:
    wait_idle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stNumberInput"] input').nth(1)
    box.fill(str(value))
    page.keyboard.press("Tab")
    wait_until(lambda: query(page).get("min_people") == [str(value)], timeout=60)


def export_csv(page, runtime: Path) -> None:
    """Choose CSV on the Export tab, prepare it, download it, check it holds the Kunming
    detention (an exception on the page fails the test with the replicas' logs)."""
    wait_idle(page)
    open_tab(page, "Export & embed")
    shown = page.get_by_label("Data format", exact=True)  # a combobox: its value is the choice
    failed = page.locator('[data-testid="stException"]')
    wait_until(lambda: shown.count() or failed.count(), timeout=90)
    if failed.count():
        logs = "".join(f.read_text(errors="replace") for f in runtime.glob("replica-*.log"))
        raise AssertionError(logs[-3000:])
    label = FORMATS["csv"].label
    choose_by_keyboard(page, "Data format", "CSV", lambda: shown.input_value() == label, label)
    wait_idle(page)
    page.locator(".st-key-data_go button").click()
    button = page.locator(".st-key-data_download button")
    button.wait_for(timeout=90_000)
    wait_idle(page)
    with page.expect_download(timeout=90_000) as download:
        button.click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        assert KUNMING in archive.read("incidents.csv").decode("utf-8")
    return None


def test_a_session_on_the_team_database_through_nginx(team, page, bundled):
    cluster, url = team
    runtime = Path(cluster.runtime)
    log = runtime / "access.log"
    page.goto(cluster.url + START)
    wait_until(lambda: metric_value(page) == expected_count(bundled, **PERIOD), timeout=90)
    # filter: "Min. people" 10 leaves two detentions, the Kunming one the only point
    set_min_people(page, 10)
    expected = expected_count(bundled, **PERIOD, min_people=10)
    wait_until(lambda: metric_value(page) == expected, timeout=60)
    # click: the map mark opens its card (Kunming, 25° N, is the southernmost detention
    # mark; the other one, in three north-eastern cities, is drawn too)
    wait_idle(page)
    hits = wait_for_map(page, colours=DETENTION)
    south = max(y for _, y in hits)
    hits = [(x, y) for x, y in hits if y > south - 30]
    click_until(page, hits, lambda: query(page).get("incident") == [KUNMING], timeout=30)
    wait_until(lambda: "Kunming" in page.locator(".st-key-detail").inner_text(), timeout=60)
    # export: the filtered incidents as CSV files in a ZIP, prepared and downloaded
    export_csv(page, runtime)

    # the tab's replica: where nginx sent the requests that carried its route cookie (the
    # page's scripts and styles; a WebSocket is logged when it closes)
    route = next(c["value"] for c in page.context.cookies() if c["name"] == "atlas_route")
    served = {u for _, _, u in requests_of(log, route)}
    assert len(served) == 1, served
    mine = served.pop()
    pairs = zip(cluster.replica_urls, cluster.processes, strict=True)
    replicas = {u.removeprefix("http://"): p for u, p in pairs}
    assert mine in replicas
    (other_url,) = [u for u in cluster.replica_urls if u.removeprefix("http://") != mine]

    # a teammate corrects the title by SQL: both replicas show it on their next rerun (the
    # other replica has read the data before)
    before = card_on(other_url)
    assert "Kunming" in before and EDITED not in before
    with sa.create_engine(url).begin() as connection:
        connection.execute(
            sa.text("UPDATE incidents SET title = :title WHERE incident_id = :id"),
            {"title": EDITED, "id": KUNMING},
        )
    wait_until(lambda: EDITED in card_on(other_url), timeout=60)
    wait_idle(page)
    open_tab(page, "Incidents")  # a rerun of the tab
    wait_until(lambda: EDITED in page.locator(".st-key-detail").inner_text(), timeout=60)

    # killing the other replica loses nothing: the tab reruns, a new viewer is served
    other = replicas[other_url.removeprefix("http://")]
    other.kill()
    other.wait(timeout=30)
    set_min_people(page, 1)
    expected = expected_count(bundled, **PERIOD, min_people=1)
    wait_until(lambda: metric_value(page) == expected, timeout=60)
    assert EDITED in page.locator(".st-key-detail").inner_text()
    assert EDITED in card_on(cluster.url)  # through nginx, a fresh tab without a cookie

    # every request of the tab that carried its cookie went to its replica, and succeeded
    page.goto("about:blank")
    wait_until(lambda: any(p == "/_stcore/stream" for p, _, _ in requests_of(log, route)))
    requests = requests_of(log, route)
    assert {u for _, _, u in requests} == {mine}, requests
    assert all(status in {"101", "200", "304"} for _, status, _ in requests), requests
    paths = {p.split("?")[0] for p, _, _ in requests}
    assert "/_stcore/stream" in paths, paths
    assert any(p.startswith("/media/") for p in paths), paths
