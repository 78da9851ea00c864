"""A data folder the dashboard cannot show (an empty folder, or one whose rows all fail)
gives a message with a fix, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from atlas.loading import COLUMNS, FILES
from ui.data import unusable
from ui.intake import problem_count

PROJECT = Path(__file__).resolve().parent.parent
# on the team database the app reads the database, whatever ATLAS_DATA_DIR names
FOLDER_OF_ITS_OWN = pytest.mark.files_only("shows a data folder of its own (ATLAS_DATA_DIR)")


def _header_only(folder: Path) -> Path:
    folder.mkdir()
    for name, file in FILES.items():
        (folder / file).write_text(",".join(COLUMNS[name]) + "\n", encoding="utf-8")
    return folder


def test_a_folder_without_the_files_is_named(tmp_path) -> None:
    message = unusable(tmp_path)
    assert "has no incidents.csv, places.csv, reports.csv, documents.csv" in message


@FOLDER_OF_ITS_OWN
def test_a_folder_with_no_incident_that_loads_is_named(tmp_path) -> None:
    assert "No incident in" in unusable(_header_only(tmp_path / "data"))


def test_the_bundled_folder_is_usable() -> None:
    assert unusable() is None


@FOLDER_OF_ITS_OWN
def test_the_app_shows_the_message_instead_of_crashing(tmp_path) -> None:
    script = (
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(PROJECT / 'app.py')!r}, default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print([e.value.replace(chr(92), '') for e in at.error])  # shown escaped\n"
    )
    for folder in (tmp_path / "empty", _header_only(tmp_path / "header_only")):
        folder.mkdir(exist_ok=True)
        env = {**os.environ, "ATLAS_DATA_DIR": str(folder)}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=PROJECT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert str(folder) in done.stdout


def test_problems_and_rows_are_counted_apart() -> None:
    from atlas.validation import Problem

    problems = [
        Problem("f.csv", 2, "a", "", "x", "y"),
        Problem("f.csv", 2, "b", "", "x", "y"),
        Problem("f.csv", 3, "a", "", "x", "y"),
        Problem("f.csv", None, "a", "", "x", "y"),
    ]
    assert problem_count(problems, "error(s)", "were not loaded") == (
        "4 error(s) in 2 row(s), which were not loaded (and 1 about whole files)."
    )
