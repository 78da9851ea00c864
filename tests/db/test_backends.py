"""One suite, two backends: the files (pandas in this process) and the team database
(SQL in PostgreSQL). Every question the views ask gets the same answer from both, for a
table of filters and for filters drawn by hypothesis; values from a URL stay data.

The database here is imported once per module (these tests only read); tests that write
get their own fresh database (test_transfer.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas import schema
from atlas.backend import FilesBackend, PostgresBackend, backend
from atlas.db import upgrade
from atlas.db.transfer import import_folder
from atlas.filters import Filters, visible_rows
from atlas.grid import GRID_SIZES, Cell
from atlas.loading import load_dataset
from atlas.paths import BUNDLED_DATA_DIR
from tests.db import pgcluster

SOURCES = ("Chosun Ilbo", "Radio Free Asia", "Kang Jun-young (ThinkChina)")
INJECTIONS = (
    "x'); DROP TABLE incidents; --",
    "' OR '1'='1",
    "%(types)s",
    "{}",
    'Chosun Ilbo" OR 1=1 --',
    "\\x00",
)
FILTERS = {
    "none": Filters(),
    "types": Filters(types=("detention", "repatriation")),
    "sources": Filters(sources=SOURCES[:2]),
    "places": Filters(places=("Jilin", "KP")),
    "statuses": Filters(statuses=("corroborated",)),
    "min_sources": Filters(min_sources=2),
    "min_people": Filters(min_people=10),
    "period": Filters(start=date(2012, 1, 1), end=date(2014, 3, 31)),
    "from": Filters(start=date(2020, 1, 1)),
    "cell": Filters(cell=Cell(0.5, 126.0, 43.5)),
    "all": Filters(
        start=date(2011, 6, 1),
        types=("detention", "repatriation", "transfer"),
        sources=SOURCES,
        places=("CN", "Jilin", "Liaoning"),
        statuses=("corroborated", "single_source"),
        min_sources=1,
        min_people=1,
    ),
}


@pytest.fixture(scope="module")
def db_url(pg: pgcluster.Cluster):
    name = "backends"
    url = pg.create_database(name)
    upgrade(url)
    import_folder(url, BUNDLED_DATA_DIR)
    yield url
    from atlas.db import engine

    engine(url).dispose()
    pg.drop_database(name)


@pytest.fixture(scope="module")
def files() -> FilesBackend:
    return FilesBackend(BUNDLED_DATA_DIR)


@pytest.fixture(scope="module")
def postgres(db_url: str) -> PostgresBackend:
    return PostgresBackend(db_url)


@pytest.fixture(params=["files", "postgres"])
def either(request):
    return request.getfixturevalue(request.param)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as their values: which columns are categorical, and with which
    categories, depends on the whole table (atlas.store.compact), not on the answer."""
    out = frame.reset_index(drop=True)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(out[column].cat.categories.dtype)
    return out


def same(files_frame: pd.DataFrame, db_frame: pd.DataFrame, **options) -> None:
    pd.testing.assert_frame_equal(_plain(files_frame), _plain(db_frame), **options)


# caps below the bundled set's 62 incidents: with a period, the first rows are in-period and
# the rest the newest others (atlas.backend.capped; two newest-first reads in atlas.db.frame)
CAPS = (1, 7, 40)


def check_all(files: FilesBackend, postgres: PostgresBackend, filters: Filters) -> None:
    same(files.filtered(filters), postgres.filtered(filters))
    for cap in CAPS:
        same(files.filtered(filters, cap), postgres.filtered(filters, cap))
    for size in GRID_SIZES:
        same(files.grid_cells(filters, size), postgres.grid_cells(filters, size))
    same(files.month_bins(filters), postgres.month_bins(filters), atol=0.011, check_exact=False)
    same(files.counts_by_type(filters), postgres.counts_by_type(filters))
    # the one-scan answer of the dashboard (counts with cells) is both of the above
    counts, cells = postgres.counts_and_cells(filters, GRID_SIZES[1])
    same(files.counts_by_type(filters), counts)
    same(files.grid_cells(filters, GRID_SIZES[1]), cells)
    same(files.source_summary(filters), postgres.source_summary(filters))


