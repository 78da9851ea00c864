"""Real-browser fixtures: Debian's chromium through Playwright, the app on 127.0.0.1."""

from __future__ import annotations

import os
import shutil

import pytest

from atlas.paths import BUNDLED_DATA_DIR
from tests.browser.harness import app_server, browser_page, chromium_path
from tests.conftest import edit_csv


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `make test` installs it (apt-get)")
        pytest.skip("chromium not found: run `make test` (installs Debian's chromium)")
    return path


@pytest.fixture(scope="session")
def server(chromium):
    with app_server() as url:
        yield url


@pytest.fixture
def page(chromium):
    with browser_page() as page:
        yield page


HOSTILE_ID = "2013-11-15-kunming-detention"
HOSTILE_TITLE = '<img src=x onerror="window.__xss=1">Kunming'
HOSTILE_SUMMARY = "<script>window.__xss=2</script> **not bold** [link](javascript:alert(1))"


@pytest.fixture(scope="session")
def hostile_server(chromium, tmp_path_factory):
    """The bundled data with script and HTML payloads in an incident's text fields."""
    folder = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(BUNDLED_DATA_DIR, folder)
    rows = (folder / "incidents.csv").read_text(encoding="utf-8").splitlines()
    index = [r.split(",", 1)[0] for r in rows[1:]].index(HOSTILE_ID)
    edit_csv(folder / "incidents.csv", index, "title", HOSTILE_TITLE)
    edit_csv(folder / "incidents.csv", index, "summary", HOSTILE_SUMMARY)
    edit_csv(folder / "reports.csv", 0, "quote", "<script>window.__xss=3</script>")
    with app_server(folder) as url:
        yield url
