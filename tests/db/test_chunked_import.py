"""The import reads a folder in chunks (atlas.chunks): whatever the chunk size and the order
of places.csv and reports.csv, the same problems as the whole-folder loader, the same
database, and all or nothing in one transaction."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from atlas import synthetic
from atlas.chunks import DEFAULT_CHUNK_ROWS, check_folder
from atlas.db import dataset_version, engine
from atlas.db.__main__ import main
from atlas.db.transfer import ImportFailed, ImportRefused, export_folder, import_folder
from atlas.loading import FILES, IMPORT_MARKER, load_dataset
from atlas.paths import BUNDLED_DATA_DIR
from atlas.validation import Problem


def _key(problem: Problem) -> tuple:
    return (
        problem.file,
        problem.row if problem.row is not None else -1,
        problem.column,
        problem.value,
        problem.message,
        problem.fix,
        problem.severity,
    )


def _sorted(problems) -> list[Problem]:
    return sorted(problems, key=_key)


def _state(url: str) -> tuple[dict[str, int], int]:
    with engine(url).connect() as connection:
        counts = {
            name: connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 (constant names)
            for name in FILES
        }
        return counts, dataset_version(connection)


def test_tiny_chunks_give_the_same_database(db, tmp_path):
    exports = {}
    for rows in (DEFAULT_CHUNK_ROWS, 7, 1):
        result = import_folder(db, BUNDLED_DATA_DIR, chunk_rows=rows)
        assert result.rows["incidents"] == len(load_dataset(BUNDLED_DATA_DIR).incidents)
        export_folder(db, tmp_path / str(rows))
        exports[rows] = {
            name: (tmp_path / str(rows) / name).read_bytes() for name in FILES.values()
        }
    assert exports[7] == exports[DEFAULT_CHUNK_ROWS] == exports[1]
    assert exports[1]["incidents.csv"] == (BUNDLED_DATA_DIR / "incidents.csv").read_bytes()


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _broken_folder(root: Path, *, imported: bool) -> Path:
    """300 synthetic incidents with an error of every kind across rows, the rows involved
    far apart (other chunks at 7 or 64 rows), reports and places shuffled."""
    folder = root / ("imported" if imported else "curated")
    synthetic.write(300, 5, folder)
    incidents = _read(folder / "incidents.csv")
    reports = _read(folder / "reports.csv")
    ids = incidents["incident_id"].tolist()
    cell = incidents.columns.get_loc

    incidents.iloc[250, cell("incident_id")] = ids[3]  # a duplicate id, far from its first
    incidents.iloc[10, cell("related_ids")] = f"{ids[280]};no-such-incident"  # one known
    incidents.iloc[20, cell("may_overlap")] = ids[290]  # another chunk, maybe another type
    incidents.iloc[30, cell("date_end")] = "1900-01-01"  # its reports are not loaded
    incidents.iloc[40, cell("status")] = "corroborated"  # with its one source
    elsewhere = "Jilin" if incidents.iloc[50, cell("admin1")] == "Liaoning" else "Liaoning"
    incidents.iloc[50, cell("admin1")] = elsewhere  # the coordinates lie in another
    for row in (60, 200):  # 'multiple' with one place, and with two
        incidents.iloc[row, cell("geo_precision")] = "multiple"
        incidents.iloc[row, cell("latitude")] = ""
        incidents.iloc[row, cell("longitude")] = ""
    place = {
        "place_id": "",
        "incident_id": "",
        "role": "site",
        "location_name": "Synthetic place",
        "admin1": "Jilin",
        "country": "CN",
        "latitude": "42.9",
        "longitude": "129.5",
        "geo_precision": "city",
        "coord_basis": "geonames:2033574",
        "note": "",
    }
    places = pd.DataFrame(
        [
            {**place, "place_id": "p1", "incident_id": ids[60]},
            {**place, "place_id": "p2", "incident_id": ids[200]},
            {**place, "place_id": "p3", "incident_id": ids[200], "admin1": "Liaoning"},
            {**place, "place_id": "p4", "incident_id": "no-such-incident"},
            {**place, "place_id": "p5", "incident_id": ids[100]},  # not 'multiple'
            {**place, "place_id": "p5", "incident_id": ids[200]},  # a duplicate id
            {**place, "place_id": "p6", "incident_id": ids[30]},  # its incident has errors
        ],
    ).reindex(columns=_read(folder / "places.csv").columns, fill_value="")
    cell = reports.columns.get_loc
    reports.iloc[5, cell("incident_id")] = "no-such-incident"
    reports.iloc[15, cell("document")] = "not-listed.txt"
    reports.iloc[300, cell("report_id")] = reports.iloc[2, cell("report_id")]
    reports.iloc[400, cell("source_type")] = (  # a source with two types
        "ngo" if reports.iloc[400, cell("source_type")] != "ngo" else "media"
    )
    orphan = reports["incident_id"] == ids[120]  # an incident left without reports
    reports = reports[~orphan]
    reports = reports.sample(frac=1, random_state=3)  # out of incident order
    places = places.sample(frac=1, random_state=4)
    _write(incidents, folder / "incidents.csv")
    _write(reports, folder / "reports.csv")
    _write(places, folder / "places.csv")
    if imported:
        (folder / IMPORT_MARKER).write_text('{"imported_from": "sheet.csv"}\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("imported", [False, True], ids=["curated", "imported"])
def test_chunked_problems_are_the_loaders(db, tmp_path, imported):
    folder = _broken_folder(tmp_path, imported=imported)
    whole = load_dataset(folder)
    messages = {p.message for p in whole.problems}
    for expected in (  # every kind of rule across rows is exercised
        "duplicate id (first used on row 5)",
        "names no incident in incidents.csv",
        "is not listed in documents.csv",
        "not loaded because its incident has errors",
        "places are only for incidents with geo_precision 'multiple'",
        "has 1 place(s) in places.csv",
        "has no valid report in reports.csv",
    ):
        assert expected in messages, expected
    assert any(m.startswith("source '") for m in messages)
    assert any("does not contain the coordinates" in m for m in messages)
    assert any(p.column == "related_ids" for p in whole.problems)

    import_folder(db, BUNDLED_DATA_DIR)
    before = _state(db)
    for rows in (1, 7, 64):
        check = check_folder(folder, rows)
        assert _sorted(check.problems) == _sorted(whole.problems), rows
        with pytest.raises(ImportRefused) as refused:
            import_folder(db, folder, chunk_rows=rows)
        assert _sorted(refused.value.problems) == _sorted(whole.errors)
        assert _state(db) == before  # nothing written


def test_one_chunk_lists_problems_in_the_loaders_order(tmp_path):
    folder = _broken_folder(tmp_path, imported=False)
    assert list(check_folder(folder).problems) == list(load_dataset(folder).problems)


def test_cli_chunk_rows_option_refuses_the_same(db, tmp_path, monkeypatch, capsys):
    folder = _broken_folder(tmp_path, imported=True)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    assert main(["import", str(folder), "--chunk-rows", "9"]) == 1
    err = capsys.readouterr().err.splitlines()
    expected = load_dataset(folder).errors
    assert sorted(err[:-1]) == sorted(str(p) for p in expected)
    assert err[-1].endswith(f"{folder} has {len(expected)} error(s)")


def test_a_constraint_failing_in_a_later_chunk_rolls_back_the_earlier(db):
    """The last report breaks a constraint of this database only (no rule checks it): the
    documents, incidents, places and reports COPYed in earlier chunks are rolled back."""
    import_folder(db, BUNDLED_DATA_DIR)
    before = _state(db)
    last = load_dataset(BUNDLED_DATA_DIR).reports["report_id"].iloc[-1]
    with engine(db).begin() as connection:
        connection.execute(
            sa.text(
                "ALTER TABLE reports ADD CONSTRAINT test_not_last"
                f" CHECK (report_id <> '{last}') NOT VALID"  # the rows there now stay
            )
        )
    with pytest.raises(ImportFailed, match="reports.csv: .*test_not_last"):
        import_folder(db, BUNDLED_DATA_DIR, chunk_rows=7)
    assert _state(db) == before
