"""A saturated server: the page says it is busy, in words, and the change still lands.

The server process runs 50 ms and is then paused (SIGSTOP) for 3.5 s, over and over, which is
what a reader sees when every core is taken by other sessions: Streamlit shows its running
icon once the run has lasted 500 ms, and after `ui.busy.BUSY_AFTER_S` more the notice
appears beside it; when the server has its core again the change shows and the notice
goes. The pause is longer than the 2.7 s the notice needs to fade in, so any run that
needs more than one 50 ms slice of CPU shows it, however fast the server's reruns become
(CI stop 21: with 95 % pauses of 1 s, reruns of ~0.09 s CPU finished in under 2.5 s).
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from tests.browser.harness import app_server, open_tab, wait_for_map, wait_idle, wait_until
from ui.busy import BUSY_AFTER_S, BUSY_TEXT

SHOTS = Path(os.environ.get("ATLAS_SHOTS", tempfile.gettempdir()))  # looked at by people
NOTICE = """() => {
  const el = document.querySelector('[data-testid="stStatusWidget"]');
  if (!el) return null;
  const after = getComputedStyle(el, '::after');
  return {content: after.content, opacity: after.opacity};
}"""


def server_pid(url: str) -> int:
    """The `streamlit run` process listening on `url`'s port (found by its command line)."""
    port = str(urlparse(url).port)
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and port.encode() in args:
            return int(proc.name)
    raise AssertionError(f"no streamlit process on port {port}")


@contextmanager
def starved(pid: int, run_s: float = 0.05, pause_s: float = 3.5) -> Iterator[None]:
    """Let process `pid` run `run_s`, then pause it `pause_s` (SIGSTOP / SIGCONT), while inside."""
    assert pause_s > BUSY_AFTER_S + 0.5 + 0.2, "a pause must outlast the notice's fade-in"
    done = threading.Event()

    def cycle() -> None:
        while not done.is_set():
            os.kill(pid, signal.SIGSTOP)
            done.wait(pause_s)
            os.kill(pid, signal.SIGCONT)
            time.sleep(run_s)

    worker = threading.Thread(target=cycle)
    worker.start()
    try:
        yield
    finally:
        done.set()
        worker.join()
        os.kill(pid, signal.SIGCONT)


def busy_notice(page) -> str | None:
    """The notice's text when it shows (fully faded in), else None."""
    shown = page.evaluate(NOTICE)
    if shown and shown["opacity"] == "1" and BUSY_TEXT in shown["content"]:
        return shown["content"]
    return None


def test_stalled_server_shows_busy_notice_and_the_change_lands(page):
    with app_server() as url:
        pid = server_pid(url)
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(f"{url}/?type=detention")
        wait_for_map(page)
        wait_idle(page)
        assert busy_notice(page) is None
        sources = "Sources for these incidents"
        with starved(pid):
            # a tab already drawn may answer within one slice and show no notice: change
            # tabs again, at most three times, until a run needs more than one slice
            for name in (sources, "Incidents", sources):
                open_tab(page, name)
                try:
                    wait_until(lambda: busy_notice(page), timeout=40)
                    break
                except AssertionError:
                    continue
            else:
                raise AssertionError("no busy notice while the server was starved")
            page.screenshot(path=SHOTS / "atlas-busy-1280x720.png")
        open_tab(page, sources)  # whichever try showed it
        panel = page.get_by_text("Each source's reports on the incidents shown")
        wait_until(lambda: panel.count() > 0 and panel.first.is_visible(), timeout=60)
        wait_idle(page)
        assert busy_notice(page) is None
        assert "type=detention" in page.evaluate("location.href")  # the view is kept
