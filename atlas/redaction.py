"""What the public tier shows: the one owner of what each sensitivity level hides.

`redact_tables` takes the dataset's four tables as text (as `atlas.loading.read_table` or
`atlas.db.transfer.read_text_tables` give them: strings, "" for empty, schema columns) and
returns them in the same shape with the policy (atlas.policy) applied, so that everything
downstream (validation, views, exports, embed, briefing) works unchanged on the result:

- a withheld level (confidential) drops the incident with its places and reports, and its id
  from others' related_ids / may_overlap; a withheld report is dropped; an incident left
  without any report is dropped (it rests on withheld evidence only), and a document that
  no shown report cites is dropped;
- the incident id of a non-open row becomes an opaque public id (`public_id`: an HMAC under
  the policy's key), in its places and reports too, since the id holds dates and places;
- coordinates, dates, counts, text and sources are coarsened or replaced in their columns.

A report is redacted at its own level or its incident's, whichever hides more. Pure: no I/O
beyond the admin-1 outlines (geo/) behind a representative point, no Streamlit.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
from collections import defaultdict
from dataclasses import replace
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from atlas import schema
from atlas.coordinates import BasisError, resolve_basis
from atlas.evidence import count_claims, independent_counts, split_ids
from atlas.loading import Dataset, build_dataset
from atlas.policy import CHOICES, LevelRule, Policy

WITHHELD = "Withheld in the public view."
PLACE_WITHHELD = "Place withheld in the public view"
# A status that the shown reports alone no longer support, in words.
STATUS_NOTE = "Corroborated by a source not shown in the public view."
SPARSE_WORDS = "{n:,} incidents in sparse cells not shown"
UNKNOWN_LEVEL = LevelRule(withheld=True)

_SOURCE_WORDS = {
    "media": "A media source",
    "state_media": "A state media source",
    "ngo": "An NGO source",
    "un": "A UN source",
    "government": "A government source",
    "academic": "An academic source",
}
# Text columns replaced when `text` is withheld (coordinates, dates and counts have theirs).
_INCIDENT_TEXT = ("summary", "status_note", "actor", "coord_note", "date_basis")
_REPORT_TEXT = ("quote", "claim", "note")


def public_id(incident_id: str, key: bytes) -> str:
    """The opaque id a non-open incident has in the public tier (a slug; says nothing of
    the real id, which holds dates and places, without the key)."""
    digest = hmac.new(key, incident_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"withheld-{digest[:16]}"


def public_version(version: str, policy: Policy) -> str:
    """The dataset version of the public tier's data: another dataset than the team's."""
    return hashlib.sha256(f"{version}:public:{policy.digest}".encode()).hexdigest()[:12]


def stricter(a: LevelRule, b: LevelRule) -> LevelRule:
    """Key by key, whichever of `a` and `b` hides more."""
    values = {
        key: max(a.__dict__[key], b.__dict__[key], key=order.index)
        for key, order in CHOICES.items()
    }
    return LevelRule(**values, withheld=a.withheld or b.withheld)


# --- one value at a time -------------------------------------------------------------------


def coarse_dates(start: str, end: str, precision: str, how: str) -> dict[str, str]:
    """The date columns of a span widened to whole months or years ("" = keep)."""
    d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    if how == "month":
        d0 = d0.replace(day=1)
        d1 = d1.replace(day=calendar.monthrange(d1.year, d1.month)[1])
    else:
        d0, d1 = date(d0.year, 1, 1), date(d1.year, 12, 31)
    one_month = (d0.year, d0.month) == (d1.year, d1.month)
    if precision == "as_of":  # a stock stays a stock
        new = "as_of"
    elif one_month:
        new = "month"
    elif d0.year == d1.year and (d0.month, d1.month) == (1, 12):
        new = "year"
    else:
        new = "range"
    whole_years = (d0.month, d0.day, d1.month, d1.day) == (1, 1, 12, 31)
    if how == "year" or whole_years:
        text = f"{d0.year}" if d0.year == d1.year else f"{d0.year} – {d1.year}"
    elif one_month:
        text = f"{d0:%B %Y}"
    else:
        text = f"{d0:%B %Y} – {d1:%B %Y}"
    return {
        "date_start": d0.isoformat(),
        "date_end": d1.isoformat(),
        "date_precision": new,
        "date_text": text,
        "date_basis": f"Widened to the {how} in the public view.",
    }


def coarse_published(value: str, how: str) -> str:
    """A report's publication date (YYYY[-MM[-DD]]) cut to the month or year."""
    return value[:7] if how == "month" else value[:4]


