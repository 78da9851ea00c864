"""The dashboard's views are built once per (dataset version, filters, selection) and shared
by sessions (ui.data); an import's stay in its own session; a cached spec draws the same
chart as st.altair_chart; hidden tabs run nothing."""

from __future__ import annotations

import inspect
import json
from collections import Counter
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from atlas import marks
from atlas.backend import PostgresBackend, record_of
from atlas.filters import Filters, apply_filters, visible_rows
from atlas.grid import Cell
from atlas.incidents import incident_table
from atlas.mapspec import build_deck
from tests.apptest import embedded, open_tab, run_app
from ui import data, detail, specs

# filters no other test uses: the first session misses the process-wide cache
RARE = {"type": ["detention", "held"], "min_people": "3"}
MAP_VIEW = inspect.signature(specs.map_view)


@pytest.fixture
def builds(monkeypatch) -> Counter:
    """How often each view builder of ui.specs runs."""
    counts: Counter = Counter()
    for name in ("timeline_spec", "map_view", "people", "incident_list", "source_panel"):
        real = getattr(specs, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            key = f"{_name}:{args[-1]}" if _name == "timeline_spec" else _name
            counts[key] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(specs, name, counted)
    # on the team database these two are answered by the database, not built by ui.specs
    for name, method in (("people", "people"), ("source_panel", "source_summary")):
        real = getattr(PostgresBackend, method)

        def asked(self, *args, _real=real, _name=name, **kwargs):
            counts[_name] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(PostgresBackend, method, asked)
    return counts


def test_a_second_session_on_the_same_view_builds_nothing(builds):
    run_app(RARE)
    first = dict(builds)
    assert first == {
        "timeline_spec:detail": 1,
        "timeline_spec:overview": 1,
        "map_view": 1,
        "people": 1,
        "incident_list": 1,
    }
    at = run_app(RARE)
    assert dict(builds) == first  # everything from the shared cache
    assert at.metric[0].value == run_app(RARE).metric[0].value


def test_a_selection_rebuilds_what_shows_it_only(builds):
    at = run_app({**RARE, "min_people": "4"})
    builds.clear()
    at.text_input(key="search").input("2013-11-15-kunming-detention").run()
    assert not at.exception
    assert at.session_state["incident"] == "2013-11-15-kunming-detention"
    # the detail timeline marks the selection; the map is the one drawn without it plus a
    # ring (ui.specs.with_selection); the overview, totals and list (its ● column is drawn
    # by the page) do not depend on it
    assert dict(builds) == {"timeline_spec:detail": 1}
    layers = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]
    assert layers[-1]["id"] == "selection"
    assert [r["incident_id"] for r in layers[-1]["data"]] == ["2013-11-15-kunming-detention"]
    assert "selection" not in {x["id"] for x in layers[:-1]}


def test_a_card_is_kept_per_incident_and_filters(monkeypatch):
    """A second reader selecting the same incident under the same filters reads the kept
    card (ui.data.card): its record is not looked up and its lines not written again."""
    built = Counter()
    # the record is looked up in memory on the files, by id on the team database
    for owner, name, kind in (
        (data, "_record", "record"),
        (PostgresBackend, "incident", "record"),
        (detail, "card", "card"),
    ):
        real = getattr(owner, name)

        def counted(*args, _real=real, _kind=kind, **kwargs):
            built[_kind] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
    data._whole_incident.clear()  # a small table's: kept per incident, whatever the filters
    data._whole_card.clear()
    link = {**RARE, "min_people": "7", "incident": "2013-11-15-kunming-detention"}
    for _ in range(2):
        at = run_app(link)
        assert at.session_state["incident"] == "2013-11-15-kunming-detention"
        assert any("Kunming" in m.value for m in at.markdown)  # the card shows
    assert built == {"record": 1, "card": 1}


def count_calls(monkeypatch, owner, name: str = "apply_filters") -> Counter:
    """How often `owner` (a module) calls its `name` (apply_filters: filtering), per length
    of the first argument (the table or frame it works on)."""
    counts: Counter = Counter()
    real = getattr(owner, name)

    def counted(first, *args, **kwargs):
        counts[len(first)] += 1
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return counts


@pytest.mark.files_only("the team database's frame is the capped one kept by ui.data._db_frame")
def test_a_small_table_keeps_its_filtered_frames(monkeypatch, bundled):
    """The bundled table (under KEPT_FRAME_ROWS) is filtered once per filters for all
    sessions; a larger one is filtered on every run (a kept frame could hold most of it)."""
    whole = len(bundled.incidents)
    filtered = count_calls(monkeypatch, data)
    link = {**RARE, "min_people": "8"}
    first = run_app(link)
    assert filtered[whole] == 1
    again = run_app(link)
    assert filtered[whole] == 1
    assert again.metric[0].value == first.metric[0].value
    monkeypatch.setattr(data, "KEPT_FRAME_ROWS", whole - 1)
    run_app(link)
    run_app(link)
    assert filtered[whole] == 3


