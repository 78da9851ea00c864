"""A page with iframes of the embed, served from 127.0.0.1: what a briefing page or an
intranet does. Shared by tests/browser/test_embed.py and bench/embed_frames.py."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape


@contextmanager
def host_page(html: str) -> Iterator[str]:
    """Serve one HTML page from 127.0.0.1; yield its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def frames_page(server: str, view: str, frames: list[tuple[int, int]]) -> str:
    """A page with one iframe of `view` (embed=true, no size given) per (width, height)."""
    tags = "".join(
        f'<iframe src="{escape(server + view + "&embed=true", quote=True)}" width="{w}" '
        f'height="{h}" style="border:0;display:block;margin:8px 0" title="embed {w}x{h}">'
        "</iframe>"
        for w, h in frames
    )
    return f"<html><body style='margin:0'><h1>Briefing</h1>{tags}</body></html>"
