"""The pure parts of the load benchmark (bench/load.py, bench/protocol.py, bench/scenario.py);
the benchmark itself prints figures and is not run by the tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Delta_pb2 import Delta

from atlas.export.data import FORMATS
from bench.load import Phase, pct, summarise
from bench.protocol import RunResult, Session, user_key
from bench.scenario import DATA_PREPARE, EXPORT_TAB, QUERIES, Data, plan
from ui.state import TAB

ROOT = Path(__file__).resolve().parent.parent


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


def test_summary_pools_times_takes_medians_of_rates_and_sums_errors():
    runs = [Phase(actions=[1.0, 2.0, 3.0], errors=1, runs=10, wall=5.0, cpu=2.0) for _ in range(2)]
    runs.append(Phase(actions=[9.0], timeouts=2, runs=1, wall=1.0, cpu=1.0))
    s = summarise(runs)
    assert s["act50"] == 2.0 and s["errors"] == 2 and s["timeouts"] == 2
    assert s["act95"] == 9.0  # of the 7 pooled samples (the median of the runs' p95: 3.0)
    assert s["rate"] == 2.0 and s["cpu_run"] == 0.2 and s["repeats"] == 3


def test_the_summary_gives_each_runs_own_filter_p95_beside_the_pooled_one():
    runs = [Phase(filters=[0.1] * 18 + [0.5] * 2), Phase(filters=[0.2] * 20), Phase()]
    s = summarise(runs)
    assert s["filt95_each"] == [0.5, 0.2, None]
    assert s["filt95"] == 0.2 and s["filters"] == 40  # pooled: the 0.5s are 2 of 40


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
            else:
                assert step.expected_count is not None
        export = steps[-1]
        assert export.kind == "export" and export.widget == DATA_PREPARE
        assert export.value == FORMATS["csv"].label  # what the format select box sends
        assert export.expected_count  # the page still shows the filtered count


def test_a_plan_is_the_same_every_time(data):
    assert plan(data, 3, 6) == plan(data, 3, 6)
    assert plan(data, 3, 6) != plan(data, 4, 6)


def test_the_export_tab_is_opened_by_the_label_the_dashboard_gives_it():
    dashboard = (ROOT / "views" / "dashboard.py").read_text(encoding="utf-8")
    tabs = next(line for line in dashboard.splitlines() if line.startswith("TABS = "))
    assert f'"{EXPORT_TAB}"' in tabs


class _Socket:
    """Records what a Session sends and answers nothing."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, data: bytes) -> None:
        self.sent.append(data)


def test_tabs_and_download_buttons_are_read_from_the_deltas():
    session, result = Session("http://127.0.0.1:1"), RunResult(0.0, 0, 0)
    block = Delta()
    block.add_block.tab_container.id = f"$$ID-9f2e-{TAB}"
    session._read_delta(block, result)
    button = Delta()
    button.new_element.download_button.id = "$$ID-41ab-data_download"
    button.new_element.download_button.url = "/media/abc.zip"
    session._read_delta(button, result)
    assert session.widget_ids[TAB] == f"$$ID-9f2e-{TAB}"
    assert result.downloads == {"data_download": "/media/abc.zip"}


def test_a_press_sends_its_trigger_once_with_the_values_kept(monkeypatch):
    session = Session("http://127.0.0.1:1")
    session._ws = _Socket()
    session.widget_ids = {"data_fmt": "$$ID-1-data_fmt", "data_go": "$$ID-2-data_go"}

    async def no_answer():
        raise TimeoutError

    monkeypatch.setattr(session, "_receive", lambda deadline: no_answer())
    session.remember("data_fmt", string_value="CSV files (ZIP)")
    for _ in range(2):
        with pytest.raises(TimeoutError):
            asyncio.run(session.press("data_go"))
    with pytest.raises(TimeoutError):
        asyncio.run(session.set_widget("data_fmt", string_value="GeoJSON"))
    sent = [BackMsg.FromString(m).rerun_script.widget_states.widgets for m in session._ws.sent]
    states = [{w.id: w.WhichOneof("value") for w in run} for run in sent]
    assert states[0] == {"$$ID-1-data_fmt": "string_value", "$$ID-2-data_go": "trigger_value"}
    assert states[1] == states[0]  # each press triggers once more
    assert states[2] == {"$$ID-1-data_fmt": "string_value"}  # never repeated after its run
    assert sent[0][1].trigger_value is True


