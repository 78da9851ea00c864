"""What the app's Markdown sinks would render, read from an AppTest tree.

`rendered(at)` collects every text the browser renders as Markdown (markdown, captions,
titles, notices, toasts, widget/tab/expander labels and help, radio options);
`dangers(body)` says what in one body would be live: a link, an image, raw HTML, a GFM
autolink literal, a Streamlit directive (`:red[`), icon (`:material/…:`, `:streamlit:`)
or math (`$…$`).

Streamlit renders with react-markdown + remark-gfm: escapes are resolved by the parser,
but GFM's autolink literals (`http://`, `www.`, `a@b.c`) are found afterwards in the
*unescaped* text (mdast-util-gfm-autolink-literal), so backslashes do not stop them. The
check models that: markdown-it-py parses (CommonMark + tables + strikethrough), then the
GFM literal patterns and Streamlit's icon patterns (its frontend rewrites `:material/` to
`:material_` in the source, then replaces `:material_name:` and `:streamlit:` in text
nodes) run on each text token's content. Checked against Chromium in
tests/browser/test_no_leak.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])
_PARSER.linkify.set({"fuzzy_link": False})  # GFM links only schemes, www. and e-mails

# mdast-util-gfm-autolink-literal's patterns (JS \w is ASCII)
GFM_URL = re.compile(r"(https?://|www(?=\.))[-.A-Za-z0-9_]+", re.IGNORECASE)
GFM_EMAIL = re.compile(r"[-.A-Za-z0-9_+]+@[-A-Za-z0-9_]+(\.[-A-Za-z0-9_]+)+")
# Streamlit's own syntax, read from the source before parsing; a backslash stops each.
DIRECTIVE = re.compile(r"(?<!\\):(?:[a-z]+(?:-background)?\[|material/|streamlit/)")
UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
# Streamlit's transforms of text nodes, after escapes are resolved (so a backslash does not
# stop them): the source's ":material/" is first rewritten to ":material_".
TEXT_DIRECTIVE = re.compile(r":material_\w+:|:streamlit:")
# Links the app itself writes (related incidents): same-origin, id percent-encoded.
OWN_LINK = re.compile(r"^/incident\?incident=[A-Za-z0-9%._~-]*$")

MARKDOWN_TYPES = {
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "error",
    "warning",
    "info",
    "success",
    "toast",
}


def dangers(body: str) -> list[str]:
    """What in `body` would render as more than text (empty: nothing)."""
    found = []
    if DIRECTIVE.search(body):
        found.append("directive")
    if len(UNESCAPED_DOLLAR.findall(body)) >= 2:
        found.append("math")
    for block in _PARSER.parse(body.replace(":material/", ":material_")):
        if block.type == "html_block":
            found.append("html")
        for tok in block.children or ():
            href = str(tok.attrs.get("href", ""))
            if tok.type == "link_open" and not OWN_LINK.match(href):
                found.append(f"link {href}")
            elif tok.type == "image":
                found.append(f"image {tok.attrs.get('src')}")
            elif tok.type == "html_inline":
                found.append("html")
            elif tok.type == "text" and (
                GFM_URL.search(tok.content) or GFM_EMAIL.search(tok.content)
            ):
                found.append(f"autolink {tok.content!r}")
            elif tok.type == "text" and TEXT_DIRECTIVE.search(tok.content):
                found.append(f"icon {tok.content!r}")
    return found


def _nodes(node) -> Iterator:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def rendered(at) -> list[tuple[str, str]]:
    """(element type, body) of every Markdown-rendered text in the app's tree."""
    out = []
    for node in _nodes(at._tree):
        kind = getattr(node, "type", "")
        # raw-HTML markdown renders static text only (tests/test_safety.py holds that)
        static_html = getattr(getattr(node, "proto", None), "allow_html", False)
        if kind in MARKDOWN_TYPES and not static_html:
            out.append((kind, str(node.value)))
        for attr in ("label", "help"):
            try:
                text = getattr(node, attr, None)
            except Exception:  # some elements raise for fields they do not have
                text = None
            if isinstance(text, str) and text:
                out.append((f"{kind}.{attr}", text))
        if kind == "radio":
            out += [("radio.option", str(o)) for o in node.options]
    return out


def live(at) -> list[tuple[str, str, list[str]]]:
    """Every rendered body with something live in it."""
    return [(kind, body, d) for kind, body in rendered(at) if (d := dangers(body))]
