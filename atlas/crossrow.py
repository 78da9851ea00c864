"""What the rules across rows know of the whole folder, gathered once.

The rules of `atlas.rules` that look beyond their own row (a duplicate id; an incident that
a place, a report, `related_ids` or `may_overlap` names; the types of a source) take these
facts as parameters. The whole-folder loader (`atlas.loading.build_dataset`) gathers them
from its frames; the chunked check (`atlas.chunks`) gathers them in a first pass over the
files, block by block. Both then ask the same rule functions the same questions.

Memory: one entry per id (the id's text and a shared tuple), never the rows themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from atlas.validation import line_of

Blocks = Callable[[], Iterable[pd.DataFrame]]  # the file's rows, block by block, in order

# The columns of incidents.csv that `IncidentFacts` reads (a first pass reads only these).
FACT_COLUMNS = ("incident_id", "event_type", "geo_precision", "people_min")


def lines(frame: pd.DataFrame) -> list[int]:
    """Each row's line in its file: its `_line`, or its position (header is line 1)."""
    if "_line" in frame:
        return [int(line) for line in frame["_line"]]
    return [line_of(i) for i in range(len(frame))]


def _column(frame: pd.DataFrame, column: str) -> Iterable[str]:
    return frame[column] if column in frame else [""] * len(frame)


def first_lines(blocks: Blocks, column: str, repeated: set[str]) -> dict[str, int]:
    """value → the line it is first used on, for the values in `repeated`."""
    first: dict[str, int] = {}
    if repeated:
        for frame in blocks():
            for value, line in zip(frame[column], lines(frame), strict=True):
                if value in repeated:
                    first.setdefault(value, line)
    return first


def repeated_ids(blocks: Blocks, column: str) -> dict[str, int]:
    """The values of `column` used on more than one row → the line each is first used on
    (empty values are not ids)."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for frame in blocks():
        for value in frame[column]:
            if value in seen:
                repeated.add(value)
            else:
                seen.add(value)
    del seen
    repeated.discard("")
    return first_lines(blocks, column, repeated)


@dataclass
class IncidentFacts:
    """What other rows ask of an incident id in incidents.csv: whether it exists, its
    event_type and geo_precision (of its last row, if the id is repeated), whether any of
    its rows states a count of people, and the chunk (block of incidents.csv) it is in;
    and the first line of every id used on more than one row."""

    facts: dict[str, tuple[str, str, bool, int]] = field(default_factory=dict)
    repeated: dict[str, int] = field(default_factory=dict)

    @classmethod
    def gather(cls, blocks: Blocks) -> IncidentFacts:
        """The facts of incidents.csv read block by block; block k is chunk k."""
        facts: dict[str, tuple[str, str, bool, int]] = {}
        shared: dict[tuple[str, str, bool, int], tuple[str, str, bool, int]] = {}
        repeated: set[str] = set()
        for chunk, frame in enumerate(blocks()):
            for incident, kind, precision, people in zip(
                frame["incident_id"],
                _column(frame, "event_type"),
                _column(frame, "geo_precision"),
                _column(frame, "people_min"),
                strict=True,
            ):
                counted = bool(str(people))
                if incident in facts:
                    repeated.add(incident)
                    counted = counted or facts[incident][2]
                fact = (kind, precision, counted, chunk)
                facts[incident] = shared.setdefault(fact, fact)  # a few distinct tuples
        repeated.discard("")
        return cls(facts, first_lines(blocks, "incident_id", repeated))

    @classmethod
    def of(cls, frame: pd.DataFrame) -> IncidentFacts:
        """The facts of a whole incidents frame (one chunk)."""
        return cls.gather(lambda: [frame])

    def __contains__(self, incident: object) -> bool:
        return incident in self.facts

    def event_type(self, incident: str) -> str | None:
        fact = self.facts.get(incident)
        return None if fact is None else fact[0]

    def geo_precision(self, incident: str) -> str | None:
        fact = self.facts.get(incident)
        return None if fact is None else fact[1]

    def counted(self, incident: str) -> bool:
        fact = self.facts.get(incident)
        return fact is not None and fact[2]

    def chunk(self, incident: str) -> int:
        return self.facts[incident][3]


def facts_of(incidents: pd.DataFrame | IncidentFacts) -> IncidentFacts:
    """The facts themselves, or those of a whole incidents frame."""
    return incidents if isinstance(incidents, IncidentFacts) else IncidentFacts.of(incidents)


def source_types(reports: pd.DataFrame, into: dict[str, set[str]] | None = None) -> dict:
    """source → the source types its reports give (an empty type is none: imports may leave
    it empty), added to `into` when given (block by block)."""
    types: dict[str, set[str]] = {} if into is None else into
    for source, source_type in zip(reports["source"], reports["source_type"], strict=True):
        if source_type:
            types.setdefault(source, set()).add(source_type)
    return types


def in_blocks(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    """`frame` `rows` rows at a time (for tests of the chunked calls)."""
    for start in range(0, len(frame), rows):
        yield frame.iloc[start : start + rows]
