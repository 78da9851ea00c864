"""The dashboard's small questions (issue 16: replicas hold no copy of the data) give the
same answers on both backends: a capped filtered frame, one incident with its reports,
places and documents, the vocabulary, people per flow type and the latest stocks, the
documents' scope and the coverage spans."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas import schema
from atlas.backend import IncidentRecord
from atlas.filters import Filters
from tests.db.test_backends import FILTERS, _plain, db_url, files, postgres, same  # noqa: F401


@pytest.mark.parametrize("limit", [1, 5, 20, 1000])
@pytest.mark.parametrize("name", ["none", "period", "types", "from"])
def test_capped_frames_agree(files, postgres, name, limit):  # noqa: F811
    filters = FILTERS[name]
    capped = files.filtered(filters, limit)
    same(capped, postgres.filtered(filters, limit))
    whole = files.filtered(filters)
    assert len(capped) == min(limit, len(whole))
    # in-period rows first, newest first: the incident list's rows are all there
    newest = whole.sort_values(
        ["in_period", "date_end", "date_start", "incident_id"], ascending=False
    ).head(limit)
    assert set(capped["incident_id"]) == set(newest["incident_id"])


def _record(record: IncidentRecord) -> tuple:
    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        columns = [c for c in frame.columns if c not in ("_line", "geometry")]
        return _plain(frame[columns])

    return record.row.drop(labels=["_line"]), *map(rows, (record.reports, record.places))


def test_one_incident_agrees(files, postgres):  # noqa: F811
    table = files.table()
    with_places = files.dataset().places["incident_id"].iloc[0]
    for incident in {table["incident_id"].iloc[0], table["incident_id"].iloc[-1], with_places}:
        a, b = files.incident(incident, Filters()), postgres.incident(incident, Filters())
        assert a is not None and b is not None
        row_a, *frames_a = _record(a)
        row_b, *frames_b = _record(b)
        assert row_a.astype(str).to_dict() == row_b.astype(str).to_dict()
        for x, y in zip(frames_a, frames_b, strict=True):
            same(x, y, check_dtype=False)
        assert list(a.documents["document"]) == list(b.documents["document"])
        assert set(a.reports["document"]) <= set(a.documents["document"])
        assert len(b.reports) and (b.reports["incident_id"] == incident).all()
    other = Filters(types=tuple(t for t in schema.EVENT_TYPE_CODES if t != "detention"))
    detention = table.loc[table["event_type"] == "detention", "incident_id"].iloc[0]
    assert files.incident(detention, other) is None
    assert postgres.incident(detention, other) is None
    assert postgres.incident("no-such-id", Filters()) is None


def test_vocabularies_agree(files, postgres):  # noqa: F811
    a, b = files.vocabulary(), postgres.vocabulary()
    assert (a.sources, a.places, a.first, a.last) == (b.sources, b.places, b.first, b.last)
    known = files.table()["incident_id"].iloc[3]
    assert known in a.incidents and known in b.incidents
    assert "x'); DROP TABLE incidents; --" not in b.incidents
    assert 42 not in b.incidents


@pytest.mark.parametrize("name", list(FILTERS))
def test_people_agree(files, postgres, name):  # noqa: F811
    totals_a, held_a, n_a = files.people(FILTERS[name], 3)
    totals_b, held_b, n_b = postgres.people(FILTERS[name], 3)
    assert totals_a == totals_b
    assert n_a == n_b
    same(held_a, held_b)


def test_people_count_overlaps_once(files, postgres):  # noqa: F811
    totals = files.people(Filters(), 10)[0]
    assert any(t.overlapping for t in totals) or any(t.approximate for t in totals)
    assert totals == postgres.people(Filters(), 10)[0]


def test_scope_and_coverage_agree(files, postgres):  # noqa: F811
    same(files.scope(), postgres.scope(), check_dtype=False)
    assert files.coverage() == postgres.coverage()
    assert files.coverage()  # the bundled documents cover something


@pytest.mark.parametrize("name", ["none", "types", "period", "sources", "cell"])
def test_exports_are_the_same_files(files, postgres, name):  # noqa: F811
    """A data export on the team database writes the same bytes as on the files (every
    format: the rows, their order and their text), the related incidents included."""
    from datetime import UTC, datetime

    from atlas.export.data import FORMATS, export_bytes
    from atlas.export.selection import subset, visible_ids
    from atlas.paths import BUNDLED_DATA_DIR

    filters = FILTERS[name]
    ids = visible_ids(files.filtered(filters))
    on_files = subset(files.dataset(), ids, BUNDLED_DATA_DIR)
    on_db = postgres.export_subset(filters)
    assert on_files.related == on_db.related
    assert on_files.csv_files() == on_db.csv_files()
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for fmt in FORMATS:
        assert export_bytes(on_files, fmt, exported_at=when) == export_bytes(
            on_db, fmt, exported_at=when
        ), fmt


def test_long_source_lists_are_cut(postgres):  # noqa: F811
    """The database's source summary of a large set has its lists cut as the files'
    large summary cuts them (`atlas.sources.capped_lists`): limit items, then a count."""
    from atlas.sources import capped_lists

    summary = postgres.source_summary(Filters())
    cut = capped_lists(summary, limit=1)
    for full, short in zip(summary["disagrees_on"], cut["disagrees_on"], strict=True):
        items = [v for v in full.split(", ") if v]
        assert short == (
            items[0] + (f" … (+{len(items) - 1:,} more)" if len(items) > 1 else "") if items else ""
        )
    assert (
        (cut[["source", "incidents", "reports"]] == summary[["source", "incidents", "reports"]])
        .all()
        .all()
    )


def test_places_and_reports_of_some_incidents(files, postgres):  # noqa: F811
    """What the per-incident map, the figures and the matrix read besides the capped
    frame: the places and reports of its incidents, as the files' dataset has them."""
    dataset = files.dataset()
    ids = tuple(dataset.places["incident_id"].iloc[:3]) + tuple(
        dataset.reports["incident_id"].iloc[-2:]
    )

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        picked = frame[frame["incident_id"].isin(ids)]
        return _plain(picked[[c for c in picked.columns if c not in ("_line", "geometry")]])

    same(rows(dataset.places), rows(postgres.places_of(ids)), check_dtype=False)
    same(rows(dataset.reports), rows(postgres.reports_of(ids)), check_dtype=False)
    assert postgres.places_of(()).empty


