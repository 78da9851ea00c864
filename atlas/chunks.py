"""A data folder checked in chunks: the loader's rules in memory bounded by the ids.

`check_folder` gives the problems `atlas.loading.load_dataset` gives (the same rule
functions of `atlas.rules`, asked with the whole folder's facts, `atlas.crossrow`),
whatever the order of the rows of places.csv and reports.csv, while it holds one block of
`chunk_rows` rows of a file, the facts (one entry per id) and one chunk's places and
reports (only the columns the rules across files read). Its passes:

1. the facts: incidents.csv (four columns), the ids of places.csv and reports.csv, the
   names in documents.csv;
2. places.csv and reports.csv block by block: their own rules (and admin-1 for places);
   the rows without errors are set aside per chunk of incidents in a temporary folder;
3. incidents.csv chunk by chunk (chunk k: its rows k·chunk_rows to (k+1)·chunk_rows − 1):
   its own rules and admin-1, then the rules across files with chunk k's places and
   reports, then the places and reports not loaded because their incident has errors.

Problems come in the loader's order of stages (the files' own rules, admin-1, across
files, not loaded), chunk by chunk within a stage: with one chunk, the loader's order.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from atlas.crossrow import FACT_COLUMNS, IncidentFacts, repeated_ids, source_types
from atlas.loading import (
    COLUMNS,
    FILES,
    REQUIRED,
    admin1_severity,
    drop_errors,
    imported_from,
    read_blocks,
    read_header,
)
from atlas.rules import (
    LINK_COLUMNS,
    admin1_problems,
    unloaded,
    validate_incidents,
    validate_links,
    validate_places,
    validate_reports,
)
from atlas.validation import Checked, Problem, missing_columns

# 100,000 incidents: at the synthetic data's 1.5 reports per incident, a block of each
# file is a few hundred MB at most while the rules run (bench/import_db.py measures it),
# and a 10M-incident folder is 100 chunks.
DEFAULT_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class FolderCheck(Checked):
    problems: tuple[Problem, ...]
    rows: dict[str, int]  # rows read per file, in FILES order


class _SetAside:
    """Rows of places or reports kept per chunk of incidents in a folder (Parquet files,
    one per block and chunk, in the order they were added), each taken back once."""

    def __init__(self, root: Path, facts: IncidentFacts):
        self.root, self.facts = root, facts
        self.added = 0

    def add(self, name: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        kept = frame[[*LINK_COLUMNS[name], "_line"]]
        chunks = np.fromiter(
            (self.facts.chunk(incident) for incident in kept["incident_id"]), int, len(kept)
        )
        for chunk, part in kept.groupby(chunks, sort=False):
            self.added += 1
            part.to_parquet(self.root / f"{name}-{int(chunk)}-{self.added:09d}.parquet")

    def take(self, name: str, chunk: int) -> pd.DataFrame:
        paths = sorted(self.root.glob(f"{name}-{chunk}-*.parquet"))
        if not paths:
            return pd.DataFrame(columns=[*LINK_COLUMNS[name], "_line"])
        parts = [pd.read_parquet(path) for path in paths]
        for path in paths:
            path.unlink()
        return pd.concat(parts, ignore_index=True)


def check_folder(folder: Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> FolderCheck:
    """Every problem of the data folder `folder`, as `load_dataset(folder).problems` lists
    them, read `chunk_rows` rows at a time (see the module's docstring)."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    folder = Path(folder)
    provenance = imported_from(folder) is None  # a folder an import wrote: the import rules
    severity = admin1_severity(provenance)
    rows = dict.fromkeys(FILES, 0)

    def blocks(name: str, only: tuple[str, ...] | None = None):
        return lambda: read_blocks(folder / FILES[name], COLUMNS[name], chunk_rows, only)

    missing = [
        problem
        for name, required in REQUIRED.items()
        for problem in missing_columns(read_header(folder / FILES[name]), required, FILES[name])
    ]
    if missing:  # without its columns a file cannot be read row by row
        return FolderCheck(tuple(missing), rows)

    facts = IncidentFacts.gather(blocks("incidents", FACT_COLUMNS))
    documents: set[str] = set()
    for frame in blocks("documents")():
        documents.update(frame["document"])
        rows["documents"] += len(frame)
    place_ids = repeated_ids(blocks("places", ("place_id",)), "place_id")
    report_ids = repeated_ids(blocks("reports", ("report_id",)), "report_id")

    own: dict[str, list[Problem]] = {name: [] for name in REQUIRED}
    admin1: dict[str, list[Problem]] = {"incidents": [], "places": []}
    links: list[Problem] = []
    lost: list[Problem] = []
    types: dict[str, set[str]] = {}
    file = FILES
    with tempfile.TemporaryDirectory(prefix="atlas-check-") as spill:
        aside = _SetAside(Path(spill), facts)
        for frame in blocks("places")():
            rows["places"] += len(frame)
            found = validate_places(frame, facts, file["places"], repeated=place_ids)
            good = drop_errors(frame, found, file["places"])
            located = admin1_problems(good, file["places"], severity)
            own["places"] += found
            admin1["places"] += located
            aside.add("places", drop_errors(good, located, file["places"]))
        for frame in blocks("reports")():
            rows["reports"] += len(frame)
            found = validate_reports(
                frame, facts, documents, file["reports"], strict=provenance, repeated=report_ids
            )
            own["reports"] += found
            good = drop_errors(frame, found, file["reports"])
            source_types(good, into=types)
            aside.add("reports", good)
        for chunk, frame in enumerate(blocks("incidents")()):
            rows["incidents"] += len(frame)
            found = validate_incidents(frame, file["incidents"], strict=provenance, facts=facts)
            own["incidents"] += found
            good = drop_errors(frame, found, file["incidents"])
            located = admin1_problems(good, file["incidents"], severity)
            admin1["incidents"] += located
            good = drop_errors(good, located, file["incidents"])
            places, reports = aside.take("places", chunk), aside.take("reports", chunk)
            found = validate_links(
                good,
                places,
                reports,
                file["incidents"],
                file["reports"],
                strict=provenance,
                types=types,
            )
            links += found
            kept = set(drop_errors(good, found, file["incidents"])["incident_id"])
            lost += unloaded(places, reports, kept, found)
    problems = [
        *own["incidents"],
        *own["places"],
        *own["reports"],
        *admin1["incidents"],
        *admin1["places"],
        *links,
        *lost,
    ]
    return FolderCheck(tuple(problems), rows)
