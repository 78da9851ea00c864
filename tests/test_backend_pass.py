"""The second pass of the dashboard's AppTest files on the team database (`make test`,
BACKEND_PASS in the Makefile; tests/conftest.py): it really runs on the backend it names,
and it names files that exist."""

from __future__ import annotations

import re

from atlas.paths import PROJECT_ROOT
from tests.apptest import run_app
from tests.conftest import backend_under_test
from ui import data


def backend_pass() -> list[str]:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^BACKEND_PASS := ((?:.*\\\n)*.*)$", makefile, re.M)
    assert block, "BACKEND_PASS is not in the Makefile"
    return block[1].replace("\\\n", " ").split()


def test_the_dashboard_reads_the_backend_this_pass_names(team_database):
    on_database = data.source()[0].startswith(data.DB_SOURCE)
    assert on_database == (backend_under_test() == "postgres")
    assert (team_database is not None) == on_database
    at = run_app()
    assert at.metric[0].value  # the dashboard ran on it


def test_the_pass_runs_existing_files_and_this_check_first():
    files = backend_pass()
    assert files[0] == "tests/test_backend_pass.py"
    assert all((PROJECT_ROOT / f).is_file() for f in files), files
    assert len(set(files)) == len(files)


def test_readme_and_make_test_name_the_pass():
    from tests import conftest

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Team database\n", 1)[1].split("\n## ", 1)[0]
    assert f"{conftest.BACKEND_VARIABLE}=postgres" in section
    for name in ("BACKEND_PASS", "files_only"):
        assert name in section
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert f"{conftest.BACKEND_VARIABLE}=postgres $(VENV)/bin/pytest -q $(BACKEND_PASS)" in recipe
