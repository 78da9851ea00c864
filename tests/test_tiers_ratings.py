"""Every bundled row is rated, and the rows rated below open are the ones data/README.md
lists with the document's words that warrant it."""

from __future__ import annotations

import re

from atlas import schema
from atlas.loading import COLUMNS, FILES, read_table
from atlas.paths import BUNDLED_DATA_DIR

README = (BUNDLED_DATA_DIR / "README.md").read_text(encoding="utf-8")


def _table(name: str):
    return read_table(BUNDLED_DATA_DIR / FILES[name], COLUMNS[name])


def test_every_bundled_row_is_rated() -> None:
    for name in ("incidents", "reports"):
        levels = _table(name)["sensitivity"]
        assert set(levels) <= set(schema.SENSITIVITY_LEVELS), name
        assert (levels != "").all(), f"{name}: unrated rows"


def test_the_rows_below_open_are_listed_with_their_reason() -> None:
    incidents, reports = _table("incidents"), _table("reports")
    below = set(incidents.loc[incidents["sensitivity"] != "open", "incident_id"])
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \| (?:sensitive|confidential) \|", README, re.M))
    assert below == listed
    # a report is rated at least as its incident (its rule is the stricter of the two)
    of_below = reports[reports["incident_id"].isin(below)]
    assert (of_below["sensitivity"] != "open").all()
    assert set(reports.loc[reports["sensitivity"] != "open", "incident_id"]) == below
