"""The editing page names its editor from the trusted proxy's header only when the
deployment says so (ATLAS_USER_HEADER): a real browser sending X-Atlas-User, as nginx would
(AppTest cannot send headers)."""

from __future__ import annotations

import pytest

from atlas.db.transfer import import_folder
from atlas.paths import BUNDLED_DATA_DIR
from tests.browser.harness import app_server, wait_until
from tests.db.conftest import db, empty_db, pg  # noqa: F401 (fixtures: a throwaway database)
from ui.identity import USER_HEADER, USER_HEADER_VARIABLE


@pytest.mark.parametrize(("trusted", "expected"), [(True, "Editing as"), (False, "needs to know")])
def test_the_header_names_the_editor_only_when_trusted(db, page, trusted, expected):  # noqa: F811
    import_folder(db, BUNDLED_DATA_DIR)
    env = {"ATLAS_DATABASE_URL": db, "ATLAS_TIER": "team"}
    if trusted:
        env[USER_HEADER_VARIABLE] = USER_HEADER
    with app_server(extra_env=env) as url:
        page.set_extra_http_headers({USER_HEADER: "proxyeditor"})
        page.goto(f"{url}/edit")
        wait_until(lambda: expected in page.inner_text("body"), timeout=90)
        body = page.inner_text("body")
    assert ("Editing as proxyeditor" in body) == trusted