def coarse_count(lo: str, hi: str, how: str, threshold: int) -> tuple[str, str, str] | None:
    """(people_min, people_max, words) of a count under `how`, or None to keep it."""
    if how == "withheld":
        return ("", "", "")
    if how == "exact" or not lo:
        return None
    low, high = int(lo), (int(hi) if hi else None)
    if high is not None and high < threshold:
        return ("1", str(threshold - 1), f"fewer than {threshold}")
    if low < threshold:  # a small lower bound says too much on its own
        return ("1", hi, f"between 1 and {high}" if high is not None else "at least 1")
    return None


@cache  # a few dozen provinces; a representative point costs ~1 ms
def admin1_point(admin1: str) -> tuple[str, str] | None:
    """(longitude, latitude) as text of a province's representative point (the ne_admin1
    basis, as geo/ draws it), or None when the name is not one province."""
    if not admin1:
        return None
    try:
        lon, lat = resolve_basis(f"ne_admin1:{admin1}")
    except BasisError:
        return None
    return f"{lon:.4f}", f"{lat:.4f}"


def coarse_place(rec: dict[str, str], how: str, name_column: str) -> dict[str, str]:
    """The place columns of a row (incident or place) under `how`."""
    if how == "exact" or rec["geo_precision"] in ("unlocated",):
        return {}
    if how == "admin1" and rec["geo_precision"] in ("province", "region", "country"):
        return {}  # already an area's representative point
    if how == "admin1" and rec["geo_precision"] == "multiple":
        return {}  # its places (places.csv) are coarsened one by one
    point = admin1_point(rec.get("admin1", "")) if how == "admin1" else None
    if point is None:
        return {
            name_column: PLACE_WITHHELD,
            "latitude": "",
            "longitude": "",
            "geo_precision": "unlocated",
            "coord_basis": "",
        }
    name = rec["admin1"]
    return {
        name_column: name,
        "longitude": point[0],
        "latitude": point[1],
        "geo_precision": "province",
        "coord_basis": f"ne_admin1:{name}",
    }


# --- the tables ----------------------------------------------------------------------------


def _levels(frame: pd.DataFrame) -> pd.Series:
    return frame["sensitivity"] if "sensitivity" in frame else pd.Series("", index=frame.index)


def _relink(value: str, ids: dict[str, str]) -> str:
    """A ';'-separated list of incident ids with public ids, withheld ones left out."""
    return ";".join(ids[i] for i in split_ids(value) if i in ids)


