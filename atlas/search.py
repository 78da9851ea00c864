"""Find incidents by words: titles, places, sources and ids.

A place may be written in English, Chinese or Korean: the query is also looked up among the
names of the gazetteer's curated places (geo/data/curated_places.csv, where Yanji is also
"延吉", "연길" and "옌지"), and each place it names adds its English name to the terms
searched, so "연길" finds the incidents at Yanji. Only the curated list is read (a few
hundred names, read once): the GeoNames index would take seconds to build and knows none of
the places the incidents name that the curated list does not.

Matching is case-insensitive on NFKC text (vectorised: a million rows stay fast; place
names are compared on `geo.names.name_key`); a term matches when it
is a part of a searched field. Results are newest first (end date, then start date).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pandas as pd

from geo.names import name_key, split_qualifier
from geo.places import load_curated_places

MIN_PLACE_KEY = 2  # a one-letter query ("y") names no place: it would name half the list
# Fields of the incident table searched, in this order (`sources` is a tuple of names).
FIELDS = ("title", "location_name", "place_names", "admin1", "incident_id", "sources")
SEPARATOR = " \u241f "  # between the fields: no query term contains it


@dataclass(frozen=True)
class SearchResult:
    """The incident ids matching a query, newest first, and the place names the query
    stood for (["Yanji"] for "연길"), so the page can say why an incident matched. On the
    team database `ids` holds only the newest matches and `total` counts them all."""

    query: str
    ids: tuple[str, ...]
    places: tuple[str, ...]
    total: int | None = None

    @property
    def found(self) -> int:
        return len(self.ids) if self.total is None else self.total


@cache
def _place_names() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(English name, keys of every name it may be written as) per curated place."""
    return tuple(
        (split_qualifier(c.place.name)[0], tuple(dict.fromkeys(name_key(n) for n in c.names)))
        for c in load_curated_places()
    )


def place_terms(query: str) -> tuple[str, ...]:
    """English names of the curated places that `query` names in any of their spellings:
    exactly, or as the start of a name ("연길" → Yanji; "dand" → Dandong)."""
    key = name_key(query)
    if len(key) < MIN_PLACE_KEY:
        return ()
    found = [
        name
        for name, keys in _place_names()
        if any(k == key or (k.startswith(key) and key.isascii()) for k in keys)
    ]
    return tuple(dict.fromkeys(found))


def _haystack(frame: pd.DataFrame) -> pd.Series:
    """One lower-cased text per row of every searched field (built only for a query)."""
    parts = []
    for field in FIELDS:
        if field not in frame:
            continue
        column = frame[field]
        if field == "sources":
            column = column.map(lambda v: " | ".join(v) if isinstance(v, tuple) else "")
        parts.append(column.astype("string").fillna(""))
    text = parts[0]
    for part in parts[1:]:
        text = text + SEPARATOR + part
    return text.str.normalize("NFKC").str.casefold().fillna("")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def query_words(query: str) -> list[str]:
    """The words of a query, NFKC-normalised (not yet case-folded: the team database folds
    them as it folds the fields, `atlas.db.answers.search_matches`)."""
    return [w for w in unicodedata.normalize("NFKC", query or "").strip().split(" ") if w]


def search(frame: pd.DataFrame, query: str) -> SearchResult:
    """The incidents of `frame` (rows of the incident table) that `query` finds: every
    word of the query in a searched field, or a place the whole query names."""
    text = fold(query or "")
    if not text:
        return SearchResult(query or "", (), ())
    places = place_terms(query)
    haystack = _haystack(frame)
    words = [w.casefold() for w in query_words(query)]
    hit = pd.Series(True, index=frame.index)
    for word in words:
        hit &= haystack.str.contains(word, regex=False)
    for place in places:
        hit |= haystack.str.contains(fold(place), regex=False)
    found = frame[hit.to_numpy()]
    found = found.sort_values(["date_end", "date_start", "incident_id"], ascending=False)
    return SearchResult(query, tuple(found["incident_id"]), places)


SHOWN_COLUMNS = ["date_start", "date_end", "title"]


def search_frame(frame: pd.DataFrame, query: str, shown: int) -> tuple[SearchResult, pd.DataFrame]:
    """`search(frame, query)` and the rows (indexed by id: dates and title) of its `shown`
    newest matches: what the search box lists (`atlas.backend`'s `search`)."""
    result = search(frame, query)
    rows = frame.set_index("incident_id").loc[list(result.ids[:shown]), SHOWN_COLUMNS]
    return result, rows
