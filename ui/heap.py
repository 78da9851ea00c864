"""The server's long-lived heap kept out of the garbage collector's full passes.

A replica's first run imports the pages and loads the data and the base map: ~330,000
objects the cyclic collector tracks, and every full (generation-2) pass walks them all:
0.10–0.21 s measured on a replica serving 20 viewers (bundled data), time in which none of
that replica's viewers gets an answer. `freeze_once` runs one full pass and then moves what
is left to the permanent generation (`gc.freeze`), so later passes walk only the objects
made since: the views kept for viewers, the sessions. Objects frozen are still freed when
nothing refers to them; only a reference cycle among them is never collected: filtered
frames make none, loading the bundled table leaves 9 objects in cycles (measured), so a
dataset version replaced later keeps a handful of objects, not its data.

Off unless serve.py (what `make run` and the replicas start) turns it on: a test process
or `streamlit run app.py` keeps the collector as it is."""

from __future__ import annotations

import gc
import threading

ENABLED = False  # serve.py: True
_lock = threading.Lock()
_frozen = False


def freeze_once() -> bool:
    """On the first call in a process with ENABLED (app.py: after a complete run), collect
    and freeze; whether this call froze."""
    global _frozen
    if not ENABLED or _frozen:
        return False
    with _lock:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
    return True
