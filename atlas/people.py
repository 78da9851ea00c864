"""People totals of a set of incidents: per flow type, never mixing in stocks.

A flow (detained, transferred, returned) happens to people once; flows of one type add up
over a period. A stock (people held as of a date) is a state: it is listed with its date,
never added to a flow nor to another stock. The same people may appear in several flow
types (detained, then returned), so types are never added to each other either. Counts
that a document says may be the same people (`may_overlap`) are shown both ways: the low
end counts each group of possibly overlapping incidents once (its largest minimum), the
high end as if all were distinct.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atlas import schema
from atlas.evidence import split_ids

APPROXIMATE_SHOWN = 3  # distinct wordings of approximate counts named in a label


@dataclass(frozen=True)
class PeopleTotal:
    event_type: str
    incidents: int  # incidents of this type in the set
    counted: int  # of which state a count
    low: int  # sum of minimums, each group of possibly overlapping counts once
    low_distinct: int  # sum of minimums if every count is of different people
    high: int | None  # sum of maximums; None when a count has no upper bound
    approximate: tuple[str, ...] = ()  # the words of approximate counts included ('60 or so')

    @property
    def overlapping(self) -> bool:
        return self.low != self.low_distinct

    def label(self) -> str:
        """'560–660 (≈: "60 or so")', '30–39 (may overlap: 39 if distinct)', 'no count stated'."""
        if not self.counted:
            return "no count stated"
        if self.high is None:
            text = f"at least {self.low:,}"
        elif self.high == self.low:
            text = f"{self.low:,}"
        else:
            text = f"{self.low:,}–{self.high:,}"
        notes = []
        if self.overlapping:
            notes.append(
                f"counts that may be the same people: {self.low_distinct:,} or more if distinct"
                if self.high is None
                else f"counts that may be the same people: {self.low:,} if they are, "
                f"{self.low_distinct:,} if not"
            )
        if self.approximate:
            words = "; ".join(f"'{w}'" for w in self.approximate)
            notes.append(f"approximate: {words}")
        return text + (f" ({'; '.join(notes)})" if notes else "")


def _groups(ids: list[str], overlaps: dict[str, list[str]]) -> list[list[str]]:
    """Connected groups of `ids` through `may_overlap` links (either direction)."""
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in ids:
        for other in overlaps.get(i, ()):
            if other in parent:
                parent[root(i)] = root(other)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def flow_total(frame: pd.DataFrame, event_type: str) -> PeopleTotal:
    """The people total of one flow type in `frame` (rows of the incident table)."""
    if event_type not in schema.FLOW_TYPES:
        raise ValueError(f"{event_type!r} is not a flow type; stocks are never summed")
    rows = frame[frame["event_type"] == event_type]
    counted = rows[rows["people_min"].notna()]
    return flow_total_of(
        event_type,
        incidents=len(rows),
        counted=len(counted),
        low_distinct=int(counted["people_min"].sum()),
        high=None if counted["people_max"].isna().any() else int(counted["people_max"].sum()),
        special=special_counts(counted),
    )


SPECIAL_COLUMNS = ["incident_id", "people_min", "may_overlap", "people_qualifier", "people_text"]


def special_counts(counted: pd.DataFrame) -> pd.DataFrame:
    """The counted rows beyond plain sums, in the frame's order: those naming incidents
    they may overlap, those named so, and approximate ones (the team database selects the
    same rows in SQL, atlas.db.queries.special_counts)."""
    linked = counted["may_overlap"].fillna("").astype(str) != ""
    named = {o for v in counted.loc[linked, "may_overlap"] for o in split_ids(v)}
    keep = linked | counted["incident_id"].isin(named)
    keep |= counted["people_qualifier"] == "approximate"
    return counted.loc[keep, SPECIAL_COLUMNS]


def flow_total_of(
    event_type: str,
    incidents: int,
    counted: int,
    low_distinct: int,
    high: int | None,
    special: pd.DataFrame,
) -> PeopleTotal:
    """A flow type's total from its sums (`low_distinct`: sum of minimums; `high`: sum of
    maximums, None when a count has no upper bound) and its `special_counts` rows: each
    group of possibly overlapping counts counted once at the low end."""
    low = low_distinct
    linked = special[special["may_overlap"].fillna("").astype(str) != ""]
    if len(linked):  # few rows name overlaps: group those in Python
        overlaps = {
            i: split_ids(v)
            for i, v in zip(linked["incident_id"], linked["may_overlap"], strict=True)
        }
        ids = set(linked["incident_id"]) | {o for v in overlaps.values() for o in v}
        members = special[special["incident_id"].isin(ids)]
        lo = dict(zip(members["incident_id"], members["people_min"].astype(int), strict=True))
        groups = _groups(list(lo), overlaps)
        low = low_distinct - sum(lo.values()) + sum(max(lo[i] for i in g) for g in groups)
    approximate = special.loc[special["people_qualifier"] == "approximate", "people_text"]
    return PeopleTotal(
        event_type=event_type,
        incidents=incidents,
        counted=counted,
        low=low,
        low_distinct=low_distinct,
        high=high,
        approximate=tuple(pd.unique(approximate.astype(str))[:APPROXIMATE_SHOWN]),
    )


def flow_totals(frame: pd.DataFrame) -> tuple[PeopleTotal, ...]:
    """One total per flow type (detention, transfer, repatriation), in that order."""
    return tuple(flow_total(frame, t) for t in schema.FLOW_TYPES)


def stocks(frame: pd.DataFrame) -> pd.DataFrame:
    """The stocks in `frame` (people held as of a date), latest first: never summed."""
    held = frame[frame["event_type"].isin(schema.STOCK_TYPES)]
    return held.sort_values("date_end", ascending=False)
