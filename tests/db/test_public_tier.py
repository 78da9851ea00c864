"""The public tier on the team database (issue 17, migration 0003, atlas.db.publish): a login
role in `atlas_public` reads the redacted published rows and nothing else, whatever SQL it
sends. Raw SQL goes through psycopg as that role; the superuser sets the scene."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors

from atlas import schema
from atlas.db import engine
from atlas.db.__main__ import main
from atlas.db.publish import public_version, published_tables, refresh_public
from atlas.db.transfer import import_folder, read_text_tables
from atlas.loading import FILES, read_table
from atlas.paths import BUNDLED_DATA_DIR
from atlas.policy import load_policy
from atlas.redaction import redact_tables

_roles = itertools.count()
BUNDLED = len(read_table(BUNDLED_DATA_DIR / FILES["incidents"], schema.INCIDENT_COLUMNS))
BASE_TABLES = ("incidents", "places", "reports", "documents", "dataset_version")
VIEWS = BASE_TABLES
# what the scene hides, by the incident's row_order in the bundled data
HIDDEN = {3: "draft", 7: "in_review", 11: "retracted", 15: "confidential"}
DENIED = (errors.InsufficientPrivilege, errors.UndefinedTable, errors.UndefinedFunction)


def _scene(url: str) -> dict[str, dict[str, str]]:
    """Import the bundled data, then make four incidents unpublishable (a draft, one in
    review, one retracted, one confidential) and one published incident's first report a
    draft; returns {incident id: {column: exact value}} of what must not be public."""
    import_folder(url, BUNDLED_DATA_DIR)
    hidden: dict[str, dict[str, str]] = {}
    with engine(url).begin() as connection:
        for order, state in HIDDEN.items():
            row = connection.execute(
                sa.text("SELECT incident_id, title, summary FROM incidents WHERE row_order = :o"),
                {"o": order},
            ).one()
            hidden[row.incident_id] = {"title": row.title, "summary": row.summary}
            change = (
                "sensitivity = 'confidential'"
                if state == "confidential"
                else f"review_state = '{state}'"
            )
            connection.execute(
                sa.text(f"UPDATE incidents SET {change} WHERE row_order = :o"),  # noqa: S608
                {"o": order},
            )
        report = connection.execute(
            sa.text(
                "UPDATE reports SET review_state = 'draft', claim = 'draft claim text'"
                " WHERE row_order = (SELECT min(row_order) FROM reports"
                " WHERE incident_id = (SELECT incident_id FROM incidents WHERE row_order = 0))"
                " RETURNING report_id"
            )
        ).scalar_one()
        hidden[report] = {"claim": "draft claim text"}
        refresh_public(connection, load_policy())
    return hidden


@pytest.fixture
def login(db, pg) -> Iterator[str]:
    """A public login role (made by the CLI verb) on `db`; yields its URL."""
    name = f"public_reader_{next(_roles)}"
    role_url = sa.make_url(db).set(username=name).render_as_string(hide_password=False)
    yield role_url
    engine(role_url).dispose()
    pg.psql(f'DROP ROLE IF EXISTS "{name}"')


def _make_login(db: str, url: str, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    monkeypatch.setenv("ATLAS_PUBLIC_PASSWORD", "correct horse")
    assert main(["public-role", sa.make_url(url).username]) == 0


@pytest.fixture
def scene(db, login, monkeypatch) -> tuple[str, str, dict]:
    hidden = _scene(db)
    _make_login(db, login, monkeypatch)
    return db, login, hidden


@contextmanager
def raw(url: str) -> Iterator[psycopg.Connection]:
    """A psycopg connection (autocommit: each refused statement stands alone), with the
    public role's read-only default switched off, as anyone holding it can: what refuses a
    write below is a privilege or a policy, not that default."""
    u = sa.make_url(url)
    with psycopg.connect(
        host=u.query["host"], user=u.username, dbname=u.database, autocommit=True
    ) as connection:
        connection.execute("SET default_transaction_read_only = off")
        yield connection


def _all_text(connection: psycopg.Connection, sql: str) -> str:
    return "\n".join(repr(row) for row in connection.execute(sql).fetchall())


def test_views_have_the_base_tables_columns(db):
    """The app's queries run unchanged on public_tier: every view has its base table's
    columns in order, with their types (a later migration that adds a base column must add
    it to the public copy too, or this fails)."""
    query = (
        "SELECT column_name, data_type, udt_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"
    )
    with raw(db) as connection:
        for table in BASE_TABLES:
            base = connection.execute(query, ("public", table)).fetchall()
            view = connection.execute(query, ("public_tier", table)).fetchall()
            assert view == base and base, table
            options = connection.execute(
                "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                (f"public_tier.{table}",),
            ).fetchone()[0]
            assert "security_invoker=true" in options


def test_the_role_can_read_the_public_tier_only(scene):
    db, login, _ = scene
    name = sa.make_url(login).username
    with raw(db) as connection:
        relations = connection.execute(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('public', 'public_tier') AND c.relkind IN ('r', 'v', 'm', 'p')"
            " AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
        ).fetchall()
        readable = set()
        for namespace, relation, _kind in relations:
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"):
                if connection.execute(
                    "SELECT has_table_privilege(%s, %s, %s)",
                    (name, f"{namespace}.{relation}", privilege),
                ).fetchone()[0]:
                    readable.add((namespace, relation, privilege))
        config = connection.execute(
            "SELECT rolconfig, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", (name,)
        ).fetchone()
    copies = {f"{t}_data" for t in ("incidents", "places", "reports", "documents")}
    expected = {("public_tier", r, "SELECT") for r in {*VIEWS, *copies, "version_data"}}
    # nothing on the base schema, nothing written, no history (PostGIS's own catalogue
    # tables, readable by everyone, are left out: they hold no data of ours)
    assert readable == expected
    wanted = {"search_path=public_tier, public", "default_transaction_read_only=on"}
    assert wanted <= set(config[0])
    assert config[1:] == (False, False)


def test_no_function_the_role_may_call_runs_with_other_rights(scene):
    """Functions of the project (not PostGIS's) that the role could call: none is
    SECURITY DEFINER (which would read base tables with the owner's rights), and none of
    the public tier's is callable at all."""
    db, login, _ = scene
    name = sa.make_url(login).username
    with raw(db) as connection:
        rows = connection.execute(
            "SELECT n.nspname, p.proname, p.prosecdef, has_function_privilege(%s, p.oid,"
            " 'EXECUTE') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname IN ('public', 'public_tier') AND NOT EXISTS (SELECT FROM"
            " pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
            (name,),
        ).fetchall()
    assert any(namespace == "public_tier" for namespace, *_ in rows)
    for namespace, function, definer, callable_ in rows:
        assert not (callable_ and definer), function
        assert not (namespace == "public_tier" and callable_), function


def test_the_views_give_published_unhidden_rows_only(scene):
    db, login, hidden = scene
    with raw(login) as connection:
        ids = {r[0] for r in connection.execute("SELECT incident_id FROM incidents")}
        seen = "\n".join(_all_text(connection, f"SELECT * FROM {v}") for v in VIEWS)  # noqa: S608
    with raw(db) as connection:
        published = dict(
            connection.execute(
                "SELECT incident_id, sensitivity FROM incidents WHERE review_state = 'published'"
                " AND sensitivity IS DISTINCT FROM 'confidential'"
            ).fetchall()
        )
    # open rows keep their ids; the others are shown under an opaque public id
    assert {i for i, level in published.items() if level == "open"} <= ids
    assert not ids & {i for i, level in published.items() if level != "open"}
    assert len(ids) == len(published) == BUNDLED - len(HIDDEN)
    for key, values in hidden.items():
        assert key not in seen
        for value in values.values():
            assert value not in seen


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM public.incidents",
        "SELECT title FROM public.incidents WHERE review_state = 'draft'",
        "SELECT * FROM public.reports",
        "SELECT * FROM public.places",
        "SELECT * FROM public.documents",
        "SELECT * FROM public.dataset_version",
        "SELECT * FROM public.alembic_version",
        "SELECT * FROM public_tier.published_ids",
        "COPY public.incidents TO STDOUT",
        "COPY (SELECT * FROM public.incidents) TO STDOUT",
        "SELECT query_to_xml('SELECT * FROM public.incidents', true, false, '')",
        "SELECT * FROM pg_catalog.pg_statistic",
        "SELECT public_tier.hide_incidents(ARRAY['x'])",
        "SELECT * FROM incidents_view_that_is_not_there",
    ],
)
def test_base_rows_are_refused(scene, sql):
    _, login, _ = scene
    with raw(login) as connection, pytest.raises(DENIED):
        connection.execute(sql)


