"""The one data interface the domain reads through, and its two backends.

- `FilesBackend`: the dataset folder (CSV, validated by `atlas.loading`) through its
  columnar copy (`atlas.store`), filtered and aggregated in pandas/numpy in this process:
  the default, what `make run` uses with nothing else installed.
- `PostgresBackend`: the team database (PostgreSQL 15 + PostGIS, `atlas.db`): filters
  compiled to SQL with bound parameters, grid cells, month bins, counts per type and
  source summaries computed by the database; only the result travels. The pages' other
  questions (a capped filtered frame, one incident by id, the vocabulary, people totals,
  scope, coverage, an export's rows) are answered the same way (atlas.db.answers), so an
  app process on the database holds no copy of the data.

`backend()` picks the database when `ATLAS_DATABASE_URL` (or `[connections.atlas]` in
.streamlit/secrets.toml) names one, else the files. Both answer every question with the
same frame (tests/db/test_backends.py runs one suite against both). `version()` is what
caches key on: the files' SHA-256, or the database's dataset version (bumped by every
change, so a teammate's edit shows on every replica's next rerun).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from atlas import schema
from atlas.coverage import coverage_of, covered_spans
from atlas.filters import Filters, Vocabulary, apply_filters, visible_rows
from atlas.grid import cell_table, grid_cells
from atlas.loading import FILES, Dataset, _typed, dataset_version, points
from atlas.paths import DATA_DIR
from atlas.people import PeopleTotal, flow_total_of, flow_totals, stocks
from atlas.scope import document_scope
from atlas.search import SearchResult, place_terms, query_words, search_frame
from atlas.sources import source_summary
from atlas.timebins import bin_keys, bins_table, timeline_bins

COUNT_COLUMNS = ["incidents", "counted", "people_min", "people_max", "open_ended"]


class Backend(Protocol):
    def version(self) -> str: ...
    def dataset(self) -> Dataset: ...
    def filtered(self, filters: Filters, limit: int | None = None) -> pd.DataFrame: ...
    def incident(self, incident_id: str, filters: Filters) -> IncidentRecord | None: ...
    def shows(self, incident_id: str, filters: Filters) -> bool: ...
    def vocabulary(self) -> Vocabulary: ...
    def people(self, filters: Filters, kept: int) -> Counted: ...
    def scope(self) -> pd.DataFrame: ...
    def coverage(self) -> list: ...
    def grid_cells(self, filters: Filters, size: float) -> pd.DataFrame: ...
    def month_bins(self, filters: Filters) -> pd.DataFrame: ...
    def counts_by_type(self, filters: Filters) -> pd.DataFrame: ...
    def search(
        self, filters: Filters, query: str, shown: int
    ) -> tuple[SearchResult, pd.DataFrame]: ...
    def counts_and_cells(
        self, filters: Filters, size: float
    ) -> tuple[pd.DataFrame, pd.DataFrame]: ...
    def source_summary(self, filters: Filters) -> pd.DataFrame: ...


# per flow type totals, the latest `kept` stocks (dates, people_label), how many stocks
Counted = tuple[tuple[PeopleTotal, ...], pd.DataFrame, int]
STOCK_COLUMNS = ["date_start", "date_end", "people_label"]


@dataclass(frozen=True)
class IncidentRecord:
    """One incident as its card and page show it: its row of the filtered frame, and its
    own reports, places and the documents those reports cite."""

    row: pd.Series
    reports: pd.DataFrame
    places: pd.DataFrame
    documents: pd.DataFrame


def capped(frame: pd.DataFrame, limit: int) -> pd.DataFrame:
    """At most `limit` rows of a filtered frame: in-period incidents first, newest first
    (the incident list's order, ui.panels.newest_first), kept in the frame's order."""
    if len(frame) <= limit:
        return frame
    keys = ["in_period", "date_end", "date_start", "incident_id"]
    chosen = frame.sort_values(keys, ascending=False, kind="stable").head(limit).index
    return frame.loc[frame.index.isin(chosen)]


def type_counts(visible: pd.DataFrame) -> pd.DataFrame:
    """Per event type (every code, in schema order) of in-period rows: incidents, those
    stating a count, the sums of their minimums and maximums, and `open_ended` when a
    count has no upper bound (then the maximum is not a total)."""
    lo, hi = visible["people_min"], visible["people_max"]
    frame = pd.DataFrame(
        {
            "event_type": visible["event_type"].astype("str"),
            "incidents": 1,
            "counted": lo.notna().astype(int),
            "people_min": lo.fillna(0).astype("int64"),
            "people_max": hi.fillna(0).astype("int64"),
            "open_ended": (lo.notna() & hi.isna()).astype(bool),
        }
    )
    grouped = frame.groupby("event_type").agg(
        {c: "max" if c == "open_ended" else "sum" for c in COUNT_COLUMNS}
    )
    return _all_types(grouped)


def of_types(rows: pd.DataFrame, column: str, types: tuple[str, ...]) -> pd.DataFrame:
    """The rows of `types` (all rows when none is named) from an answer for every type that
    is grouped by type: a type filter only drops whole groups, so the dashboard keeps one
    answer per other filters and a change of types asks the database nothing more."""
    return rows[rows[column].isin(types)] if types else rows


def _all_types(grouped: pd.DataFrame) -> pd.DataFrame:
    out = grouped.reindex(list(schema.EVENT_TYPE_CODES))
    out.index.name = "event_type"
    out["open_ended"] = out["open_ended"].fillna(False).astype(bool)
    for column in COUNT_COLUMNS[:-1]:
        out[column] = out[column].fillna(0).astype("int64")
    return out[COUNT_COLUMNS]


class FilesBackend:
    """Today's behaviour: the folder's dataset in this process's memory (one copy per
    dataset version; a changed file is read again)."""

    def __init__(self, data_dir: Path = DATA_DIR):
        self.data_dir = Path(data_dir)
        self._loaded: tuple[str, Dataset, pd.DataFrame] | None = None
        self._hashed: tuple[tuple, str] | None = None

    def version(self) -> str:
        """SHA-256 of the files, hashed again only when a file's size or modification time
        changes (hashing 600 MB of CSVs per question would cost seconds)."""
        stats = [(self.data_dir / name).stat() for name in FILES.values()]
        stamp = tuple((s.st_size, s.st_mtime_ns) for s in stats)
        if self._hashed is None or self._hashed[0] != stamp:
            self._hashed = (stamp, dataset_version(self.data_dir))
        return self._hashed[1]

    def _tables(self) -> tuple[Dataset, pd.DataFrame]:
        from atlas.store import load_tables

        version = self.version()
        if self._loaded is None or self._loaded[0] != version:
            dataset, table = load_tables(self.data_dir)
            self._loaded = (version, dataset, table)
        return self._loaded[1], self._loaded[2]

    def dataset(self) -> Dataset:
        return self._tables()[0]

    def table(self) -> pd.DataFrame:
        """The incident table (`atlas.incidents.incident_table`) the filters select from."""
        return self._tables()[1]

    def filtered(self, filters: Filters, limit: int | None = None) -> pd.DataFrame:
        frame = apply_filters(self.table(), filters)
        return frame if limit is None else capped(frame, limit)

    def incident(self, incident_id: str, filters: Filters) -> IncidentRecord | None:
        frame = visible_rows(self.filtered(filters))
        rows = frame[frame["incident_id"] == incident_id]
        return None if rows.empty else record_of(rows.iloc[0], self.dataset())

    def shows(self, incident_id: str, filters: Filters) -> bool:
        """Whether the filters show the incident (`incident` is not None)."""
        frame = visible_rows(self.filtered(filters))
        return bool((frame["incident_id"] == incident_id).any())

    def vocabulary(self) -> Vocabulary:
        return Vocabulary.of(self.table())

    def people(self, filters: Filters, kept: int) -> Counted:
        visible = visible_rows(self.filtered(filters))
        held = stocks(visible)
        return flow_totals(visible), held.head(kept)[STOCK_COLUMNS], len(held)

    def scope(self) -> pd.DataFrame:
        return document_scope(self.dataset())

    def coverage(self) -> list:
        dataset = self.dataset()
        return covered_spans(dataset.documents, dataset.reports, dataset.incidents)

    def grid_cells(self, filters: Filters, size: float) -> pd.DataFrame:
        return grid_cells(visible_rows(self.filtered(filters)), size)

    def month_bins(self, filters: Filters) -> pd.DataFrame:
        return timeline_bins(self.filtered(filters))

    def counts_by_type(self, filters: Filters) -> pd.DataFrame:
        return type_counts(visible_rows(self.filtered(filters)))

    def counts_and_cells(self, filters: Filters, size: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self.counts_by_type(filters), self.grid_cells(filters, size)

    def search(self, filters: Filters, query: str, shown: int) -> tuple[SearchResult, pd.DataFrame]:
        return search_frame(visible_rows(self.filtered(filters)), query, shown)

    def source_summary(self, filters: Filters) -> pd.DataFrame:
        return source_summary(visible_rows(self.filtered(filters)), self.dataset().reports)


class PostgresBackend:
    """The team database. Holds a connection pool, no data: every answer is a query."""

    def __init__(self, url: str, engine=None):
        """`engine`: a SQLAlchemy engine for `url` to use (st.connection's); else one pool
        per URL and process (atlas.db.engine)."""
        from atlas.db import engine as shared_engine
        from atlas.db import without_jit

        self.url = url
        self.engine = without_jit(engine) if engine is not None else shared_engine(url)

    def version(self) -> str:
        from atlas.db import dataset_version as db_version

        with self.engine.connect() as connection:
            return f"db-{db_version(connection)}"

    def dataset(self) -> Dataset:
        """The four tables, typed as `atlas.loading` types the files (whole tables: for
        cards, exports and the Data page; views ask the aggregate questions instead)."""
        from atlas.db.transfer import read_text_tables

        with self.engine.connect() as connection:
            text = read_text_tables(connection)
        # never the password in `origin`
        return _typed_tables(text, version=self.version(), origin=self.url.split("@")[-1])

    def _run(self, query, *args):
        with self.engine.connect() as connection:
            return query(connection, *args)

    def filtered(self, filters: Filters, limit: int | None = None) -> pd.DataFrame:
        from atlas.db import frame

        return self._run(frame.filtered, filters, limit)

    def incident(self, incident_id: str, filters: Filters) -> IncidentRecord | None:
        """One incident (if the filters keep it) with its reports, places and documents:
        four small queries, never a whole table (its row is the filtered frame's: its text
        row, which `record_of` does not read, is not asked for)."""
        from atlas.db import frame
        from atlas.db.transfer import read_text_rows

        with self.engine.connect() as connection:
            rows = visible_rows(frame.filtered(connection, filters, ids=(incident_id,)))
            if rows.empty:
                return None
            text = read_text_rows(connection, (incident_id,), names=RECORD_TABLES)
        return record_of(rows.iloc[0], _typed_tables(text, version="", origin="", incidents=False))

    def shows(self, incident_id: str, filters: Filters) -> bool:
        """Whether the filters show the incident (`incident` is not None): one boolean read,
        no row, report or place (a record of the incident kept from before serves)."""
        from atlas.db import frame

        return self._run(frame.shows, filters, incident_id)

    def vocabulary(self) -> Vocabulary:
        from atlas.db import answers

        words = self._run(answers.vocabulary)
        return Vocabulary(incidents=DatabaseIds(self), **words)

    def documents_only(self, version: str) -> Dataset:
        """The dataset without its rows: every document, no incident, place or report (what
        a replica keeps; views ask the database)."""
        from atlas.db.transfer import read_text_rows

        with self.engine.connect() as connection:
            text = read_text_rows(connection, (), every_document=True)
        return _typed_tables(text, version=version, origin=self.url.split("@")[-1])

    def places_of(self, ids: tuple[str, ...]) -> pd.DataFrame:
        """The places of the incidents `ids`, typed as `Dataset.places`."""
        from atlas.db.transfer import read_text_rows

        with self.engine.connect() as connection:
            text = read_text_rows(connection, ids, names=("places",))
        return _typed_tables(text, version="", origin="").places

    def export_subset(self, filters: Filters):
        """`atlas.export.selection.subset` of the in-period incidents (and those they name),
        as the files write them: text rows streamed by COPY, only when a file is built."""
        from atlas.db import answers
        from atlas.db.transfer import read_text_rows
        from atlas.export.selection import Subset

        with self.engine.connect() as connection:
            chosen, wanted = answers.export_ids(connection, filters)
            text = read_text_rows(connection, tuple(wanted))
        position = {iid: n for n, iid in enumerate(text["incidents"]["incident_id"])}

        def by_incident(frame: pd.DataFrame) -> pd.DataFrame:
            key = frame["incident_id"].map(position)
            return frame.assign(_at=key).sort_values("_at", kind="stable")

        picked = set(chosen)
        related = tuple(i for i in text["incidents"]["incident_id"] if i not in picked)
        tables = {
            "incidents": text["incidents"],
            "places": by_incident(text["places"]),
            "reports": by_incident(text["reports"]),
            "documents": text["documents"],
        }
        return Subset.of(tables, related=related)

    def reports_of(self, ids: tuple[str, ...]) -> pd.DataFrame:
        """The reports on the incidents `ids`, typed as `Dataset.reports`."""
        from atlas.db.transfer import read_text_rows

        with self.engine.connect() as connection:
            text = read_text_rows(connection, ids, names=("reports",))
        return _typed_tables(text, version="", origin="").reports

    def reports_per_year(self) -> pd.DataFrame:
        from atlas.db import answers

        return self._run(answers.reports_per_year)

    def date_span(self, filters: Filters):
        from atlas.db import answers

        return self._run(answers.date_span, filters)

    def size(self) -> int:
        """How many incidents the database holds."""
        from atlas.db import queries

        return int(self._run(queries.bounds)[2])

    def has_incident(self, incident_id: str) -> bool:
        from atlas.db import answers

        return self._run(answers.has_incident, incident_id)

    def special_counts(self, filters: Filters) -> pd.DataFrame:
        """The counts beyond sums of the in-period flows (`answers.special_counts`), per
        event type."""
        from atlas.db import answers
        from atlas.people import APPROXIMATE_SHOWN

        return self._run(answers.special_counts, filters, APPROXIMATE_SHOWN)

    def people(
        self,
        filters: Filters,
        kept: int,
        sums: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
        special: pd.DataFrame | None = None,
    ) -> Counted:
        """Sums per flow type from the database, the few counts beyond sums (overlaps,
        approximate wordings) and the latest stocks: `atlas.people`'s rules, small rows.
        `sums`: `counts_by_type(filters)` when the caller has it, or a function giving it,
        called once this method's own questions are answered (a cached answer another
        thread may still be computing). `special`: `special_counts` of the filters without
        their types, when the caller has it (`of_types`)."""
        from atlas.db import answers
        from atlas.incidents import people_label

        if special is None:
            special = self.special_counts(filters)
        special = of_types(special, "event_type", filters.types)
        with self.engine.connect() as connection:
            held = answers.latest_stocks(connection, filters, kept)
        if sums is None:
            sums = self.counts_by_type(filters)
        elif callable(sums):
            sums = sums()
        totals = []
        for code in schema.FLOW_TYPES:
            row = sums.loc[code]
            totals.append(
                flow_total_of(
                    code,
                    incidents=int(row["incidents"]),
                    counted=int(row["counted"]),
                    low_distinct=int(row["people_min"]),
                    high=None if row["open_ended"] else int(row["people_max"]),
                    special=special[special["event_type"] == code],
                )
            )
        held["date_start"] = pd.to_datetime(held["date_start"]).astype("datetime64[us]")
        held["date_end"] = pd.to_datetime(held["date_end"]).astype("datetime64[us]")
        held["people_label"] = pd.Series(
            [
                people_label(lo, hi, q)
                for lo, hi, q in zip(
                    held["people_min"].astype("Int64"),
                    held["people_max"].astype("Int64"),
                    held["people_qualifier"].fillna("").astype(str),
                    strict=True,
                )
            ],
            index=held.index,
            dtype="str",
        )
        n_held = int(sums.loc[list(schema.STOCK_TYPES), "incidents"].sum())
        return tuple(totals), held[STOCK_COLUMNS], n_held

    def scope(self) -> pd.DataFrame:
        """`atlas.scope.document_scope`, aggregated by the database."""
        from atlas.db import answers

        out = self._run(answers.scope_rows)
        for column in ("title", "publisher", "published"):
            out[column] = out[column].fillna("").astype("str")
        out["incidents"] = out["incidents"].fillna(0).astype(int)
        for column in ("first", "last"):
            out[column] = pd.to_datetime(out[column]).dt.year.astype("Int64")
        return out.sort_values(["published", "document"]).reset_index(drop=True)

    def coverage(self) -> list:
        """`atlas.coverage.covered_spans` from the documents, each document's distinct
        publication dates and the distinct spans of reported incidents."""
        from atlas.db import answers

        with self.engine.connect() as connection:
            documents = answers.document_dates(connection)
            published = answers.earliest_reports(connection)
            spans = answers.reported_spans(connection)
        for frame in (documents, published):
            frame["published"] = frame["published"].fillna("").astype("str")
        return coverage_of(documents, published, spans)

    def grid_cells(self, filters: Filters, size: float) -> pd.DataFrame:
        return self.counts_and_cells(filters, size)[1]

    def search(self, filters: Filters, query: str, shown: int) -> tuple[SearchResult, pd.DataFrame]:
        """`search_frame` of the in-period incidents, asked of the database (every matching
        incident, not the capped frame's): `answers.search_matches`."""
        from atlas.db import answers

        text = (query or "").strip()
        places = place_terms(query) if text else ()
        with self.engine.connect() as connection:
            total, rows = answers.search_matches(
                connection, filters, query_words(text), places, shown
            )
        result = SearchResult(query or "", tuple(rows["incident_id"]), places, total)
        return result, rows.set_index("incident_id")

    def cell_type_rows(self, filters: Filters, size: float) -> pd.DataFrame:
        """In-period incidents per grid cell and event type, with the people sums
        (`queries.cell_type_counts`): what `counts_and_cells` shapes."""
        from atlas.db import queries

        return self._run(queries.cell_type_counts, filters, size)

    def counts_and_cells(
        self, filters: Filters, size: float, every_type: pd.DataFrame | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`counts_by_type(filters)` and `grid_cells(filters, size)` from one scan of the
        matching rows (`cell_type_rows`). `every_type`: `cell_type_rows` of the filters
        without their types, when the caller has it (`of_types`)."""
        if every_type is None:
            rows = self.cell_type_rows(filters, size)
        else:
            rows = of_types(every_type, "event_type", filters.types)
        sums = {c: "max" if c == "open_ended" else "sum" for c in COUNT_COLUMNS}
        counts = _all_types(
            rows.astype({c: "int64" for c in COUNT_COLUMNS[:-1]} | {"open_ended": bool})
            .groupby("event_type")
            .agg(sums)
        )
        located = rows[rows["ix"].notna()]
        codes = list(schema.EVENT_TYPE_CODES)
        wide = located.pivot_table(
            index=["ix", "iy"], columns="event_type", values="incidents", aggfunc="sum",
            fill_value=0,
        ).reindex(columns=codes, fill_value=0)  # fmt: skip
        cx = wide.index.get_level_values("ix").to_numpy(dtype=np.int64)
        cy = wide.index.get_level_values("iy").to_numpy(dtype=np.int64)
        return counts, cell_table(cx, cy, wide.to_numpy(dtype=np.int64), size)

    def month_counts(self, filters: Filters, period: bool = False) -> pd.DataFrame:
        """Per month and event type, the spread counts (`queries.month_counts`) of the
        incidents matching every filter but the period (or, `period`, in it too): what
        `month_bins` starts from (the dashboard keeps the first while only the period
        changes, and both for every type while only the types change)."""
        from atlas.db import queries

        return self._run(queries.month_counts, filters, period)

    def month_bins(
        self,
        filters: Filters,
        whole: pd.DataFrame | None = None,
        inside: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """`timeline_bins` of the filtered set. `whole` and `inside`: `month_counts` of the
        filters (without their types: `of_types`), and in the period, when the caller has
        them. With a period, the in-period incidents are counted on their own (a scan of
        the rows the period keeps); the rest of each bin is out of the period."""
        from atlas.db import queries

        whole = self.month_counts(filters) if whole is None else whole
        whole = of_types(whole, "type", filters.types)
        codes = {c: n for n, c in enumerate(schema.EVENT_TYPE_CODES)}
        if filters.start is None and filters.end is None:  # every incident is in the period
            parts = [(whole, 1)]
        else:
            inside = self.month_counts(filters, True) if inside is None else inside
            inside = of_types(inside, "type", filters.types)
            both = whole.merge(inside, on=["month", "type"], how="left", suffixes=("", "_in"))
            outside = both.assign(count=both["count"] - both["count_in"].fillna(0.0))
            # a bin all in the period leaves a difference of rounding, not an incident
            outside = outside[outside["count"] > 1e-9][["month", "type", "count"]]
            parts = [(inside, 1), (outside, 0)]
        counts = pd.concat([p.assign(in_period=flag) for p, flag in parts], ignore_index=True)
        keys = bin_keys(
            queries.month_index(counts["month"]),
            counts["type"].map(codes).to_numpy(dtype=np.int64),
            counts["in_period"].to_numpy(dtype=np.int64),
        )
        order = np.argsort(keys, kind="stable")
        return bins_table(keys[order], counts["count"].to_numpy(dtype=float)[order])

    def counts_by_type(self, filters: Filters) -> pd.DataFrame:
        from atlas.db import queries

        counts = self._run(queries.type_counts, filters)
        if counts.empty:
            counts = pd.DataFrame(columns=["event_type", *COUNT_COLUMNS])
        return _all_types(counts.set_index("event_type"))

    def source_summary(self, filters: Filters) -> pd.DataFrame:
        from atlas.db import queries

        rows = self._run(queries.source_rows, filters)
        if rows.empty:
            return source_summary(pd.DataFrame(columns=["incident_id"]), _NO_REPORTS)
        return rows


_NO_REPORTS = pd.DataFrame(columns=schema.REPORT_COLUMNS)


class DatabaseIds:
    """The incident ids a URL may name, asked of the database (membership only): the
    replica holds none of them (`atlas.filters.IncidentIds` holds them for the files)."""

    def __init__(self, db: PostgresBackend):
        self._db = db

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self._db.has_incident(value)


RECORD_TABLES = ("places", "reports", "documents")  # what `record_of` reads of a dataset


def record_of(row: pd.Series, dataset: Dataset) -> IncidentRecord:
    """The incident `row` with its own reports, places and cited documents from `dataset`."""
    incident = row["incident_id"]
    reports = dataset.reports[dataset.reports["incident_id"] == incident]
    places = dataset.places[dataset.places["incident_id"] == incident]
    documents = dataset.documents[dataset.documents["document"].isin(reports["document"])]
    return IncidentRecord(row, reports, places, documents)


def _typed_tables(
    text: dict[str, pd.DataFrame], version: str, origin: str, incidents: bool = True
) -> Dataset:
    """Tables of text (as the files hold them) typed as `atlas.loading` types the files;
    without `incidents`, their table is left empty and not typed (~2.5 ms: a card's record
    reads no incident row from it)."""
    for frame in text.values():  # the line in the file, as `read_table` gives it
        if "_line" not in frame:
            frame["_line"] = np.arange(2, len(frame) + 2)
    places = text["places"]
    typed_places = _typed(places.assign(people_min="", people_max=""), dates=False)
    return Dataset(
        incidents=_typed_incidents(text["incidents"]) if incidents else _no_incidents(),
        places=_geo(typed_places.drop(columns=["people_min", "people_max"]), points(places)),
        reports=_typed(text["reports"], dates=False),
        documents=text["documents"],
        version=version,
        origin=origin,
    )


def _typed_incidents(text: pd.DataFrame):
    return _geo(_typed(text, dates=True), points(text))


@functools.cache
def _no_incidents():
    """An empty incidents table, typed (shared: records only read other tables)."""
    from atlas.db.transfer import _empty_text

    return _typed_incidents(_empty_text("incidents").copy())


def _geo(frame: pd.DataFrame, geometry):
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def backend(data_dir: Path = DATA_DIR) -> Backend:
    """The team database when one is configured (`atlas.db.database_url`), else the files."""
    from atlas.db import database_url

    url = database_url()
    return PostgresBackend(url) if url else FilesBackend(data_dir)
