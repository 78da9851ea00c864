"""The UI's hook on the team database (ui.data.database_backend / source / load): chosen
by the URL, and every shared cache keyed on the database's dataset version, so that a
teammate's change is read on the next rerun; the dashboard runs on it (AppTest)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from atlas.backend import FilesBackend, PostgresBackend
from atlas.db.transfer import import_folder
from atlas.filters import Filters
from atlas.paths import BUNDLED_DATA_DIR
from tests.apptest import open_tab, run_app
from ui import data


def test_no_database_no_backend(monkeypatch):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    assert data.database_backend() is None  # the files, as today


def test_secrets_are_read_only_when_a_secrets_file_exists(monkeypatch, tmp_path):
    """Without a secrets file, st.secrets looks for one again and raises on every read
    (~0.1 ms, a dozen times a run): the backend is chosen without reading it. Whether a
    file exists is looked at most once a second (STAMP_FOR_S), as the data files are."""
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    monkeypatch.setattr(data, "_SECRETS_SEEN", {})
    reads = []

    class Secrets:
        def get(self, key, default=None):
            reads.append(key)
            return (
                {"atlas": {"url": "postgresql+psycopg://a@/b"}} if key == "connections" else default
            )

    monkeypatch.setattr(data.st, "secrets", Secrets())
    monkeypatch.setattr(data.st, "connection", lambda *a, **k: pytest.fail("connection opened"))
    files = [str(tmp_path / "none.toml"), str(tmp_path / "nor.toml")]
    option = data.st_config.get_option
    looked = []

    def get_option(name):
        looked.append(name)
        return files if name == "secrets.files" else option(name)

    monkeypatch.setattr(data.st_config, "get_option", get_option)
    assert data.database_backend() is None
    assert reads == []  # no file: st.secrets not asked
    assert data.database_backend() is None and looked.count("secrets.files") == 1
    (tmp_path / "nor.toml").write_text("[connections.atlas]\n")  # its content: Secrets above
    assert data.database_backend() is None  # within the second: not looked at again
    monkeypatch.setattr(data, "STAMP_FOR_S", 0.0)  # the second has passed
    with pytest.raises(pytest.fail.Exception, match="connection opened"):
        data.database_backend()  # a file: the secrets are read, the connection opened
    assert reads == ["connections"]


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
    # the replica keeps no row: the documents and the vocabulary only
    assert table.empty and dataset.incidents.empty and dataset.reports.empty
    assert len(dataset.documents) == len(files.dataset().documents)
    assert vocab.first == min(files.table()["date_start"]).date()
    assert vocab.sources == files.vocabulary().sources
    frame = data.filtered(Filters())
    assert list(frame["incident_id"]) == list(files.table()["incident_id"])  # 70 < DB_ROWS
    assert data.filtered(Filters()) is frame  # cached while the version holds
    assert data.size(dataset) == len(files.table())
    with sa.create_engine(db).begin() as connection:  # a teammate edits a title
        connection.execute(sa.text("UPDATE incidents SET title = 'Edited' WHERE row_order = 0"))
    assert data.source()[1] != version
    assert "Edited" in set(data.filtered(Filters())["title"])


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


def test_dashboard_on_the_database_fetches_no_table(db, monkeypatch, tmp_path):
    """Issue 16: a replica holds no copy of the data. Above DB_ROWS incidents the dashboard
    asks the database for counts, cells, bins and a capped frame: every row that reaches
    the app process is counted (SQLAlchemy results and COPY streams) and stays far below
    the table's size; no filtered frame is asked for without a limit."""
    from atlas import synthetic
    from atlas.db import copy as db_copy
    from atlas.db import engine

    n = 30_000
    synthetic.write(n, 1, tmp_path / "data")
    import_folder(db, tmp_path / "data")
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    fetched = {"rows": 0, "unlimited": 0}

    def count_rows(conn, cursor, statement, parameters, context, executemany):
        if cursor.description is not None:
            fetched["rows"] += max(cursor.rowcount, 0)

    copy_csv = db_copy.copy_csv

    def counted_copy(connection, statement):
        out = copy_csv(connection, statement)
        fetched["rows"] += out.count(b"\n") - 1  # lines less the header (no newline in data)
        return out

    filtered = PostgresBackend.filtered

    def checked_filtered(self, filters, limit=None):
        fetched["unlimited"] += limit is None
        return filtered(self, filters, limit)

    monkeypatch.setattr(db_copy, "copy_csv", counted_copy)
    monkeypatch.setattr(PostgresBackend, "filtered", checked_filtered)
    sa.event.listen(engine(db), "after_cursor_execute", count_rows)
    try:
        at = run_app()
        assert not at.exception
        assert any(f"{n:,}" in m.value for m in at.metric)  # counted by the database
        # the map's caption counts them too (not the capped frame's DB_ROWS)
        assert any(c.value.startswith(f"{n:,} incidents shown as ") for c in at.caption)
        open_tab(at, "Sources for these incidents")
        open_tab(at, "Export & embed")  # a file is built only when asked for
        at = run_app({"type": ["detention"]})
        assert not at.exception
    finally:
        sa.event.remove(engine(db), "after_cursor_execute", count_rows)
    assert fetched["unlimited"] == 0
    assert 0 < fetched["rows"] < n / 2, fetched


