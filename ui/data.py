"""The one caching layer. Every input of a cached function is a parameter.

A session may instead look at its own import (Data page): that data is held in the
session's state only (never in a cache shared with other sessions, never written to disk),
with its table, vocabulary and source index built once when the person chooses it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st
from streamlit import config as st_config
from streamlit.errors import StreamlitSecretNotFoundError

from atlas.backend import IncidentRecord, PostgresBackend, record_of
from atlas.coverage import covered_spans
from atlas.db import URL_VARIABLE
from atlas.filters import Filters, Vocabulary, apply_filters, selected_incident, visible_rows
from atlas.grid import DETAIL_LIMIT
from atlas.incidents import incident_table
from atlas.loading import COLUMNS, FILES, Dataset, dataset_version, read_table
from atlas.mapspec import VIEWPORT
from atlas.marks import MarkSource, mark_source
from atlas.paths import DATA_DIR
from atlas.policy import Policy, PolicyError, load_policy, policy_path, tier
from atlas.redaction import public_dataset
from atlas.scope import document_scope
from atlas.search import SearchResult, search_frame
from atlas.sources import ReportIndex, capped_lists
from atlas.store import load_tables, release_memory
from geo.crossings import load_crossings
from ui import detail, specs
from ui.detail import Line
from ui.panels import LIST_LIMIT, ListRows
from ui.scopetext import document_lines, scope_line

T = TypeVar("T")

IN_USE = "_data_in_use"  # (dataset, table, vocab, report index) of this session's import


@st.cache_resource(show_spinner="Loading the dataset…")
def _load(data_dir: str, version: str) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """One shared copy per dataset version for all sessions (cache_resource: not copied).
    Read from the columnar copy (atlas.store) when it is current, else from the CSVs; from
    the team database when `data_dir` names one (`source`)."""
    db = _database(data_dir)
    if db is not None:  # no incident held: the documents, no rows, and the vocabulary
        dataset = db.documents_only(version)
        if PUBLIC_KEY in version:  # redacted by the public role's views (atlas.db, issue 17)
            dataset = replace(dataset, tier="public")
        return dataset, db.filtered(Filters(), 0), db.vocabulary()
    policy = _public(version)
    if policy is None:
        dataset, table = load_tables(Path(data_dir))
    else:  # the public tier: redacted once, here, before anything is built from it
        tables = {name: read_table(Path(data_dir) / FILES[name], COLUMNS[name]) for name in FILES}
        dataset = public_dataset(tables, policy, dataset_version(Path(data_dir)), data_dir)
        table = incident_table(dataset)
    return dataset, table, Vocabulary.of(table)


# --- the tier (atlas.policy): in the shared caches' keys ---------------------------------
# `source()` appends PUBLIC_KEY and the policy's digest to the version in the public tier,
# so no cache entry of one tier (or policy) ever serves another.
PUBLIC_KEY = "@public:"


@st.cache_resource(show_spinner=False)
def _policy(path: str) -> Policy:
    """The policy file, read once per process: a change takes effect when the app restarts
    (as data/policy.toml says), so a rerun's many `source()` calls never touch the disk."""
    return load_policy(path)


def publication() -> Policy | None:
    """The public tier's policy when this deployment serves it (ATLAS_TIER=public), else
    None: the team tier shows everything. Raises atlas.policy.PolicyError for an unknown
    tier or a bad policy file (the app then refuses to start)."""
    if tier() != "public":
        return None
    db = database_backend()
    if db is not None and not _public_login(db.url):
        raise PolicyError(
            "ATLAS_TIER=public on the team database needs the public login (python -m "
            "atlas.db public-role NAME; README: Public tier on the database): the role in "
            f"{URL_VARIABLE} can read the full record, so nothing is served."
        )
    return _policy(str(policy_path()))


_PUBLIC_LOGINS: dict[str, bool] = {}


def _public_login(url: str) -> bool:
    """Whether the database URL's role reads the public tier only (checked once per URL)."""
    if url not in _PUBLIC_LOGINS:
        from atlas.db.publish import reads_public_tier_only

        with PostgresBackend(url).engine.connect() as connection:
            _PUBLIC_LOGINS[url] = reads_public_tier_only(connection)
    return _PUBLIC_LOGINS[url]


def _public(version: str) -> Policy | None:
    """The policy a shared cache key (`source`) is of, or None for the team tier."""
    return publication() if PUBLIC_KEY in version else None


def cell_threshold() -> int:
    """Grid cells with fewer incidents are not drawn (the public tier's; 0 = all drawn)."""
    policy = publication()
    return policy.cell_threshold if policy is not None else 0


def tier_key() -> str:
    """What the tier adds to the version in the shared caches' keys."""
    policy = publication()
    return "" if policy is None else PUBLIC_KEY + policy.digest


def _database(data_dir: str) -> PostgresBackend | None:
    """The team database a shared cache's key names (`source`), or None: a folder."""
    if data_dir.startswith(DB_SOURCE):
        return PostgresBackend(data_dir.removeprefix(DB_SOURCE))
    return None