@pytest.mark.parametrize("name", FILTERS)
def test_both_backends_give_the_same_answers(files, postgres, name):
    check_all(files, postgres, FILTERS[name])


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    types=st.lists(st.sampled_from(schema.EVENT_TYPE_CODES), max_size=3, unique=True),
    sources=st.lists(st.sampled_from(SOURCES), max_size=2, unique=True),
    places=st.lists(st.sampled_from(("CN", "KP", "Jilin", "Yunnan")), max_size=2, unique=True),
    statuses=st.lists(st.sampled_from(list(schema.STATUSES)), max_size=2, unique=True),
    min_sources=st.integers(0, 3),
    min_people=st.sampled_from((0, 1, 9, 30, 1000)),
    start=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2024, 12, 31))),
    days=st.one_of(st.none(), st.integers(0, 4000)),
)
def test_drawn_filters_agree(files, postgres, types, sources, places, statuses, **rest):
    start, days = rest.pop("start"), rest.pop("days")
    end = None if days is None else (start or date(2010, 1, 1)) + pd.Timedelta(days=days)
    filters = Filters(
        start=start,
        end=end,
        types=tuple(types),
        sources=tuple(sources),
        places=tuple(places),
        statuses=tuple(statuses),
        **rest,
    )
    check_all(files, postgres, filters)


@pytest.mark.parametrize("name", FILTERS)
def test_whether_the_filters_show_an_incident_is_whether_it_has_a_record(either, name):
    """`shows` (on the database one boolean, no row read) agrees with `incident` for every
    bundled incident, and an id the data lack is not shown."""
    filters = FILTERS[name]
    ids = list(either.filtered(Filters())["incident_id"])
    answers = {i: either.shows(i, filters) for i in [*ids, "no-such-incident"]}
    assert answers == {i: either.incident(i, filters) is not None for i in answers}
    assert not answers["no-such-incident"]


def test_filters_select_what_they_say(either):
    frame = visible_rows(either.filtered(FILTERS["all"]))
    assert len(frame) > 0
    assert set(frame["event_type"]) <= {"detention", "repatriation", "transfer"}
    assert all(set(s) & set(SOURCES) for s in frame["sources"])
    assert (frame["date_end"] >= pd.Timestamp("2011-06-01")).all()
    assert (frame["people_min"] >= 1).all()
    counts = either.counts_by_type(FILTERS["all"])
    assert counts["incidents"].sum() == len(frame)
    assert list(counts.index) == list(schema.EVENT_TYPE_CODES)


def test_month_bins_spread_imprecise_dates(either):
    """Every incident counts once in all: a year-precision one adds 1/12 to each month."""
    bins = either.month_bins(Filters())
    assert bins["count"].sum() == pytest.approx(len(either.filtered(Filters())), abs=0.5)
    treaty = either.month_bins(Filters(types=("context",), end=date(1982, 12, 31)))
    assert set(treaty["start"].str[:4]) >= {"1960", "1961", "1982"}


@pytest.mark.parametrize("value", INJECTIONS)
def test_values_from_a_url_are_data_not_sql(either, value, db_url):
    hostile = Filters(types=(value,), sources=(value,), places=(value,), statuses=(value,))
    assert either.filtered(hostile).empty
    assert either.grid_cells(hostile, 0.5).empty
    assert either.month_bins(hostile).empty
    assert either.source_summary(hostile).empty
    assert either.counts_by_type(Filters(sources=(value,)))["incidents"].sum() == 0
    with sa.create_engine(db_url).connect() as connection:  # the table is still there
        assert connection.execute(sa.text("SELECT count(*) FROM incidents")).scalar_one() == 70


def test_statements_carry_no_filter_value():
    """The compiled SQL has placeholders only: a filter value never becomes statement text."""
    from atlas.db.frame import filtered_statement

    marker = "needle-7f3a"
    statement = filtered_statement(
        Filters(types=(marker,), sources=(marker,), places=(marker,), statuses=(marker,))
    )
    compiled = statement.compile(dialect=sa.dialects.postgresql.psycopg.dialect())
    assert marker not in str(compiled)
    assert marker in str(compiled.params)


def test_whole_tables_match_the_loader(postgres):
    """Cards, exports and the Data page read whole tables: typed as the files load them."""
    files = load_dataset(BUNDLED_DATA_DIR)
    db = postgres.dataset()
    for name in ("incidents", "places"):
        same(pd.DataFrame(getattr(files, name)), pd.DataFrame(getattr(db, name)))
    same(files.reports, db.reports)
    same(files.documents, db.documents)


def test_version_follows_the_database(db_url, postgres):
    before = postgres.version()
    with sa.create_engine(db_url).begin() as connection:
        connection.execute(sa.text("UPDATE documents SET kind = kind"))
    assert postgres.version() != before
    assert postgres.version().startswith("db-")


def test_backend_is_chosen_by_the_url(monkeypatch, db_url, tmp_path):
    monkeypatch.setattr("atlas.db.SECRETS", tmp_path / "none.toml")
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    assert isinstance(backend(BUNDLED_DATA_DIR), FilesBackend)
    monkeypatch.setenv("ATLAS_DATABASE_URL", db_url)
    assert isinstance(backend(BUNDLED_DATA_DIR), PostgresBackend)