def test_the_period_and_lists_drawn_are_sent_back_as_the_frontend_does():
    """Streamlit resets a widget that a rerun's states lack: the period the URL set became
    today's date on the second change of another widget."""
    session, result = Session("http://127.0.0.1:1"), RunResult(0.0, 0, 0)
    drawn = Delta()
    drawn.new_element.date_input.id = "$$ID-3-f_period"
    drawn.new_element.date_input.default[:] = ["2026/12/02"]
    drawn.new_element.date_input.value[:] = ["2013/10/01", "2014/03/31"]
    drawn.new_element.date_input.set_value = True  # from the URL, through session state
    session._read_delta(drawn, result)
    kept = session._states["$$ID-3-f_period"].string_array_value.data
    assert list(kept) == ["2013/10/01", "2014/03/31"]
    drawn.new_element.date_input.set_value = False  # drawn again: the kept value stays
    session._read_delta(drawn, result)
    assert list(session._states["$$ID-3-f_period"].string_array_value.data) == list(kept)
    types = Delta()
    types.new_element.multiselect.id = "$$ID-4-f_types"
    types.new_element.multiselect.options[:] = ["Detention / arrest", "Transfer"]
    types.new_element.multiselect.default[:] = [1]
    session._read_delta(types, result)
    assert list(session._states["$$ID-4-f_types"].string_array_value.data) == ["Transfer"]


def test_plans_are_worked_out_before_the_phase_as_the_viewers_would(data):
    """bench.load.plans: each viewer's link, steps and first count, the same as planning
    in the viewer (the phase then does no pandas work on the client's thread)."""
    from bench.load import build_parser, plans

    args = build_parser().parse_args(["--actions", "4", "--no-export"])
    assert args.caches == "warm"  # the default compares N = 1 and N = 20 on kept views
    planned = plans(data, 7, args)
    assert len(planned) == 7
    for i, p in enumerate(planned):
        assert (p.query, p.steps) == plan(data, i, 4, export=False)
        assert p.first_count == data.count(data.initial(p.query))
    assert {p.first_count for p in planned} != {planned[0].first_count}  # links differ


@pytest.mark.parametrize(
    ("n", "viewers", "ran", "most"), [(1, 5, 5, 1), (3, 5, 5, 3), (6, 5, 6, 6)]
)
def test_a_phase_runs_the_same_viewers_at_every_n_a_few_at_a_time(
    data, monkeypatch, n, viewers, ran, most
):
    """bench.load.run_phase: at least --viewers viewers' plans, at most N open at once (N = 1:
    one after another), the first N ramping in, the rest starting as places free up."""
    import bench.load as load

    opened, at_once, ramped = [], [0], {}

    async def fake_viewer(i, url, planned, args, phase, ramp=True):
        assert planned.query == QUERIES[i % len(QUERIES)]  # viewer i gets plan i
        opened.append(i)
        ramped[i] = ramp
        at_once[0] = max(at_once[0], len(opened) - len(left))
        await asyncio.sleep(0.01 * (i % 3))
        left.append(i)

    left: list[int] = []
    monkeypatch.setattr(load, "viewer", fake_viewer)
    monkeypatch.setattr(load, "cpu_seconds", lambda pids: 0.0)
    args = load.build_parser().parse_args(["--viewers", str(viewers), "--actions", "1"])
    asyncio.run(load.run_phase("http://x", [], n, data, args))
    assert sorted(opened) == list(range(ran))
    assert at_once[0] == most
    assert [i for i, r in ramped.items() if r] == list(range(n))