def test_a_function_of_its_own_reads_nothing_more(scene):
    """A function the role writes runs with its rights: creating or calling one that reads
    a base table is refused; pg_stats shows nothing of the base tables."""
    _, login, hidden = scene
    with raw(login) as connection:
        with pytest.raises(DENIED):
            connection.execute(
                "CREATE FUNCTION pg_temp.peek() RETURNS SETOF text LANGUAGE sql"
                " AS 'SELECT title FROM public.incidents'"
            )
            connection.execute("SELECT * FROM pg_temp.peek()")
        stats = _all_text(
            connection, "SELECT * FROM pg_stats WHERE schemaname IN ('public', 'public_tier')"
        )
    assert not any(v in stats for values in hidden.values() for v in values.values())


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO incidents (incident_id) VALUES ('x')",
        "UPDATE incidents SET title = 'x'",
        "DELETE FROM incidents",
        "DELETE FROM public_tier.incidents_data",
        "UPDATE public_tier.reports_data SET claim = 'x'",
        "INSERT INTO public_tier.documents_data (document, row_order) VALUES ('x', 0)",
        "UPDATE public.incidents SET title = 'x'",
        "DELETE FROM public.reports",
        "TRUNCATE public.incidents CASCADE",
        "TRUNCATE public_tier.incidents_data",
        "UPDATE dataset_version SET version = 0",
        "COPY public_tier.places_data FROM STDIN",
    ],
)
def test_the_role_cannot_write(scene, sql):
    """Refused by privileges (`raw` switched the role's read-only default off)."""
    _, login, _ = scene
    with raw(login) as connection:
        with pytest.raises(DENIED):
            connection.execute(sql)


