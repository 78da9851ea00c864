"""The UI's hook on the team database (ui.data.database_backend / source / load): chosen
by the URL, and every shared cache keyed on the database's dataset version, so that a
teammate's change is read on the next rerun; the dashboard runs on it (AppTest)."""

from __future__ import annotations

import sqlalchemy as sa

from atlas.backend import FilesBackend, PostgresBackend
from atlas.db.transfer import import_folder
from atlas.paths import BUNDLED_DATA_DIR
from tests.apptest import run_app
from ui import data


def test_no_database_no_backend(monkeypatch):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    assert data.database_backend() is None  # the files, as today


def test_tables_follow_the_database_version(db, monkeypatch):
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    backend = data.database_backend()
    assert isinstance(backend, PostgresBackend)
    monkeypatch.setattr(data, "STAMP_FOR_S", 0.0)  # read the version on every call
    name, version = data.source()
    assert name.startswith(data.DB_SOURCE) and version.startswith("db-")
    dataset, table, vocab = data.load_bundled()
    assert dataset.version == version
    files = FilesBackend(BUNDLED_DATA_DIR)
    assert list(table["incident_id"]) == list(files.table()["incident_id"])
    assert vocab.first == min(files.table()["date_start"]).date()
    assert data.load_bundled()[1] is table  # cached while the version holds
    with sa.create_engine(db).begin() as connection:  # a teammate edits a title
        connection.execute(sa.text("UPDATE incidents SET title = 'Edited' WHERE row_order = 0"))
    assert data.source()[1] != version
    edited = data.load_bundled()[1]
    assert "Edited" in set(edited["title"])


def test_dashboard_runs_on_the_database(db, monkeypatch):
    import_folder(db, BUNDLED_DATA_DIR)
    with sa.create_engine(db).begin() as connection:  # only in the database: not the files
        connection.execute(
            sa.text("UPDATE incidents SET title = 'Only in the database' WHERE row_order = 0")
        )
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    first = FilesBackend(BUNDLED_DATA_DIR).table()["incident_id"].iloc[0]
    at = run_app({"incident": first})
    assert not at.exception
    assert any("Only in the database" in m.value for m in at.markdown)
