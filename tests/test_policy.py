"""The policy file and the tier setting: the bundled file loads; anything unknown is refused
with the file, the key, the value and a fix."""

from __future__ import annotations

import pytest

from atlas import policy as pol
from atlas.policy import PolicyError, load_policy, tier

GOOD = """
default_level = "sensitive"
count_threshold = 5
cell_threshold = 5
[public.open]
coordinates = "exact"
dates = "exact"
counts = "exact"
text = "shown"
sources = "named"
[public.sensitive]
coordinates = "admin1"
dates = "month"
counts = "threshold"
text = "withheld"
sources = "anonymised"
[public.confidential]
withheld = true
"""


def test_the_bundled_policy_loads_and_hides_by_default() -> None:
    policy = load_policy()
    assert policy.rule("open").is_open
    assert policy.rule("confidential").withheld
    assert policy.rule("") == policy.rule(policy.default_level)  # not rated
    assert not policy.rule("").is_open  # forgetting to rate never publishes as it is


@pytest.mark.parametrize(
    ("old", "new", "key", "value"),
    [
        ('default_level = "sensitive"', 'default_level = "secret"', "default_level", "secret"),
        ("count_threshold = 5", "count_threshold = 1", "count_threshold", "1"),
        ("cell_threshold = 5", 'cell_threshold = "five"', "cell_threshold", "five"),
        ('dates = "month"', 'dates = "week"', "public.sensitive.dates", "week"),
        ('text = "shown"', 'text = "shown"\nfuzz = 1', "public.open.fuzz", "1"),
        ("withheld = true", 'withheld = "yes"', "public.confidential.withheld", "yes"),
        ('sources = "named"\n', "", "public.open.sources", "None"),
        ("[public.confidential]\nwithheld = true", "", "public.confidential", "None"),
        ("cell_threshold = 5", "cell_threshold = 5\ncolour = 'red'", "colour", "red"),
    ],
)
def test_an_unknown_key_or_value_names_file_key_value_and_fix(
    tmp_path, old: str, new: str, key: str, value: str
) -> None:
    assert old in GOOD
    path = tmp_path / "policy.toml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert value in message
    assert any(word in message for word in ("use one of", "remove it", "add", "write"))


def test_a_file_that_is_not_toml_or_not_there_is_named(tmp_path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("default_level = ", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(broken)
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "absent.toml")


def test_the_policy_path_comes_from_the_environment(tmp_path, monkeypatch) -> None:
    path = tmp_path / "p.toml"
    path.write_text(GOOD.replace("count_threshold = 5", "count_threshold = 3"), encoding="utf-8")
    monkeypatch.setenv(pol.POLICY_VARIABLE, str(path))
    assert load_policy().count_threshold == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "team"), ("team", "team"), ("public", "public"), (" public ", "public")],
)
def test_the_tier_comes_from_atlas_tier(monkeypatch, value, expected) -> None:
    if value is None:
        monkeypatch.delenv(pol.TIER_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(pol.TIER_VARIABLE, value)
    assert tier() == expected


@pytest.mark.parametrize("value", ["Public", "pubic", "all"])
def test_an_unknown_tier_is_refused(monkeypatch, value) -> None:
    monkeypatch.setenv(pol.TIER_VARIABLE, value)
    with pytest.raises(PolicyError, match=f"ATLAS_TIER='{value}' is not a tier"):
        tier()
