"""atlas.search: titles, places in English/Chinese/Korean (curated gazetteer names),
sources and ids; newest first."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas.incidents import incident_table
from atlas.search import place_terms, search


@pytest.fixture(scope="module")
def table(bundled):
    return incident_table(bundled)


@pytest.mark.parametrize(
    ("query", "place"),
    [
        ("연길", "Yanji"),
        ("延吉", "Yanji"),
        ("옌지", "Yanji"),
        ("yanji", "Yanji"),
        ("단둥", "Dandong"),
        ("丹东", "Dandong"),
        ("昆明", "Kunming"),
        ("dand", "Dandong"),
    ],
)
def test_place_names_in_any_script(query, place):
    assert place in place_terms(query)


@pytest.mark.parametrize("query", ["연길", "延吉", "Yanji"])
def test_korean_and_chinese_names_find_yanji(table, query):
    result = search(table, query)
    assert "2013-11-02-detentions-shenyang-yanji-dandong" in result.ids
    rows = table.set_index("incident_id").loc[list(result.ids)]
    assert all(
        "Yanji" in f"{t} {p}" for t, p in zip(rows["title"], rows["place_names"], strict=True)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2013-11-15-kunming-detention", {"2013-11-15-kunming-detention"}),  # an id
        ("KUNMING DETENTION", {"2013-11-15-kunming-detention"}),  # words of a title, any case
        ("", set()),
        ("   ", set()),
        ("no such words anywhere", set()),
    ],
)
def test_ids_titles_and_empty_queries(table, query, expected):
    assert set(search(table, query).ids) == expected


def test_sources_are_searched(table):
    ids = search(table, "Chosun Ilbo").ids
    assert ids
    assert all("Chosun Ilbo" in table.set_index("incident_id").loc[i, "sources"] for i in ids)


def test_newest_first(table):
    ids = search(table, "Dandong").ids
    ends = table.set_index("incident_id").loc[list(ids), "date_end"]
    assert list(ends) == sorted(ends, reverse=True)
    assert len(ids) >= 2


def test_hostile_query_is_text_not_a_pattern(table):
    # regex and markdown characters are literal text: no error, no match-all
    assert search(table, ".*").ids == ()
    assert search(table, "[a-z]+").ids == ()


def test_one_letter_names_no_place():
    assert place_terms("y") == ()


def test_works_on_a_frame_without_optional_fields():
    frame = pd.DataFrame(
        {
            "incident_id": ["a", "b"],
            "title": ["Detained in Yanji", "Other"],
            "date_start": pd.to_datetime(["2020-01-01", "2021-01-01"]),
            "date_end": pd.to_datetime(["2020-01-01", "2021-01-01"]),
        }
    )
    assert search(frame, "연길").ids == ("a",)