def test_row_level_security_hides_an_unpublished_copy_row(scene):
    """The second lock: a draft row in the copy (put there by the superuser, who bypasses
    the policy) is invisible to the role, also to COPY and to a leaky function of its own
    in a WHERE clause, and the role cannot switch row security off."""
    db, login, _ = scene
    with raw(db) as connection:
        columns = (
            "incident_id, row_order, title, event_type, date_start, date_end, date_precision,"
            " date_text, location_name, latitude, longitude, geo_precision, status, summary,"
            " review_state"
        )
        connection.execute(  # the draft of the scene, with its exact values
            f"INSERT INTO public_tier.incidents_data ({columns})"  # noqa: S608 (constant)
            f" SELECT {columns} FROM public.incidents WHERE row_order = 3"
        )
        draft = connection.execute("SELECT title FROM public.incidents WHERE row_order = 3")
        title = draft.fetchone()[0]
    notices: list[str] = []
    with raw(login) as connection:
        connection.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        visible = _all_text(connection, "SELECT * FROM public_tier.incidents_data")
        visible += _all_text(connection, "SELECT * FROM incidents")
        with connection.cursor().copy("COPY public_tier.incidents_data TO STDOUT") as copy:
            visible += "".join(bytes(block).decode() for block in copy)
        connection.execute(
            "CREATE FUNCTION pg_temp.leak(t text) RETURNS boolean LANGUAGE plpgsql"
            " COST 0.0000001 AS $$ BEGIN RAISE NOTICE '%', t; RETURN true; END $$"
        )
        connection.execute("SELECT count(*) FROM incidents WHERE pg_temp.leak(title)")
        connection.execute("SET row_security = off")
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute("SELECT * FROM incidents")
    assert title not in visible
    assert notices and title not in notices
    # the policy is FORCEd: the copy's owner cannot write an unpublished row either (the
    # cluster's superuser, who set the scene, bypasses row security: a plain owner does not)
    with raw(db) as connection:
        connection.execute("CREATE ROLE copy_owner_probe")
        try:
            connection.execute("GRANT USAGE ON SCHEMA public_tier TO copy_owner_probe")
            connection.execute("ALTER TABLE public_tier.reports_data OWNER TO copy_owner_probe")
            connection.execute("SET ROLE copy_owner_probe")
            with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
                connection.execute(
                    "INSERT INTO public_tier.reports_data (report_id, row_order, incident_id,"
                    " source, document, review_state) VALUES ('r', 0, 'i', 's', 'd', 'draft')"
                )
        finally:
            connection.execute("RESET ROLE")
            connection.execute("ALTER TABLE public_tier.reports_data OWNER TO CURRENT_USER")
            connection.execute("DROP OWNED BY copy_owner_probe")
            connection.execute("DROP ROLE copy_owner_probe")