def test_sources_page_on_the_database_shows_what_the_files_show(db, monkeypatch):
    """The Sources page on the database (summary, reporting over time, matrix) draws the
    same tables as on the bundled files."""
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    on_files = run_app(page="views/sources.py")
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    on_db = run_app(page="views/sources.py")
    assert not on_db.exception
    assert len(on_db.dataframe) == len(on_files.dataframe) == 2
    for a, b in zip(on_files.dataframe, on_db.dataframe, strict=True):
        assert a.value.shape == b.value.shape
        assert list(a.value.columns) == list(b.value.columns)
    assert set(on_files.dataframe[0].value["Source"]) == set(on_db.dataframe[0].value["Source"])
    pd_files, pd_db = on_files.dataframe[1].value, on_db.dataframe[1].value
    assert pd_files.astype(str).equals(pd_db.astype(str))  # the source × incident matrix


def test_search_on_the_database_finds_beyond_the_capped_frame(db, monkeypatch):
    """On the database the frame is capped (the newest DB_ROWS in-period incidents): the
    search box asks the database over every incident the filters keep, and lists and
    counts what the files' search lists and counts."""
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    monkeypatch.setattr(data, "DB_ROWS", 3)
    files = FilesBackend(BUNDLED_DATA_DIR)
    want, rows = files.search(Filters(), "kunming", 200)
    newest = set(files.filtered(Filters(), 3)["incident_id"])
    assert want.found >= 2 and not newest & set(want.ids)  # none in the capped frame
    at = run_app()
    at.text_input(key="search").input("kunming").run()
    assert not at.exception
    box = at.selectbox(key="search_pick")
    assert box.label == f"Matches, newest first: {want.found:,}"
    assert box.value == want.ids[0]
    assert list(box.options) == [
        f"{r.date_start:%Y-%m-%d}"
        + ("" if r.date_start == r.date_end else f" – {r.date_end:%Y-%m-%d}")
        + f" · {r.title}"
        for r in rows.itertuples()
    ]


def test_figures_of_a_capped_frame_draw_every_matching_incident(db, monkeypatch):
    """A figure or the briefing prepared on the database draws the filtered set, not the
    capped frame's newest DB_ROWS: every matching incident with its places and reports,
    as on the files."""
    import_folder(db, BUNDLED_DATA_DIR)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    monkeypatch.setattr(data, "DB_ROWS", 3)
    files = FilesBackend(BUNDLED_DATA_DIR)
    filters = Filters(types=("detention", "transfer", "repatriation"))
    dataset, _, _ = data.load_bundled()
    frame = data.filtered(filters)
    assert len(frame) == 3
    drawn, whole = data.figure_inputs(dataset, frame, filters)
    want = files.filtered(filters)
    assert list(whole["incident_id"]) == list(want["incident_id"])
    mine = files.dataset().reports
    assert sorted(drawn.reports["report_id"]) == sorted(
        mine.loc[mine["incident_id"].isin(want["incident_id"]), "report_id"]
    )
    monkeypatch.setattr(data, "DB_ROWS", 1000)  # a frame under the cap is drawn as it is
    assert data.figure_inputs(dataset, frame, filters)[1] is frame
