"""The tier a deployment serves and the redaction policy of the public tier.

A deployment serves ONE tier, named by `ATLAS_TIER` (`team`, the default: a laptop user sees
their own full data; `public`: what `data/policy.toml` allows, through atlas.redaction).
The policy file (`ATLAS_POLICY` overrides its path) says, per sensitivity level, what the
public tier shows; `load_policy` checks every key and value and names the file, key, value
and fix of anything it does not know. Pure: no Streamlit.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from atlas import schema
from atlas.paths import PROJECT_ROOT

TIER_VARIABLE = "ATLAS_TIER"
POLICY_VARIABLE = "ATLAS_POLICY"
ID_KEY_VARIABLE = "ATLAS_PUBLIC_ID_KEY"
TIERS = ("team", "public")
DEFAULT_TIER = "team"
DEFAULT_POLICY = PROJECT_ROOT / "data" / "policy.toml"

# What a level may do to each part of a row (the values of the policy file's keys), each
# from least to most hidden: a report takes the stricter of its own and its incident's
# rule, key by key (atlas.redaction).
CHOICES: dict[str, tuple[str, ...]] = {
    "coordinates": ("exact", "admin1", "withheld"),
    "dates": ("exact", "month", "year"),
    "counts": ("exact", "threshold", "withheld"),
    "text": ("shown", "withheld"),
    "sources": ("named", "anonymised"),
}
# A withheld level shows nothing; these stand for its keys when the file leaves them out.
NOTHING = {
    "coordinates": "withheld",
    "dates": "year",
    "counts": "withheld",
    "text": "withheld",
    "sources": "anonymised",
}
TOP_KEYS = ("default_level", "count_threshold", "cell_threshold", "public")


class PolicyError(ValueError):
    """A policy file or tier setting the app cannot use (the message says how to fix it)."""


@dataclass(frozen=True)
class LevelRule:
    """What the public tier shows of a row of one sensitivity level."""

    coordinates: str = "exact"
    dates: str = "exact"
    counts: str = "exact"
    text: str = "shown"
    sources: str = "named"
    withheld: bool = False

    @property
    def is_open(self) -> bool:
        """Shows the row as it is (nothing to redact)."""
        return not self.withheld and self == LevelRule()


@dataclass(frozen=True)
class Policy:
    default_level: str
    count_threshold: int
    cell_threshold: int
    levels: tuple[tuple[str, LevelRule], ...]  # (level, rule) in SENSITIVITY_LEVELS order
    path: str = ""
    digest: str = ""  # of the file's content: in the shared caches' keys
    # The HMAC key of public ids (ATLAS_PUBLIC_ID_KEY, else random for this process).
    id_key: bytes = field(default=b"", repr=False, compare=False)

    def rule(self, level: str) -> LevelRule:
        """The rule of `level` ("" = not rated: the default level's)."""
        return dict(self.levels)[level or self.default_level]


def _problem(path: Path, key: str, value: object, fix: str) -> PolicyError:
    return PolicyError(f"{path}: key '{key}' = {value!r}: {fix}")


def _level_rule(path: Path, level: str, raw: object) -> LevelRule:
    where = f"public.{level}"
    if not isinstance(raw, dict):
        raise _problem(path, where, raw, f"make [{where}] a table of the keys in data/policy.toml")
    known = (*CHOICES, "withheld")
    for key, value in raw.items():
        if key not in known:
            raise _problem(
                path, f"{where}.{key}", value, f"remove it; known keys: {', '.join(known)}"
            )
    withheld = raw.get("withheld", False)
    if not isinstance(withheld, bool):
        raise _problem(path, f"{where}.withheld", withheld, "write true or false")
    values = {}
    for key, choices in CHOICES.items():
        if key not in raw:
            if not withheld:
                raise _problem(path, f"{where}.{key}", None, f"add it: one of {', '.join(choices)}")
            values[key] = NOTHING[key]
            continue
        if raw[key] not in choices:
            raise _problem(path, f"{where}.{key}", raw[key], f"use one of {', '.join(choices)}")
        values[key] = raw[key]
    return LevelRule(**values, withheld=withheld)


def _threshold(path: Path, raw: dict, key: str, least: int) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _problem(path, key, value, f"write a whole number of at least {least}")
    return value


def id_key() -> bytes:
    """The key of public ids: ATLAS_PUBLIC_ID_KEY, else a random one for this process (ids
    of non-open rows then change when the app restarts; they never reveal the real id)."""
    configured = os.environ.get(ID_KEY_VARIABLE, "")
    return configured.encode() if configured else _PROCESS_KEY


_PROCESS_KEY = secrets.token_bytes(32)


def policy_path() -> Path:
    """The policy file: ATLAS_POLICY, else data/policy.toml."""
    return Path(os.environ.get(POLICY_VARIABLE) or DEFAULT_POLICY)


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and check the policy file (default: `policy_path()`)."""
    path = Path(path or policy_path())
    try:
        content = path.read_bytes()
    except OSError as error:
        raise PolicyError(
            f"{path}: cannot read the policy file ({error.strerror}): set {POLICY_VARIABLE} to "
            "a readable file, or unset it for data/policy.toml"
        ) from None
    try:
        raw = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PolicyError(f"{path}: not valid TOML ({error}): fix the file's syntax") from None
    for key, value in raw.items():
        if key not in TOP_KEYS:
            raise _problem(path, key, value, f"remove it; known keys: {', '.join(TOP_KEYS)}")
    levels = tuple(schema.SENSITIVITY_LEVELS)
    default = raw.get("default_level")
    if default not in levels:
        raise _problem(path, "default_level", default, f"use one of {', '.join(levels)}")
    public = raw.get("public")
    if not isinstance(public, dict):
        raise _problem(path, "public", public, "add [public.open], [public.sensitive] and "
                       "[public.confidential] tables")  # fmt: skip
    for level, value in public.items():
        if level not in levels:
            raise _problem(
                path, f"public.{level}", value, f"remove it; levels: {', '.join(levels)}"
            )
    missing = [level for level in levels if level not in public]
    if missing:
        raise _problem(path, f"public.{missing[0]}", None, f"add a [public.{missing[0]}] table")
    return Policy(
        default_level=default,
        count_threshold=_threshold(path, raw, "count_threshold", 2),
        cell_threshold=_threshold(path, raw, "cell_threshold", 1),
        levels=tuple((level, _level_rule(path, level, public[level])) for level in levels),
        path=str(path),
        digest=hashlib.sha256(content).hexdigest()[:12],
        id_key=id_key(),
    )


def startup_policy() -> Policy | None:
    """What a deployment serves, checked before it starts: the public tier's policy, or
    None for the team tier. Raises PolicyError (file, key, value, fix) otherwise."""
    return load_policy() if tier() == "public" else None


def tier() -> str:
    """The tier this deployment serves: ATLAS_TIER (default team). Anything else is refused
    (a typo must not start a deployment that someone believes is public)."""
    value = os.environ.get(TIER_VARIABLE, "").strip() or DEFAULT_TIER
    if value not in TIERS:
        raise PolicyError(
            f"{TIER_VARIABLE}={value!r} is not a tier: set it to 'public' (a public "
            "deployment: redacted by data/policy.toml) or 'team' (everything; the default)"
        )
    return value
