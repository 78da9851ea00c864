"""AppTest through the real Data page: every file of the import corpus can be uploaded and
imported without the app failing, and an import reaches the dashboard.

The browser test (tests/browser/test_import.py) proves the same flow in Chromium once; this
one runs it for every corpus file, quickly."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
CORPUS = Path(__file__).resolve().parent / "fixtures" / "intake"
NOT_DATA = {"README.md", "expected.csv", "make_corpus.py", "contract_corpus.py"}
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name not in NOT_DATA)


def data_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def page() -> AppTest:
    """One session for the corpus, file after file, as a person would go through them."""
    return data_page()


def upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), "")).run()
    assert not at.exception, at.exception
    return at


def test_corpus_is_there():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_corpus_file_imports_without_failing_the_app(page, path):
    at = upload(page, path)
    buttons = [b for b in at.button if b.key == "import_go"]
    if not buttons:  # unreadable at all: the page says why, with a fix
        assert any("Cannot import this file" in e.value for e in at.error)
        return
    buttons[0].click().run()
    assert not at.exception, at.exception
    shown = [m.value.replace("\\", "") for m in (*at.success, *at.error)]  # md() escapes
    summary = [v for v in shown if "row(s) read" in v or "nothing loaded" in v]
    assert any(v.startswith(path.name) for v in summary), "this file's summary is shown"
    assert any(m.label.startswith("Incidents loaded") for m in at.metric)


def test_an_import_reaches_the_dashboard():
    at = upload(data_page(), CORPUS / "valid_utf8.csv")
    at.button(key="import_go").click().run()
    loaded = next(m.value for m in at.metric if m.label == "Incidents loaded")
    assert int(loaded) > 0
    at.button(key="use_import").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.metric[0].value == loaded  # the dashboard counts the import
    assert any("your import" in i.value for i in at.sidebar.info)


def test_the_contract_sheet_lists_unused_columns_and_maps_an_unknown_status():
    """The atlas's own columns with `status` = `reported`: the unused column is named before
    the import, `reported` gets a choice, and the chosen status is what loads."""
    at = upload(data_page(), CORPUS / "own_columns_gb18030.csv")
    assert any("reviewer" in w.value and "not imported" in w.value for w in at.warning)
    assert any(e.label.endswith("values to map") for e in at.expander)  # opened for it
    choice = next(s for s in at.selectbox if s.label == "reported")
    assert choice.value == "—"  # nothing chosen for the person
    choice.set_value("disputed").run()
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents loaded"] == "4"
    assert metrics["Rows not loaded"] == "0"
    assert metrics["Errors · warnings"] == "0 · 0"  # the mapping settled the status
    result = at.session_state["import_result"][1]
    assert result.mapping.vocabularies == {"status": {"reported": "disputed"}}


def test_an_upload_is_read_once_and_its_sheet_can_be_chosen(monkeypatch):
    """Reruns (any widget change) reuse the table read; choosing another sheet reads again."""
    import ui.intake

    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs.get("layer"))
        return real(*args, **kwargs)

    real = ui.intake.read_upload
    monkeypatch.setattr(ui.intake, "read_upload", counting)
    at = upload(data_page(), CORPUS / "xlsx_first_sheet_empty.xlsx")
    at.run()
    at.run()
    assert calls == [None]
    (chooser,) = [s for s in at.selectbox if s.label == "Sheet or layer"]
    assert (chooser.value, chooser.options) == ("incidents", ["Notes", "Blank", "incidents"])
    chooser.set_value("Notes").run()
    assert not at.exception, at.exception
    assert calls == [None, "Notes"]
    assert any("the file is empty (sheet" in e.value.replace("\\", "") for e in at.error)
    (chooser,) = [s for s in at.selectbox if s.label == "Sheet or layer"]
    chooser.set_value("incidents").run()
    at.button(key="import_go").click().run()
    assert next(m.value for m in at.metric if m.label == "Incidents loaded") == "5"
