"""Cell values made safe for spreadsheets, reversibly.

Formula injection (OWASP "CSV injection"): a cell that begins with `=`, `+`, `-`, `@`, a
tab, a carriage return or a NUL (which some programs drop before reading the rest), or with
the full-width or small forms `＝＋－＠ ﹦﹢﹣﹫` (which some spreadsheet programs, and
input methods for Korean, Chinese and Japanese, turn into the ASCII ones), gets a leading
`'`, so a spreadsheet shows it as text. A cell
that already begins with apostrophes before such a character gets one more, so that
`restore_cell` (remove one apostrophe) gives back every original value, including one
that began with `'=`.

XLSX text: XML cannot hold most control characters and reads a carriage return back as a
line feed, so OOXML writes them as `_xHHHH_` (and a literal `_xHHHH_` as `_x005F_xHHHH_`),
as Excel does; `ooxml_unescape` reverses it.
"""

from __future__ import annotations

import re

_STARTS = "=+\\-@\t\r\x00＝＋－＠﹦﹢﹣﹫"
_TRIGGER = re.compile(f"'*[{_STARTS}]")
_NEUTRALISED = re.compile(f"'+[{_STARTS}]")
_OOXML_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_OOXML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def neutralise_cell(value: str) -> str:
    """The value with a leading `'` if a spreadsheet could read it as a formula."""
    return "'" + value if _TRIGGER.match(value) else value


def restore_cell(value: str) -> str:
    """Undo `neutralise_cell`."""
    return value[1:] if _NEUTRALISED.match(value) else value


def ooxml_escape(value: str) -> str:
    """Control characters (and `_` starting an escape-like sequence) as `_xHHHH_`."""
    return _OOXML_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


def ooxml_unescape(value: str) -> str:
    """Undo `ooxml_escape` (and Excel's own escapes)."""
    return _OOXML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
