"""History on the team database (migration 0003h, atlas.db.history): every change kept
with who, when and why; "changed since" and "as of"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from atlas.db import engine
from atlas.db.edits import read_row, review, save_incident
from atlas.db.history import as_of, changed_since
from atlas.db.transfer import import_folder, read_text_tables
from atlas.paths import BUNDLED_DATA_DIR

REVIEWER = "rev@example.org"


@pytest.fixture
def loaded(db, monkeypatch) -> str:
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_REVIEWERS", REVIEWER)
    return db


def _now(url: str):
    with engine(url).connect() as connection:
        return connection.execute(sa.text("SELECT now()")).scalar_one()


def _first_incident(url: str) -> str:
    with engine(url).connect() as connection:
        return connection.execute(
            sa.text("SELECT incident_id FROM incidents ORDER BY row_order LIMIT 1")
        ).scalar_one()


def _title(snapshot, incident: str) -> str:
    frame = snapshot.tables["incidents"]
    return frame.loc[frame["incident_id"] == incident, "title"].item()


def test_as_of_now_is_the_dataset_and_an_import_is_one_line(loaded):
    when = _now(loaded)
    with engine(loaded).connect() as connection:
        snapshot = as_of(connection, when)
        current = read_text_tables(connection)
        changes = changed_since(connection, when.replace(year=when.year - 1))
    for name, frame in current.items():  # text as the files hold it: 43.5760 stays so
        assert snapshot.tables[name].equals(frame), name
    # one line per import, not per row: the migration's baseline (empty) and the import
    assert list(changes["change"]) == ["imported", "imported"]


def test_an_edit_shows_in_changed_since_and_as_of_before_gives_the_old_row(loaded):
    incident = _first_incident(loaded)
    before_edit = _now(loaded)
    with engine(loaded).connect() as connection:
        stored = read_row(connection, "incidents", incident)
        save_incident(
            connection, {**stored.row, "title": "New title"}, stored.version, "ed@x.org", "typo"
        )
        changes = changed_since(connection, before_edit)
        then = as_of(connection, before_edit)
        now = as_of(connection, _now(loaded))
    assert len(changes) == 1
    line = changes.iloc[0]
    assert (line["change"], line["row_id"], line["by"], line["reason"], line["label"]) == (
        "edited",
        incident,
        "ed@x.org",
        "typo",
        "New title",
    )
    assert line["changed_at"] > before_edit
    assert _title(then, incident) == stored.row["title"] != "New title"
    assert _title(now, incident) == "New title"
    assert then.version != now.version


def test_a_retraction_stays_in_history(loaded):
    incident = _first_incident(loaded)
    start = _now(loaded)
    with engine(loaded).connect() as connection:
        stored = read_row(connection, "incidents", incident)
        done = review(
            connection, "incidents", incident, "retracted", stored.version, REVIEWER, "misdated"
        )
        assert done.review_state == "retracted"
        retracted_at = connection.execute(sa.text("SELECT now()")).scalar_one()
        connection.commit()  # read_row began the transaction: the review was a savepoint
    with engine(loaded).begin() as connection:  # and later the row is deleted outright
        connection.execute(sa.text("DELETE FROM incidents WHERE incident_id = :i"), {"i": incident})
    with engine(loaded).connect() as connection:
        changes = changed_since(connection, start)
        then = as_of(connection, retracted_at)
        now = as_of(connection, _now(loaded))
    mine = changes[changes["row_id"] == incident]
    assert list(mine["change"]) == ["deleted", "retracted"]  # newest first
    assert mine.iloc[1]["reason"] == "misdated" and mine.iloc[1]["by"] == REVIEWER
    # the delete cascaded to its reports, each recorded
    assert set(changes[changes["table"] == "reports"]["change"]) == {"deleted"}
    assert then.review_states["incidents"][incident] == "retracted"
    assert incident in set(then.tables["incidents"]["incident_id"])
    assert incident not in set(now.tables["incidents"]["incident_id"])


def test_the_migration_records_the_rows_already_there(empty_db):
    from atlas.db import upgrade

    upgrade(empty_db, "0002")
    import_folder(empty_db, BUNDLED_DATA_DIR)  # no history table yet: nothing recorded
    before = _now(empty_db)
    upgrade(empty_db)
    with engine(empty_db).connect() as connection:
        changes = changed_since(connection, before)
        snapshot = as_of(connection, _now(empty_db))
        current = read_text_tables(connection)
    assert [(c, by) for c, by in zip(changes["change"], changes["by"], strict=True)] == [
        ("imported", "migration 0003h")
    ]
    for name, frame in current.items():
        assert snapshot.tables[name].equals(frame), name
