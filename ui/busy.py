"""What a reader sees while the server is busy or the connection is lost: words, not only
Streamlit's small running icon.

What is Streamlit's own (1.67, read from its client and checked in Chromium): once the
server reports that it runs the script, and only after 500 ms of it, a small running
icon shows in the header (`stStatusWidget`); until the server answers, nothing shows, and
elements whose output is out of date are faded. With `client.toolbarMode = "minimal"`
(this app's setting until now) the header drops the status widget altogether, so a slow
rerun showed nothing at all: the config now says "viewer", and the viewer menu and the
header's background (which "viewer" paints over the page's top) are hidden here. A lost
connection shows "Connecting" in the same place and the client retries by itself; the
server keeps a disconnected session for `server.disconnectedSessionTTL` (120 s), and the
filters and selection are in the page's URL, so a reload reopens the same view. In embed
mode (`?embed=true`) the header is hidden, and these notices with it.

What this adds (static CSS, no script): after the icon has shown for `BUSY_AFTER_S`, a
labelled notice beside it saying that the server is busy and the change will show; and a
label beside "Connecting" saying that the view is kept in the link.
"""

from __future__ import annotations

import streamlit as st

BUSY_AFTER_S = 2  # a rerun of the dashboard takes well under a second when not saturated
BUSY_TEXT = "Server busy: your change is queued and will show here. Nothing is lost."
OFFLINE_TEXT = "Reconnecting: your filters and selection are kept in this page's link."

# The notice is a pseudo-element of Streamlit's own status widget: it exists exactly while
# Streamlit shows its running icon (or its connection status), and its animation starts
# again each time the widget appears, so the text shows only for a run that takes long.
BUSY_CSS = f"""<style>
[data-testid="stMainMenu"] {{ display: none }}
@media (min-width: 641px) {{  /* a phone keeps the header's background, as before */
  [data-testid="stHeader"] {{ background: transparent; pointer-events: none }}
  [data-testid="stHeader"] button, [data-testid="stStatusWidget"] {{ pointer-events: auto }}
  [data-testid="stStatusWidget"] {{ background: #fff; border-radius: .4rem; padding: 0 .3rem }}
}}
@keyframes atlas-busy-show {{ from {{ opacity: 0 }} to {{ opacity: 1 }} }}
[data-testid="stStatusWidget"]:has([data-testid="stStatusWidgetRunningIcon"])::after,
[data-testid="stStatusWidget"]:has([data-testid="stConnectionStatus"])::after {{
  display: block; margin-left: .5rem; padding: .25rem .6rem; border-radius: .4rem;
  font-size: .85rem; line-height: 1.3; max-width: 22rem;
  background: #fff4ce; color: #3d2f00; border: 1px solid #d8b200;
}}
[data-testid="stStatusWidget"]:has([data-testid="stStatusWidgetRunningIcon"])::after {{
  content: "{BUSY_TEXT}";
  opacity: 0; animation: atlas-busy-show .2s linear {BUSY_AFTER_S}s forwards;
}}
[data-testid="stStatusWidget"]:has([data-testid="stConnectionStatus"])::after {{
  content: "{OFFLINE_TEXT}";
}}
</style>"""


def show_busy_notice() -> None:
    """Add the busy and reconnecting notices to the page (static CSS, no data)."""
    st.html(BUSY_CSS)
