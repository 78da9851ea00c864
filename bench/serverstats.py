"""CPU seconds and resident memory of server processes and their children, from /proc
(Linux; psutil is not a dependency). Used by bench/load.py."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def process_tree(pid: int) -> list[int]:
    """`pid` and every descendant still running."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of `pids` and their descendants (threads included)."""
    total = 0
    for pid in {p for root in pids for p in process_tree(root)}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    """Resident memory of `pids` and their descendants, MB."""
    total = 0
    for pid in {p for root in pids for p in process_tree(root)}:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
    return total * PAGE / 1e6
