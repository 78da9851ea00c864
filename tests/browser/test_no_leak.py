"""Crafted links and a hostile import make the viewer's browser fetch nothing and show no
link: every payload points at a listener on another loopback port, which must receive no
request, and the page must hold no element whose src/href names it."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from tests.browser.harness import wait_for_map, wait_until

PAGES = ["", "sources", "incident", "data"]


@contextmanager
def listener() -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []

    class Record(BaseHTTPRequestHandler):
        def _record(self):
            seen.append(f"{self.command} {self.path}")
            self.send_response(204)
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_OPTIONS = _record

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def payloads(host: str) -> list[str]:
    return [
        f"![x](http://{host}/image.png)",
        f"[Session expired, log in](http://{host}/phish)",
        f"<img src=http://{host}/tag.png>",
        f"http://{host}/bare www.{host}/www someone@{host}",
        ":red[alert] :material/warning: $x^2$ a -> b",
    ]


def naming(page, host: str) -> list[str]:
    """src/href attributes in the page that name the listener."""
    return page.evaluate(
        """host => [...document.querySelectorAll('[src],[href]')]
            .map(e => e.getAttribute('src') || e.getAttribute('href'))
            .filter(u => u && u.includes(host))""",
        host,
    )


def rendered_directives(page) -> int:
    """Math, coloured text or icons in the notices and the detail card (the dashboard's
    legend colours its static HTML on purpose)."""
    where = ('[data-testid="stAlert"] [data-testid="stMarkdownContainer"]', ".st-key-detail")
    made = (".katex", '[data-testid="stIconMaterial"]', 'span[style*="color"]')
    return page.locator(", ".join(f"{w} {m}" for w in where for m in made)).count()


def settled(page) -> None:
    """Wait for the run to finish (the status widget gone) and a moment for fetches."""
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=60_000)
    wait_until(lambda: page.locator('[data-testid="stStatusWidget"]').count() == 0, timeout=60)
    time.sleep(1.5)


def test_crafted_links_fetch_nothing_and_show_no_link(server, page):
    with listener() as (host, seen):
        p = payloads(host)
        query = urlencode(
            {"from": p[0], "type": p[1], "source": p[2], "place": p[3], "status": p[4]}
        )
        for path in PAGES:
            page.goto(f"{server}/{path}?{query}")
            settled(page)
            alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
            assert sum("Ignored" in a for a in alerts) == 5, alerts
            shown = [a.replace("\u2060", "") for a in alerts]
            assert any(f"http://{host}/bare" in a for a in shown)
            assert any(p[4] in a for a in shown)  # as written: no icon, math or arrow
            assert page.locator('[data-testid="stException"]').count() == 0
            assert naming(page, host) == []
            assert rendered_directives(page) == 0
        for params in ({"to": "2030-01-01"}, {"from": "1959-12-31"}, {"min_people": "²"}):
            page.goto(f"{server}/?{urlencode(params)}")
            settled(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stAlert"]').count() >= 1
        assert seen == []


def test_hostile_import_fetches_nothing_on_any_page(server, page, tmp_path: Path):
    with listener() as (host, seen):
        p = payloads(host)
        path = tmp_path / "hostile.csv"
        rows = [
            [f"`x` {p[0]} `y`", "2013-11-15", "detention", "Kunming", "25.04", "102.72"],
            [f"t2 {p[1]}", "2012-02-20", "repatriation", "Dandong", "40.13", "124.39"],
            # an unknown event type: the mapping step offers a choice labelled with it
            ["t3", "2014-01-01", f"riot {p[0]}", "Yanji", "42.9", "129.5"],
        ]
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            columns = ["id", "date", "type", "place", "lat", "lon", "source", "title", "notes"]
            writer.writerow([*columns, f"extra {p[0]}"])  # a column the importer ignores
            for n, row in enumerate(rows):
                writer.writerow(
                    [*row, f"S{n} {p[2]} {p[3]}", f"T{n} {p[0]} {p[4]}", " ".join(p), p[1]]
                )
        page.goto(f"{server}/data")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        page.get_by_role("button", name="Check and import").click(timeout=60_000)
        page.locator(".st-key-import_preview").wait_for(timeout=60_000)
        assert "riot" in page.locator('[data-testid="stMain"]').text_content()
        assert naming(page, host) == []
        page.get_by_role("button", name="Show this data on the dashboard").click()
        wait_for_map(page, timeout=90, colours=[(213, 94, 0), (204, 121, 167)])
        assert naming(page, host) == []
        # the Incident page of the same session (its import): pick the first incident
        page.locator('[data-testid="stSidebarNav"] a[href$="/incident"]').click()
        settled(page)
        page.locator('[data-testid="stSelectbox"]').last.click()
        page.locator('[role="option"]').first.click()
        page.locator(".st-key-detail").wait_for(timeout=60_000)
        settled(page)
        card = page.locator(".st-key-detail").inner_text().replace("\u2060", "")
        assert f"http://{host}/bare" in card and f"![x](http://{host}/image.png)" in card
        assert p[4] in card
        assert naming(page, host) == [] and rendered_directives(page) == 0
        for name in ("sources", "data"):
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]').click()
            settled(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert naming(page, host) == []
        assert seen == []
