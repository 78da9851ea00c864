"""The incident table every view reads: incidents plus what their reports and places say.

Built once per dataset (the app caches it); filters only select rows from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas import schema
from atlas.loading import Dataset

# Joins the names of a tuple column into one key ("sources_key", "places_key"): a character
# no name contains. Filters match keys per distinct value (categories), not per row.
KEY_SEP = "\x1f"


def _sorted_sets(keys: pd.Series, values: pd.Series) -> pd.Series:
    """keys → tuple of the sorted distinct values, one shared tuple per distinct tuple."""
    pairs = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).drop_duplicates()
    pairs = pairs.sort_values(["k", "v"], kind="stable")
    joined = pairs.groupby("k", sort=False)["v"].agg(KEY_SEP.join)
    codes, uniques = pd.factorize(joined)
    shared = [tuple(u.split(KEY_SEP)) for u in uniques]
    return pd.Series([shared[c] for c in codes], index=joined.index, dtype=object)


def _categorical_keys(rows) -> pd.Categorical:
    return pd.Categorical([KEY_SEP.join(r) for r in rows])


def people_label(lo, hi, qualifier: str) -> str:
    """'13–15', '≈30', '≥24', '17' or 'unknown' — the count as a reader should say it."""
    if pd.isna(lo):
        return "unknown"
    if qualifier == "at_least" or pd.isna(hi):
        return f"≥{lo:,}"
    if qualifier == "approximate":
        return f"≈{lo:,}"
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"


def independent_counts(ids: pd.Series, reports: pd.DataFrame) -> pd.Series:
    """Per incident, its independent sources (`atlas.evidence`): the distinct sources of
    reports that rest on no other (`relies_on` empty), and at least 1 when it has reports."""
    relies = reports["relies_on"] if "relies_on" in reports else pd.Series("", index=reports.index)
    own = reports.loc[relies.fillna("").astype(str).str.strip() == "", ["incident_id", "source"]]
    independent = own.drop_duplicates().groupby("incident_id", observed=True).size()
    reported = set(reports["incident_id"])
    counts = ids.map(independent).fillna(0).astype(int).to_numpy()
    has_reports = ids.isin(reported).to_numpy()
    return pd.Series(np.where(has_reports, np.maximum(counts, 1), 0), index=ids.index)


def incident_table(dataset: Dataset) -> pd.DataFrame:
    """Incidents with derived columns: sources, corroboration, labels, place list."""
    frame = pd.DataFrame(dataset.incidents.drop(columns="geometry"))
    reports = dataset.reports
    by_incident = reports.groupby("incident_id")
    sources = _sorted_sets(reports["incident_id"], reports["source"])
    frame["sources"] = (
        frame["incident_id"].map(sources).apply(lambda v: v if isinstance(v, tuple) else ())
    )
    frame["n_sources_cited"] = frame["sources"].apply(len)
    frame["n_sources"] = independent_counts(frame["incident_id"], reports)
    frame["n_reports"] = frame["incident_id"].map(by_incident.size()).fillna(0).astype(int)
    frame["source_types"] = frame["incident_id"].map(
        _sorted_sets(reports["incident_id"], reports["source_type"])
    )
    frame["type_label"] = frame["event_type"].map({e.code: e.label for e in schema.EVENT_TYPES})
    frame["people_label"] = [
        people_label(lo, hi, q)
        for lo, hi, q in zip(
            frame["people_min"], frame["people_max"], frame["people_qualifier"], strict=True
        )
    ]
    place_names = dataset.places.groupby("incident_id")["location_name"].agg(" · ".join)
    place_admin1 = dataset.places.groupby("incident_id")["admin1"].agg(
        lambda s: tuple(sorted({a for a in s if a}))
    )
    names = place_names.to_dict()  # a dict: an import may have no places at all
    frame["place_names"] = [names.get(i, "") for i in frame["incident_id"]]
    frame["admin1s"] = [
        tuple(sorted({a for a in (own, *(extra if isinstance(extra, tuple) else ())) if a}))
        for own, extra in zip(frame["admin1"], frame["incident_id"].map(place_admin1), strict=True)
    ]
    frame["sources_key"] = _categorical_keys(frame["sources"])
    frame["places_key"] = _categorical_keys(
        (*a, c) if c else a for a, c in zip(frame["admin1s"], frame["country"], strict=True)
    )
    frame["mapped"] = frame["latitude"].notna() | frame["incident_id"].isin(
        dataset.places["incident_id"]
    )
    return frame.sort_values(["date_start", "incident_id"]).reset_index(drop=True)
