"""The pure parts of the load benchmark (bench/load.py, bench/protocol.py, bench/scenario.py);
the benchmark itself prints figures and is not run by the tests."""

from __future__ import annotations

import pytest

from bench.load import Phase, pct, summarise
from bench.protocol import user_key
from bench.scenario import QUERIES, Data, plan


@pytest.mark.parametrize(
    ("widget_id", "key"),
    [
        ("$$ID-0f3a9c-f_types", "f_types"),
        ("$$ID-0f3a9c-map-0.5/124.500/40.000", "map-0.5/124.500/40.000"),  # keys with "-"
        ("$$ID-0f3a9c-None", "None"),
        ("1c0e2f7a9b", ""),  # an unkeyed widget: nothing to address it by
        ("", ""),
    ],
)
def test_user_key(widget_id, key):
    assert user_key(widget_id) == key


def test_percentiles_pick_an_observed_value():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert pct(values, 0.5) == 3.0
    assert pct(values, 0.95) == 5.0
    assert pct([], 0.5) is None


def test_summary_takes_medians_of_runs_and_sums_errors():
    runs = [Phase(actions=[1.0, 2.0, 3.0], errors=1, runs=10, wall=5.0, cpu=2.0) for _ in range(2)]
    runs.append(Phase(actions=[9.0], timeouts=2, runs=1, wall=1.0, cpu=1.0))
    s = summarise(runs)
    assert s["act50"] == 2.0 and s["errors"] == 2 and s["timeouts"] == 2
    assert s["rate"] == 2.0 and s["cpu_run"] == 0.2 and s["repeats"] == 3


@pytest.fixture(scope="module")
def data():
    return Data()


def test_every_step_changes_something_and_knows_what_the_page_must_show(data):
    for session in range(10):
        query, steps = plan(data, session, actions=6)
        assert query == QUERIES[session % len(QUERIES)]
        for widget in ("f_types", "f_period"):  # a browser sends no rerun for no change
            values = [s.value for s in steps if s.widget == widget]
            assert all(a != b for a, b in zip(values, values[1:], strict=False)), values
        for step in steps:
            if step.kind == "select":
                assert step.expected_text and step.value in set(data.table["incident_id"])
            elif step.kind != "export":
                assert step.expected_count is not None
        assert steps[-1].kind == "export"


def test_a_plan_is_the_same_every_time(data):
    assert plan(data, 3, 6) == plan(data, 3, 6)
    assert plan(data, 3, 6) != plan(data, 4, 6)
