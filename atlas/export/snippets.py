"""HTML that embeds a view elsewhere: the iframe, and the iframe paired with a linked
picture for places that take no iframe (PowerPoint, Word, e-mail). Every value is escaped
as an attribute; the iframe opens the view with embed=true."""

from __future__ import annotations

from html import escape

from atlas.export.screenshot import embed_url


def iframe_snippet(url: str, height: int = 900, width: int | str = "100%") -> str:
    """The iframe markup for the chrome-less, still interactive embed of a view."""
    return (
        f'<iframe src="{escape(embed_url(url), quote=True)}" width="{escape(str(width))}" '
        f'height="{int(height)}" style="border:0" title="Repatriation Atlas" '
        'loading="lazy"></iframe>'
    )


def static_snippet(url: str, png: str, title: str, height: int = 900) -> str:
    """A picture of the view linking to it, then the iframe for pages that take one."""
    picture = (
        f'<a href="{escape(url, quote=True)}"><img src="{escape(png, quote=True)}" '
        f'alt="{escape(title, quote=True)}" style="max-width:100%"></a>'
    )
    return picture + "\n" + iframe_snippet(url, height)
