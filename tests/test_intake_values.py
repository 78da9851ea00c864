"""Values as people write them, column names and saved mappings: parametrized tables."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from atlas.intake import import_file
from atlas.intake.mapping import Mapping, MappingError, auto_mapping, column_key
from atlas.intake.values import (
    ValueProblem,
    check_not_future,
    event_type_code,
    numeric_order,
    parse_count,
    parse_date,
    parse_people,
    parse_span,
)

# --- dates -----------------------------------------------------------------------------------

DATES = [
    # raw, date order, start, end, precision
    ("2013-11-15", "auto", "2013-11-15", "2013-11-15", "day"),
    ("  2013-11-15 ", "auto", "2013-11-15", "2013-11-15", "day"),
    ("2013-11-15T08:00:00Z", "auto", "2013-11-15", "2013-11-15", "day"),
    ("2013-1-5", "auto", "2013-01-05", "2013-01-05", "day"),
    ("2013-11", "auto", "2013-11-01", "2013-11-30", "month"),
    ("2012-02", "auto", "2012-02-01", "2012-02-29", "month"),  # leap year
    ("2013", "auto", "2013-01-01", "2013-12-31", "year"),
    ("2013/11/15", "auto", "2013-11-15", "2013-11-15", "day"),
    ("2013.11.15", "auto", "2013-11-15", "2013-11-15", "day"),
    ("2013年11月15日", "auto", "2013-11-15", "2013-11-15", "day"),
    ("2013年11月", "auto", "2013-11-01", "2013-11-30", "month"),
    ("2013年", "auto", "2013-01-01", "2013-12-31", "year"),
    ("2013년 11월 15일", "auto", "2013-11-15", "2013-11-15", "day"),
    ("2013년 11월", "auto", "2013-11-01", "2013-11-30", "month"),
    ("2013 년 11 월", "auto", "2013-11-01", "2013-11-30", "month"),
    ("15/11/2013", "auto", "2013-11-15", "2013-11-15", "day"),  # 15 cannot be a month
    ("11/15/2013", "auto", "2013-11-15", "2013-11-15", "day"),
    ("15.11.2013", "auto", "2013-11-15", "2013-11-15", "day"),
    ("15-11-2013", "auto", "2013-11-15", "2013-11-15", "day"),
    ("04/04/2013", "auto", "2013-04-04", "2013-04-04", "day"),  # the same either way
    ("03/04/2013", "DMY", "2013-04-03", "2013-04-03", "day"),
    ("03/04/2013", "MDY", "2013-03-04", "2013-03-04", "day"),
    ("15 November 2013", "auto", "2013-11-15", "2013-11-15", "day"),
    ("15 Nov. 2013", "auto", "2013-11-15", "2013-11-15", "day"),
    ("November 15, 2013", "auto", "2013-11-15", "2013-11-15", "day"),
    ("Nov 2013", "auto", "2013-11-01", "2013-11-30", "month"),
    ("November, 2013", "auto", "2013-11-01", "2013-11-30", "month"),
]


@pytest.mark.parametrize("raw, order, start, end, precision", DATES)
def test_parse_date(raw: str, order: str, start: str, end: str, precision: str) -> None:
    span = parse_date(raw, order)
    assert (span.start.isoformat(), span.end.isoformat(), span.precision) == (
        start,
        end,
        precision,
    )


BAD_DATES = [
    # raw, date order, message (substring)
    ("", "auto", "the date is empty"),
    ("03/04/2013", "auto", "'03/04/2013' is ambiguous: 3 April or March 4"),
    ("2013-02-30", "auto", "'2013-02-30' is not a real calendar date"),
    ("2013-13-01", "auto", "is not a real calendar date"),
    ("2013-13", "auto", "'2013-13' has no month 13"),
    ("2013年13月", "auto", "has no month 13"),
    ("31/02/2013", "auto", "is not a real calendar date"),
    ("15/11/2013", "MDY", "is not a real calendar date"),  # the stated order is kept
    ("13/25/2013", "auto", "'13/25/2013' is not a real calendar date"),
    ("05/00/2013", "auto", "is not a real calendar date"),
    ("0000", "auto", "'0000' has no year 0"),
    ("May 0000", "auto", "has no year 0"),
    ("soon", "auto", "'soon' is not a date the importer can read"),
    ("Smarch 2013", "auto", "is not a date the importer can read"),
    ("2013-11-15 to 2013-11-20", "auto", "is not a date the importer can read"),
]


@pytest.mark.parametrize("raw, order, message", BAD_DATES)
def test_parse_date_rejects(raw: str, order: str, message: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date(raw, order)
    assert message in caught.value.message
    assert caught.value.fix  # every problem says how to fix it


def test_read_order_is_stated_in_the_basis() -> None:
    assert parse_date("03/04/2013", "DMY").basis == "read as day/month"
    assert parse_date("11/15/2013").basis == "read as month/day"


@pytest.mark.parametrize(
    "values, order",
    [
        (["25/12/2013", "03/04/2013"], "DMY"),
        (["12/25/2013", "03/04/2013"], "MDY"),
        (["03/04/2013", "05/06/2013"], None),  # nothing settles it
        (["25/12/2013", "12/25/2013"], "mixed"),  # the column contradicts itself
        (["2013-11-15", "15 November 2013"], None),
        ([], None),
    ],
)
def test_the_column_decides_day_month_order(values: list[str], order: str | None) -> None:
    assert numeric_order(values) == order


@pytest.mark.parametrize(
    "start, end, want",
    [
        ("2013-11-15", "2013-11-15", ("2013-11-15", "2013-11-15", "day")),
        ("2013-11", "2013-11", ("2013-11-01", "2013-11-30", "month")),
        ("2013-11", "2014-02", ("2013-11-01", "2014-02-28", "range")),
        ("2013-11-10", "2013-11-20", ("2013-11-10", "2013-11-20", "range")),
    ],
)
def test_parse_span(start: str, end: str, want: tuple[str, str, str]) -> None:
    span = parse_span(start, end)
    assert (span.start.isoformat(), span.end.isoformat(), span.precision) == want


def test_parse_span_rejects_a_backward_range() -> None:
    with pytest.raises(ValueProblem, match="ends"):
        parse_span("2014", "2013")


@pytest.mark.parametrize(
    "raw, message", [("2099-01-01", "is in the future"), ("1850", "is before 1900")]
)
def test_check_not_future(raw: str, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        check_not_future(parse_date(raw), raw, date(2025, 1, 1))


# --- people ----------------------------------------------------------------------------------

PEOPLE = [
    # raw, low, high, qualifier, text kept
    ("", None, None, "unknown", ""),
    ("13", 13, 13, "exact", ""),
    ("0", 0, 0, "exact", ""),
    ("1,200", 1200, 1200, "exact", "1,200"),
    ("13명", 13, 13, "exact", "13명"),
    ("30人", 30, 30, "exact", "30人"),
    ("13-15", 13, 15, "range", "13-15"),
    ("13–15 people", 13, 15, "range", "13–15 people"),
    ("20 to 30", 20, 30, "range", "20 to 30"),
    ("about 30", 30, 30, "approximate", "about 30"),
    ("~30", 30, 30, "approximate", "~30"),
    ("약 30명", 30, 30, "approximate", "약 30명"),
    ("约30人", 30, 30, "approximate", "约30人"),
    ("at least 24", 24, None, "at_least", "at least 24"),
    ("24+", 24, None, "at_least", "24+"),
    ("최소 24명", 24, None, "at_least", "최소 24명"),
    ("至少20人", 20, None, "at_least", "至少20人"),
    ("dozens", None, None, "unknown", "dozens"),  # kept as words, never made a number
    ("-3", None, None, "unknown", "-3"),
    ("=1+1", None, None, "unknown", "=1+1"),
]


@pytest.mark.parametrize("raw, low, high, qualifier, text", PEOPLE)
def test_parse_people(raw: str, low, high, qualifier: str, text: str) -> None:
    people = parse_people(raw)
    assert (people.low, people.high, people.qualifier, people.text) == (
        low,
        high,
        qualifier,
        text,
    )


@pytest.mark.parametrize(
    "raw, message",
    [
        ("15-13", "runs backwards"),
        ("99999999999999999999", "is not a plausible number of people"),
        ("about 200000000", "is not a plausible number of people"),
    ],
)
def test_parse_people_rejects(raw: str, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        parse_people(raw)


@pytest.mark.parametrize(
    "raw, want", [("", None), ("13", 13), (" 7 ", 7), ("９", 9), ("１０", 10), ("0", 0)]
)
def test_parse_count(raw: str, want: int | None) -> None:
    assert parse_count(raw) == want


@pytest.mark.parametrize("raw", ["²", "1.5", "-3", "1e5", "about 3", "99999999999999999999"])
def test_parse_count_rejects(raw: str) -> None:
    with pytest.raises(ValueProblem):
        parse_count(raw)


# --- event types -----------------------------------------------------------------------------

EVENT_TYPES = [
    # raw, the mapping's choices, code (an unknown value comes back unchanged)
    ("detention", {}, "detention"),
    ("Detention", {}, "detention"),
    (" transfer ", {}, "transfer"),
    ("official statement", {}, "official_statement"),
    ("official-statement", {}, "official_statement"),
    ("Forced repatriation", {}, "repatriation"),  # the atlas's label
    ("Detention / arrest", {}, "detention"),
    ("arrest", {}, "arrest"),  # validation suggests 'detention'; nothing is applied
    ("arrest", {"arrest": "detention"}, "detention"),
    ("체포", {"체포": "detention"}, "detention"),
    ("遣返", {}, "遣返"),
]


@pytest.mark.parametrize("raw, chosen, code", EVENT_TYPES)
def test_event_type_code(raw: str, chosen: dict[str, str], code: str) -> None:
    assert event_type_code(raw, chosen) == code


# --- column mapping --------------------------------------------------------------------------

AUTO = [
    # headers, fields expected (field → column)
    (
        ["ID", "Event Type", "Event Date", "Lat", "Lng", "Place"],
        {
            "incident_id": "ID",
            "event_type": "Event Type",
            "date": "Event Date",
            "latitude": "Lat",
            "longitude": "Lng",
            "location_name": "Place",
        },
    ),
    (["x", "y", "type", "date"], {"longitude": "x", "latitude": "y", "event_type": "type"}),
    (["LATITUDE", "LONGITUDE"], {"latitude": "LATITUDE", "longitude": "LONGITUDE"}),
    (["Long", "Lat"], {"longitude": "Long", "latitude": "Lat"}),
    (["lon", "lat"], {"longitude": "lon", "latitude": "lat"}),
    (
        ["geometry_latitude", "geometry_longitude"],
        {"latitude": "geometry_latitude", "longitude": "geometry_longitude"},
    ),
    (
        ["번호", "제목", "유형", "날짜", "장소", "위도", "경도", "인원", "출처", "내용"],
        {
            "incident_id": "번호",
            "title": "제목",
            "event_type": "유형",
            "date": "날짜",
            "location_name": "장소",
            "latitude": "위도",
            "longitude": "경도",
            "people": "인원",
            "source": "출처",
            "summary": "내용",
        },
    ),
    (
        ["编号", "标题", "事件类型", "日期", "地点", "纬度", "经度", "人数", "来源", "描述"],
        {
            "incident_id": "编号",
            "title": "标题",
            "event_type": "事件类型",
            "date": "日期",
            "location_name": "地点",
            "latitude": "纬度",
            "longitude": "经度",
            "people": "人数",
            "source": "来源",
            "summary": "描述",
        },
    ),
    (["Start Date", "End-Date", "date"], {"date_start": "Start Date", "date_end": "End-Date"}),
    (["id", "event_id", "Notes"], {"incident_id": "id", "summary": "Notes"}),
]


@pytest.mark.parametrize("headers, want", AUTO)
def test_auto_mapping(headers: list[str], want: dict[str, str]) -> None:
    columns = auto_mapping(headers).columns
    assert {k: v for k, v in columns.items() if k in want} == want
    assert "date" not in columns or "date_start" not in columns  # a range wins
    assert len(set(columns.values())) == len(columns)  # a column serves one field


@pytest.mark.parametrize(
    "name, key", [("Event Date ", "event_date"), ("lat.", "lat"), ("(Y)", "y"), ("위도", "위도")]
)
def test_column_key(name: str, key: str) -> None:
    assert column_key(name) == key


def test_mapping_json_round_trip() -> None:
    mapping = Mapping(
        columns={"date": "날짜", "event_type": "类型", "latitude": "y"},
        date_order="DMY",
        event_types={"체포": "detention", "遣返": "repatriation"},
        places={"Ji'an": "Ji'an (Jilin) | Jilin | CN"},
    )
    text = mapping.to_json()
    assert "날짜" in text and "类型" in text  # readable, not \\u escapes
    assert Mapping.from_json(text) == mapping
    assert Mapping.from_json(text.encode("utf-8")) == mapping


MALFORMED = [
    # content of a mapping file, message (substring)
    ('{"atlas_mapping": true}', "not an atlas mapping file"),
    ('{"atlas_mapping": 1.0}', "not an atlas mapping file"),
    (b"not json", "the mapping file is not JSON"),
    (pickle.dumps({"atlas_mapping": 1}), "the mapping file is not JSON"),  # never unpickled
    ("[]", 'not an atlas mapping file (no "atlas_mapping": 1)'),
    ('{"columns": {}}', "not an atlas mapping file"),
    ('{"atlas_mapping": 2}', "not an atlas mapping file"),
    ('{"atlas_mapping": 1, "code": "__import__(\'os\')"}', "unknown key(s) ['code']"),
    ('{"atlas_mapping": 1, "columns": {"date": 5}}', "'columns' must map text to text"),
    ('{"atlas_mapping": 1, "columns": ["date"]}', "'columns' must map text to text"),
    ('{"atlas_mapping": 1, "places": {"Ji\'an": null}}', "'places' must map text to text"),
    ('{"atlas_mapping": 1, "event_types": {"a": ["detention"]}}', "'event_types' must map"),
    ('{"atlas_mapping": 1, "columns": {"when": "date"}}', "unknown field(s) ['when']"),
    ('{"atlas_mapping": 1, "date_order": "YMD"}', "date_order must be one of auto, DMY, MDY"),
    ('{"atlas_mapping": 1, "date_order": ["DMY"]}', "date_order must be one of"),
]


@pytest.mark.parametrize("content, message", MALFORMED)
def test_malformed_mapping_files_are_refused(content: str | bytes, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        Mapping.from_json(content)
    assert message in str(caught.value)


def test_a_deeply_nested_mapping_file_is_refused() -> None:
    with pytest.raises(MappingError):
        Mapping.from_json("[" * 5000 + "]" * 5000)


def test_a_column_with_both_date_orders_is_never_read_row_by_row() -> None:
    sheet = b"d,t\n25/12/2013,detention\n12/25/2013,detention\n2013-01-02,detention\n"
    result = import_file(sheet, "x.csv", Mapping(columns={"event_type": "t", "date": "d"}))
    assert [(p.row, "cannot be read safely" in p.message) for p in result.errors] == [
        (2, True),
        (3, True),
    ]
    assert result.loaded == 1  # the ISO date still loads


def test_a_mapping_naming_an_absent_column_is_one_file_level_problem() -> None:
    result = import_file(b"a,b\n1,2\n", "x.csv", Mapping(columns={"event_type": "t", "date": "a"}))
    assert result.dataset is None
    assert [(p.row, p.column) for p in result.problems] == [(None, "t")]
