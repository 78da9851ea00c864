"""Per-source views of the filtered set: who reported what, where claims disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def claim_count(lo, hi) -> str:
    if pd.isna(lo) and pd.isna(hi):
        return ""
    if pd.isna(hi):
        return f"≥{lo}"
    return f"{lo}" if lo == hi or pd.isna(lo) else f"{lo}–{hi}"


def disagreements(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports whose count differs from another source's count for the same incident."""
    counted = reports[reports["people_min"].notna()].copy()
    counted["claim_count"] = [
        claim_count(lo, hi)
        for lo, hi in zip(counted["people_min"], counted["people_max"], strict=True)
    ]
    spread = counted.groupby("incident_id")["claim_count"].nunique()
    disputed = spread[spread > 1].index
    return counted[counted["incident_id"].isin(disputed)]


# the report columns source_summary reads: its row filters copy these, not all ~17
SUMMARY_COLUMNS = ["incident_id", "source", "source_type", "people_min", "people_max", "published"]


def source_summary(frame: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """One row per source that reported any incident of `frame`."""
    reports = reports[SUMMARY_COLUMNS]  # 36 -> 27 ms a summary of the bundled data
    mine = reports[reports["incident_id"].isin(frame["incident_id"])]
    if mine.empty:
        return pd.DataFrame(
            columns=[
                "source",
                "source_type",
                "incidents",
                "reports",
                "first",
                "last",
                "counts_claimed",
                "disagrees_on",
            ]
        )
    disputed = disagreements(reports)
    rows = []
    for source, group in mine.groupby("source"):
        counts = [
            claim_count(lo, hi)
            for lo, hi in zip(group["people_min"], group["people_max"], strict=True)
        ]
        dis = disputed[(disputed["source"] == source)]
        rows.append(
            {
                "source": source,
                "source_type": group["source_type"].iloc[0],
                "incidents": group["incident_id"].nunique(),
                "reports": len(group),
                "first": group["published"].min(),
                "last": group["published"].max(),
                "counts_claimed": ", ".join(c for c in counts if c),
                "disagrees_on": ", ".join(sorted(set(dis["incident_id"]))),
            }
        )
    return pd.DataFrame(rows).sort_values(["incidents", "source"], ascending=[False, True])


def source_matrix(frame: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Source × incident: the count each source claims ('✓' when it gives none)."""
    mine = reports[reports["incident_id"].isin(frame["incident_id"])].copy()
    if mine.empty:
        return pd.DataFrame()
    mine["cell"] = [
        claim_count(lo, hi) or "✓"
        for lo, hi in zip(mine["people_min"], mine["people_max"], strict=True)
    ]
    matrix = mine.pivot_table(
        index="source",
        columns="incident_id",
        values="cell",
        aggfunc=lambda s: " / ".join(sorted(set(s))),
        fill_value="",
    )
    order = [i for i in frame["incident_id"] if i in matrix.columns]
    return matrix[order]


def incident_claims(incident_id: str, reports: pd.DataFrame) -> pd.DataFrame:
    """The reports of one incident, in publication order, for the detail card."""
    rows = reports[reports["incident_id"] == incident_id].copy()
    rows["count"] = [
        claim_count(lo, hi) for lo, hi in zip(rows["people_min"], rows["people_max"], strict=True)
    ]
    return rows.sort_values(["published", "report_id"])


@dataclass(frozen=True)
class ReportIndex:
    """Per-report facts computed once per dataset, so that the source panel of a filtered
    frame is array masks and counts, not joins and group-bys over strings.

    `rows`: the table row of each report's incident (-1 if none); `source`: code into
    `sources` (with `source_types`); `published`: rank of the published date (into
    `dates`); `claim`: code into `claims` (-1 when the report gives no count); `first_pair`:
    the report is the first of its (incident, source) pair; `disputed`: it is among the
    `disagreements`."""

    rows: np.ndarray
    source: np.ndarray
    sources: np.ndarray
    source_types: np.ndarray
    published: np.ndarray
    dates: np.ndarray
    claim: np.ndarray
    claims: np.ndarray
    first_pair: np.ndarray
    disputed: np.ndarray
    by_date: np.ndarray  # report positions sorted by source, then published
    bounds: np.ndarray  # by_date[bounds[s]:bounds[s + 1]] are source s's reports
    disagrees: tuple[tuple[str, ...], ...]  # per source: the incidents it disagrees on
    version: str = ""  # of the dataset indexed: check it before use with another one

    @classmethod
    def of(cls, table: pd.DataFrame, reports: pd.DataFrame, version: str = "") -> ReportIndex:
        # Arrow and integer arrays only: a million-row temporary of Python strings would
        # stay in the process's memory after use.
        ids = pa.array(reports["incident_id"].astype("str"))
        rows = pc.index_in(ids, value_set=pa.array(table["incident_id"].astype("str")))
        rows = rows.fill_null(-1).to_numpy().astype(np.int32)
        source, sources = pd.factorize(reports["source"], sort=True)
        source = source.astype(np.int32)
        types = pd.Series(reports["source_type"].to_numpy()).groupby(source).first()
        published, dates = pd.factorize(reports["published"], sort=True)
        # a report's claim as one integer per distinct (min, max) pair; -1 when no count
        lo = reports["people_min"].astype("float").to_numpy()
        hi = reports["people_max"].astype("float").to_numpy()
        lo_i = np.where(np.isnan(lo), -1, lo).astype(np.int64) + 1
        hi_i = np.where(np.isnan(hi), -1, hi).astype(np.int64) + 1
        pair, distinct = pd.factorize(lo_i * (1 << 32) + hi_i)  # in order of appearance
        texts = np.array(
            [claim_count(_na(k // (1 << 32) - 1), _na(k % (1 << 32) - 1)) for k in distinct],
            dtype=object,
        )
        given = texts != ""
        claim = np.where(given, np.cumsum(given) - 1, -1)[pair].astype(np.int32)
        # `disagreements`, from codes: reports stating a count, of incidents whose reports
        # state two or more different counts
        stated = lo_i > 0
        width = len(distinct)
        seen = np.unique(rows[stated].astype(np.int64) * width + pair[stated])
        n_counts = np.bincount(seen // width, minlength=len(table) + 1)
        disputed = stated & (n_counts[rows] > 1)
        pairs = pd.DataFrame({"row": rows, "source": source})
        by_date = np.lexsort((published, source)).astype(np.int32)
        disputed_ids = reports.loc[disputed, "incident_id"].astype("str").to_numpy()
        disagrees = tuple(
            tuple(sorted(set(disputed_ids[source[disputed] == s]))) for s in range(len(sources))
        )
        return cls(
            rows=rows,
            source=source,
            sources=np.asarray(sources, dtype=object),
            source_types=types.to_numpy(dtype=object),
            published=published.astype(np.int32),
            dates=np.asarray(dates, dtype=object),
            claim=claim,
            claims=texts[given],
            first_pair=~pairs.duplicated().to_numpy(),
            disputed=disputed,
            by_date=by_date,
            bounds=np.searchsorted(source[by_date], np.arange(len(sources) + 1)),
            disagrees=disagrees,
            version=version,
        )


def _na(value: int) -> float | int:
    """A decoded count: -1 stands for none."""
    return float("nan") if value < 0 else int(value)


def _capped(values: list[str], limit: int) -> str:
    more = len(values) - limit
    return ", ".join(values[:limit]) + (f" … (+{more:,} more)" if more > 0 else "")


def capped_lists(summary: pd.DataFrame, limit: int = 8) -> pd.DataFrame:
    """`source_summary`'s lists cut as `source_summary_large` cuts them: the first `limit`
    distinct counts claimed, the first `limit` incidents disagreed on, and how many more
    (the team database's summary of a large set, whose full lists run to megabytes)."""

    def items(text: str) -> list[str]:
        return [v for v in str(text).split(", ") if v]

    return summary.assign(
        counts_claimed=[
            _capped(list(dict.fromkeys(items(t))), limit) for t in summary["counts_claimed"]
        ],
        disagrees_on=[_capped(items(t), limit) for t in summary["disagrees_on"]],
    )


def _distinct_per_source(
    source: np.ndarray, item: np.ndarray, labels: np.ndarray, n_sources: int, limit: int
) -> list[str]:
    """For each source code, its distinct items (codes into `labels`), capped."""
    from atlas.grid import distinct_counts

    width = len(labels) + 1
    key, _ = distinct_counts(source.astype(np.int64) * width + item)
    owner, code = key // width, key % width
    bounds = np.searchsorted(owner, np.arange(n_sources + 1))
    return [_capped(list(labels[code[bounds[s] : bounds[s + 1]]]), limit) for s in range(n_sources)]


def source_summary_large(
    frame: pd.DataFrame,
    reports: pd.DataFrame,
    index: ReportIndex,
    table_size: int,
    limit: int = 8,
) -> pd.DataFrame:
    """`source_summary` for a large frame, from array masks and counts: the same columns,
    with the lists (counts claimed, incidents disagreed on) cut to `limit` distinct items
    and a count of the rest (counts claimed are listed once each, not once per report).
    `frame`'s index must be row positions in the table that `index.rows` points into (as
    `apply_filters` keeps them)."""
    shown = np.zeros(table_size + 1, dtype=bool)  # the last slot: reports without incident
    shown[frame.index.to_numpy()] = True
    mask = shown[index.rows]
    if not mask.any():
        return source_summary(frame.iloc[:0], reports.iloc[:0])
    n = len(index.sources)
    source = index.source[mask]
    n_reports = np.bincount(source, minlength=n)
    n_incidents = np.bincount(index.source[mask & index.first_pair], minlength=n)
    # earliest / latest published per source: the first / last shown report in date order
    shown_by_date = np.flatnonzero(mask[index.by_date])
    lo = np.searchsorted(shown_by_date, index.bounds[:-1])
    hi = np.searchsorted(shown_by_date, index.bounds[1:]) - 1
    present = np.flatnonzero(n_reports)
    first = index.published[index.by_date[shown_by_date[lo[present]]]]
    last = index.published[index.by_date[shown_by_date[hi[present]]]]
    claimed = mask & (index.claim >= 0)
    claims = _distinct_per_source(
        index.source[claimed], index.claim[claimed], index.claims, n, limit
    )
    out = pd.DataFrame(
        {
            "source": index.sources[present],
            "source_type": index.source_types[present],
            "incidents": n_incidents[present],
            "reports": n_reports[present],
            "first": index.dates[first],
            "last": index.dates[last],
            "counts_claimed": [claims[s] for s in present],
            # as `source_summary`: every incident the source disagrees on
            "disagrees_on": [_capped(list(index.disagrees[s]), limit) for s in present],
        }
    )
    return out.sort_values(["incidents", "source"], ascending=[False, True])