@pytest.mark.files_only("the team database's views are built from its capped frame")
def test_a_new_view_is_built_from_the_kept_frames_left_as_they_were(monkeypatch, bundled):
    """A small table's views new to the server share the run's kept filtered frame: the
    builders of ui.specs filter nothing themselves, and leave the shared frames as they were
    (a builder writing into them would change every later view of those filters)."""
    whole = len(bundled.incidents)
    kept: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    real = data.apply_filters

    def keeping(table, filters):
        frame = real(table, filters)
        if len(table) == whole:  # not the selected incident's own row (ui.data.record)
            kept.append((frame, frame.copy(deep=True)))
        return frame

    monkeypatch.setattr(data, "apply_filters", keeping)
    by_builders = count_calls(monkeypatch, specs)
    link = {**RARE, "min_people": "6", "incident": "2013-11-15-kunming-detention"}
    at = run_app(link)
    assert not at.exception
    assert len(kept) == 1 and by_builders[whole] == 0
    frame, before = kept[0]
    pd.testing.assert_frame_equal(frame, before)
    monkeypatch.setattr(data, "KEPT_FRAME_ROWS", whole - 1)  # frames not kept: builders filter
    run_app({**link, "min_people": "5"})
    assert by_builders[whole] >= 5


@pytest.mark.files_only("the team database's decks are drawn from its capped frame")
def test_a_small_tables_map_points_are_worked_out_once_per_version(monkeypatch, bundled):
    """Decks new to the server take their marks from the small table's kept MarkSource:
    the points of the whole table are worked out once, not those of each filter set's
    rows again; a larger table's deck works out its own rows' points."""
    whole = len(bundled.incidents)
    worked_out = count_calls(monkeypatch, marks, "map_points")
    data._deck.clear()
    data._mark_source.clear()
    for people in ("11", "12"):
        assert not run_app({**RARE, "min_people": people}).exception
    assert dict(worked_out) == {whole: 1}
    monkeypatch.setattr(data, "KEPT_FRAME_ROWS", whole - 1)  # not kept: its rows' own
    assert not run_app({**RARE, "min_people": "13"}).exception
    assert worked_out[whole] == 1 and sum(worked_out.values()) == 2


def _two_shown(bundled, min_people: int) -> pd.Series:
    filters = Filters(types=("detention", "held"), min_people=min_people)
    shown = visible_rows(apply_filters(incident_table(bundled), filters))["incident_id"]
    assert len(shown) >= 2
    return shown


def test_a_filter_sets_detail_rows_serve_every_selection(monkeypatch, bundled):
    """A filter set's detail timeline rows are laid out once for all its selections (a
    selection marks one row): a small table's, and the team database's capped frame's."""
    shown = _two_shown(bundled, 14)
    laid_out = count_calls(monkeypatch, specs, "timeline_rows")
    link = {**RARE, "min_people": "14"}
    pages = [run_app({**link, "incident": i}) for i in shown[:2]] + [run_app(link)]
    assert not any(at.exception for at in pages)
    assert [at.session_state["incident"] for at in pages[:2]] == list(shown[:2])
    assert sum(laid_out.values()) == 1


@pytest.mark.files_only("the team database's details are drawn from its capped frame")
def test_without_kept_frames_each_new_detail_lays_out_its_own(monkeypatch, bundled):
    shown = _two_shown(bundled, 15)
    laid_out = count_calls(monkeypatch, specs, "timeline_rows")
    link = {**RARE, "min_people": "15"}
    monkeypatch.setattr(data, "KEPT_FRAME_ROWS", len(bundled.incidents) - 1)
    pages = [run_app({**link, "incident": i}) for i in shown[:2]]
    assert not any(at.exception for at in pages)
    assert sum(laid_out.values()) == 2


