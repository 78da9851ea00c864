"""Text from the data or the URL is shown as text: every such string passes through `md`
before it reaches an element that renders Markdown (st.markdown, st.caption, notices,
toasts, labels and help), so Markdown, HTML, Streamlit directives (`:red[…]`), icons
(`:material/…:`), math (`$…$`) and bare links in it are displayed, never interpreted.
`tests/test_sinks.py` walks every page with hostile data and URLs to hold this."""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; the escapes also stop
# Streamlit's directives and math, which are parsed with the Markdown.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=])")
# Some patterns are found in the text *after* escapes are resolved, so a backslash does not
# stop them: GFM autolink literals (`http://`, `www.`, `name@host`, remark-gfm), Streamlit's
# icons (`:material/name:`, `:streamlit:`) and its typography (` -> `, ` -- `, ` >= `…
# become arrows, dashes, signs). An invisible word joiner (U+2060) breaks each: between
# "/" and "/", after "www", before "@", after ":" before a letter, inside `->`, `--`, `>=`.
_LIVE_TEXT = re.compile(
    r"(?<=/)(?=/)|(?<=www)(?=\.)|(?=@)|(?<=:)(?=[a-z])|(?<=[-<>~])(?=[->=])", re.IGNORECASE
)
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    """Escape a data value for any Markdown-rendering element (None and NaN become an
    empty string; line breaks become spaces, so a value stays inside its line)."""
    if value is None or value != value:  # NaN
        return ""
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = _LIVE_TEXT.sub(WORD_JOINER, text)
    return _PUNCTUATION.sub(r"\\\1", text)
