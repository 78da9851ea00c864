"""What the data can say: the documents it rests on and the years each one reports on.

The incidents come from a handful of documents. A year that none of them reports on is a
gap in the reporting, not a year without incidents; the dashboard's scope note says so,
built from `document_scope`.
"""

from __future__ import annotations

import pandas as pd

from atlas.loading import Dataset


def document_scope(dataset: Dataset) -> pd.DataFrame:
    """One row per document, in order of publication: `document`, `title`, `publisher`,
    `published`, `incidents` (how many incidents it reports on), `first` and `last` (the
    years of the earliest start and latest end of those incidents, leaving out `context`
    events: a treaty of 1960 cited in 2024 is background, not a year the document covers;
    NA when none)."""
    docs = dataset.documents[["document", "title", "publisher", "published"]].copy()
    links = dataset.reports[["document", "incident_id"]].dropna().drop_duplicates()
    dates = dataset.incidents[["incident_id", "event_type", "date_start", "date_end"]]
    joined = links.merge(dates, on="incident_id")
    events = joined[joined["event_type"].astype(str) != "context"]
    per_doc = pd.concat(
        [
            joined.groupby("document")["incident_id"].nunique().rename("incidents"),
            events.groupby("document")["date_start"].min().rename("first"),
            events.groupby("document")["date_end"].max().rename("last"),
        ],
        axis=1,
    )
    out = docs.merge(per_doc, left_on="document", right_index=True, how="left")
    out["incidents"] = out["incidents"].fillna(0).astype(int)
    out["first"] = out["first"].dt.year.astype("Int64")
    out["last"] = out["last"].dt.year.astype("Int64")
    return out.sort_values(["published", "document"]).reset_index(drop=True)


def covered_years(scope: pd.DataFrame) -> tuple[int, int] | None:
    """The first and last year any document reports on (None without such a report)."""
    first, last = scope["first"].dropna(), scope["last"].dropna()
    return None if first.empty else (int(first.min()), int(last.max()))
