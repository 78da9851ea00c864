"""What a graphic that leaves the app says on its face: a title, the filters in words, the
date the data is "as of" and the sources of what it shows. One definition for the embed, the
screenshot, the figures, the briefing and the exports, so that they never disagree."""

from __future__ import annotations

from datetime import date

import pandas as pd

from atlas import schema
from atlas.filters import Filters
from atlas.loading import Dataset


def day(value: date) -> str:
    """A date as people write it in English: "8 Nov 2013"."""
    return f"{value.day} {value:%b %Y}"


def _month_span(start: date, end: date) -> str:
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    if start.year == end.year:
        return f"{start:%b}–{end:%b %Y}"
    return f"{start:%b %Y} – {end:%b %Y}"


def as_of(dataset: Dataset) -> date | None:
    """The date the data speaks for: the newest publication date among its reports and
    documents (ISO dates only; "not dated" rows are skipped). None when nothing is dated (an
    import without dates): say so, never stand in today's date."""
    dates = []
    for table in (dataset.reports, dataset.documents):
        if "published" in table.columns and len(table):
            parsed = pd.to_datetime(table["published"], format="%Y-%m-%d", errors="coerce")
            if parsed.notna().any():
                dates.append(parsed.max().date())
    return max(dates) if dates else None


def as_of_words(dataset: Dataset) -> str:
    """ "Data as of 7 Jun 2024" (the newest dated report or document), or what stands in."""
    when = as_of(dataset)
    if when is None:
        return "Data as of: not stated (no dated report or document)"
    return f"Data as of {day(when)}"


def filters_in_words(filters: Filters, first: date, last: date) -> str:
    """The active filters as a sentence a reader of a briefing can check."""
    parts = []
    if filters.start or filters.end:
        parts.append(f"Period: {day(filters.start or first)} – {day(filters.end or last)}")
    if filters.types:
        labels = [schema.EVENT_TYPE_BY_CODE[t].label for t in filters.types]
        parts.append("Event types: " + ", ".join(labels))
    if filters.sources:
        parts.append("Sources: " + ", ".join(filters.sources))
    if filters.places:
        parts.append("Places: " + ", ".join(filters.places))
    if filters.statuses:
        parts.append("Status: " + ", ".join(s.replace("_", " ") for s in filters.statuses))
    if filters.min_sources:
        parts.append(f"At least {filters.min_sources} sources")
    if filters.min_people:
        parts.append(f"At least {filters.min_people} people")
    if not parts:
        return f"No filters: every incident from {day(first)} to {day(last)}"
    return " · ".join(parts)


def view_title(filters: Filters, first: date, last: date) -> str:
    """A title derived from the filters: the event types (or "Incidents") and the period,
    e.g. "Detention / arrest and Forced repatriation, Nov 2013"."""
    if filters.types:
        labels = [schema.EVENT_TYPE_BY_CODE[t].label for t in filters.types]
        what = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    else:
        what = "Detentions, transfers and returns of North Korean refugees in China"
    if filters.places:
        what += " in " + ", ".join(filters.places)
    start, end = filters.start or first, filters.end or last
    return f"{what}, {_month_span(start, end)}"


def sources_of(visible: pd.DataFrame, reports: pd.DataFrame) -> list[str]:
    """The distinct sources of the reports on the shown incidents, sorted by name."""
    shown = reports[reports["incident_id"].isin(visible["incident_id"])]
    return sorted(shown["source"].dropna().unique().tolist(), key=str.casefold)


def sources_line(
    visible: pd.DataFrame, reports: pd.DataFrame, limit: int = 6, names: list[str] | None = None
) -> str:
    """ "Sources: A, B, C and 4 more" for a footer (the full list is in the exports).
    `names`: the sources when the caller has them (the team database's source summary)."""
    names = sorted(names, key=str.casefold) if names is not None else sources_of(visible, reports)
    if not names:
        return "Sources: none"
    more = len(names) - limit
    listed = ", ".join(names[:limit])
    return f"Sources: {listed}" + (f" and {more} more" if more > 0 else "")


def dates_iso(precision: str, start: date, end: date) -> str:
    """The dates of an incident in ISO form, as precise as the data says: "2013-11-08" (a
    day), "2013-11" (a month), "2013" (a year), "≤ 2013-11-21" (on or before a report),
    else the span "2013-11-08 – 2013-11-15"."""
    if precision == "day" or (start == end and precision != "on_or_before"):
        return f"{start:%Y-%m-%d}"
    if precision == "month":
        return f"{start:%Y-%m}"
    if precision == "year" and start.year == end.year:
        return f"{start:%Y}"
    if precision == "on_or_before":
        return f"≤ {end:%Y-%m-%d}"
    return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"


# The words every output carries about the tier it was made in (atlas.policy.tier).
TIER_WORDS = {
    "public": "Public view: reduced for publication",
    "team": "Team view: not for publication",
}


def tier_words(tier: str) -> str:
    """ "Public view: reduced for publication" or "Team view: not for publication"."""
    return TIER_WORDS[tier]


def stamp(dataset: Dataset) -> str:
    """What every output says of its data: its tier and the date it is as of."""
    return f"{tier_words(dataset.tier)} · {as_of_words(dataset)}"
