"""Edits on the team database (atlas.db.edits): the files' rules on a one-row frame,
nothing written on failure, optimistic concurrency, review transitions and who may make
them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from atlas.db import engine, tables
from atlas.db.edits import (
    Conflict,
    Refused,
    Saved,
    allowed_transitions,
    read_row,
    review,
    save_incident,
    save_report,
)
from atlas.db.transfer import import_folder
from atlas.loading import load_dataset
from atlas.paths import BUNDLED_DATA_DIR
from tests.conftest import edit_csv

REVIEWER = "rev@example.org"
EDITOR = "ed@example.org"


@pytest.fixture
def loaded(db, monkeypatch) -> str:
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_REVIEWERS", f"{REVIEWER}, someone@example.org")
    return db


def _first(url: str, table: str = "incidents") -> str:
    t = tables.TABLES[table]
    key = t.c[tables.KEY_COLUMNS[table][0]]
    with engine(url).connect() as connection:
        return connection.execute(sa.select(key).order_by(t.c.row_order).limit(1)).scalar_one()


def _stored(url: str, table: str, row_id: str):
    with engine(url).connect() as connection:
        return read_row(connection, table, row_id)


def test_a_good_edit_is_saved_with_who_and_a_new_version(loaded):
    incident = _first(loaded)
    before = _stored(loaded, "incidents", incident)
    row = {**before.row, "title": "A corrected title"}
    with engine(loaded).connect() as connection:
        result = save_incident(connection, row, before.version, EDITOR, "typo")
    assert isinstance(result, Saved) and result.version == before.version + 1
    after = _stored(loaded, "incidents", incident)
    assert after.row == row and after.updated_by == EDITOR
    assert after.review_state == before.review_state == "published"


def test_a_bad_row_gets_the_files_problems_and_nothing_is_written(loaded, data_copy):
    incident = _first(loaded)
    before = _stored(loaded, "incidents", incident)
    row = {**before.row, "date_end": "1900-01-01", "event_type": "arrest", "title": ""}
    with engine(loaded).connect() as connection:
        result = save_incident(connection, row, before.version, EDITOR)
    assert isinstance(result, Refused)
    # the same rules as the files: the same problems as the loader finds in the same row
    folder = data_copy()
    for column in ("date_end", "event_type", "title"):
        edit_csv(folder / "incidents.csv", 0, column, row[column])
    expected = [
        (p.column, p.value, p.message, p.fix)
        for p in load_dataset(folder).errors
        if p.file == "incidents.csv" and p.row == 2
    ]
    assert [(p.column, p.value, p.message, p.fix) for p in result.problems] == expected
    assert {p.column for p in result.problems} >= {"date_end", "event_type", "title"}
    assert all(str(p).startswith(f"incident {incident}, column") for p in result.problems)
    assert _stored(loaded, "incidents", incident) == before  # not a byte changed


def test_a_conflicting_save_returns_both_versions_and_overwrites_nothing(loaded):
    incident = _first(loaded)
    opened = _stored(loaded, "incidents", incident)  # both editors open version N
    theirs = {**opened.row, "title": "Their title"}
    mine = {**opened.row, "title": "My title", "summary": "My summary"}
    with engine(loaded).connect() as connection:
        assert isinstance(save_incident(connection, theirs, opened.version, "a@x.org"), Saved)
        result = save_incident(connection, mine, opened.version, "b@x.org")
    assert isinstance(result, Conflict)
    assert result.their_by == "a@x.org" and result.their_version == opened.version + 1
    assert dict((c, (m, t)) for c, m, t in result.fields) == {
        "title": ("My title", "Their title"),
        "summary": ("My summary", opened.row["summary"]),
    }
    assert _stored(loaded, "incidents", incident).row == theirs


def _new_pair(url: str) -> tuple[dict, dict]:
    """A new incident and its report, copied from a single-source incident's own."""
    with engine(url).connect() as connection:
        incident = connection.execute(
            sa.text(
                "SELECT i.incident_id FROM incidents i JOIN reports r USING (incident_id)"
                " WHERE i.status = 'single_source' AND i.geo_precision <> 'multiple'"
                " AND i.related_ids IS NULL AND i.may_overlap IS NULL"
                " GROUP BY i.incident_id HAVING count(*) = 1 ORDER BY min(i.row_order) LIMIT 1"
            )
        ).scalar_one()
        report = connection.execute(
            sa.text("SELECT report_id FROM reports WHERE incident_id = :i"), {"i": incident}
        ).scalar_one()
        new_incident = {**read_row(connection, "incidents", incident).row, "incident_id": "new-1"}
        new_report = {
            **read_row(connection, "reports", report).row,
            "report_id": "new-1/r1",
            "incident_id": "new-1",
        }
    return new_incident, new_report