def test_a_changed_published_row_is_hidden_until_refresh(scene):
    db, login, _ = scene
    with raw(db) as connection:
        target, title = connection.execute(
            "SELECT incident_id, title FROM incidents WHERE row_order = 1"
        ).fetchone()
    with raw(login) as connection:
        before = public_version_of(connection)
        assert connection.execute(
            "SELECT title FROM incidents WHERE incident_id = %s", (target,)
        ).fetchall() == [(title,)]
    with engine(db).begin() as connection:  # an editor corrects the title
        connection.execute(
            sa.text("UPDATE incidents SET title = 'Corrected' WHERE incident_id = :i"),
            {"i": target},
        )
    with raw(login) as connection:
        for view in ("incidents", "places", "reports"):
            gone = connection.execute(
                f"SELECT count(*) FROM {view} WHERE incident_id = %s",  # noqa: S608
                (target,),
            ).fetchone()[0]
            assert gone == 0, view
        hidden_version = public_version_of(connection)
        others = connection.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert hidden_version != before and others == BUNDLED - len(HIDDEN) - 1
    assert main(["publish"]) == 0  # ATLAS_DATABASE_URL: the owner's (the scene's fixture)
    with raw(login) as connection:
        assert connection.execute(
            "SELECT title FROM incidents WHERE incident_id = %s", (target,)
        ).fetchall() == [("Corrected",)]
        assert public_version_of(connection) != hidden_version


def public_version_of(connection: psycopg.Connection) -> int:
    return connection.execute("SELECT version FROM dataset_version").fetchone()[0]


def test_refresh_gives_the_redaction_of_the_published_rows(scene):
    """What the role reads through the app's own reader (transfer.read_text_tables, on its
    search_path) is `redact_tables` of the published base rows: true of any redaction."""
    db, login, _ = scene
    with engine(db).connect() as connection:
        expected = redact_tables(published_tables(connection), load_policy())
        version = public_version(connection)
    with engine(login).connect() as connection:
        public = read_text_tables(connection)
        assert public_version(connection) == version
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(
            public[name], frame.reset_index(drop=True).astype("str"), check_dtype=False
        )
    assert len(public["incidents"]) == BUNDLED - len(HIDDEN)


def test_public_role_password_is_a_scram_verifier(db, login, pg, monkeypatch):
    """The password comes from the environment or standard input, never an argument, and
    reaches the server as a SCRAM-SHA-256 verifier that checks against it."""
    name = sa.make_url(login).username
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    with pytest.raises(SystemExit):
        main(["public-role", name, "--password", "x"])
    monkeypatch.delenv("ATLAS_PUBLIC_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("from stdin\n"))
    assert main(["public-role", name]) == 0
    with raw(db) as connection:
        verifier = connection.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (name,)
        ).fetchone()[0]
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", b"from stdin", base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    assert method == "SCRAM-SHA-256"
    assert base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored_key
    # an existing role that is not a public login is left alone
    assert main(["public-role", sa.make_url(db).username]) == 1


def test_dashboard_on_the_public_role(scene, monkeypatch):
    """The app, unchanged, on the public login (ATLAS_TIER=public): the dashboard runs and
    knows only the published, non-confidential incidents."""
    from atlas.backend import PostgresBackend
    from atlas.filters import Filters
    from atlas.grid import Cell
    from tests.apptest import run_app
    from ui import data

    db, login, hidden = scene
    monkeypatch.setenv("ATLAS_DATABASE_URL", login)
    monkeypatch.setenv("ATLAS_TIER", "public")
    at = run_app()
    shown = "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.metric])
    assert data.load_bundled()[0].tier == "public"
    table = PostgresBackend(login).filtered(Filters())  # what the login can read, whole
    assert len(table) == BUNDLED - len(HIDDEN)
    assert not set(hidden) & set(table["incident_id"])
    assert f"{len(table)} incidents from" in shown
    # a large set's questions call PostGIS on the login too (grid cells, the cell filter)
    counts, cells = PostgresBackend(login).counts_and_cells(Filters(), 0.5)
    assert counts["incidents"].sum() == len(table) and cells["count"].sum() > 0
    busiest = cells.sort_values("count").iloc[-1]
    in_cell = PostgresBackend(login).filtered(Filters(cell=Cell(0.5, busiest.lon, busiest.lat)))
    assert len(in_cell) == busiest["count"]
    for values in hidden.values():
        assert not any(v in shown for v in values.values())


