"""THE test of the public tier: a dataset with a confidential incident (exact coordinates, a
small count, a named source, a quote) and a sensitive one, served with ATLAS_TIER=public,
and none of their withheld values in any output: every page's element tree (dashboard tabs,
incident page by URL, sources, data), the embed, the CSV/GeoJSON/XLSX exports, the figures'
and the briefing's text, the grid aggregates at 100k, and the dashboard's WebSocket frames.

A deployment is a fixture (`deployment`): the files here; a database variant gives the
same Deployment (its environment and the ids to probe) and every test runs on it unchanged.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from atlas.loading import COLUMNS, FILES, read_table
from atlas.paths import BUNDLED_DATA_DIR
from atlas.policy import load_policy
from atlas.redaction import SPARSE_WORDS, public_dataset, public_id
from ui.text import md

ROOT = Path(__file__).resolve().parent.parent
KEY = "leak-test-key"
POLICY = load_policy()

# The confidential incident: nothing of it may appear in the public tier.
SECRET = {
    "incident_id": "2024-12-17-tumen-riverside-safehouse-raid",
    "title": "Family of three seized at the Tumen riverside safehouse",
    "event_type": "detention",
    "date_start": "2024-12-17",
    "date_end": "2024-12-17",
    "date_precision": "day",
    "date_text": "17 December 2024",
    "location_name": "Tumen riverside safehouse",
    "admin1": "Jilin",
    "country": "CN",
    "latitude": "42.95873",
    "longitude": "129.84521",
    "geo_precision": "exact",
    "coord_basis": "team:field-notes",
    "people_min": "3",
    "people_max": "3",
    "people_qualifier": "exact",
    "people_text": "a mother and her two sons",
    "status": "single_source",
    "actor": "Tumen border police",
    "summary": "Pastor Kim Yong-hwa saw the family taken from the safehouse at dawn.",
    "sensitivity": "confidential",
}
SECRET_REPORT = {
    "report_id": f"{SECRET['incident_id']}/r1",
    "incident_id": SECRET["incident_id"],
    "source": "Pastor Kim Yong-hwa",
    "source_type": "ngo",
    "source_as_cited": "Pastor Kim Yong-hwa, interview",
    "published": "2024-12-20",
    "document": "003_531770be4e110c24.txt",
    "quote": "They came for the family above the noodle shop before sunrise.",
    "claim": "three taken",
    "people_min": "3",
    "people_max": "3",
    "people_text": "three",
    "url": "https://example.org/kim-yong-hwa-interview",
    "sensitivity": "confidential",
}
# The sensitive incident: shown, but not its exact place, day, count or source.
SENSITIVE = {
    **SECRET,
    "incident_id": "2020-09-23-hunchun-brothers-detained",
    "title": "Two brothers detained at the Hunchun bus depot",
    "date_start": "2020-09-23",
    "date_end": "2020-09-23",
    "date_text": "23 September 2020",
    "location_name": "Hunchun bus depot",
    "latitude": "42.86742",
    "longitude": "130.35718",
    "people_min": "2",
    "people_max": "2",
    "people_text": "two brothers from Musan",
    "actor": "Hunchun public security",
    "summary": "Deaconess Lee Soon-ja reported the brothers' arrest.",
    "sensitivity": "sensitive",
}
SENSITIVE_REPORT = {
    **SECRET_REPORT,
    "report_id": f"{SENSITIVE['incident_id']}/r1",
    "incident_id": SENSITIVE["incident_id"],
    "source": "Deaconess Lee Soon-ja",
    "source_as_cited": "Lee Soon-ja, phone call",
    "published": "2020-09-25",
    "quote": "Both boys were pulled off the Yanji bus at the depot gate.",
    "url": "https://example.org/lee-soon-ja-call",
    "sensitivity": "sensitive",
}

# What must not appear anywhere in the public tier.
FORBIDDEN = {
    "confidential id": SECRET["incident_id"],
    "confidential title": SECRET["title"],
    "confidential latitude": SECRET["latitude"],
    "confidential longitude": SECRET["longitude"],
    "confidential latitude (4 decimals)": "42.9587",
    "confidential longitude (4 decimals)": "129.8452",
    "confidential count in words": SECRET["people_text"],
    "confidential place": SECRET["location_name"],
    "confidential source": SECRET_REPORT["source"],
    "confidential quote": SECRET_REPORT["quote"],
    "confidential quote (start)": "noodle shop",
    "confidential url": SECRET_REPORT["url"],
    "sensitive id": SENSITIVE["incident_id"],
    "sensitive latitude": SENSITIVE["latitude"],
    "sensitive longitude": SENSITIVE["longitude"],
    "sensitive latitude (4 decimals)": "42.8674",
    "sensitive longitude (4 decimals)": "130.3572",
    "sensitive day": SENSITIVE["date_start"],
    "sensitive day in words": "23 Sep 2020",
    "sensitive day as written": SENSITIVE["date_text"],
    "sensitive count in words": SENSITIVE["people_text"],
    "sensitive place": SENSITIVE["location_name"],
    "sensitive source": SENSITIVE_REPORT["source"],
    "sensitive source (surname)": "Lee Soon-ja",
    "sensitive quote": SENSITIVE_REPORT["quote"],
    "sensitive url": SENSITIVE_REPORT["url"],
    "sensitive title": SENSITIVE["title"],
}


def _append(path: Path, row: dict[str, str]) -> None:
    with open(path, newline="", encoding="utf-8") as f:
        fields = next(csv.reader(f))
    with open(path, "a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=fields, lineterminator="\n", restval="").writerow(row)


def with_secrets(folder: Path) -> Path:
    """The bundled data plus the confidential and the sensitive incident."""
    shutil.copytree(BUNDLED_DATA_DIR, folder, ignore=shutil.ignore_patterns("*.md", "*.toml"))
    for incident, report in ((SECRET, SECRET_REPORT), (SENSITIVE, SENSITIVE_REPORT)):
        _append(folder / "incidents.csv", incident)
        _append(folder / "reports.csv", report)
    return folder


@dataclass(frozen=True)
class Deployment:
    name: str
    env: dict[str, str]  # what the public deployment runs with
    public_ids: dict[str, str] = field(default_factory=dict)  # real id -> its public id
    team: dict[str, str] = field(default_factory=dict)  # the same data in the team tier


@pytest.fixture(scope="module", params=["files", "postgres"])
def deployment(request, tmp_path_factory) -> Iterator[Deployment]:
    """The public deployment of the data with the two incidents: the folder served with
    ATLAS_TIER=public, or the team database holding it (imported as `python -m atlas.db
    import` does) read through a public login (`python -m atlas.db public-role`)."""
    folder = with_secrets(tmp_path_factory.mktemp("public") / "data")
    hidden = {SENSITIVE["incident_id"]: public_id(SENSITIVE["incident_id"], KEY.encode())}
    public = {"ATLAS_TIER": "public", "ATLAS_PUBLIC_ID_KEY": KEY}
    if request.param == "files":
        env = {**public, "ATLAS_DATA_DIR": str(folder)}
        yield Deployment("files", env, hidden, {**env, "ATLAS_TIER": "team"})
        return
    yield from _on_the_database(folder, public, hidden)


def _on_the_database(folder: Path, public: dict[str, str], hidden: dict[str, str]):
    import sqlalchemy as sa

    from atlas.db import engine, upgrade
    from atlas.db.__main__ import main
    from atlas.db.transfer import import_folder
    from tests.db import pgcluster

    if reason := pgcluster.missing():
        pytest.skip(reason)
    with pgcluster.cluster() as pg, pytest.MonkeyPatch.context() as env:
        url = pg.create_database("leak")
        upgrade(url)
        env.setenv("ATLAS_PUBLIC_ID_KEY", KEY)  # the public ids the import publishes
        import_folder(url, folder)
        env.setenv("ATLAS_DATABASE_URL", url)
        env.setenv("ATLAS_PUBLIC_PASSWORD", "leak-test")
        assert main(["public-role", "leak_reader"]) == 0
        # the throwaway cluster trusts its socket: the login is the role, no password
        login_url = sa.make_url(url).set(username="leak_reader").render_as_string(False)
        try:
            team = {"ATLAS_TIER": "team", "ATLAS_DATABASE_URL": url}  # the owner reads all
            yield Deployment("postgres", {**public, "ATLAS_DATABASE_URL": login_url}, hidden, team)
        finally:
            engine(login_url).dispose()
            engine(url).dispose()


def probe(env: dict[str, str], ids: list[str]) -> dict[str, str]:
    """Every output of a deployment as text (tests/tiers_probe.py, run in its environment)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "tiers_probe.py"), *ids],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def outputs(deployment: Deployment) -> dict[str, str]:
    """Every output of the public deployment as text."""
    ids = [
        SECRET["incident_id"],  # withheld: must open nothing
        SENSITIVE["incident_id"],  # its real id: must open nothing either
        "2099-01-01-no-such-incident",  # for comparison
        deployment.public_ids[SENSITIVE["incident_id"]],  # the public id opens it
    ]
    return probe(deployment.env, ids)


