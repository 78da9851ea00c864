"""oEmbed (https://oembed.com/, JSON, type "rich") for views of this app, so that a CMS
embeds a view from its URL: `/oembed?url=VIEW&maxwidth=W&maxheight=H`.

Only URLs of this app are answered: the same scheme and host as the request came to, or
as ATLAS_PUBLIC_URL (and under its path). Anything else is 404; a format other than JSON
is 501, a bad size 400 (the oEmbed spec's codes). The answer is pure data: the iframe of
`atlas.export.snippets` sized to fit maxwidth × maxheight at 16:9 (the embed's landscape
layout), never larger than asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from atlas.export.snippets import iframe_snippet

DEFAULT_SIZE = (800, 450)
MIN_SIZE = (200, 150)
PROVIDER = "Repatriation Atlas"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


def _size(value: str | None, default: int, floor: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or len(value) > 5:
        raise ValueError(value)
    return max(floor, int(value))


def _ours(url: str, bases: list[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        return False
    for base in bases:
        ours = urlsplit(base)
        prefix = ours.path.rstrip("/") + "/"
        if (parts.scheme, parts.netloc.lower()) == (ours.scheme, ours.netloc.lower()) and (
            parts.path + "/"
        ).startswith(prefix):
            return True
    return False


def oembed(
    url: str | None,
    bases: list[str],
    maxwidth: str | None = None,
    maxheight: str | None = None,
    fmt: str | None = None,
) -> Answer:
    """The oEmbed answer for `url`; `bases` are this app's base URLs (the request's own,
    ATLAS_PUBLIC_URL's)."""
    if fmt not in (None, "", "json"):
        return Answer(501, {"error": "only format=json is served"})
    if not url or not _ours(url, bases):
        return Answer(404, {"error": "not a view of this app"})
    try:
        max_w = _size(maxwidth, 10**5, MIN_SIZE[0])
        max_h = _size(maxheight, 10**5, MIN_SIZE[1])
    except ValueError:
        return Answer(400, {"error": "maxwidth and maxheight are whole pixels"})
    width = min(DEFAULT_SIZE[0], max_w, max_h * 16 // 9)
    height = width * 9 // 16
    return Answer(
        200,
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": PROVIDER,
            "provider_url": bases[-1],
            "title": "Repatriation Atlas: map and timeline of this view",
            "html": iframe_snippet(url, height, width),
            "width": width,
            "height": height,
        },
    )
