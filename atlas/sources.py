"""Per-source views of the filtered set: who reported what, where claims disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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


def source_summary(frame: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """One row per source that reported any incident of `frame`."""
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
    frame is masks and a group-by, not joins: the table row of each report's incident (-1 if
    none), the count it claims (`claim_count`, "" if none) and whether it is among the
    `disagreements`."""

    rows: np.ndarray
    claims: np.ndarray
    disputed: np.ndarray

    @classmethod
    def of(cls, table: pd.DataFrame, reports: pd.DataFrame) -> ReportIndex:
        rows = pd.Index(table["incident_id"]).get_indexer(reports["incident_id"])
        claims = np.array(
            [
                claim_count(lo, hi)
                for lo, hi in zip(reports["people_min"], reports["people_max"], strict=True)
            ],
            dtype=object,
        )
        disputed = np.zeros(len(reports), dtype=bool)
        disputed[reports.index.get_indexer(disagreements(reports).index)] = True
        return cls(rows=rows, claims=claims, disputed=disputed)


def _capped(values: list[str], limit: int) -> str:
    more = len(values) - limit
    return ", ".join(values[:limit]) + (f" … (+{more:,} more)" if more > 0 else "")


def source_summary_large(
    frame: pd.DataFrame,
    reports: pd.DataFrame,
    index: ReportIndex,
    table_size: int,
    limit: int = 8,
) -> pd.DataFrame:
    """`source_summary` for a large frame, vectorised: the same columns, with the lists
    (counts claimed, incidents disagreed on) cut to `limit` distinct items and a count of
    the rest. `frame`'s index must be row positions in the table `index.rows` points into
    (as `apply_filters` keeps them)."""
    shown = np.zeros(table_size + 1, dtype=bool)  # the last slot: reports without incident
    shown[frame.index.to_numpy()] = True
    mask = shown[index.rows]
    mine = pd.DataFrame(
        {
            "source": reports["source"].to_numpy()[mask],
            "source_type": reports["source_type"].to_numpy()[mask],
            "row": index.rows[mask],
            "published": reports["published"].to_numpy()[mask],
            "claim": index.claims[mask],
            "disputed": index.disputed[mask],
            "incident_id": reports["incident_id"].to_numpy()[mask],
        }
    )
    if mine.empty:
        return source_summary(frame.iloc[:0], reports.iloc[:0])
    out = mine.groupby("source", sort=True).agg(
        source_type=("source_type", "first"),
        reports=("row", "size"),
        first=("published", "min"),
        last=("published", "max"),
    )
    out["incidents"] = mine[["source", "row"]].drop_duplicates().groupby("source").size()
    claimed = mine.loc[mine["claim"] != "", ["source", "claim"]].drop_duplicates()
    claimed = claimed.groupby("source")["claim"].agg(list)
    out["counts_claimed"] = [_capped(claimed.get(s, []), limit) for s in out.index]
    disputed = mine.loc[mine["disputed"], ["source", "incident_id"]].drop_duplicates()
    disagree = disputed.sort_values("incident_id").groupby("source")["incident_id"].agg(list)
    out["disagrees_on"] = [_capped(disagree.get(s, []), limit) for s in out.index]
    columns = ["source", "source_type", "incidents", "reports", "first", "last"]
    out = out.reset_index()[[*columns, "counts_claimed", "disagrees_on"]]
    return out.sort_values(["incidents", "source"], ascending=[False, True])