def test_the_probe_finds_the_values_in_the_team_tier(deployment) -> None:
    """The same probe on the same data in the team tier sees the confidential incident in
    the element tree, the exports, the figures and the briefing: the public tier's silence
    is the redaction's doing, not the probe's blindness."""
    team = probe(deployment.team, [SECRET["incident_id"]])
    seen = {
        output
        for output, text in team.items()
        if SECRET["incident_id"] in text or SECRET["title"] in " ".join(text.split())
    }
    for output in ("dashboard", "export csv", "export geojson", "export xlsx",
                   "figure briefing", f"incident {SECRET['incident_id']}"):  # fmt: skip
        assert output in seen, output
    assert "Team view: not for publication" in " ".join(team["dashboard"].split())


def test_the_team_data_holds_the_values_the_public_tier_must_not_show(tmp_path) -> None:
    """The probe's needles are really in the data (else the leak test proves nothing)."""
    folder = with_secrets(tmp_path / "data")
    text = "\n".join((folder / f).read_text(encoding="utf-8") for f in FILES.values())
    for name, value in FORBIDDEN.items():
        if "4 decimals" in name or name == "sensitive day in words":
            continue
        assert value in text, name


def test_every_output_was_probed(outputs) -> None:
    names = set(outputs)
    for part in ("dashboard", "export csv", "export geojson", "export xlsx", "figure map",
                 "figure timeline", "figure briefing", "embed", "page views/sources.py",
                 "page views/data.py"):  # fmt: skip
        assert part in names
    assert len([n for n in names if n.startswith("dashboard tab")]) == 2


