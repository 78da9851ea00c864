"""Random query strings never break the URL parser or a page: any key, any Unicode value,
repeated or not, gives Filters and plain notices, and the page runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from atlas.filters import LIST_KEYS, Filters, Vocabulary, from_query, to_query
from atlas.incidents import incident_table
from tests.markdown_sinks import dangers
from ui.text import md

APP = Path(__file__).resolve().parent.parent / "app.py"
KEYS = ["from", "to", *LIST_KEYS, "min_sources", "min_people", "incident", "cell", "embed"]
# Values near what the parser expects (digits of any script, dates, cells) and anything.
TEXT = st.text(max_size=40)
NEAR = st.one_of(
    st.dates().map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=5),
    st.from_regex(r"\A[0-9.]{1,4}/-?[0-9.]{1,7}/-?[0-9.]{1,7}\Z"),
    st.sampled_from(["detention", "Liaoning", "CN", "corroborated", "0.5/124.500/40.000"]),
)
VALUE = st.one_of(TEXT, NEAR, NEAR, NEAR)  # mostly near misses
VALUES = st.lists(VALUE, min_size=1, max_size=3)
QUERY = st.builds(
    lambda known, other: {**other, **known},
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
    st.dictionaries(TEXT, VALUES, max_size=2),
)
# The links that broke every page of the session before (always tried first)
KNOWN = [{"to": ["2030-01-01"]}, {"from": ["1959-12-31"]}, {"min_people": ["²"]}]


@pytest.fixture(scope="module")
def vocab(bundled) -> Vocabulary:
    return Vocabulary.of(incident_table(bundled))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERY)
def test_from_query_never_raises_and_notices_are_plain(query, vocab):
    filters, notices = from_query(query, vocab)
    assert isinstance(filters, Filters)
    for notice in notices:
        assert isinstance(notice, str) and len(notice) < 300  # a bad value is cut short
        assert dangers(md(notice)) == []
    if filters.start:
        assert vocab.first < filters.start <= vocab.last
    if filters.end:
        assert vocab.first <= filters.end < vocab.last
    assert 0 <= filters.min_people <= 10**9 and 0 <= filters.min_sources <= 10**9
    again, more = from_query(to_query(filters), vocab)  # what it keeps is a valid URL
    assert again == filters and more == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERY)
@example(query=KNOWN[0])
@example(query=KNOWN[1])
@example(query=KNOWN[2])
def test_a_random_link_opens_the_dashboard(query):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params = query
    at.run()
    assert not at.exception, (query, at.exception)
    for warning in at.warning:
        assert dangers(warning.value) == []
