"""Filter and selection state, its URL form, and the one function that applies it.

The URL schema, key by key (repeated keys for lists; defaults are left out of the URL):

| key          | value                          | default        |
| ------------ | ------------------------------ | -------------- |
| from, to     | YYYY-MM-DD                     | dataset bounds |
| type         | event type code, repeated      | all            |
| source       | source name, repeated          | all            |
| place        | province (admin-1) or ISO2 country code, repeated | all |
| status       | status code, repeated          | all            |
| min_sources  | whole number ≥ 0               | 0              |
| min_people   | whole number ≥ 0               | 0              |
| incident     | incident id (the selection)    | none           |

An incident matches the period when its date span overlaps it. A bad value is dropped (the
rest of the URL still applies) and reported as a notice; nothing from the URL is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from atlas import schema

PRESETS: dict[str, tuple[str, date | None, date | None]] = {
    "all": ("Whole range", None, None),
    "2012": ("2012 crisis (Jan–Jun 2012)", date(2012, 1, 1), date(2012, 6, 30)),
    "2013": ("Late-2013 crackdown (Oct 2013–Mar 2014)", date(2013, 10, 1), date(2014, 3, 31)),
    "post2020": ("Post-2020", date(2020, 1, 1), None),
}

LIST_KEYS = ("type", "source", "place", "status")
INT_KEYS = ("min_sources", "min_people")
PASSTHROUGH_KEYS = ("embed", "embed_options")  # Streamlit's own; kept as they are


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_sources: int = 0
    min_people: int = 0
    incident: str | None = None

    def with_selection(self, incident: str | None) -> Filters:
        return replace(self, incident=incident)


@dataclass(frozen=True)
class Vocabulary:
    """What the URL may name: built from the loaded data."""

    sources: frozenset[str]
    places: frozenset[str]
    incidents: frozenset[str]
    first: date
    last: date
    status_codes: frozenset[str] = field(default=frozenset(schema.STATUSES))

    @classmethod
    def of(cls, table: pd.DataFrame) -> Vocabulary:
        places = {a for t in table["admin1s"] for a in t} | {c for c in table["country"] if c}
        return cls(
            sources=frozenset(s for t in table["sources"] for s in t),
            places=frozenset(places),
            incidents=frozenset(table["incident_id"]),
            first=table["date_start"].min().date(),
            last=table["date_end"].max().date(),
        )


def from_query(params: Mapping[str, Sequence[str]], vocab: Vocabulary) -> tuple[Filters, list[str]]:
    """Parse query parameters (each key → list of values) into Filters and notices."""
    notices: list[str] = []

    def one(key: str) -> str | None:
        values = params.get(key) or []
        return values[-1] if values else None

    def day(key: str) -> date | None:
        raw = one(key)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            notices.append(f"Ignored {key}={raw!r}: not a date (use YYYY-MM-DD).")
            return None

    def listed(key: str, allowed: frozenset[str] | Sequence[str], what: str) -> tuple[str, ...]:
        kept = []
        for value in params.get(key) or []:
            if value in allowed:
                kept.append(value)
            else:
                notices.append(f"Ignored {key}={value!r}: not a known {what}.")
        return tuple(dict.fromkeys(kept))

    def whole(key: str) -> int:
        raw = one(key)
        if raw is None:
            return 0
        if raw.isdigit():
            return int(raw)
        notices.append(f"Ignored {key}={raw!r}: not a whole number ≥ 0.")
        return 0

    start, end = day("from"), day("to")
    if start and end and start > end:
        notices.append(f"Ignored from={start} and to={end}: the period ends before it starts.")
        start = end = None
    incident = one("incident")
    if incident is not None and incident not in vocab.incidents:
        notices.append(f"Ignored incident={incident!r}: no such incident.")
        incident = None
    filters = Filters(
        start=start,
        end=end,
        types=listed("type", schema.EVENT_TYPE_CODES, "event type"),
        sources=listed("source", vocab.sources, "source"),
        places=listed("place", vocab.places, "place"),
        statuses=listed("status", vocab.status_codes, "status"),
        min_sources=whole("min_sources"),
        min_people=whole("min_people"),
        incident=incident,
    )
    return filters, notices


def to_query(filters: Filters) -> dict[str, list[str]]:
    """The URL form of `filters`: only keys that differ from the default."""
    query: dict[str, list[str]] = {}
    if filters.start:
        query["from"] = [filters.start.isoformat()]
    if filters.end:
        query["to"] = [filters.end.isoformat()]
    for key, values in zip(
        LIST_KEYS, (filters.types, filters.sources, filters.places, filters.statuses), strict=True
    ):
        if values:
            query[key] = list(values)
    for key in INT_KEYS:
        if getattr(filters, key):
            query[key] = [str(getattr(filters, key))]
    if filters.incident:
        query["incident"] = [filters.incident]
    return query


def apply_filters(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of `table` matching every filter except the period, with `in_period` marking
    those inside it. Views show `in_period` rows; the timeline also draws the rest, dimmed,
    so a brushed period keeps its context."""
    keep = pd.Series(True, index=table.index)
    if filters.types:
        keep &= table["event_type"].isin(filters.types)
    if filters.sources:
        wanted = set(filters.sources)
        keep &= table["sources"].apply(lambda s: bool(wanted & set(s)))
    if filters.places:
        wanted = set(filters.places)
        matches = [
            bool(wanted & set(a)) or c in wanted
            for a, c in zip(table["admin1s"], table["country"], strict=True)
        ]
        keep &= pd.Series(matches, index=table.index, dtype=bool)
    if filters.statuses:
        keep &= table["status"].isin(filters.statuses)
    if filters.min_sources:
        keep &= table["n_sources"] >= filters.min_sources
    if filters.min_people:
        keep &= table["people_min"].fillna(0) >= filters.min_people
    out = table[keep].copy()
    in_period = pd.Series(True, index=out.index)
    if filters.start:
        in_period &= out["date_end"] >= pd.Timestamp(filters.start)
    if filters.end:
        in_period &= out["date_start"] <= pd.Timestamp(filters.end)
    out["in_period"] = in_period
    return out


def selected_incident(frame: pd.DataFrame, filters: Filters) -> str | None:
    """The selection if it is still in the filtered period; a stale one is dropped."""
    if filters.incident and filters.incident in set(frame.loc[frame["in_period"], "incident_id"]):
        return filters.incident
    return None


def people_range(frame: pd.DataFrame) -> tuple[int, int | None]:
    """Sum of people_min, and of people_max (None when any matching count is open-ended)."""
    counted = frame[frame["people_min"].notna()]
    lo = int(counted["people_min"].sum())
    open_ended = counted["people_max"].isna().any()
    hi = None if open_ended else int(counted["people_max"].sum())
    return lo, hi