def test_no_withheld_value_in_any_public_output(outputs) -> None:
    leaks = [
        (output, name)
        for output, text in outputs.items()
        for name, value in FORBIDDEN.items()
        if value in text
    ]
    assert not leaks, leaks


def test_every_output_states_the_public_tier(outputs) -> None:
    words = "Public view: reduced for publication"
    for output in ("dashboard", "embed", "export csv", "export geojson", "export xlsx",
                   "figure map", "figure timeline", "figure briefing"):  # fmt: skip
        # as a reader sees it: Markdown's escapes (the embed's footer: "view\\:"), doubled
        # in the protobuf's text, undone
        shown = re.sub(r"\\+(.)", r"\1", " ".join(outputs[output].split()))
        assert words in shown, output


def test_a_withheld_or_real_id_opens_the_same_nothing_as_a_nonexistent_one(
    outputs, deployment
) -> None:
    def page(incident: str) -> str:
        """The page, without the notice's echo of the visitor's own URL value."""
        text = outputs[f"incident {incident}"]
        for form in (md(incident), md(incident).replace("\\", "\\\\"), incident):
            text = text.replace(form, "<id>")
        return text

    nothing = page("2099-01-01-no-such-incident")
    assert page(SECRET["incident_id"]) == nothing
    assert page(SENSITIVE["incident_id"]) == nothing
    shown = outputs[f"incident {deployment.public_ids[SENSITIVE['incident_id']]}"]
    assert shown != nothing and "fewer than 5" in shown and "Jilin" in shown


def test_the_exports_hold_the_sensitive_incident_coarsened(outputs, deployment) -> None:
    hidden = deployment.public_ids[SENSITIVE["incident_id"]]
    rows = list(csv.DictReader(_member(outputs["export csv"], "incidents.csv").splitlines()))
    (row,) = [r for r in rows if r["incident_id"] == hidden]
    assert (row["people_min"], row["people_max"], row["people_text"]) == ("1", "4", "fewer than 5")
    assert (row["date_start"], row["date_end"]) == ("2020-09-01", "2020-09-30")
    assert (row["geo_precision"], row["location_name"]) == ("province", "Jilin")


def _member(text: str, name: str) -> str:
    """One file of an unpacked ZIP (tests/tiers_probe.py writes each after a header)."""
    parts = text.split("\n--- ")
    (found,) = [p for p in parts if p.split("\n", 1)[0].endswith("/" + name)]
    return found.split("\n", 1)[1].lstrip("\ufeff")


