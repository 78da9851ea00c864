"""The UI's hook on the team database (ui.data.database_backend / database_tables): chosen
by the URL, and its cache keyed on the database's dataset version, so that a teammate's
change is read on the next rerun."""

from __future__ import annotations

import sqlalchemy as sa

from atlas.backend import FilesBackend, PostgresBackend
from atlas.db.transfer import import_folder
from atlas.paths import BUNDLED_DATA_DIR
from ui import data


def test_no_database_no_backend(monkeypatch):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    assert data.database_backend() is None  # the files, as today


def test_tables_follow_the_database_version(db, monkeypatch):
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    backend = data.database_backend()
    assert isinstance(backend, PostgresBackend)
    dataset, table, vocab = data.database_tables(backend)
    files = FilesBackend(BUNDLED_DATA_DIR)
    assert list(table["incident_id"]) == list(files.table()["incident_id"])
    assert vocab.first == min(files.table()["date_start"]).date()
    assert data.database_tables(backend)[1] is table  # cached while the version holds
    with sa.create_engine(db).begin() as connection:  # a teammate edits a title
        connection.execute(sa.text("UPDATE incidents SET title = 'Edited' WHERE row_order = 0"))
    edited = data.database_tables(backend)[1]
    assert "Edited" in set(edited["title"])
