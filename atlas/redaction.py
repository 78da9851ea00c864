"""PROVISIONAL — replaced by branch tiers at merge.

A minimal stand-in for issue 17's redaction (owner: helper H3, branch tiers) with the
contract's signature, so that the database's public tier (atlas.db.publish) can be built and
tested on its own branch: withheld incidents are dropped with their places and reports (and
their ids removed from other incidents' related_ids / may_overlap), withheld reports are
dropped; nothing is snapped, coarsened or renamed.
"""

from __future__ import annotations

import pandas as pd

from atlas.evidence import split_ids
from atlas.policy import Policy


def _withheld(frame: pd.DataFrame, policy: Policy) -> pd.Series:
    level = frame["sensitivity"].where(frame["sensitivity"] != "", policy.default_level)
    return level.isin(policy.withheld_levels)


def _without(cell: str, gone: set[str]) -> str:
    """A ';'-separated id list without `gone` (unchanged when it names none of them)."""
    ids = split_ids(cell)
    return cell if not gone.intersection(ids) else ";".join(i for i in ids if i not in gone)


def redact_tables(tables: dict[str, pd.DataFrame], policy: Policy) -> dict[str, pd.DataFrame]:
    """The four text tables as the public tier may show them (see the module's note)."""
    incidents = tables["incidents"]
    gone = set(incidents.loc[_withheld(incidents, policy), "incident_id"])
    incidents = incidents[~incidents["incident_id"].isin(gone)].copy()
    for column in ("related_ids", "may_overlap"):
        incidents[column] = [_without(v, gone) for v in incidents[column]]
    places = tables["places"]
    reports = tables["reports"]
    reports = reports[~reports["incident_id"].isin(gone) & ~_withheld(reports, policy)]
    return {
        "incidents": incidents,
        "places": places[~places["incident_id"].isin(gone)].copy(),
        "reports": reports.copy(),
        "documents": tables["documents"].copy(),
    }
