"""The editing page (views/edit.py, ui/edit.py) on a throwaway team database: a failed save
keeps the input and lists the problems one per line; a good save shows in the History;
who edits comes from st.user or the trusted proxy's header, else nobody edits."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from atlas.db import engine
from atlas.db.transfer import import_folder
from atlas.paths import BUNDLED_DATA_DIR, PROJECT_ROOT
from tests.apptest import APP
from ui import edit, identity

EDITOR = {"is_logged_in": True, "email": "ed@example.org"}


@pytest.fixture
def team_db(db, monkeypatch) -> str:
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    monkeypatch.delenv("ATLAS_TIER", raising=False)
    monkeypatch.delenv(identity.USER_HEADER_VARIABLE, raising=False)
    return db


def _page(user: dict) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = user
    at.run()
    at.switch_page("views/edit.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _changes(at: AppTest):
    return next(d.value for d in at.dataframe if "change" in d.value.columns)


def test_a_failed_save_keeps_the_input_and_a_good_one_shows_in_history(team_db):
    with engine(team_db).connect() as connection:
        incident, title = connection.execute(
            sa.text("SELECT incident_id, title FROM incidents ORDER BY row_order LIMIT 1")
        ).one()
    at = _page(EDITOR)
    at.selectbox(key=edit.pick_key("incidents")).select(incident).run()
    assert at.text_input(key=edit.field_key("incidents", "title")).value == title
    at.text_input(key=edit.field_key("incidents", "date_end")).input("1900-01-01")
    at.text_input(key=edit.field_key("incidents", "title")).input("")
    at.button(key=edit.key("incidents", "save")).click().run()
    assert not at.exception, at.exception
    refused = [e.value for e in at.error if "Not saved" in e.value]
    assert len(refused) == 1
    lines = [line for line in refused[0].splitlines() if line.startswith("- ")]
    assert len(lines) >= 2 and any("date\\_end" in line for line in lines)
    assert at.text_input(key=edit.field_key("incidents", "date_end")).value == "1900-01-01"  # kept
    with engine(team_db).connect() as connection:  # and nothing written
        stored = connection.execute(
            sa.text("SELECT title, row_version FROM incidents WHERE incident_id = :i"),
            {"i": incident},
        ).one()
    assert tuple(stored) == (title, 1)

    with engine(team_db).connect() as connection:
        date_end = connection.execute(
            sa.text("SELECT date_end::text FROM incidents WHERE incident_id = :i"),
            {"i": incident},
        ).scalar_one()
    at.text_input(key=edit.field_key("incidents", "date_end")).input(date_end)
    at.text_input(key=edit.field_key("incidents", "title")).input("Edited on the page")
    at.text_input(key=edit.REASON).input("checked against the source")
    at.button(key=edit.key("incidents", "save")).click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success)
    changes = _changes(at)
    line = changes[changes["row_id"] == incident].iloc[0]
    at.toggle(key="history_show_as_of").set_value(True).run()  # as of today: the new title
    as_of = next(d.value for d in at.dataframe if "review_state" in d.value.columns)
    assert as_of.loc[as_of["incident_id"] == incident, "title"].item() == "Edited on the page"
    assert (line["change"], line["label"], line["by"], line["reason"]) == (
        "edited",
        "Edited on the page",
        EDITOR["email"],
        "checked against the source",
    )


def test_nobody_identified_edits_nothing(team_db):
    at = _page({})
    assert any("needs to know who you are" in e.value for e in at.error)
    assert not [w for w in at.text_input if w.key and "_field_" in w.key]
    assert not _changes(at).empty  # the history is still shown (the import)


@pytest.mark.parametrize(
    ("user", "headers", "header", "expected"),
    [
        (EDITOR, {}, "", "ed@example.org"),
        (EDITOR, {"X-Atlas-User": "proxy"}, "X-Atlas-User", "ed@example.org"),
        ({}, {"X-Atlas-User": "proxy-user"}, "X-Atlas-User", "proxy-user"),
        ({}, {"X-Atlas-User": "forged"}, "", None),  # no header trusted unless named
        ({"is_logged_in": False}, {}, "X-Atlas-User", None),
    ],
)
def test_identity(user, headers, header, expected):
    assert identity.identity(user, headers, header) == expected


def test_the_proxy_sets_the_header_from_its_own_authentication():
    template = (PROJECT_ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    assert f"proxy_set_header {identity.USER_HEADER} $remote_user;" in template


def test_no_editing_page_on_the_public_tier_or_the_files(team_db, monkeypatch):
    assert identity.editing_enabled()
    monkeypatch.setenv("ATLAS_TIER", "public")
    assert not identity.editing_enabled()
    monkeypatch.delenv("ATLAS_TIER")
    monkeypatch.delenv("ATLAS_DATABASE_URL")
    assert not identity.editing_enabled() or Path(".streamlit/secrets.toml").exists()


def test_a_conflict_shows_both_versions_and_the_editor_chooses(team_db):
    from atlas.db.edits import read_row, save_incident

    with engine(team_db).connect() as connection:
        incident = connection.execute(
            sa.text("SELECT incident_id FROM incidents ORDER BY row_order LIMIT 1")
        ).scalar_one()
    at = _page(EDITOR)
    at.selectbox(key=edit.pick_key("incidents")).select(incident).run()
    with engine(team_db).connect() as connection:  # a teammate saves first
        stored = read_row(connection, "incidents", incident)
        theirs = {**stored.row, "title": "Their title", "actor": "Their actor"}
        save_incident(connection, theirs, stored.version, "other@example.org")
        connection.commit()  # read_row began the transaction: the save was a savepoint in it
    at.text_input(key=edit.field_key("incidents", "title")).input("My title")
    at.button(key=edit.key("incidents", "save")).click().run()
    assert not at.exception, at.exception
    assert any("saved this incident after you opened it" in w.value for w in at.warning)
    both = next(d.value for d in at.dataframe if "theirs" in d.value.columns)
    assert both.set_index("field").loc["title"].tolist() == ["My title", "Their title"]
    with engine(team_db).connect() as connection:  # nothing of mine was written
        assert read_row(connection, "incidents", incident).row == theirs
    at.radio(key=edit.key("incidents", "choice_title")).set_value("mine")
    at.radio(key=edit.key("incidents", "choice_actor")).set_value("theirs")
    at.button(key=edit.key("incidents", "resolve_save")).click().run()
    assert not at.exception, at.exception
    with engine(team_db).connect() as connection:
        now = read_row(connection, "incidents", incident)
    assert (now.row["title"], now.row["actor"], now.updated_by) == (
        "My title",
        "Their actor",
        EDITOR["email"],
    )


def test_a_report_of_the_open_incident_is_edited_with_the_same_page(team_db):
    with engine(team_db).connect() as connection:
        incident, report = connection.execute(
            sa.text("SELECT incident_id, report_id FROM reports ORDER BY row_order LIMIT 1")
        ).one()
    at = _page(EDITOR)
    at.selectbox(key=edit.pick_key("incidents")).select(incident).run()
    at.selectbox(key=edit.pick_key("reports")).select(report).run()
    at.text_input(key=edit.field_key("reports", "document")).input("missing.txt")
    at.button(key=edit.key("reports", "save")).click().run()
    assert not at.exception, at.exception
    assert any("is not listed in documents" in e.value for e in at.error)
    assert at.text_input(key=edit.field_key("reports", "document")).value == "missing.txt"
    at.selectbox(key=edit.pick_key("reports")).select("(new report)").run()  # starts empty
    assert at.text_input(key=edit.field_key("reports", "incident_id")).value == incident
    assert at.text_input(key=edit.field_key("reports", "document")).value == ""
