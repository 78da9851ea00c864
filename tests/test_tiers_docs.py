"""The README's "Tiers and redaction" section and data/policy.toml say what the code does:
every key and value of the policy is explained in both, and the names they give (the
environment variables, the tier words, the phrases of withheld values) are the code's."""

from __future__ import annotations

import re

import pytest

from atlas import policy, redaction
from atlas.context import TIER_WORDS
from atlas.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Tiers and redaction", 1)[1].split("\n## ", 1)[0]
POLICY_FILE = policy.DEFAULT_POLICY.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", [*policy.TOP_KEYS[:-1], *policy.CHOICES, "withheld"])
def test_every_policy_key_is_explained_in_the_readme_and_the_file(key: str) -> None:
    assert re.search(rf"^\| `(\[public\.<level>\] )?{key}` \|", SECTION, re.M), key
    commented = re.search(rf"^#.*\b{key}\b", POLICY_FILE, re.M)
    after_comment = re.search(rf"^#[^\n]*\n{key} = ", POLICY_FILE, re.M)
    assert commented or after_comment, key


@pytest.mark.parametrize(("key", "values"), list(policy.CHOICES.items()))
def test_every_value_is_listed(key: str, values: tuple[str, ...]) -> None:
    (row,) = [
        line for line in SECTION.splitlines() if line.startswith(f"| `[public.<level>] {key}`")
    ]
    for value in values:
        assert f"`{value}`" in row
        assert value in POLICY_FILE


def test_the_names_are_the_codes() -> None:
    for name in (policy.TIER_VARIABLE, policy.POLICY_VARIABLE, policy.ID_KEY_VARIABLE):
        assert f"`{name}" in SECTION or f"{name}=" in SECTION, name
    for words in TIER_WORDS.values():
        assert words in SECTION
    assert redaction.WITHHELD in SECTION
    assert redaction.SPARSE_WORDS.replace("{n:,}", "N") in SECTION
    assert redaction.public_id("x", b"k").startswith("withheld-")
    assert "`withheld-<16 hex>`" in SECTION and len(redaction.public_id("x", b"k")) == 9 + 16
    for level, rule in policy.load_policy().levels:
        assert (level == "confidential") == rule.withheld  # the table's third column


def test_the_screenshots_are_there() -> None:
    for tier in policy.TIERS:
        assert f"(docs/tier-{tier}.png)" in SECTION
        assert (PROJECT_ROOT / "docs" / f"tier-{tier}.png").is_file()
