"""The tier is in the shared caches' keys (ui.data): one process asked for both tiers never
serves one tier's cached data to the other, and a bad tier is refused."""

from __future__ import annotations

import pytest

from atlas.policy import PolicyError
from ui import data

KUNMING = "2013-11-15-kunming-detention"  # rated sensitive in the bundled data


def test_each_tier_has_its_own_cache_entry(monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_TIER", "team")
    team_key = data.source()
    team, team_table, _ = data.load_bundled()
    monkeypatch.setenv("ATLAS_TIER", "public")
    public_key = data.source()
    public, public_table, _ = data.load_bundled()
    assert team_key != public_key and public_key[1].startswith(team_key[1] + data.PUBLIC_KEY)
    assert (team.tier, public.tier) == ("team", "public")
    assert team.version != public.version
    assert KUNMING in set(team_table["incident_id"])
    assert KUNMING not in set(public_table["incident_id"])
    assert len(public_table) == len(team_table)  # sensitive, not withheld
    assert data.bundled_tables()["incidents"]["incident_id"].isin([KUNMING]).sum() == 0
    monkeypatch.setenv("ATLAS_TIER", "team")
    assert data.load_bundled()[0] is team  # the team's entry is still the team's
    assert data.cell_threshold() == 0


def test_a_bad_tier_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_TIER", "publik")
    with pytest.raises(PolicyError, match="not a tier"):
        data.source()


def test_the_app_shows_the_refusal_instead_of_data(monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from atlas.paths import PROJECT_ROOT

    monkeypatch.setenv("ATLAS_TIER", "publik")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("is not a tier" in e.value.replace("\\", "") for e in at.error)
    assert not at.metric and not at.get("deck_gl_json_chart")
