"""Document coverage: the stretches of time that no document of the set reports from.

"No reports" is not "no events": the bundled data come from five documents, and a stretch
that none of them covers looks quiet on a timeline although it need not have been. The
coverage is computed from the documents' own dates, never assumed:

- a document covers its reporting window, from the earliest `published` date of the
  reports (claims) it carries to its own `published` date (documents.csv);
- an incident that a document reports covers its own date span (an event reported later,
  such as a return written up months afterwards, is not in "no reports" territory).
  Context rows (background reaching back decades) cover only their own span as well.

Partial dates are taken generously (a document "published 2017" covers to 2017-12-31, a
report "2021-07" from 2021-07-01): only what is certainly uncovered is shaded. All dates
are calendar days, UTC; spans are [start, end) with `end` exclusive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GAP_COLUMNS = ["start", "end"]


def _first_day(text: str) -> pd.Timestamp | None:
    """Earliest day of a YYYY, YYYY-MM or YYYY-MM-DD date (None when unparseable)."""
    stamp = pd.to_datetime(str(text).strip(), errors="coerce", format="mixed")
    return None if pd.isna(stamp) else stamp.normalize()


def first_days(dates: pd.Series) -> pd.Series:
    """`_first_day` of a column of YYYY, YYYY-MM or YYYY-MM-DD strings (NaT when bad)."""
    text = dates.astype("string").str.strip()
    padded = text.where(text.str.len() != 4, text + "-01-01")
    padded = padded.where(padded.str.len() != 7, padded + "-01")
    return pd.to_datetime(padded, errors="coerce", format="%Y-%m-%d")


def _after_last_day(text: str) -> pd.Timestamp | None:
    """The day after the last day of a YYYY, YYYY-MM or YYYY-MM-DD date."""
    text = str(text).strip()
    first = _first_day(text)
    if first is None:
        return None
    parts = text.count("-")
    if parts == 0:
        return first + pd.DateOffset(years=1)
    if parts == 1:
        return first + pd.DateOffset(months=1)
    return first + pd.Timedelta(days=1)


def covered_spans(
    documents: pd.DataFrame, reports: pd.DataFrame, incidents: pd.DataFrame | None = None
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Merged [start, end) spans that some document covers (see the module docstring)."""
    spans = None
    if incidents is not None and len(incidents):
        reported = incidents["incident_id"].isin(pd.unique(reports["incident_id"]))
        spans = incidents.loc[reported, ["date_start", "date_end"]]
    return coverage_of(documents, reports[["document", "published"]], spans)


def coverage_of(
    documents: pd.DataFrame, published: pd.DataFrame, reported: pd.DataFrame | None
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """`covered_spans` from the reports' (document, published) rows and the date spans of
    the incidents some report is on (the team database sends these, distinct)."""
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    # vectorised: a million reports parse in about a second, not one call each
    earliest = (
        pd.DataFrame({"document": published["document"], "day": first_days(published["published"])})
        .dropna()
        .groupby("document")["day"]
        .min()
    )
    for doc, when in zip(documents["document"], documents["published"], strict=True):
        end = _after_last_day(when)
        start = earliest.get(doc)
        start = _first_day(when) if start is None or pd.isna(start) else start
        if end is not None and start is not None:
            spans.append((min(start, end), end))
    starts = np.array([start for start, _ in spans], dtype="datetime64[D]")
    ends = np.array([end for _, end in spans], dtype="datetime64[D]")
    if reported is not None and len(reported):
        first = pd.to_datetime(reported["date_start"]).to_numpy()
        last = pd.to_datetime(reported["date_end"]).to_numpy()
        starts = np.concatenate([starts, first.astype("datetime64[D]")])
        ends = np.concatenate([ends, last.astype("datetime64[D]") + np.timedelta64(1, "D")])
    return _merge(starts, ends)


def _merge(starts: np.ndarray, ends: np.ndarray) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Union of [start, end) spans, vectorised (a million incidents merge in well under a
    second): a span opens a new run when it starts after every earlier span has ended."""
    if not len(starts):
        return []
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    opens = np.concatenate([[True], starts[1:] > reach[:-1]])
    run = np.cumsum(opens) - 1
    run_ends = np.zeros(run[-1] + 1, dtype=ends.dtype)
    np.maximum.at(run_ends.view("int64"), run, ends.view("int64"))
    return [
        (pd.Timestamp(a), pd.Timestamp(b)) for a, b in zip(starts[opens], run_ends, strict=True)
    ]


def coverage_gaps(
    covered: list[tuple[pd.Timestamp, pd.Timestamp]], first: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """The stretches of [first, end) outside every covered span, as ISO strings (UTC)."""
    gaps, cursor = [], first
    for start, stop in covered:
        if start > cursor:
            gaps.append((cursor, min(start, end)))
        cursor = max(cursor, stop)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    rows = [(a, b) for a, b in gaps if a < b]
    return pd.DataFrame(
        {
            "start": [a.strftime("%Y-%m-%dT00:00:00Z") for a, _ in rows],
            "end": [b.strftime("%Y-%m-%dT00:00:00Z") for _, b in rows],
        },
        columns=GAP_COLUMNS,
    )