def redact_tables(tables: dict[str, pd.DataFrame], policy: Policy) -> dict[str, pd.DataFrame]:
    """The public tier's four tables (see the module's docstring)."""
    incidents = tables["incidents"]
    # A level the rules do not know (a typo) is withheld: the tier fails closed.
    rules = defaultdict(lambda: UNKNOWN_LEVEL)
    rules.update({level: policy.rule(level) for level in ("", *schema.SENSITIVITY_LEVELS)})
    inc_rule = {
        i: rules[level]
        for i, level in zip(incidents["incident_id"], _levels(incidents), strict=True)
    }

    reports = tables["reports"]
    pairs = {}  # (report's rule, incident's rule) -> the stricter: a few distinct pairs
    rep_rules = []
    for i, level in zip(reports["incident_id"], _levels(reports), strict=True):
        pair = (rules[level], inc_rule.get(i, rules[level]))
        if pair not in pairs:
            pairs[pair] = stricter(*pair)
        rep_rules.append(pairs[pair])
    keep_report = np.array([not r.withheld for r in rep_rules], dtype=bool)
    with_reports = set(reports.loc[keep_report, "incident_id"])
    kept = {i for i, r in inc_rule.items() if not r.withheld and i in with_reports}
    ids = {i: (i if inc_rule[i].is_open else public_id(i, policy.id_key)) for i in kept}

    out_reports = _reports(
        reports[keep_report],
        [r for r, k in zip(rep_rules, keep_report, strict=True) if k],
        ids,
        policy,
    )
    areas = _place_areas(tables["places"])
    out_incidents = _incidents(
        incidents[incidents["incident_id"].isin(kept)], inc_rule, ids, areas, policy
    )
    shown = set(out_incidents["incident_id"])  # less any row that failed closed
    if len(shown) < len(ids):
        still = {i: i for i in shown}
        for column in ("related_ids", "may_overlap"):
            out_incidents[column] = [_relink(v, still) if v else v for v in out_incidents[column]]
    out_reports = out_reports[out_reports["incident_id"].isin(shown)]
    out_incidents = _agree_with_reports(out_incidents, out_reports)
    out_places = _places(tables["places"], inc_rule, ids)
    out_places = out_places[out_places["incident_id"].isin(shown)]
    documents = tables["documents"]
    cited = set(out_reports["document"])
    return {
        "incidents": out_incidents,
        "places": out_places,
        "reports": out_reports,
        "documents": documents[documents["document"].isin(cited)].copy(),
    }


def _place_areas(places: pd.DataFrame) -> dict[str, str]:
    """Incident id -> the provinces of its places in words ("Liaoning and Jilin"): the name of
    a several-place incident whose places are coarsened to their provinces."""
    found: dict[str, list[str]] = {}
    for incident, admin1 in zip(places["incident_id"], places["admin1"], strict=True):
        names = found.setdefault(incident, [])
        if admin1 and admin1 not in names:
            names.append(admin1)
    return {
        i: (n[0] if len(n) == 1 else ", ".join(n[:-1]) + " and " + n[-1])
        for i, n in found.items()
        if n
    }


def _incidents(
    frame: pd.DataFrame,
    inc_rule: dict[str, LevelRule],
    ids: dict[str, str],
    areas: dict[str, str],
    policy: Policy,
) -> pd.DataFrame:
    labels = {e.code: e.label for e in schema.EVENT_TYPES}
    out = frame.copy()
    for column in ("related_ids", "may_overlap"):
        out[column] = [_relink(v, ids) if v else v for v in out[column]]

    def change(rec: dict) -> dict | None:
        try:
            return _incident(rec)
        except ValueError:  # a date or count the rules reject: the row fails closed
            return None

    def _incident(rec: dict) -> dict:
        real, rule = rec["incident_id"], inc_rule[rec["incident_id"]]
        rec["incident_id"] = ids[real]
        rec.update(coarse_place(rec, rule.coordinates, "location_name"))
        if rec["geo_precision"] == "multiple" and rule.coordinates != "exact":
            rec["location_name"] = (
                areas.get(real, PLACE_WITHHELD) if rule.coordinates == "admin1" else PLACE_WITHHELD
            )
        if rule.dates != "exact":
            rec.update(
                coarse_dates(rec["date_start"], rec["date_end"], rec["date_precision"], rule.dates)
            )
        counted = coarse_count(
            rec["people_min"], rec["people_max"], rule.counts, policy.count_threshold
        )
        if counted is not None:
            rec["people_min"], rec["people_max"], rec["people_text"] = counted
            rec["people_qualifier"] = _qualifier(*counted)
        if rule.text == "withheld":
            for column in _INCIDENT_TEXT:
                if rec.get(column) and not (column == "date_basis" and rule.dates != "exact"):
                    rec[column] = WITHHELD  # (a widened date keeps its words on widening)
            rec["title"] = f"{labels.get(rec['event_type'], 'Incident')} (details withheld)"
            rec["summary"] = WITHHELD
            if rec["people_min"] and counted is None:
                rec["people_text"] = _count_words(rec["people_min"], rec["people_max"])
        if rec["geo_precision"] in schema.AREA_PRECISIONS and rec["latitude"]:
            note = rec.get("coord_note", "")
            if not note.startswith("Representative point of "):
                rec["coord_note"] = schema.REPRESENTATIVE_POINT.format(area=rec["location_name"])
        return rec

    redo = np.array([not inc_rule[i].is_open for i in out["incident_id"]], dtype=bool)
    return _rewrite(out, redo, change)


