"""Place names as comparable keys.

A key is what two spellings of one name have in common: "Sinŭiju-si", "SINUIJU" and
"Sinuiju" share the key ``sinuiju``; "P'yŏngyang" and "Pyongyang" share ``pyongyang``.

Two levels are kept apart on purpose. `name_key` only removes differences of writing
(Unicode form, case, diacritics, apostrophes, hyphens, spaces), so a match on it is an
exact match. `loose_key` also drops an administrative suffix ("市", " city", "-si",
"省", " Sheng", "-do" ...), which can change what a name refers to ("吉林市" is the city,
"吉林省" the province), so a match on it is a variant match and is trusted less.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Apostrophe-like marks are dropped: "Ji'an", "Ji’an" and "Jian" share a key, as do
# "Manp'o" and "Manpo". Romanisations use them inconsistently, and the ambiguity this
# can create is what the gazetteer reports rather than hides.
_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb`\u00b4\u2032"
# Hyphens and dashes separate words, like a space.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_"
_TRANSLATE = str.maketrans(
    {**{c: "" for c in _APOSTROPHES}, **{c: " " for c in _DASHES}, "đ": "d", "ł": "l"}
)
# Combining marks of the Basic Multilingual Plane (accents, Vietnamese tone marks ...),
# deleted in one `str.translate` pass: far faster than testing each character.
_COMBINING = {cp: None for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Mn"}
_SPACES = re.compile(r"\s+")

# Suffixes that name the kind of place, not the place. The longest that fits is removed
# (at most one, and only when something is left). Latin ones must follow a separator.
CITY_SUFFIXES = (" city", " shi", " si", " gun", " county", "市", "시", "县", "군")
ADMIN_SUFFIXES = (
    " province",
    " sheng",
    " do",
    " prefecture",
    "省",
    "道",
    "성",
    "도",
    "特别市",
    "직할시",
    "특별시",
    "광역시",
    "특별자치시",
    "특별자치도",
)
SUFFIXES = CITY_SUFFIXES + ADMIN_SUFFIXES


def normalise(text: str) -> str:
    """Return `text` in NFKC, case-folded, without diacritics, apostrophes or dashes.

    Words stay separated by single spaces; parentheses and commas are kept, so a
    qualifier such as "(Jilin)" remains visible to the caller.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        # Decompose to drop combining marks (ŏ -> o, ŭ -> u, à -> a), then recompose:
        # Hangul syllables decompose into jamo, which are letters, and come back intact.
        text = unicodedata.normalize("NFD", text).translate(_COMBINING)
        text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text.translate(_TRANSLATE)).strip()


def _compact(text: str) -> str:
    return text.replace(" ", "")


def name_key(text: str) -> str:
    """Return the exact-match key of a name: `normalise` without any spaces."""
    return _compact(normalise(text))


@cache
def _longest_first(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(suffixes, key=len, reverse=True))


def strip_suffix(normalised: str, suffixes: tuple[str, ...] = SUFFIXES) -> str:
    """Remove one administrative suffix from an already normalised name, if present."""
    for suffix in _longest_first(suffixes):
        if normalised.endswith(suffix) and len(normalised) > len(suffix):
            return normalised[: -len(suffix)].strip()
    return normalised


def loose_key(text: str, suffixes: tuple[str, ...] = SUFFIXES) -> str:
    """Return the variant-match key: `name_key` after removing one suffix."""
    return _compact(strip_suffix(normalise(text), suffixes))


def keys(text: str) -> tuple[str, str]:
    """(`name_key`, `loose_key`) of a name, normalising it once."""
    normalised = normalise(text)
    return _compact(normalised), _compact(strip_suffix(normalised))


_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*(?:\((?P<paren>[^()]+)\)|,\s*(?P<comma>[^,]+))$")


def split_qualifier(text: str) -> tuple[str, str | None]:
    """Split "Ji'an (Jilin)" or "Ji'an, Jilin" into ("Ji'an", "Jilin").

    A name without a trailing qualifier comes back as (name, None).
    """
    match = _QUALIFIED.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return text.strip(), None
    qualifier = match.group("paren") or match.group("comma")
    return match.group("base").strip(), qualifier.strip()
