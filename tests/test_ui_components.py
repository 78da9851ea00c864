"""AppTest of the dashboard's components, each drawn alone: search box, summary row,
scope note and incident list."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def search_app() -> None:
    import streamlit as st

    from atlas.incidents import incident_table
    from atlas.loading import load_dataset
    from ui import search

    table = incident_table(load_dataset())
    result = search.show(table, key="q")
    st.text(f"selected={st.session_state.get('incident')}")
    st.text(f"found={len(result.ids) if result else None}")


def summary_app() -> None:
    from datetime import date

    import streamlit as st

    from atlas.incidents import incident_table
    from atlas.loading import load_dataset
    from ui import summary

    dataset = load_dataset()
    table = incident_table(dataset)
    rows = table[table["date_start"].dt.year >= int(st.query_params.get("since", 1900))]
    summary.show_scope(dataset)
    summary.show_summary(rows, (date(2013, 11, 1), date(2013, 11, 30)))


def list_app() -> None:
    from atlas.incidents import incident_table
    from atlas.loading import load_dataset
    from ui.panels import show_incident_list

    show_incident_list(incident_table(load_dataset()), None)


def app(function) -> AppTest:
    # AppTest runs the function's source in this process: the project is importable.
    return AppTest.from_function(function, default_timeout=60)


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_search_korean_name_selects_a_yanji_incident():
    at = app(search_app).run()
    assert not at.exception
    assert "selected=None" in texts(at)
    at.text_input(key="q").input("연길").run()
    assert not at.exception
    assert "selected=2013-11-repatriation-of-17" in texts(at)  # the newest Yanji incident
    pick = at.selectbox(key="q_pick")
    assert pick.options[1].startswith("2013-11-02 · 17 North Korean refugees detained")
    pick.select_index(1).run()
    assert "selected=2013-11-02-detentions-shenyang-yanji-dandong" in texts(at)
    assert any("Yanji" in c.value for c in at.caption)


def test_search_without_match_says_so_and_escapes_the_query():
    at = app(search_app).run()
    at.text_input(key="q").input("**bold** [x](http://h)").run()
    assert not at.exception
    assert "selected=None" in texts(at)
    note = at.caption[-1].value
    assert "No incident" in note
    assert "\\*\\*bold\\*\\*" in note  # shown as text, never as Markdown


def test_summary_row_counts_flows_apart_and_never_sums_stocks():
    at = app(summary_app).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Matching incidents"] == "70"
    assert {"Matching incidents", "Detained", "Transferred", "Returned", "Period"} < set(metrics)
    assert metrics["Period"] == "2013-11 – 2013-11"
    assert any(label.startswith("Held as of") for label in metrics)
    assert "5 documents" in at.caption[0].value
    assert "gap in the reporting" in at.caption[0].value


def test_summary_of_nothing_shows_dashes():
    at = app(summary_app)
    at.query_params = {"since": "2100"}
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Matching incidents"] == "0"
    assert metrics["Detained"] == "—"


def test_list_newest_first_with_iso_dates():
    at = app(list_app).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns[:4]) == ["●", "Start", "End", "Date (as written)"]
    ends = list(frame["End"])
    assert ends == sorted(ends, reverse=True)
    assert all(len(d) == 10 and d[4] == "-" for d in frame["Start"])
    assert any("alternative to the map" in c.value for c in at.caption)


def test_list_picker_selects_by_keyboard_friendly_box():
    at = app(list_app).run()
    pick = at.selectbox(key="list_pick")
    assert pick.value is None
    assert pick.options[0].startswith("2024-")  # newest first
    pick.select_index(0).run()
    assert not at.exception
    assert at.session_state["incident"] == at.session_state["_list_ids"][0]


def test_every_ui_module_imports_first_in_a_fresh_interpreter():
    """A module imported first (a bench, a script, one test alone) must not meet a circular
    import: `import ui.specs` first failed on ui.panels ↔ ui.search ↔ ui.data."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    modules = [f"ui.{p.stem}".removesuffix(".__init__") for p in sorted(root.glob("ui/*.py"))]
    runs = {
        m: subprocess.Popen(
            [sys.executable, "-c", f"import {m}"], cwd=root, stderr=subprocess.PIPE, text=True
        )
        for m in modules
    }
    failed = {m: run.communicate()[1].strip()[-300:] for m, run in runs.items() if run.wait()}
    assert len(modules) > 10 and not failed, failed


@pytest.mark.parametrize("selected", [None, "2013-11-15-kunming-detention", "no-such-id"])
@pytest.mark.parametrize("types", [(), ("detention", "repatriation")])
def test_the_list_sends_the_bytes_of_its_pandas_frame(bundled, selected, types):
    """The kept Arrow table of the incident list, marked for the selection, is what
    st.dataframe sent for the pandas frame with the ● column (ui.panels.marked)."""
    from streamlit import dataframe_util

    from atlas.filters import Filters, apply_filters, visible_rows
    from atlas.incidents import incident_table
    from ui.panels import MARK, list_rows, marked

    visible = visible_rows(apply_filters(incident_table(bundled), Filters(types=types)))
    rows = list_rows(visible)
    frame = rows.frame.reset_index(drop=True)
    frame.insert(0, MARK, [MARK if i == selected else "" for i in rows.frame.index])
    sent = dataframe_util.convert_arrow_table_to_arrow_bytes(marked(rows, selected))
    assert sent == dataframe_util.convert_pandas_df_to_arrow_bytes(frame)
    assert marked(rows, selected).column(MARK).to_pylist().count(MARK) == (
        selected in set(rows.frame.index)
    )
