"""A prepared file (figure, briefing) and the view it was made for.

A file prepared for one view must not be downloaded as if current once the filters or the
data change: `Prepared.view` holds the view's key (`view_key`: the filters as URL
parameters and the dataset version) and `is_for` compares it with the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.filters import Filters, to_query

ViewKey = tuple[tuple[tuple[str, tuple[str, ...]], ...], str]


def view_key(filters: Filters, version: str) -> ViewKey:
    """The filters (every URL parameter, the selection included) and the data version."""
    query = tuple(sorted((key, tuple(values)) for key, values in to_query(filters).items()))
    return query, version


@dataclass(frozen=True)
class Prepared:
    name: str  # file name
    data: bytes
    mime: str
    view: ViewKey

    def is_for(self, view: ViewKey) -> bool:
        return self.view == view
