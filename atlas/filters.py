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
| cell         | map grid cell size/lon/lat (south-west corner), e.g. 0.5/124.500/40.000 | none |

An incident matches the period when its date span overlaps it; it matches a cell when its own
point lies in the cell (a selected cell narrows every view, like the other filters). A bad
value is dropped (the rest of the URL still applies) and reported as a notice; a date outside
the data's range is moved to the nearest date the data has, with a notice; nothing from
the URL is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from atlas import schema
from atlas.grid import Cell, parse_cell
from atlas.incidents import KEY_SEP

PRESETS: dict[str, tuple[str, date | None, date | None]] = {
    "all": ("Whole range", None, None),
    "2012": ("2012 crisis (Jan–Jun 2012)", date(2012, 1, 1), date(2012, 6, 30)),
    "2013": ("Late-2013 crackdown (Oct 2013–Mar 2014)", date(2013, 10, 1), date(2014, 3, 31)),
    "post2020": ("Post-2020", date(2020, 1, 1), None),
}

LIST_KEYS = ("type", "source", "place", "status")
INT_KEYS = ("min_sources", "min_people")
PASSTHROUGH_KEYS = ("embed", "embed_options", "title", "w", "h")  # embed keys: kept as they are


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
    cell: Cell | None = None

    def with_selection(self, incident: str | None) -> Filters:
        return replace(self, incident=incident)


class IncidentIds:
    """The incident ids a URL may name, as one Arrow array (a frozenset of a million
    Python strings would cost about 100 MB per process). Membership only."""

    def __init__(self, ids: pd.Series):
        self._ids = pa.array(ids.astype("str"))

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        return bool(pc.any(pc.equal(self._ids, value)).as_py())

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class Vocabulary:
    """What the URL may name: built from the loaded data."""

    sources: frozenset[str]
    places: frozenset[str]
    incidents: IncidentIds = field(compare=False)
    first: date
    last: date
    status_codes: frozenset[str] = field(default=frozenset(schema.STATUSES))

    @classmethod
    def of(cls, table: pd.DataFrame) -> Vocabulary:
        places = {a for t in table["admin1s"] for a in t} | {c for c in table["country"] if c}
        return cls(
            sources=frozenset(s for t in table["sources"] for s in t),
            places=frozenset(places),
            incidents=IncidentIds(table["incident_id"]),
            first=table["date_start"].min().date(),
            last=table["date_end"].max().date(),
        )


MAX_COUNT = 10**9  # above any number of sources or people; number inputs take it
SHOWN = 60  # characters of a bad value repeated in its notice


def _shown(raw: str) -> str:
    """A bad value as a notice repeats it: quoted, cut short (the sink escapes it)."""
    return repr(raw if len(raw) <= SHOWN else raw[:SHOWN] + "…")