# --- the grid aggregates at 100k ---------------------------------------------------------


@pytest.fixture(scope="module")
def large_tables() -> dict[str, pd.DataFrame]:
    """100,000 synthetic incidents (all open) with the confidential one among them, in a
    cell of its own that holds it and no one else."""
    from atlas.synthetic import generate

    tables = generate(100_000, 17)
    for name in ("incidents", "reports"):
        tables[name]["sensitivity"] = "open"
    documents = read_table(BUNDLED_DATA_DIR / FILES["documents"], COLUMNS["documents"])
    extra = {
        "incidents": pd.DataFrame([{c: SECRET.get(c, "") for c in COLUMNS["incidents"]}]),
        "reports": pd.DataFrame([{c: SECRET_REPORT.get(c, "") for c in COLUMNS["reports"]}]),
        "documents": documents.drop(columns="_line"),
    }
    out = {}
    for name, frame in tables.items():
        both = pd.concat([frame, extra[name]], ignore_index=True) if name in extra else frame
        out[name] = both.fillna("").assign(_line=range(2, len(both) + 2))
    return out


def test_grid_aggregates_at_100k_hold_no_withheld_incident_and_no_sparse_cell(
    large_tables, crossings
) -> None:
    from atlas.filters import Filters
    from atlas.grid import GRID_SIZES, grid_cells
    from atlas.incidents import incident_table
    from ui.specs import map_view

    dataset = public_dataset(large_tables, POLICY, "large")
    assert SECRET["incident_id"] not in set(dataset.incidents["incident_id"])
    table = incident_table(dataset)
    view = map_view(
        dataset, table, crossings, Filters(), False, 600, True, sparse_below=POLICY.cell_threshold
    )
    payload = view.deck.to_json()
    for name, value in FORBIDDEN.items():
        if name.startswith("confidential"):
            assert value not in payload, name
    # every drawn cell holds enough incidents; the others are counted, in words
    cells = json.loads(payload)["layers"]
    drawn = [d for layer in cells for d in layer.get("data", []) if isinstance(d, dict)]
    counts = [int(d["count_text"].replace(",", "")) for d in drawn if "count_text" in d]
    assert counts and min(counts) >= POLICY.cell_threshold
    located = table["longitude"].notna().sum()
    assert sum(counts) + view.sparse == located
    assert view.sparse > 0 and SPARSE_WORDS.format(n=view.sparse)
    # the secret's cell: counted from the team's rows it holds exactly one incident more
    raw = large_tables["incidents"]
    team_points = pd.DataFrame(
        {
            "longitude": pd.to_numeric(raw["longitude"].replace("", None)),
            "latitude": pd.to_numeric(raw["latitude"].replace("", None)),
            "event_type": raw["event_type"],
        }
    )
    team = grid_cells(team_points, GRID_SIZES[0]).set_index("cell")["count"]
    public = grid_cells(table, GRID_SIZES[0]).set_index("cell")["count"]
    lon, lat = float(SECRET["longitude"]), float(SECRET["latitude"])
    size = GRID_SIZES[0]
    (cell,) = [c for c in team.index if _holds(c, lon, lat, size)]
    assert team[cell] == public.get(cell, 0) + 1
    assert (team.drop(cell) == public.drop(cell, errors="ignore")).all()


def _holds(cell: str, lon: float, lat: float, size: float) -> bool:
    _, west, south = (float(v) for v in cell.split("/"))
    return west <= lon < west + size and south <= lat < south + size


# --- the browser: the dashboard's WebSocket frames ------------------------------------------


@pytest.mark.browser
def test_the_dashboard_websocket_carries_no_withheld_value(deployment) -> None:
    from tests.browser.harness import app_server, browser_page, chromium_path, wait_for_map

    if chromium_path() is None:
        pytest.skip("chromium not found")
    frames: list[str] = []
    with app_server(extra_env=deployment.env) as url, browser_page() as page:
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda payload: frames.append(
                    payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
                ),
            ),
        )
        page.goto(url)
        wait_for_map(page)
        page.goto(f"{url}/incident?incident={SECRET['incident_id']}")
        page.get_by_text("Incident").first.wait_for()
    seen = "\n".join(frames)
    assert "Public view: reduced for publication" in seen  # the frames were captured
    leaks = [name for name, value in FORBIDDEN.items() if value in seen]
    assert not leaks, leaks