def test_a_card_is_worked_out_once_per_incident(monkeypatch, bundled):
    """The card of an incident is the one `_record` gives under each filter set (None where
    they drop it), and a small table's, or the team database's, is written once per
    incident, not once per incident and filter set (the database asked only whether the
    filters show it)."""
    written: Counter = Counter()
    real = detail.card

    def counted(row, *args, **kwargs):
        written[row["incident_id"]] += 1
        return real(row, *args, **kwargs)

    monkeypatch.setattr(detail, "card", counted)
    for cached in (data._card, data._incident, data._whole_incident, data._whole_card):
        cached.clear()
    where = data.source()
    table = incident_table(bundled)
    views = [
        Filters(),
        Filters(types=("detention", "transfer")),
        Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)),
        Filters(min_people=10),
    ]
    for filters in views:
        for incident_id in table["incident_id"]:
            record = data._record(bundled, table, incident_id, filters)
            card = data._card(*where, incident_id, filters)
            if record is None:
                assert card is None, (incident_id, filters)
            else:
                assert card == real(record.row, record.reports, record.documents, record.places)
    shown = [i for i in table["incident_id"] if written[i]]
    assert len(shown) == len(table) and set(written.values()) == {1}


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(types=("detention", "repatriation")),
        Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)),
        Filters(places=("Liaoning",), min_people=10),
        Filters(statuses=("corroborated",), min_sources=2),
        Filters(cell=Cell(5.0, 120.0, 40.0)),
    ],
    ids=repr,
)
def test_a_card_tests_the_filters_on_its_row_as_on_the_table(bundled, filters):
    """`ui.data._record` filters the incident's one row; the card is the one found in the
    whole table's filtered frame, and no card where the filters drop the incident."""
    table = incident_table(bundled)
    whole = visible_rows(apply_filters(table, filters))
    kept = 0
    for incident_id in table["incident_id"]:
        record = data._record(bundled, table, incident_id, filters)
        rows = whole[whole["incident_id"] == incident_id]
        if rows.empty:
            assert record is None, incident_id
            continue
        kept += 1
        expected = record_of(rows.iloc[0], bundled)
        pd.testing.assert_series_equal(record.row, expected.row)
        for part in ("reports", "places", "documents"):
            pd.testing.assert_frame_equal(getattr(record, part), getattr(expected, part))
    assert kept == len(whole)


def test_readers_of_one_briefing_link_share_its_map(builds, monkeypatch, bundled):
    """An embed draws the dashboard's kept map fitted to its frame (ui.data.deck with the
    frame's width): a second reader of the same link builds no map, another frame size
    builds its own, and what Streamlit sends is build_deck's at the embed's map size."""
    asked = []
    counted = specs.map_view

    def sized(*args, **kwargs):
        asked.append(MAP_VIEW.bind(*args, **kwargs))
        return counted(*args, **kwargs)

    monkeypatch.setattr(specs, "map_view", sized)
    link = {"type": ["detention", "held"], "min_people": "2"}
    sizes = {}
    for w, h, built in (("800", "450", 1), ("800", "450", 1), ("600", "800", 2)):
        with embedded():
            at = run_app({**link, "w": w, "h": h})
        assert "Open the full view" in at.markdown[-1].value  # the embed, not the dashboard
        assert builds["map_view"] == built
        sent = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
        sizes[w, h] = sent
    assert len(asked) == 2
    for call, frame_size in zip(asked, sizes, strict=True):
        call.apply_defaults()
        args = call.arguments
        assert args["width"] < int(frame_size[0])  # the frame's width less its padding
        frame = apply_filters(incident_table(bundled), args["filters"])
        direct = build_deck(
            frame, bundled.places, data.crossings(), height=args["height"], width=args["width"]
        )
        assert sizes[frame_size] == json.loads(direct.to_json())
    assert sizes["800", "450"]["initialViewState"] != sizes["600", "800"]["initialViewState"]


def test_hidden_tabs_run_only_when_opened(builds):
    at = run_app({**RARE, "min_people": "5"})
    assert builds["source_panel"] == 0
    assert "data_fmt" not in {s.key for s in at.selectbox}  # the Export tab did not run
    open_tab(at, "Sources for these incidents")
    assert builds["source_panel"] == 1
    open_tab(at, "Export & embed")
    assert at.selectbox(key="data_fmt").value == "csv"


def test_an_import_is_kept_in_its_session_not_in_the_shared_cache(builds, bundled):
    at = run_app({"min_people": "6"}, dataset=bundled)
    kept = {name for name, _ in at.session_state[data.OWN_VIEWS]}
    assert kept == {"detail", "overview", "deck", "people", "list"}
    built = dict(builds)
    at.run()  # the same view again: from the session's own store
    assert dict(builds) == built


def altair_app():
    import streamlit as st

    from atlas.filters import Filters, apply_filters
    from atlas.incidents import incident_table
    from atlas.loading import load_dataset
    from atlas.timeline import focus_context_chart
    from ui.specs import vega_lite

    frame = apply_filters(incident_table(load_dataset()), Filters())
    whole = ("2011-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    detail, _ = focus_context_chart(frame, None, whole, whole)
    st.altair_chart(detail, key="a", on_select="rerun", width="stretch")
    st.vega_lite_chart(dict(vega_lite(detail)), key="b", on_select="rerun", width="stretch")


def test_a_cached_spec_is_the_chart_altair_chart_sends():
    at = AppTest.from_function(altair_app, default_timeout=60).run()
    assert not at.exception
    protos = [e.proto for e in at.get("vega_lite_chart")]
    assert len(protos) == 2
    a, b = (json.loads(p.spec) for p in protos)
    assert a == b and "params" in a  # brush and pick selections included
    assert [d.data.data for d in protos[0].datasets] == [d.data.data for d in protos[1].datasets]
    assert list(protos[0].selection_mode) == list(protos[1].selection_mode)