def test_the_app_connections_run_without_jit(postgres):  # noqa: F811
    """JIT compilation cost more than the views' short scans (atlas.db.without_jit)."""
    import sqlalchemy as sa

    with postgres.engine.connect() as connection:
        assert connection.execute(sa.text("SHOW jit")).scalar() == "off"


@pytest.mark.parametrize(
    "query",
    ["kunming", "연길", "延吉", "Dandong detained", "RFA", "2013-11-15-kunming-detention",
     "%", "_", "'; DROP TABLE incidents; --", "nothing-like-this", "", "  "],
)  # fmt: skip
@pytest.mark.parametrize("name", ["none", "period", "types"])
def test_search_agrees(files, postgres, name, query):  # noqa: F811
    """The database's search (every in-period incident) finds what atlas.search finds in
    the whole frame: the same ids newest first, count, places and listed rows."""
    filters = FILTERS[name]
    a, rows_a = files.search(filters, query, 5)
    b, rows_b = postgres.search(filters, query, 5)
    assert b.ids == a.ids[:5] and b.found == a.found and b.places == a.places
    same(rows_a.reset_index(), rows_b.reset_index(), check_dtype=False)


@pytest.mark.parametrize("name", list(FILTERS))
def test_answers_for_every_type_give_each_set_of_types(postgres, name):  # noqa: F811
    """The dashboard keeps the aggregate answers for every event type (`of_types`): a set
    of types taken from them gives what the database answers for that set directly (cells
    and counts, month bins with and without a period, the counts beyond sums)."""
    from dataclasses import replace

    from atlas.grid import GRID_SIZES

    base = FILTERS[name]
    every = replace(base, types=())
    rows = postgres.cell_type_rows(every, GRID_SIZES[1])
    whole = postgres.month_counts(replace(every, start=None, end=None))
    inside = postgres.month_counts(every, True)
    special = postgres.special_counts(every)
    for types in (("detention",), ("detention", "repatriation", "transfer"), base.types):
        filters = replace(base, types=types)
        derived = postgres.counts_and_cells(filters, GRID_SIZES[1], rows)
        for a, b in zip(derived, postgres.counts_and_cells(filters, GRID_SIZES[1]), strict=True):
            same(a, b)
        same(postgres.month_bins(filters, whole, inside), postgres.month_bins(filters))
        (totals, held, n_held) = postgres.people(filters, 10, special=special)
        (want_totals, want_held, want_n) = postgres.people(filters, 10)
        assert totals == want_totals and n_held == want_n
        same(held, want_held)


def test_held_places_answer_as_asked_anew_and_ask_only_for_new_incidents(postgres):  # noqa: F811
    """A replica keeps the places its maps drew per incident (ui.data.HeldPlaces): each
    filter set's answer is what asking the database for all its incidents gives, and only
    incidents not yet held are asked for, until the bound starts it afresh."""
    from ui.data import HeldPlaces

    asked: list[tuple[str, ...]] = []

    def ask(ids: tuple[str, ...]) -> pd.DataFrame:
        asked.append(ids)
        return postgres.places_of(ids)

    sets = [tuple(postgres.filtered(f, 40)["incident_id"]) for f in FILTERS.values()]
    sets += [(), sets[0][::-1], sets[1][:3]]
    held = HeldPlaces(ask, limit=1000)
    for ids in sets:
        pd.testing.assert_frame_equal(held.of(ids), postgres.places_of(ids))
    read = [i for a in asked for i in a]
    assert len(read) == len(set(read)) == len(set().union(*sets))  # each incident once
    assert asked[0] == sets[0] and all(a for a in asked[1:])  # nothing asked for nothing new

    asked.clear()
    small = HeldPlaces(ask, limit=len(sets[1]))
    for ids in (sets[1], sets[1], sets[2], sets[1]):
        pd.testing.assert_frame_equal(small.of(ids), postgres.places_of(ids))
    assert asked == [sets[1], sets[2], sets[1]]  # past the bound: afresh with the set asked
