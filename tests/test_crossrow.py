"""The rules across rows give the same answers called on a whole frame and called block by
block with the whole file's facts (atlas.crossrow), as the chunked import calls them."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas.crossrow import IncidentFacts, in_blocks, repeated_ids, source_types
from atlas.evidence import validate_incident_model
from atlas.loading import COLUMNS, FILES, read_table
from atlas.paths import BUNDLED_DATA_DIR
from atlas.rules import (
    LINK_COLUMNS,
    unloaded,
    validate_incidents,
    validate_links,
    validate_places,
    validate_reports,
)


def _key(problem) -> tuple:
    return (problem.file, problem.row or 0, problem.column, problem.value, problem.message)


def _sorted(problems) -> list:
    return sorted(problems, key=_key)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The bundled data with rules across rows broken far apart: a repeated incident id,
    related_ids and may_overlap naming a far incident and no incident, a repeated report
    id, a report of no incident, a source with two types, a place of no incident."""
    out = {name: read_table(BUNDLED_DATA_DIR / FILES[name], COLUMNS[name]) for name in FILES}
    incidents, reports, places = out["incidents"], out["reports"], out["places"]
    ids = incidents["incident_id"].tolist()
    incidents.loc[60, "incident_id"] = ids[2]
    incidents.loc[5, "related_ids"] = f"{ids[65]};nowhere"
    incidents.loc[6, "may_overlap"] = f"{ids[66]};{ids[6]}"
    reports.loc[90, "report_id"] = reports.loc[1, "report_id"]
    reports.loc[80, "incident_id"] = "nowhere"
    reports.loc[3, "source"] = reports.loc[95, "source"]
    reports.loc[3, "source_type"] = "ngo" if reports.loc[95, "source_type"] != "ngo" else "media"
    places.loc[0, "incident_id"] = "nowhere"
    places.loc[6, "place_id"] = places.loc[1, "place_id"]
    return out


@pytest.mark.parametrize("rows", [1, 7, 30])
def test_file_rules_block_by_block_agree_with_the_whole(tables, rows):
    incidents, places, reports = tables["incidents"], tables["places"], tables["reports"]
    facts = IncidentFacts.gather(lambda: in_blocks(incidents, rows))
    whole = validate_incidents(incidents)
    assert any(p.column == "related_ids" for p in whole)  # the rules do fire
    assert any(p.message.startswith("duplicate id") for p in whole)
    parts = [p for b in in_blocks(incidents, rows) for p in validate_incidents(b, facts=facts)]
    assert _sorted(parts) == _sorted(whole)
    model = validate_incident_model(incidents)
    parts = [p for b in in_blocks(incidents, rows) for p in validate_incident_model(b, facts=facts)]
    assert _sorted(parts) == _sorted(model)

    repeated = repeated_ids(lambda: in_blocks(places, rows), "place_id")
    whole = validate_places(places, incidents)
    parts = [
        p for b in in_blocks(places, rows) for p in validate_places(b, facts, repeated=repeated)
    ]
    assert _sorted(parts) == _sorted(whole)

    documents = set(tables["documents"]["document"])
    repeated = repeated_ids(lambda: in_blocks(reports, rows), "report_id")
    whole = validate_reports(reports, incidents, documents)
    assert any(p.message.startswith("duplicate id") for p in whole)
    parts = [
        p
        for b in in_blocks(reports, rows)
        for p in validate_reports(b, facts, documents, repeated=repeated)
    ]
    assert _sorted(parts) == _sorted(whole)


def test_link_rules_per_incident_group_agree_with_the_whole(tables):
    """validate_links on each incident with its own places and reports (the chunk's), with
    the whole folder's source types, and the rows not loaded, as on the whole frames."""
    incidents = tables["incidents"].drop_duplicates("incident_id", keep=False)
    places, reports = tables["places"], tables["reports"]
    whole = validate_links(incidents, places, reports)
    assert any(p.message.startswith("source '") for p in whole)
    types = source_types(reports)
    parts = []
    for start in range(0, len(incidents), 9):
        group = incidents.iloc[start : start + 9]
        mine = set(group["incident_id"])
        own_places = places[places["incident_id"].isin(mine)][[*LINK_COLUMNS["places"], "_line"]]
        own_reports = reports[reports["incident_id"].isin(mine)][
            [*LINK_COLUMNS["reports"], "_line"]
        ]
        parts += validate_links(group, own_places, own_reports, types=types)
    assert _sorted(parts) == _sorted(whole)

    kept = set(incidents["incident_id"][::2])
    whole = unloaded(places, reports, kept, [])
    assert whole
    halves = unloaded(places.iloc[:3], reports.iloc[:50], kept, []) + unloaded(
        places.iloc[3:], reports.iloc[50:], kept, []
    )
    assert _sorted(halves) == _sorted(whole)


def test_facts_keep_the_last_row_of_a_repeated_id_and_any_count():
    frame = pd.DataFrame(
        {
            "incident_id": ["a", "b", "a"],
            "event_type": ["detention", "transfer", "repatriation"],
            "geo_precision": ["city", "multiple", "province"],
            "people_min": ["3", "", ""],
            "_line": [2, 3, 4],
        }
    )
    facts = IncidentFacts.gather(lambda: in_blocks(frame, 1))
    assert facts.event_type("a") == "repatriation"  # the last row, as dict(zip(...)) gave
    assert facts.geo_precision("b") == "multiple"
    assert facts.counted("a") and not facts.counted("b")
    assert facts.repeated == {"a": 2}
    assert (facts.chunk("a"), facts.chunk("b")) == (2, 1)
    assert "c" not in facts and facts.event_type("c") is None