def test_downgrade_removes_the_public_tier_and_upgrade_restores_it(db):
    from alembic import command

    from atlas.db import alembic_config, upgrade

    import_folder(db, BUNDLED_DATA_DIR)
    with engine(db).begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    with engine(db).begin() as connection:  # the base tables work without it
        assert connection.execute(sa.text("SELECT to_regnamespace('public_tier')")).scalar() is None
        connection.execute(sa.text("UPDATE incidents SET title = title"))
    upgrade(db)
    with engine(db).begin() as connection:
        count = sa.text("SELECT count(*) FROM public_tier.incidents")
        assert connection.execute(count).scalar() == 0  # nothing published yet
        refresh_public(connection, load_policy())
        n = connection.execute(count).scalar()
    assert n == BUNDLED


def test_an_untraceable_redaction_hides_the_whole_copy_on_a_change(scene, monkeypatch):
    """A redaction whose rows cannot be traced to base rows (here: a fresh index) still
    publishes; a change of any base row then hides every public incident until refresh."""
    from atlas.db import publish

    db, login, _ = scene

    def renumbered(tables, policy):
        return {k: v.reset_index(drop=True) for k, v in redact_tables(tables, policy).items()}

    monkeypatch.setattr(publish, "redact_tables", renumbered)
    with engine(db).begin() as connection:
        refresh_public(connection, load_policy())
    count = "SELECT count(*) FROM incidents"
    with raw(login) as connection:
        assert connection.execute(count).fetchone()[0] == BUNDLED - len(HIDDEN)
    with engine(db).begin() as connection:
        connection.execute(sa.text("UPDATE places SET note = 'x' WHERE row_order = 0"))
    with raw(login) as connection:
        assert connection.execute(count).fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    with engine(db).begin() as connection:
        refresh_public(connection, load_policy())
    with raw(login) as connection:
        assert connection.execute(count).fetchone()[0] == BUNDLED - len(HIDDEN)


def test_public_tier_on_the_owner_role_serves_nothing(scene, monkeypatch):
    """ATLAS_TIER=public with a URL whose role can read the base tables (a misconfigured
    public deployment): the app refuses, naming the fix, and shows no incident."""
    from tests.apptest import run_app

    db, login, hidden = scene
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    monkeypatch.setenv("ATLAS_TIER", "public")
    at = run_app()
    assert not at.exception
    assert any("needs the public login" in e.value for e in at.error)
    shown = "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.metric])
    assert "incidents from" not in shown
    for values in hidden.values():
        assert not any(v in shown for v in values.values())


def test_import_without_publishing_leaves_the_public_tier_empty(scene, monkeypatch):
    """`import --no-publish` (a bulk load too large to publish at once) replaces the base
    rows and empties the public copy in the same transaction: the public sees nothing, not
    the old rows, until `publish`."""
    db, login, _ = scene
    with raw(login) as connection:
        assert connection.execute("SELECT count(*) FROM incidents").fetchone()[0] > 0
    monkeypatch.setenv("ATLAS_DATABASE_URL", db)
    assert main(["import", "--no-publish", str(BUNDLED_DATA_DIR)]) == 0
    with raw(db) as connection:
        assert connection.execute("SELECT count(*) FROM incidents").fetchone()[0] == BUNDLED
    with raw(login) as connection:
        for view in ("incidents", "places", "reports", "documents"):
            rows = connection.execute(f"SELECT count(*) FROM {view}").fetchone()[0]  # noqa: S608
            assert rows == 0, view
    assert main(["publish"]) == 0
    with raw(login) as connection:
        assert connection.execute("SELECT count(*) FROM incidents").fetchone()[0] == BUNDLED
