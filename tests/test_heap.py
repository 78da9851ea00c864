"""ui.heap: a server freezes its long-lived heap once, after its first complete run, so the
garbage collector's full passes no longer walk it; a test process does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.apptest import run_app

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_freeze_once_freezes_once_and_only_where_enabled():
    out = _python(
        "import gc\n"
        "from ui import heap\n"
        "kept = [[i] for i in range(50_000)]\n"  # long-lived objects the collector tracks
        "print(heap.freeze_once(), gc.get_freeze_count())\n"  # off by default
        "heap.ENABLED = True\n"
        "print(heap.freeze_once(), gc.get_freeze_count() >= 50_000)\n"
        "print(heap.freeze_once())\n"
    )
    assert out.splitlines() == ["False 0", "True True", "False"]


def test_serve_py_turns_it_on_and_the_app_calls_it_after_a_run(monkeypatch):
    assert (
        _python(
            "import runpy; runpy.run_path('serve.py')\nfrom ui import heap\nprint(heap.ENABLED)"
        )
        == "True"
    )
    from ui import heap

    assert heap.ENABLED is False  # this test process: not frozen
    calls = []
    monkeypatch.setattr(heap, "freeze_once", lambda: calls.append(1) or False)
    run_app()
    assert calls == [1]
