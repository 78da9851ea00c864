"""Data text is shown as text: every string from the data passes through `md` before it
reaches st.markdown, so Markdown or HTML in the data is displayed, never interpreted."""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=])")


def md(value: object) -> str:
    """Escape a data value for st.markdown (None and NaN become an empty string)."""
    if value is None or value != value:  # NaN
        return ""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return _PUNCTUATION.sub(r"\\\1", text)
