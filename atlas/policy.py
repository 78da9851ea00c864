"""PROVISIONAL — replaced by branch tiers at merge.

A minimal stand-in for issue 17's policy module (owner: helper H3, branch tiers) so that the
database's public tier (atlas.db.publish) can be built and tested on its own branch. Only
what atlas.db.publish needs: `Policy` and `load_policy`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from atlas.paths import PROJECT_ROOT

POLICY_VARIABLE = "ATLAS_POLICY"
POLICY_FILE = PROJECT_ROOT / "data" / "policy.toml"


@dataclass(frozen=True)
class Policy:
    default_level: str = "sensitive"
    count_threshold: int = 5
    cell_threshold: int = 5
    withheld_levels: tuple[str, ...] = ("confidential",)


def load_policy(path: Path | str | None = None) -> Policy:
    """The policy file at `path` (default: ATLAS_POLICY, else data/policy.toml); the
    defaults when the file is absent."""
    path = Path(path or os.environ.get(POLICY_VARIABLE) or POLICY_FILE)
    if not path.is_file():
        return Policy()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    public = raw.get("public", {})
    withheld = tuple(level for level, rule in public.items() if rule.get("withheld"))
    return Policy(
        default_level=raw.get("default_level", "sensitive"),
        count_threshold=int(raw.get("count_threshold", 5)),
        cell_threshold=int(raw.get("cell_threshold", 5)),
        withheld_levels=withheld or ("confidential",),
    )