def _shared_database(data_dir: Path = DATA_DIR) -> tuple[str, str] | None:
    """`source()` when this session looks at the team database (not its own import)."""
    if st.session_state.get(IN_USE) is not None:
        return None
    where = source(data_dir)
    return where if where[0].startswith(DB_SOURCE) else None


def load(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    """The data this session looks at: its own import when the person chose it on the Data
    page, else the team database's when one is configured, else the data folder's."""
    own = st.session_state.get(IN_USE)
    if own is not None:
        return own[:3]
    return load_bundled(data_dir)


def unusable(data_dir: Path = DATA_DIR) -> str | None:
    """Why the data folder cannot be shown, or None. A folder without the dataset's files
    (an empty one, say) or whose rows all fail the rules gets a message, not a crash."""
    missing = [name for name in FILES.values() if not (data_dir / name).is_file()]
    if missing:
        return (
            f"The data folder {data_dir} has no {', '.join(missing)}. Point ATLAS_DATA_DIR "
            "at a folder with the dataset's files (or unset it for the bundled data)."
        )
    dataset = load_bundled(data_dir)[0]
    if not size(dataset):
        return (
            f"No incident in {data_dir} passes the rules ({len(dataset.errors):,} "
            "error(s)): run python -m atlas.intake on the original file for the report, "
            "or unset ATLAS_DATA_DIR for the bundled data."
        )
    return None


def load_bundled(data_dir: Path = DATA_DIR) -> tuple[Dataset, pd.DataFrame, Vocabulary]:
    return _load(*source(data_dir))


# The team database as a source: "db:" + its SQLAlchemy URL names it in the shared caches'
# keys (in memory only), with the version the database gives (atlas.db: bumped by every
# change), looked up at most once a second: a teammate's change shows on the next rerun of
# every replica.
DB_SOURCE = "db:"
_DB_VERSIONS: dict[str, tuple[float, str]] = {}


def source(data_dir: Path = DATA_DIR) -> tuple[str, str]:
    """What the shared caches are keyed on: (the data folder or the team database, its
    dataset version)."""
    db = database_backend()
    if db is None:
        return str(data_dir), version(data_dir) + tier_key()
    now = time.monotonic()
    seen = _DB_VERSIONS.get(db.url)
    if seen is None or now - seen[0] > STAMP_FOR_S:
        seen = _DB_VERSIONS[db.url] = (now, db.version())
    return DB_SOURCE + db.url, seen[1] + tier_key()


def _stamp(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    stats = ((name, (data_dir / name).stat()) for name in FILES.values())
    return tuple((name, s.st_size, s.st_mtime_ns) for name, s in stats)


# (data folder, its files' stamp) -> version: a plain dict, not st.cache_resource, because
# every cached view below asks for the version and a cache call costs ~1 ms of hashing.
_VERSIONS: dict[tuple[str, tuple[tuple[str, int, int], ...]], str] = {}


_STAMPS: dict[str, tuple[float, tuple[tuple[str, int, int], ...]]] = {}
STAMP_FOR_S = 1.0  # a file changed on disk is seen within a second


def _recent_stamp(data_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """The files' stamp, looked up at most once a second (a rerun asks ~8 times)."""
    now = time.monotonic()
    seen = _STAMPS.get(str(data_dir))
    if seen is None or now - seen[0] > STAMP_FOR_S:
        seen = _STAMPS[str(data_dir)] = (now, _stamp(data_dir))
    return seen[1]


def version(data_dir: Path = DATA_DIR) -> str:
    """The dataset version (SHA-256 of the files), hashed again only when a file's size or
    modification time changes: hashing 600 MB of CSVs on every rerun would cost seconds."""
    key = (str(data_dir), _recent_stamp(Path(data_dir)))
    found = _VERSIONS.get(key)
    if found is None:
        if len(_VERSIONS) >= 64:
            _VERSIONS.clear()
        found = _VERSIONS[key] = dataset_version(Path(data_dir))
    return found


@st.cache_resource(show_spinner=False)
def _report_index(data_dir: str, version: str) -> ReportIndex:
    dataset, table, _ = _load(data_dir, version)
    index = ReportIndex.of(table, dataset.reports, dataset.version)
    release_memory()  # the temporaries of a million-report index
    return index


def report_index(data_dir: Path = DATA_DIR) -> ReportIndex:
    """Per-report facts for the source panel of large filtered sets (one shared copy; the
    session's own for its import)."""
    own = st.session_state.get(IN_USE)
    if own is not None:
        return own[3]
    return _report_index(*source(data_dir))


def session_data(dataset: Dataset) -> tuple[Dataset, pd.DataFrame, Vocabulary, ReportIndex]:
    """What a session holds to show its own import (the IN_USE entry)."""
    table = incident_table(dataset)
    return (
        dataset,
        table,
        Vocabulary.of(table),
        ReportIndex.of(table, dataset.reports, dataset.version),
    )


def use_dataset(dataset: Dataset | None) -> None:
    """Show `dataset` (None: the data folder's) in this session; filters start afresh, since
    the old ones may name sources and incidents the new data does not have."""
    if dataset is None:
        st.session_state.pop(IN_USE, None)
    else:
        st.session_state[IN_USE] = session_data(dataset)
    st.session_state["_url_loaded"] = False
    st.query_params.clear()


def bundled_tables(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """The data folder's files as tables of strings (to show an import alongside them);
    in the public tier, its redacted tables."""
    return _bundled_tables(str(data_dir), version(data_dir) + tier_key())


@st.cache_resource
def _bundled_tables(data_dir: str, version: str) -> dict[str, pd.DataFrame]:
    if _public(version) is not None:
        return _load(data_dir, version)[0].raw
    return {name: read_table(Path(data_dir) / FILES[name], COLUMNS[name]) for name in FILES}


@st.cache_resource(show_spinner=False, max_entries=16)
def _coverage(version: str, _dataset: Dataset) -> list:
    return covered_spans(_dataset.documents, _dataset.reports, _dataset.incidents)


def coverage(dataset: Dataset) -> list:
    """The spans some document covers (atlas.coverage), once per dataset version; on the
    team database computed from its distinct dates, not from the tables."""
    shared = _shared_database()
    if shared is not None:
        return _db_coverage(*shared)
    return _coverage(dataset.version, dataset)


@st.cache_resource(show_spinner=False, max_entries=4)
def _db_coverage(data_dir: str, version: str) -> list:
    return _database(data_dir).coverage()


@st.cache_resource(show_spinner=False, max_entries=4)
def _db_scope(data_dir: str, version: str) -> tuple[pd.DataFrame, int]:
    db = _database(data_dir)
    return db.scope(), db.size()


def size(dataset: Dataset) -> int:
    """How many incidents the data holds (the team database counts them)."""
    shared = _shared_database()
    return len(dataset.incidents) if shared is None else _db_scope(*shared)[1]


@st.cache_resource(show_spinner=False, max_entries=16)
def _scope(version: str, _dataset: Dataset) -> pd.DataFrame:
    return document_scope(_dataset)


def scope_words(dataset: Dataset) -> tuple[str, str]:
    """The scope line and the list of documents as ui.summary.show_scope writes them
    (ui.scopetext), once per dataset version."""
    shared = _shared_database()
    if shared is not None:
        return _db_scope_words(*shared)
    return _scope_words(dataset.version, dataset)


@st.cache_resource(show_spinner=False, max_entries=16)
def _scope_words(version: str, _dataset: Dataset) -> tuple[str, str]:
    documents = _scope(version, _dataset)
    return scope_line(len(_dataset.incidents), documents), document_lines(documents)


@st.cache_resource(show_spinner=False, max_entries=4)
def _db_scope_words(data_dir: str, version: str) -> tuple[str, str]:
    documents, incidents = _db_scope(data_dir, version)
    return scope_line(incidents, documents), document_lines(documents)


@st.cache_resource
def crossings() -> pd.DataFrame:
    """The border crossings (geo.crossings.load_crossings), read once per process."""
    return load_crossings()


# --- What the dashboard draws (ui.specs), once per (dataset version, filters, selection) ---
# Shared by every session looking at the data folder's dataset: fifty readers of one link
# cost one build. Keyed on the data folder, its version and the Filters (a frozen
# dataclass: selection and map cell included) plus the few other inputs, all parameters.
# A session's own import is never put in these shared caches: its views are kept in its
# session state (`_own`), the last few only.
# cache_resource, not cache_data: the results are only read (a page passes Streamlit a
# shallow copy of a spec dict, which it edits at the top level), and cache_data's copy
# on every hit (unpickling specs and frames) cost more than building some of them.
# Filters are keyed by their repr (a frozen dataclass of dates, strings, numbers and a
# Cell): Streamlit's own hashing of a dataclass costs ~1 ms a call.
VIEW_CACHE = {"show_spinner": False, "hash_funcs": {Filters: repr}}

OWN_VIEWS = "_own_views"
OWN_VIEWS_KEPT = 12


def _own(name: str, key: tuple, build: Callable[[], T]) -> T:
    """`build()` for this session's import, remembered in its state for the same key."""
    kept = st.session_state.setdefault(OWN_VIEWS, {})
    if (name, key) not in kept:
        while len(kept) >= OWN_VIEWS_KEPT:
            kept.pop(next(iter(kept)))
        kept[(name, key)] = build()
    return kept[(name, key)]


@st.cache_resource(max_entries=256, **VIEW_CACHE)
def _timeline(
    data_dir: str, version: str, filters: Filters, whole: tuple[str, str], large: bool, part: str
) -> dict:
    dataset, table, _ = _load(data_dir, version)
    db = _database(data_dir)
    if db is None:
        frames = _frames(data_dir, version, filters)
        detail = None
        if frames is not None and part == "detail" and not large:
            detail = _kept_detail_rows(data_dir, version, filters.with_selection(None), whole)
        return specs.timeline_spec(
            table, coverage(dataset), filters, whole, large, part, frames=frames, detail=detail
        )
    covered = _db_coverage(data_dir, version)
    plain = filters.with_selection(None)
    frame = _db_frame(data_dir, version, plain)
    bins = _db_bins(data_dir, version, plain)
    detail = None
    if part == "detail" and not large:
        detail = _kept_detail_rows(data_dir, version, plain, whole)
    return specs.timeline_spec(
        frame, covered, filters, whole, large, part, bins=bins, detail=detail
    )


def timeline(
    filters: Filters, whole: tuple[str, str], large: bool, data_dir: Path = DATA_DIR
) -> tuple[dict, dict]:
    """The timeline's detail and overview as Vega-Lite dicts (ui.specs.timeline_spec); the
    overview is kept once for every selection."""
    own = st.session_state.get(IN_USE)
    keys = {"detail": filters, "overview": filters.with_selection(None)}
    if own is None:
        where = source(data_dir)
        return tuple(_timeline(*where, keys[p], whole, large, p) for p in keys)
    dataset, table = own[:2]
    return tuple(
        _own(
            p,
            (keys[p], whole, large),
            lambda p=p: specs.timeline_spec(table, coverage(dataset), keys[p], whole, large, p),
        )
        for p in keys
    )


@st.cache_resource(max_entries=128, **VIEW_CACHE)
def _deck(
    data_dir: str,
    version: str,
    filters: Filters,
    online: bool,
    height: int,
    large: bool,
    width: int = VIEWPORT[0],
) -> specs.DeckView:
    if filters.incident:  # the map without the selection, kept, plus its ring (not a grid's)
        plain = _deck(data_dir, version, filters.with_selection(None), online, height, large, width)
        return specs.with_selection(plain, filters.incident)
    dataset, table, _ = _load(data_dir, version)
    policy = _public(version)
    sparse_below = policy.cell_threshold if policy is not None else 0
    db = _database(data_dir)
    if db is None:
        return specs.map_view(
            dataset, table, crossings(), filters, online, height, large, None, sparse_below,
            width, frames=_frames(data_dir, version, filters),
            source=_mark_source(data_dir, version) if _kept((data_dir, version)) else None,
        )  # fmt: skip
    if large:  # the database counts the cells: no incident travels
        cells = _db_cells(data_dir, version, filters.with_selection(None), _cell_size(filters))
        return specs.map_view(
            dataset, table, crossings(), filters, online, height, large, cells, sparse_below,
            width,
        )  # fmt: skip
    plain = filters.with_selection(None)
    frame = _db_frame(data_dir, version, plain)
    shown = replace(dataset, places=_db_places(data_dir, version, plain))
    return specs.map_view(shown, frame, crossings(), filters, online, height, large, width=width)


def deck(
    filters: Filters,
    online: bool,
    height: int,
    large: bool,
    data_dir: Path = DATA_DIR,
    width: int = VIEWPORT[0],
):
    """The map (ui.specs.map_view), its JSON built once: one object shared by the sessions
    (cache_resource, not copied), which only read it; `width` for an embed's frame."""
    own = st.session_state.get(IN_USE)
    if own is None:
        return _deck(*source(data_dir), filters, online, height, large, width)
    dataset, table, _ = own[:3]
    return _own(
        "deck",
        (filters, online, height, large, width),
        lambda: specs.map_view(
            dataset, table, crossings(), filters, online, height, large, width=width
        ),
    )


@st.cache_resource(max_entries=256, **VIEW_CACHE)
def _people(data_dir: str, version: str, filters: Filters) -> specs.People:
    db = _database(data_dir)
    if db is None:
        table = _load(data_dir, version)[1]
        return specs.people(table, filters, _frames(data_dir, version, filters))

    # the sums per type come with the grid cells (`_db_counts`, one scan), perhaps being
    # counted by another thread: asked for once the people's own questions are answered
    def sums() -> pd.DataFrame:
        return _db_counts(data_dir, version, filters)[0]

    special = _db_special(data_dir, version, _every_type(filters))
    totals, held, n_held = db.people(filters, specs.STOCKS_KEPT, sums, special=special)
    # per type: the matching count is their sum
    return specs.People(totals, held, n_held, int(sums()["incidents"].sum()))


def people(filters: Filters, data_dir: Path = DATA_DIR) -> specs.People:
    """People per flow type and the stocks of the filtered period (ui.specs.people)."""
    own = st.session_state.get(IN_USE)
    plain = filters.with_selection(None)  # the selection does not change it
    if own is None:
        return _people(*source(data_dir), plain)
    return _own("people", (plain,), lambda: specs.people(own[1], plain))


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _incident_list(data_dir: str, version: str, filters: Filters) -> ListRows:
    if _database(data_dir) is None:
        table = _load(data_dir, version)[1]
        return specs.incident_list(table, filters, _frames(data_dir, version, filters))
    # the capped frame holds the newest in-period incidents: the list's rows
    return specs.incident_list(_db_frame(data_dir, version, filters), filters)


def incident_list(filters: Filters, data_dir: Path = DATA_DIR) -> ListRows:
    """The incident list's rows and labels (ui.specs.incident_list)."""
    own = st.session_state.get(IN_USE)
    plain = filters.with_selection(None)  # the selection is marked by the page
    if own is None:
        return _incident_list(*source(data_dir), plain)
    return _own("list", (plain,), lambda: specs.incident_list(own[1], plain))


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _source_panel(data_dir: str, version: str, filters: Filters, large: bool) -> pd.DataFrame:
    db = _database(data_dir)
    if db is not None:  # summarised by the database; long lists cut as for the files
        summary = db.source_summary(filters)
        return capped_lists(summary) if large else summary
    dataset, table, _ = _load(data_dir, version)
    index = _report_index(data_dir, version) if large else None
    frames = _frames(data_dir, version, filters)
    return specs.source_panel(dataset, table, index, filters, large, frames)


def source_panel(filters: Filters, large: bool, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The per-source summary of the filtered period (ui.specs.source_panel)."""
    own = st.session_state.get(IN_USE)
    plain = filters.with_selection(None)  # the selection does not change it
    if own is None:
        return _source_panel(*source(data_dir), plain, large)
    dataset, table, _, index = own
    return _own(
        "sources", (plain, large), lambda: specs.source_panel(dataset, table, index, plain, large)
    )


# --- the filtered frame, capped on the team database ------------------------------------
# On the files the filtered frame is the whole filtered table (pandas, in this process). On
# the team database a replica holds no copy of the data: the frame is capped at DB_ROWS
# rows (in-period incidents first, newest first: atlas.backend.capped), enough for the
# per-incident map and timeline (up to DETAIL_LIMIT in-period incidents) and the incident
# list (LIST_LIMIT); counts come from the database (`people(...).matching`), large views
# from its grid cells and month bins.
DB_ROWS = max(DETAIL_LIMIT, LIST_LIMIT) + 1


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_frame(data_dir: str, version: str, filters: Filters) -> pd.DataFrame:
    """The capped filtered frame."""
    return _database(data_dir).filtered(filters, DB_ROWS)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_places(data_dir: str, version: str, filters: Filters) -> pd.DataFrame:
    """The places of the capped frame's incidents, for the per-incident map only: asked
    when that map is drawn (a large set's map counts grid cells and needs none; at 1M
    asking for them anyway took ~0.3 s of every rerun)."""
    frame = _db_frame(data_dir, version, filters)
    return _held_places(data_dir, version).of(tuple(frame["incident_id"]))


HELD_INCIDENTS = 10_000  # a replica's places kept for at most this many incidents


class HeldPlaces:
    """The places of the incidents a replica's maps have drawn from the team database, kept
    per incident across filter sets: each new filter set asked for all its incidents'
    places (~13 ms of CPU on the bundled data, 2026-12-04), though other sets had mostly
    read them. Only the incidents not yet held are asked for; the answer is what
    `places_of(ids)` gives. Bounded: past HELD_INCIDENTS incidents it starts afresh (the
    replica holds what its viewers looked at lately, not a copy of the data). One per
    dataset version (`_held_places`), so a teammate's change is read anew."""

    def __init__(self, ask: Callable[[tuple[str, ...]], pd.DataFrame], limit: int):
        self._ask = ask
        self._limit = limit
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._rows: pd.DataFrame | None = None

    def of(self, ids: tuple[str, ...]) -> pd.DataFrame:
        with self._lock:  # one reader of the missing incidents at a time, per replica
            missing = tuple(dict.fromkeys(i for i in ids if i not in self._known))
            if missing or self._rows is None:
                if len(self._known) + len(missing) > self._limit:
                    self._known, self._rows = set(), None
                    missing = tuple(dict.fromkeys(ids))
                new = self._ask(missing)
                rows = new if self._rows is None else pd.concat([self._rows, new])
                self._rows = rows.sort_values("_line", kind="stable")
                self._known.update(missing)
            rows = self._rows
        return rows[rows["incident_id"].isin(ids)].reset_index(drop=True)


@st.cache_resource(max_entries=4, show_spinner=False)
def _held_places(data_dir: str, version: str) -> HeldPlaces:
    return HeldPlaces(_database(data_dir).places_of, HELD_INCIDENTS)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_bins(data_dir: str, version: str, filters: Filters) -> pd.DataFrame:
    """Month bins of the filtered set (the overview's always, the detail's when large)."""
    every = _every_type(filters)
    whole = _db_months(data_dir, version, replace(every, start=None, end=None), False)
    inside = _db_months(data_dir, version, every, True) if filters.start or filters.end else None
    return _database(data_dir).month_bins(filters, whole, inside)


# Answers for every event type, kept per the other filters (`atlas.backend.of_types`): the
# dashboard's aggregate questions group by type, so a change of types is answered from them
# without asking the database (only the capped frame and the latest stocks are asked).
def _every_type(filters: Filters) -> Filters:
    return replace(filters, types=())


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_months(data_dir: str, version: str, filters: Filters, period: bool) -> pd.DataFrame:
    """Month counts of the incidents matching every filter but the period (or, `period`,
    in it too): the first is kept while only the period changes."""
    return _database(data_dir).month_counts(filters, period)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_special(data_dir: str, version: str, filters: Filters) -> pd.DataFrame:
    return _database(data_dir).special_counts(filters)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_cell_rows(data_dir: str, version: str, filters: Filters, size: float) -> pd.DataFrame:
    return _database(data_dir).cell_type_rows(filters, size)


def filtered(filters: Filters, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The run's filtered frame (`apply_filters`): whole on the files and an import, capped
    at DB_ROWS rows on the team database (see above), where the run's other questions are
    asked at the same time (`_prefetch`)."""
    own = st.session_state.get(IN_USE)
    if own is not None:
        return apply_filters(own[1], filters)
    where = source(data_dir)
    plain = filters.with_selection(None)  # apply_filters does not read the selection
    if where[0].startswith(DB_SOURCE):
        _prefetch(*where, plain)
        return _db_frame(*where, plain)
    if _kept(where):
        return _kept_frame(*where, plain)
    return apply_filters(_load(*where)[1], plain)


def visible(frame: pd.DataFrame, filters: Filters, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The in-period rows of the run's frame (`visible_rows(frame)`, `frame` being
    `filtered(filters)`), kept with the frame when it is kept."""
    where = source(data_dir)
    if st.session_state.get(IN_USE) is None and _kept(where):
        return _kept_visible(*where, filters.with_selection(None))
    return visible_rows(frame)


# A curated set (the bundled one: 70 incidents) has its filtered frames kept per filters:
# filtering again on every rerun cost ~4 ms of pandas work per column set, whatever the
# rows. A larger table is filtered on each run: a kept frame could hold most of its rows.
KEPT_FRAME_ROWS = 5_000


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _kept_frame(data_dir: str, version: str, filters: Filters) -> pd.DataFrame:
    return apply_filters(_load(data_dir, version)[1], filters)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _kept_visible(data_dir: str, version: str, filters: Filters) -> pd.DataFrame:
    return visible_rows(_kept_frame(data_dir, version, filters))


def _frames(data_dir: str, version: str, filters: Filters) -> specs.Frames | None:
    """The data folder's kept frame and visible rows for `filters` (a small table's), for a
    view's builders to share; None when frames are not kept (they filter themselves)."""
    if not _kept((data_dir, version)):
        return None
    plain = filters.with_selection(None)  # apply_filters does not read the selection
    return _kept_frame(data_dir, version, plain), _kept_visible(data_dir, version, plain)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _kept_detail_rows(
    data_dir: str, version: str, filters: Filters, whole: tuple[str, str]
) -> pd.DataFrame:
    """A small table's, or the team database's capped frame's, detail timeline rows per
    filters, shared by their selections."""
    if _database(data_dir) is not None:
        return specs.detail_rows(_db_frame(data_dir, version, filters), filters, whole)
    table = _load(data_dir, version)[1]
    return specs.detail_rows(table, filters, whole, _frames(data_dir, version, filters))


@st.cache_resource(max_entries=4, **VIEW_CACHE)
def _mark_source(data_dir: str, version: str) -> MarkSource:
    """What the map draws of each incident of a small table, worked out once per version:
    a deck new to the server takes its incidents' share (atlas.marks.MarkSource)."""
    dataset, table, _ = _load(data_dir, version)
    return mark_source(table, dataset.places, crossings())


def _kept(where: tuple[str, str]) -> bool:
    """Whether the data folder's frames are kept (a table of at most KEPT_FRAME_ROWS)."""
    return not where[0].startswith(DB_SOURCE) and len(_load(*where)[1]) <= KEPT_FRAME_ROWS


# --- the rerun's questions asked at once on the team database ------------------------------
# A filter change asks the database several independent questions (the capped frame, the
# counts behind the people totals, the month bins and, for a large set, the grid cells),
# each a scan of the matching rows. Asked one after the other they add up; asked at once,
# each on its own pooled connection, PostgreSQL runs them side by side (the GIL is released
# while a thread waits on it). `_prefetch` starts the others in threads while the caller asks
# for the frame; each thread calls the same cached function the views call later, so a view
# either finds the answer in the cache or waits on that entry's lock for the thread to
# finish it (cache_resource computes a key once). Nothing is stored beside the caches, and
# a failed question is simply asked again by the view (and fails there, visibly).
_ASKING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="atlas-db-prefetch")


def _cell_size(filters: Filters) -> float:
    return specs.grid_size(filters.cell)


def _prefetch(data_dir: str, version: str, filters: Filters) -> None:
    """Start the rerun's questions but the frame (`filters` without a selection), each in
    its own thread: the counts per type with the grid cells (one scan), the month bins,
    and the people counts beyond sums with the latest stocks."""
    _ASKING.submit(_db_counts, data_dir, version, filters)
    _ASKING.submit(_db_bins, data_dir, version, filters)
    _ASKING.submit(_people, data_dir, version, filters)


def selected(frame: pd.DataFrame, filters: Filters, data_dir: Path = DATA_DIR) -> str | None:
    """The selected incident when the filters keep it (`selected_incident`); on the team
    database one outside the capped frame is asked for by id."""
    found = selected_incident(frame, filters)
    if found is None and filters.incident and _shared_database(data_dir) is not None:
        return filters.incident if incident(filters.incident, filters, data_dir) else None
    return found


def incident(
    incident_id: str, filters: Filters, data_dir: Path = DATA_DIR
) -> IncidentRecord | None:
    """One incident's card: its row (if the filters keep it), reports, places, documents;
    kept per dataset version, id and filters (on the team database fetched by id), or in
    the session's state for its own import."""
    plain = filters.with_selection(None)
    own = st.session_state.get(IN_USE)
    if own is None:
        return _incident(*source(data_dir), incident_id, plain)
    return _own("incident", (incident_id, plain), lambda: _record(*own[:2], incident_id, plain))


@st.cache_resource(max_entries=256, **VIEW_CACHE)
def _incident(
    data_dir: str, version: str, incident_id: str, filters: Filters
) -> IncidentRecord | None:
    db = _database(data_dir)
    if db is not None:  # the one record, whichever filters show the incident
        shown = db.shows(incident_id, filters)
        return _whole_incident(data_dir, version, incident_id) if shown else None
    if _kept((data_dir, version)):  # the one record, whichever filters keep the incident
        shown = _frames(data_dir, version, filters)[1]
        if not (shown["incident_id"] == incident_id).any():
            return None
        return _whole_incident(data_dir, version, incident_id)
    return _record(*_load(data_dir, version)[:2], incident_id, filters)


# The record and card of an incident are the same under every filter set that keeps it (the
# filters decide only whether it is shown): for a small table and on the team database,
# worked out once per incident, not per incident and filter set (~9 % of the replicas'
# script CPU on the files, ~27 % on the database, when 20 viewers select incidents under
# filters new to the server, py-spy); the database is then asked one boolean (`shows`).
@st.cache_resource(max_entries=256, show_spinner=False)
def _whole_incident(data_dir: str, version: str, incident_id: str) -> IncidentRecord | None:
    db = _database(data_dir)
    if db is not None:
        return db.incident(incident_id, Filters())
    return _record(*_load(data_dir, version)[:2], incident_id, Filters())


@st.cache_resource(max_entries=256, show_spinner=False)
def _whole_card(data_dir: str, version: str, incident_id: str) -> tuple[Line, ...]:
    return _card_of(_whole_incident(data_dir, version, incident_id))


def card(incident_id: str, filters: Filters, data_dir: Path = DATA_DIR) -> tuple[Line, ...] | None:
    """The incident's card as `ui.detail.card` writes it (None when the filters drop it),
    kept as the record is (`incident`)."""
    plain = filters.with_selection(None)
    own = st.session_state.get(IN_USE)
    if own is None:
        return _card(*source(data_dir), incident_id, plain)
    record = incident(incident_id, plain, data_dir)  # kept in the session's state too
    return None if record is None else _own("card", (incident_id, plain), lambda: _card_of(record))


@st.cache_resource(max_entries=256, **VIEW_CACHE)
def _card(
    data_dir: str, version: str, incident_id: str, filters: Filters
) -> tuple[Line, ...] | None:
    record = _incident(data_dir, version, incident_id, filters)
    if record is None:
        return None
    if _kept((data_dir, version)) or _database(data_dir) is not None:
        return _whole_card(data_dir, version, incident_id)
    return _card_of(record)


def _card_of(record: IncidentRecord) -> tuple[Line, ...]:
    return detail.card(record.row, record.reports, record.documents, record.places)


def _record(
    dataset: Dataset, table: pd.DataFrame, incident_id: str, filters: Filters
) -> IncidentRecord | None:
    """The incident's record from the data in memory (the files, an import): the filters are
    tested on its one row (each keeps or drops a row by that row alone, as `apply_filters`
    on the whole table does), not on every row of the table."""
    rows = visible_rows(apply_filters(table[table["incident_id"] == incident_id], filters))
    return None if rows.empty else record_of(rows.iloc[0], dataset)


def export_rows(dataset: Dataset, frame: pd.DataFrame, filters: Filters):
    """The rows a data export writes (`atlas.export.selection.subset`): from the data
    folder or the import; from the team database, all in-period incidents (not the
    capped frame), read when the file is built."""
    from atlas.export.selection import subset, visible_ids

    shared = _shared_database()
    if shared is None:
        return subset(dataset, visible_ids(frame), DATA_DIR)
    return _database(shared[0]).export_subset(filters.with_selection(None))


def figure_inputs(
    dataset: Dataset, frame: pd.DataFrame, filters: Filters
) -> tuple[Dataset, pd.DataFrame]:
    """What a figure or the briefing draws, asked when one is prepared: the filtered frame
    and the dataset. On the team database the dataset holds no rows (its places and
    reports of the frame's incidents are asked for), and a frame capped at DB_ROWS is
    replaced by every matching incident, as the data exports read them: a figure of a
    large set draws the set, not its newest DB_ROWS."""
    shared = _shared_database()
    if shared is None:
        return dataset, frame
    if len(frame) < DB_ROWS:
        return _db_rows(*shared, tuple(frame["incident_id"]), dataset), frame
    db = _database(shared[0])
    whole = db.filtered(filters.with_selection(None))  # not cached: one prepared file
    ids = tuple(whole["incident_id"])
    return replace(dataset, places=db.places_of(ids), reports=db.reports_of(ids)), whole


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs={Dataset: lambda d: d.version})
def _db_rows(data_dir: str, version: str, ids: tuple[str, ...], dataset: Dataset) -> Dataset:
    db = _database(data_dir)
    return replace(dataset, places=db.places_of(ids), reports=db.reports_of(ids))


def date_span(frame: pd.DataFrame, filters: Filters) -> tuple:
    """First start and last end of the filtered frame (the database's when it is capped)."""
    shared = _shared_database()
    if shared is None or len(frame) < DB_ROWS:
        return frame["date_start"].min().date(), frame["date_end"].max().date()
    return _database(shared[0]).date_span(filters.with_selection(None))


def search(
    frame: pd.DataFrame, filters: Filters, query: str, shown: int, data_dir: Path = DATA_DIR
) -> tuple[SearchResult, pd.DataFrame]:
    """The search box's answer and the rows of its `shown` newest matches: over `frame`
    (the in-period incidents, all of them on the files and an import); on the team
    database, whose frame is capped, the database's over every in-period incident."""
    shared = _shared_database(data_dir)
    if shared is None:
        return search_frame(frame, query, shown)
    return _db_search(*shared, filters.with_selection(None), query, shown)


@st.cache_resource(max_entries=32, **VIEW_CACHE)
def _db_search(
    data_dir: str, version: str, filters: Filters, query: str, shown: int
) -> tuple[SearchResult, pd.DataFrame]:
    return _database(data_dir).search(filters, query, shown)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_cells(data_dir: str, version: str, filters: Filters, size: float) -> pd.DataFrame:
    if size == _cell_size(filters):  # the dashboard's grid: counted with the sums per type
        return _db_counts(data_dir, version, filters)[1]
    return _database(data_dir).grid_cells(filters, size)


@st.cache_resource(max_entries=64, **VIEW_CACHE)
def _db_counts(data_dir: str, version: str, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filtered set's counts per type (the people totals' sums, the matching count)
    and its grid cells at the dashboard's grid (`_cell_size`), taken from the one scan
    kept for every type (`_db_cell_rows`, `PostgresBackend.counts_and_cells`): asked
    whether or not the map will draw cells, since the sums need the scan anyway."""
    size = _cell_size(filters)
    every = _db_cell_rows(data_dir, version, _every_type(filters), size)
    return _database(data_dir).counts_and_cells(filters, size, every)


def sources_page(
    matrix: pd.DataFrame, data_dir: Path = DATA_DIR
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    """On the team database, what the Sources page draws: every source's summary, reports
    per source and year, and the reports on the `matrix` incidents; None on the files."""
    shared = _shared_database(data_dir)
    if shared is None:
        return None
    summary, per_year = _db_sources(*shared)
    ids = tuple(matrix["incident_id"])
    return summary, per_year, _database(shared[0]).reports_of(ids)


@st.cache_resource(max_entries=4, show_spinner=False)
def _db_sources(data_dir: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    db = _database(data_dir)
    return capped_lists(db.source_summary(Filters())), db.reports_per_year()


def source_names(filters: Filters, data_dir: Path = DATA_DIR) -> list[str] | None:
    """The sources of the filtered set from the team database's summary, or None (the
    caller reads them from the reports it holds)."""
    if _shared_database(data_dir) is None:
        return None
    return list(source_panel(filters, large=True, data_dir=data_dir)["source"])


# --- team database (issue 16) ------------------------------------------------------------
# Every shared view is keyed on `source()`: the team database's URL and version when one is
# configured, else the data folder's.


_SECRETS_SEEN: dict[str, tuple[float, bool]] = {}


def _secrets_file_exists() -> bool:
    """Whether one of Streamlit's secrets files (or folders) exists, looked at most once a
    second (STAMP_FOR_S, as the data files). Without one, `st.secrets` looks for them
    again and raises at every read (~0.1 ms, and `source()` asks for the backend a dozen
    times a run); once one exists, Streamlit parses it once and watches it. Looking on
    every call (a config lookup and two stats, a dozen times a run) was ~7 % of the
    replicas' script CPU under 20 viewers (py-spy, `bench.load --caches cold`)."""
    now = time.monotonic()
    seen = _SECRETS_SEEN.get("files")
    if seen is None or now - seen[0] > STAMP_FOR_S:
        files = st_config.get_option("secrets.files")
        seen = _SECRETS_SEEN["files"] = (now, any(Path(path).exists() for path in files))
    return seen[1]


def database_backend() -> PostgresBackend | None:
    """The team database when ATLAS_DATABASE_URL or `[connections.atlas]` in
    .streamlit/secrets.toml names one (through `st.connection("atlas", type="sql")`, whose
    pool this process shares), else None: the files."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return PostgresBackend(url)
    if not _secrets_file_exists():
        return None
    try:
        configured = "atlas" in st.secrets.get("connections", {})
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        configured = False
    if not configured:
        return None
    connection = st.connection("atlas", type="sql")
    return PostgresBackend(
        connection.engine.url.render_as_string(hide_password=False), connection.engine
    )
