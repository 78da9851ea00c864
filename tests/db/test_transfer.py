"""`python -m atlas.db`: upgrade, import (validated, all or nothing), export (byte-identical
round trip of the bundled data), and the dataset version that every change bumps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from atlas.db import dataset_version, engine, head_revision, schema_revision
from atlas.db.__main__ import main
from atlas.db.transfer import ImportFailed, ImportRefused, export_folder, import_folder
from atlas.loading import FILES, load_dataset
from atlas.paths import BUNDLED_DATA_DIR
from tests.conftest import edit_csv


def _version(url: str) -> int:
    with engine(url).connect() as connection:
        return dataset_version(connection)


def _counts(url: str) -> dict[str, int]:
    with engine(url).connect() as connection:
        return {
            name: connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 (constant names)
            for name in FILES
        }


def test_cli_round_trip_is_byte_identical(empty_db, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ATLAS_DATABASE_URL", empty_db)
    assert main(["upgrade"]) == 0
    assert schema_revision(empty_db) == head_revision() is not None
    assert main(["import", str(BUNDLED_DATA_DIR)]) == 0
    assert "Imported 70 incidents" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "out")]) == 0
    for name in FILES.values():
        assert (tmp_path / "out" / name).read_bytes() == (BUNDLED_DATA_DIR / name).read_bytes()
    # and the export loads as the bundled data does
    assert load_dataset(tmp_path / "out").version == load_dataset(BUNDLED_DATA_DIR).version


def test_upgrade_is_idempotent(db):
    from atlas.db import upgrade

    upgrade(db)
    assert schema_revision(db) == head_revision()


def test_geometry_is_longitude_latitude_in_4326(db):
    import_folder(db, BUNDLED_DATA_DIR)
    with engine(db).connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom), longitude, latitude"
                " FROM incidents WHERE geom IS NOT NULL ORDER BY row_order LIMIT 1"
            )
        ).one()
    assert (row[0], row[1], row[2]) == (float(row[3]), float(row[4]), 4326)


def test_a_folder_with_errors_is_refused_whole(db, data_copy, capsys, monkeypatch):
    import_folder(db, BUNDLED_DATA_DIR)
    before = _counts(db), _version(db)
    folder = data_copy()
    edit_csv(folder / "incidents.csv", 3, "date_end", "1900-01-01")  # before date_start
    edit_csv(folder / "reports.csv", 0, "source_type", "blog")
    with pytest.raises(ImportRefused) as refused:
        import_folder(db, folder)
    assert (_counts(db), _version(db)) == before  # nothing written, not even a bump
    # the CLI prints the loader's own lines, one per problem
    expected = [str(p) for p in load_dataset(folder).errors]
    assert [str(p) for p in refused.value.problems] == expected
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    assert main(["import", str(folder)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[: len(expected)] == expected
    assert any("incidents.csv, row 5, column 'date_end'" in line for line in err)


def test_a_failure_while_writing_leaves_the_old_dataset(db, data_copy):
    """A row the rules accept but the database does not (two documents with one name: no
    rule checks documents.csv) aborts the whole import inside its transaction."""
    import_folder(db, BUNDLED_DATA_DIR)
    before = _counts(db), _version(db)
    folder = data_copy()
    text = (folder / "documents.csv").read_text(encoding="utf-8")
    (folder / "documents.csv").write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="documents.csv: duplicate key"):
        import_folder(db, folder)
    assert (_counts(db), _version(db)) == before


def test_every_change_bumps_the_version(db):
    first = _version(db)
    import_folder(db, BUNDLED_DATA_DIR)
    imported = _version(db)
    assert imported > first
    with engine(db).begin() as connection:  # a teammate's edit by hand
        connection.execute(sa.text("UPDATE incidents SET title = title || ' (edited)'"))
    assert _version(db) > imported


def test_an_imports_marker_travels(db, tmp_path):
    """A folder `atlas.intake --out` wrote (imported.json) is checked by the import rules and
    exported with its marker, so it is checked the same way when loaded again."""
    folder = tmp_path / "imported"
    shutil.copytree(BUNDLED_DATA_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    (folder / "imported.json").write_text('{"imported_from": "sheet.xlsx"}\n', encoding="utf-8")
    import_folder(db, folder)
    export_folder(db, tmp_path / "out")
    assert (tmp_path / "out" / "imported.json").read_bytes() == (
        folder / "imported.json"
    ).read_bytes()
    assert load_dataset(tmp_path / "out").origin == "sheet.xlsx"


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        ("UPDATE incidents SET date_end = date_start - 1", "check"),
        ("UPDATE incidents SET people_max = 1, people_min = 2", "check"),
        ("UPDATE incidents SET event_type = 'arrest'", "check"),
        ("UPDATE incidents SET status = 'reported'", "check"),
        ("UPDATE incidents SET latitude = 95, longitude = 120", "check"),
        ("UPDATE incidents SET title = ''", "check"),
        ("UPDATE reports SET incident_id = 'no-such-incident'", "foreign key"),
        ("UPDATE reports SET document = 'no-such-document'", "foreign key"),
        ("UPDATE reports SET published = 'last year'", "check"),
    ],
)
def test_constraints_hold_what_the_rules_check(db, sql, constraint):
    import_folder(db, BUNDLED_DATA_DIR)
    with pytest.raises(sa.exc.IntegrityError, match=constraint), engine(db).begin() as conn:
        conn.execute(sa.text(sql))


def test_cli_without_a_database_says_how(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    monkeypatch.setattr("atlas.db.SECRETS", tmp_path / "none.toml")
    monkeypatch.setattr("atlas.db.__main__.database_url", lambda: None)
    assert main(["upgrade"]) == 2
    assert "ATLAS_DATABASE_URL" in capsys.readouterr().err


def test_url_from_secrets(monkeypatch, tmp_path):
    from atlas.db import database_url

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.atlas]\nurl = "postgresql+psycopg://a@/b"\n')
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    assert database_url(secrets) == "postgresql+psycopg://a@/b"
    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql+psycopg://c@/d")
    assert database_url(secrets) == "postgresql+psycopg://c@/d"
    assert database_url(Path(tmp_path / "missing.toml")) == "postgresql+psycopg://c@/d"