def _rewrite(frame: pd.DataFrame, redo: np.ndarray, change) -> pd.DataFrame:
    """`frame` with each row where `redo` is true passed through `change(record)` (None:
    the row is dropped), in order; the other rows as they are (most rows are open: only
    the others are taken apart, a million-row set stays fast)."""
    out = frame.copy()
    if not redo.any():
        return out
    index = frame.index[redo]
    changed = [change(rec) for rec in frame[redo].to_dict("records")]
    gone = [i for i, rec in zip(index, changed, strict=True) if rec is None]
    kept = [(i, rec) for i, rec in zip(index, changed, strict=True) if rec is not None]
    if kept:
        new = pd.DataFrame([rec for _, rec in kept], index=[i for i, _ in kept])
        for column in (c for c in frame.columns if c in new.columns and not c.startswith("_")):
            out.loc[new.index, column] = new[column].to_numpy(dtype=object)
    return out.drop(index=gone)


def _qualifier(lo: str, hi: str, words: str) -> str:
    if not lo:
        return "unknown"
    if not hi:
        return "at_least"
    return "exact" if lo == hi else "range"


def _count_words(lo: str, hi: str) -> str:
    if not hi:
        return f"at least {lo}"
    return lo if lo == hi else f"between {lo} and {hi}"


def _reports(
    frame: pd.DataFrame, rules: list[LevelRule], ids: dict[str, str], policy: Policy
) -> pd.DataFrame:
    types = dict(zip(frame["source"], frame["source_type"], strict=True))
    labels: dict[tuple[str, str], str] = {}  # (incident, source) -> anonymous label
    used: dict[tuple[str, str], int] = {}  # (incident, label) -> sources given it

    def anonymous(incident: str, source: str) -> str:
        if (incident, source) not in labels:
            base = _SOURCE_WORDS.get(types.get(source, ""), "A source")
            n = used[(incident, base)] = used.get((incident, base), 0) + 1
            labels[(incident, source)] = base if n == 1 else f"{base} ({n})"
        return labels[(incident, source)]

    numbers: dict[str, int] = {}
    rule_of = dict(zip(frame.index, rules, strict=True))

    def change(rec: dict) -> dict | None:
        try:
            return _report(rec)
        except ValueError:  # a count the rules reject: the row fails closed
            return None

    def _report(rec: dict) -> dict | None:
        real, rule = rec["incident_id"], rule_of[rec.pop("_index")]
        if real not in ids:
            return None
        rec["incident_id"] = ids[real]
        if ids[real] != real or not rule.is_open:
            numbers[real] = numbers.get(real, 0) + 1
            rec["report_id"] = (
                f"{ids[real]}/r{numbers[real]}" if ids[real] != real else rec["report_id"]
            )
        if rule.sources == "anonymised":
            rec["source"] = anonymous(real, rec["source"])
            rec["relies_on"] = ";".join(
                anonymous(real, s) for s in split_ids(rec.get("relies_on", ""))
            )
            rec["source_as_cited"] = ""
            rec["url"] = ""
            rec["quote"] = WITHHELD
        if rule.dates != "exact" and rec.get("published"):
            rec["published"] = coarse_published(rec["published"], rule.dates)
        counted = coarse_count(
            rec["people_min"], rec["people_max"], rule.counts, policy.count_threshold
        )
        if counted is not None:
            rec["people_min"], rec["people_max"], rec["people_text"] = counted
        if rule.text == "withheld":
            for column in _REPORT_TEXT:
                if rec.get(column):
                    rec[column] = WITHHELD
            if rec["people_min"] and counted is None:
                rec["people_text"] = _count_words(rec["people_min"], rec["people_max"])
        return rec

    redo = np.array(
        [
            not (r.is_open and ids.get(i) == i)
            for i, r in zip(frame["incident_id"], rules, strict=True)
        ],
        dtype=bool,
    )
    return _rewrite(frame.assign(_index=frame.index), redo, change).drop(columns="_index")


