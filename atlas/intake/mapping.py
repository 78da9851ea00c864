"""Which column of an uploaded table holds which field, and how to read its values.

`auto_mapping` recognises common column names (English, Korean, Chinese) in any case,
spacing or punctuation; the rest is set by a person on the Data page. A `Mapping` is saved
and reused as JSON (never pickle): `to_json` / `from_json`, which refuses anything that is
not the documented shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

# field → what it holds (shown on the Data page and in the data dictionary)
FIELDS: dict[str, str] = {
    "incident_id": "the row's id (default: 'row-N')",
    "title": "a short title (default: type · place · date)",
    "event_type": "event type: a code or label of the atlas's types",
    "date": "the date as written: 2013-11-15, 2013-11, 2013, 15/11/2013, 15 November 2013",
    "date_start": "start of a date range",
    "date_end": "end of a date range",
    "location_name": "the place name (geocoded offline when there are no coordinates)",
    "admin1": "province or state",
    "country": "country (name or ISO code)",
    "latitude": "latitude in decimal degrees",
    "longitude": "longitude in decimal degrees",
    "geo_precision": "location precision (exact, city, near, province, …)",
    "people": "number of people as written: 13, 13-15, about 30, at least 24",
    "people_min": "lowest number of people",
    "people_max": "highest number of people",
    "source": "source(s), separated by ';'",
    "source_type": "type of the source(s): media, ngo, un, government, academic, state_media",
    "url": "link to the source",
    "quote": "a verbatim quote from the source",
    "summary": "a description of what happened",
    "actor": "who acted (authority, unit)",
    "status": "single_source, corroborated, officially_confirmed or disputed",
    # The atlas's own columns (data/README.md), taken as written when a file has them.
    "date_text": "the date as written in the source (default: the date cell)",
    "date_precision": "day, range, month_part, month, year, on_or_before or as_of",
    "date_basis": "how the dates were reasoned",
    "coord_basis": "where the coordinates come from (default: the file and row)",
    "coord_note": "a note on the coordinates",
    "people_qualifier": "exact, approximate, range, at_least or unknown",
    "people_text": "the number of people as written",
    "status_note": "why the status was chosen",
    "related_ids": "ids of related incidents, separated by ';'",
    "disagreement": "what independent sources disagree on: count, date, place (';')",
    "may_overlap": "ids of incidents that may count the same people, separated by ';'",
    "sensitivity": "open, sensitive or confidential (empty: not rated)",
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "incident_id": (
        "incident_id",
        "id",
        "event_id",
        "eventid",
        "uid",
        "ref",
        "reference",
        "record_id",
        "case_id",
        "번호",
        "编号",
    ),
    "title": ("title", "name", "headline", "incident", "event", "event_title", "제목", "标题"),
    "event_type": (
        "event_type",
        "type",
        "eventtype",
        "category",
        "incident_type",
        "kind",
        "유형",
        "类型",
        "事件类型",
    ),
    "date": ("date", "event_date", "when", "day", "incident_date", "날짜", "일자", "日期"),
    "date_start": ("date_start", "start_date", "start", "from", "date_from", "시작일", "开始日期"),
    "date_end": ("date_end", "end_date", "end", "to", "date_to", "종료일", "结束日期"),
    "location_name": (
        "location_name",
        "location",
        "place",
        "place_name",
        "site",
        "city",
        "town",
        "장소",
        "지역",
        "地点",
        "地名",
    ),
    "admin1": ("admin1", "province", "state", "prefecture", "도", "省"),
    "country": ("country", "country_code", "iso2", "nation", "국가", "国家"),
    # A feature's geometry first: a `lat` property in one feature must not hide them all.
    "latitude": ("geometry_latitude", "latitude", "lat", "y", "위도", "纬度"),
    "longitude": ("geometry_longitude", "longitude", "lon", "lng", "long", "x", "경도", "经度"),
    "geo_precision": ("geo_precision", "location_precision", "precision", "geoprecision"),
    "people": (
        "people",
        "count",
        "number",
        "persons",
        "people_count",
        "number_of_people",
        "victims",
        "detainees",
        "인원",
        "人数",
    ),
    "people_min": ("people_min", "min_people", "count_min"),
    "people_max": ("people_max", "max_people", "count_max"),
    "source": ("source", "sources", "reported_by", "outlet", "출처", "来源"),
    "source_type": ("source_type", "sourcetype", "source_kind"),
    "url": ("url", "link", "source_url", "href", "링크", "链接"),
    "quote": ("quote", "excerpt", "citation", "인용", "引文"),
    "summary": (
        "summary",
        "description",
        "notes",
        "note",
        "details",
        "text",
        "내용",
        "描述",
        "摘要",
    ),
    "actor": ("actor", "actor1", "perpetrator", "authority", "행위자"),
    "status": ("status", "verification", "confidence"),
    "date_text": ("date_text", "date_as_written"),
    "date_precision": ("date_precision",),
    "date_basis": ("date_basis",),
    "coord_basis": ("coord_basis",),
    "coord_note": ("coord_note",),
    "people_qualifier": ("people_qualifier",),
    "people_text": ("people_text",),
    "status_note": ("status_note",),
    "related_ids": ("related_ids",),
    "disagreement": ("disagreement",),
    "may_overlap": ("may_overlap",),
    "sensitivity": ("sensitivity", "sensitivity_level", "confidentiality"),
}

DATE_ORDERS = ("auto", "DMY", "MDY")


class MappingError(ValueError):
    """A mapping file that is not the documented shape."""


def column_key(name: str) -> str:
    """'Event Date ' → 'event_date'; non-Latin names keep their letters."""
    return re.sub(r"[\s\-./()]+", "_", name.strip().lower()).strip("_")


@dataclass(frozen=True)
class Mapping:
    """columns: field → column of the file. date_order: how to read 03/04/2013.
    event_types: a value of the file → an event type code. places: an ambiguous place name
    → the candidate a person chose (`atlas.intake.geocode.candidate_key`). vocabularies:
    field of an optional vocabulary (`atlas.intake.values.VOCABULARIES`) → {value of the
    file → code}, e.g. {"status": {"reported": "single_source"}}."""

    columns: dict[str, str] = field(default_factory=dict)
    date_order: str = "auto"
    event_types: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    vocabularies: dict[str, dict[str, str]] = field(default_factory=dict)

    def column(self, name: str) -> str | None:
        return self.columns.get(name) or None

    def with_columns(self, **columns: str | None) -> Mapping:
        merged = {**self.columns, **columns}
        return replace(self, columns={k: v for k, v in merged.items() if v})

    def to_json(self) -> str:
        return json.dumps(
            {
                "atlas_mapping": 1,
                "columns": self.columns,
                "date_order": self.date_order,
                "event_types": self.event_types,
                "places": self.places,
                "vocabularies": self.vocabularies,
            },
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, content: str | bytes) -> Mapping:
        try:
            data = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MappingError(f"the mapping file is not JSON ({exc})") from exc
        except RecursionError as exc:
            raise MappingError("the mapping file is nested too deeply to be a mapping") from exc
        version = data.get("atlas_mapping") if isinstance(data, dict) else None
        if type(version) is not int or version != 1:  # not True, not 1.0
            raise MappingError('not an atlas mapping file (no "atlas_mapping": 1)')
        keys = {"atlas_mapping", "columns", "date_order", "event_types", "places", "vocabularies"}
        unknown = set(data) - keys
        if unknown:
            raise MappingError(f"unknown key(s) {sorted(unknown)} in the mapping file")
        out = {}
        for key in ("columns", "event_types", "places"):
            value = data.get(key, {})
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise MappingError(f"'{key}' must map text to text")
            out[key] = value
        if bad := set(out["columns"]) - set(FIELDS):
            raise MappingError(f"unknown field(s) {sorted(bad)}; fields are {', '.join(FIELDS)}")
        order = data.get("date_order", "auto")
        if order not in DATE_ORDERS:
            raise MappingError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
        return cls(out["columns"], order, out["event_types"], out["places"], _vocabularies(data))


def _vocabularies(data: dict) -> dict[str, dict[str, str]]:
    from atlas.intake.values import VOCABULARIES

    value = data.get("vocabularies", {})
    if not isinstance(value, dict) or not all(
        isinstance(chosen, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in chosen.items())
        for chosen in value.values()
    ):
        raise MappingError("'vocabularies' must map a field to {text: code}")
    for name, chosen in value.items():
        if name not in VOCABULARIES:
            raise MappingError(
                f"'vocabularies' has no field {name!r}; fields are {', '.join(VOCABULARIES)}"
            )
        if bad := sorted(set(chosen.values()) - set(VOCABULARIES[name])):
            raise MappingError(f"{bad} are not {name} codes: {', '.join(VOCABULARIES[name])}")
    return value


def unused_columns(columns: list[str], mapping: Mapping) -> list[str]:
    """The file's columns that no field takes: listed before an import, never dropped
    without notice."""
    used = set(mapping.columns.values())
    return [c for c in columns if c not in used and c != "_line"]


def auto_mapping(columns: list[str]) -> Mapping:
    """Fields whose column the names make obvious; each column serves one field at most."""
    keys = {column_key(c): c for c in columns}
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for name, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            column = keys.get(synonym)
            if column is not None and column not in used:
                chosen[name] = column
                used.add(column)
                break
    if "date" in chosen and ("date_start" in chosen or "date_end" in chosen):
        chosen.pop("date")  # a range wins over a single date column
    return Mapping(columns=chosen)
