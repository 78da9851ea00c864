"""The link that reopens a view, for files that leave the app (briefing, exports, embeds).

`ATLAS_PUBLIC_URL` (environment) is the address readers use, e.g.
`https://atlas.example.org/` or `https://example.org/atlas`: an http(s) URL with a host and
no query, fragment or credentials. When it is unset (or invalid, which is reported) the
link is the local address the browser used, and says that it is local.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from atlas.filters import Filters, to_query

ENV = "ATLAS_PUBLIC_URL"
LOCAL_NOTE = "local address: set ATLAS_PUBLIC_URL for a shareable link"


class PublicUrlError(ValueError):
    """ATLAS_PUBLIC_URL is not an http(s) base URL; the message says why."""


@dataclass(frozen=True)
class Link:
    url: str
    shareable: bool  # False: a local address that only works on this machine

    @property
    def note(self) -> str:
        return "" if self.shareable else LOCAL_NOTE


def public_base(value: str | None) -> str | None:
    """The validated base URL (ending in "/"), None for an empty value."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublicUrlError(f"{ENV} must be an http(s) URL with a host, not {value!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PublicUrlError(f"{ENV} must be a base URL without query, fragment or login")
    if any(ch.isspace() or ch in "<>\"'" for ch in value):
        raise PublicUrlError(f"{ENV} contains a character a URL cannot hold")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def reopen_link(filters: Filters, local_url: str, env: dict[str, str] | None = None) -> Link:
    """The link to `filters`' view under ATLAS_PUBLIC_URL, else `local_url` (the address
    the browser used, with the same query). An invalid ATLAS_PUBLIC_URL raises."""
    base = public_base((os.environ if env is None else env).get(ENV))
    if base is None:
        return Link(local_url, shareable=False)
    query = urlencode(to_query(filters), doseq=True)
    return Link(base + (f"?{query}" if query else ""), shareable=True)