def _places(
    frame: pd.DataFrame, inc_rule: dict[str, LevelRule], ids: dict[str, str]
) -> pd.DataFrame:
    rows = []
    numbers: dict[str, int] = {}
    for rec in frame.to_dict("records"):
        real = rec["incident_id"]
        if real not in ids:
            continue
        rule = inc_rule[real]
        if not rule.is_open:
            numbers[real] = numbers.get(real, 0) + 1
            rec["incident_id"] = ids[real]
            rec["place_id"] = f"{ids[real]}#{numbers[real]}"
            rec.update(coarse_place(rec, rule.coordinates, "location_name"))
            if rec["geo_precision"] == "unlocated":
                continue  # a place without a point is no place
            if rule.text == "withheld" or rule.coordinates != "exact":
                rec["note"] = (
                    schema.REPRESENTATIVE_POINT.format(area=rec["location_name"])
                    if rec["geo_precision"] in schema.AREA_PRECISIONS
                    else ""
                )
        rows.append(rec)
    return pd.DataFrame(rows, columns=frame.columns) if rows else frame.iloc[:0].copy()


def _agree_with_reports(incidents: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Status and count disagreement as the SHOWN reports support them (the rules of
    atlas.evidence): a 'corroborated' incident whose second source is withheld says so in
    words; 'count' is flagged exactly when the shown (coarsened) counts differ."""
    if incidents.empty:
        return incidents
    independent = independent_counts(reports)
    claims = count_claims(reports)
    out = incidents.copy()
    ids = out["incident_id"]
    alone = ids.map(lambda i: independent.get(i, 0) < 2)
    demote = (out["status"] == "corroborated") & alone
    out.loc[demote, "status"] = "single_source"
    out.loc[demote, "status_note"] = STATUS_NOTE
    differ = ids.map(lambda i: len(claims.get(i, ())) > 1)
    flagged = out["disagreement"].map(lambda v: "count" in split_ids(v))
    fix = differ != flagged
    out.loc[fix, "disagreement"] = [
        ";".join([c for c in split_ids(v) if c != "count"] + (["count"] if d else []))
        for v, d in zip(out.loc[fix, "disagreement"], differ[fix], strict=True)
    ]
    return out


def suppress_sparse(cells: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, int]:
    """Grid cells (atlas.grid.grid_cells) with at least `threshold` incidents, and how many
    incidents the others hold (said in words: SPARSE_WORDS)."""
    sparse = cells["count"] < threshold
    return cells[~sparse].reset_index(drop=True), int(cells.loc[sparse, "count"].sum())


def public_dataset(
    tables: dict[str, pd.DataFrame], policy: Policy, version: str, origin: str = ""
) -> Dataset:
    """The public tier's Dataset from the four text tables of a data folder: redacted, then
    validated as any dataset is. It keeps its (redacted) tables in `Dataset.raw`, so that
    exports take their rows from them and never read the folder's files again."""
    dataset = build_dataset(
        redact_tables(tables, policy),
        version=public_version(version, policy),
        origin=origin,
        keep_raw=True,
    )
    return replace(dataset, tier="public")