def from_query(params: Mapping[str, Sequence[str]], vocab: Vocabulary) -> tuple[Filters, list[str]]:
    """Parse query parameters (each key → list of values) into Filters and notices.

    Never raises: a value that cannot be used is dropped ("… The default is used
    instead."), a date outside the data's range is moved to the nearest date the data has
    (a link made on an instance with other data still opens). Notices repeat the bad value
    as text; whoever shows them escapes them (ui.text.md)."""
    notices: list[str] = []
    dropped = " The default is used instead."

    def one(key: str) -> str | None:
        values = params.get(key) or []
        return values[-1] if values else None

    def day(key: str) -> date | None:
        raw = one(key)
        if raw is None:
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            notices.append(f"Ignored {key}={_shown(raw)}: not a date (use YYYY-MM-DD).{dropped}")
            return None
        if value < vocab.first:
            notices.append(f"{key}={value} is before the data's first date: {vocab.first} is used.")
            return vocab.first
        if value > vocab.last:
            notices.append(f"{key}={value} is after the data's last date: {vocab.last} is used.")
            return vocab.last
        return value

    def listed(key: str, allowed: frozenset[str] | Sequence[str], what: str) -> tuple[str, ...]:
        kept = []
        for value in params.get(key) or []:
            if value in allowed:
                kept.append(value)
            else:
                notices.append(f"Ignored {key}={_shown(value)}: not a known {what}.{dropped}")
        return tuple(dict.fromkeys(kept))

    def whole(key: str) -> int:
        raw = one(key)
        if raw is None:
            return 0
        if not (raw.isascii() and raw.isdigit()):  # isdigit alone takes "²" and "٣"
            notices.append(f"Ignored {key}={_shown(raw)}: not a whole number ≥ 0.{dropped}")
            return 0
        if len(raw) > 10 or int(raw) > MAX_COUNT:
            notices.append(f"Ignored {key}={_shown(raw)}: too large.{dropped}")
            return 0
        return int(raw)

    start, end = day("from"), day("to")
    if start and end and start > end:
        notices.append(
            f"Ignored from={start} and to={end}: the period ends before it starts.{dropped}"
        )
        start = end = None
    # the bounds of the data mean "no limit" (as the period widget gives them)
    start = None if start is not None and start <= vocab.first else start
    end = None if end is not None and end >= vocab.last else end
    incident = one("incident")
    if incident is not None and incident not in vocab.incidents:
        notices.append(f"Ignored incident={_shown(incident)}: no such incident.{dropped}")
        incident = None
    cell = None
    if (raw_cell := one("cell")) is not None:
        cell = parse_cell(raw_cell)
        if cell is None:
            notices.append(
                f"Ignored cell={_shown(raw_cell)}: not a map grid cell "
                f"(size/longitude/latitude).{dropped}"
            )
    filters = Filters(
        cell=cell,
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
    if filters.cell:
        query["cell"] = [filters.cell.name]
    return query


def _any_of(
    table: pd.DataFrame, key_column: str, wanted: set[str], fallback
) -> np.ndarray | pd.Series:
    """Rows whose tuple of names shares a name with `wanted`. With the categorical key column
    of `incident_table`, each distinct tuple is tested once (fast at a million rows)."""
    keys = table[key_column] if key_column in table else None
    if keys is None or not isinstance(keys.dtype, pd.CategoricalDtype):
        return fallback()
    hit = np.array(
        [bool(wanted & set(c.split(KEY_SEP))) for c in keys.cat.categories] + [False], dtype=bool
    )
    return hit[keys.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry: False


def apply_filters(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of `table` matching every filter except the period, with `in_period` marking
    those inside it. Views show `in_period` rows; the timeline also draws the rest, dimmed,
    so a brushed period keeps its context.

    Vectorised: no per-row Python, and no copy of the table when no filter drops a row
    (pandas copy-on-write: the result shares the table's columns)."""
    keep = np.ones(len(table), dtype=bool)
    if filters.types:
        keep &= table["event_type"].isin(filters.types).to_numpy()
    if filters.sources:
        wanted = set(filters.sources)
        keep &= np.asarray(
            _any_of(
                table,
                "sources_key",
                wanted,
                lambda: table["sources"].apply(lambda s: bool(wanted & set(s))),
            ),
            dtype=bool,
        )
    if filters.places:
        wanted = set(filters.places)
        keep &= np.asarray(
            _any_of(
                table,
                "places_key",
                wanted,
                lambda: [
                    bool(wanted & set(a)) or c in wanted
                    for a, c in zip(table["admin1s"], table["country"], strict=True)
                ],
            ),
            dtype=bool,
        )
    if filters.statuses:
        keep &= table["status"].isin(filters.statuses).to_numpy()
    if filters.min_sources:
        keep &= (table["n_sources"] >= filters.min_sources).to_numpy()
    if filters.min_people:
        keep &= (table["people_min"].fillna(0) >= filters.min_people).to_numpy(dtype=bool)
    if filters.cell:
        keep &= filters.cell.contains(table["longitude"], table["latitude"])
    out = table.copy(deep=False) if keep.all() else table[keep]
    in_period = np.ones(len(out), dtype=bool)
    if filters.start:
        in_period &= (out["date_end"] >= pd.Timestamp(filters.start)).to_numpy()
    if filters.end:
        in_period &= (out["date_start"] <= pd.Timestamp(filters.end)).to_numpy()
    out["in_period"] = in_period
    return out


def visible_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a filtered frame that views list and map (those in the period); the frame
    itself, not a copy, when every row is in the period."""
    mask = frame["in_period"].to_numpy()
    return frame if mask.all() else frame[mask]


def selected_incident(frame: pd.DataFrame, filters: Filters) -> str | None:
    """The selection if it is still in the filtered period; a stale one is dropped."""
    if filters.incident and filters.incident in set(frame.loc[frame["in_period"], "incident_id"]):
        return filters.incident
    return None
