"""Per-source views of the filtered set: who reported what, where claims disagree."""

from __future__ import annotations

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