def test_review_transitions_and_only_a_reviewer_publishes(loaded):
    incident, report = _new_pair(loaded)
    with engine(loaded).connect() as connection:
        saved = save_incident(connection, incident, None, EDITOR, "new")
        assert isinstance(saved, Saved) and saved.review_state == "draft"
        again = save_incident(connection, incident, None, EDITOR)  # the id is taken
        assert isinstance(again, Refused) and "exists already" in str(again.problems[0])
        # in review needs the rules across files: a report first
        lonely = review(connection, "incidents", "new-1", "in_review", saved.version, EDITOR)
        assert isinstance(lonely, Refused)
        assert "has no valid report" in str(lonely.problems[0])
        assert isinstance(save_report(connection, report, None, EDITOR), Saved)
        sent = review(connection, "incidents", "new-1", "in_review", saved.version, EDITOR)
        assert isinstance(sent, Saved) and sent.review_state == "in_review"
        assert allowed_transitions("in_review", EDITOR) == ("draft",)
        denied = review(connection, "incidents", "new-1", "published", sent.version, EDITOR)
        assert isinstance(denied, Refused) and "only a reviewer" in str(denied.problems[0])
        assert read_row(connection, "incidents", "new-1").review_state == "in_review"
        assert set(allowed_transitions("in_review", REVIEWER)) == {"draft", "published"}
        published = review(connection, "incidents", "new-1", "published", sent.version, REVIEWER)
        assert isinstance(published, Saved) and published.review_state == "published"
        skip = review(connection, "incidents", "new-1", "draft", published.version, REVIEWER)
        assert isinstance(skip, Refused)  # published → draft is no transition
        no_reason = review(
            connection, "incidents", "new-1", "retracted", published.version, REVIEWER
        )
        assert isinstance(no_reason, Refused) and "needs a reason" in str(no_reason.problems[0])
        stale = review(
            connection, "incidents", "new-1", "retracted", saved.version, REVIEWER, "wrong"
        )
        assert isinstance(stale, Conflict)  # opened at an older version
        gone = review(
            connection, "incidents", "new-1", "retracted", published.version, REVIEWER, "wrong"
        )
        assert isinstance(gone, Saved) and gone.review_state == "retracted"


def test_a_report_edit_is_checked_with_its_documents(loaded):
    report = _first(loaded, "reports")
    before = _stored(loaded, "reports", report)
    row = {**before.row, "document": "no-such-document.txt"}
    with engine(loaded).connect() as connection:
        result = save_report(connection, row, before.version, EDITOR)
    assert isinstance(result, Refused)
    assert [p.column for p in result.problems] == ["document"]
    assert _stored(loaded, "reports", report) == before


def test_no_identity_no_save(loaded):
    incident = _first(loaded)
    before = _stored(loaded, "incidents", incident)
    with engine(loaded).connect() as connection:
        result = save_incident(connection, {**before.row, "title": "x"}, before.version, "")
    assert isinstance(result, Refused)
    assert _stored(loaded, "incidents", incident) == before


@pytest.mark.parametrize("imported", [False, True])
def test_the_provenance_rules_follow_where_the_data_came_from(db, data_copy, imported):
    folder = data_copy()
    if imported:  # a folder an import wrote: the import rules, as the loader applies them
        (folder / "imported.json").write_text('{"imported_from": "sheet.csv"}', encoding="utf-8")
    import_folder(db, folder)
    with engine(db).connect() as connection:
        incident = connection.execute(
            sa.text(
                "SELECT incident_id FROM incidents WHERE latitude IS NOT NULL"
                " AND coord_basis IS NOT NULL ORDER BY row_order LIMIT 1"
            )
        ).scalar_one()
        stored = read_row(connection, "incidents", incident)
        result = save_incident(
            connection, {**stored.row, "coord_basis": ""}, stored.version, EDITOR
        )
    if imported:
        assert isinstance(result, Saved)
    else:
        assert isinstance(result, Refused)
        assert [p.column for p in result.problems] == ["coord_basis"]
