"""The app with its extra HTTP routes: `streamlit run serve.py` (what `make run` and the
browser tests start) serves app.py as usual plus `/oembed` (atlas.export.oembed), through
Streamlit 1.67's `st.App(routes=...)` under uvicorn. `streamlit run app.py` still runs the
app alone, without the route."""

from __future__ import annotations

import os

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from atlas.export.links import ENV, PublicUrlError, public_base
from atlas.export.oembed import oembed
from atlas.policy import PolicyError, startup_policy
from ui import heap


def bases(request: Request) -> list[str]:
    """This app's base URLs: the one the request came to, and ATLAS_PUBLIC_URL's."""
    own = [f"{request.url.scheme}://{request.url.netloc}/"]
    try:
        public = public_base(os.environ.get(ENV))
    except PublicUrlError:
        public = None
    return own + ([public] if public else [])


async def oembed_route(request: Request) -> JSONResponse:
    q = request.query_params
    answer = oembed(
        q.get("url"), bases(request), q.get("maxwidth"), q.get("maxheight"), q.get("format")
    )
    return JSONResponse(answer.body, status_code=answer.status)


heap.ENABLED = True  # a server: its first complete run freezes the long-lived heap (ui.heap)

try:  # refuse to start on an unknown ATLAS_TIER or a bad policy file (atlas.policy)
    startup_policy()
except PolicyError as refused:
    raise SystemExit(f"Repatriation Atlas not started: {refused}") from None

app = st.App("app.py", routes=[Route("/oembed", oembed_route, methods=["GET"])])
