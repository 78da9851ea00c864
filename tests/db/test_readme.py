"""The README's "Team database" section names what the code has: each command of
`python -m atlas.db`, the URL variable, the secrets section, the Makefile target."""

from __future__ import annotations

import re

from atlas.db import URL_VARIABLE
from atlas.paths import PROJECT_ROOT


def _section() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Team database\n", 1)[1].split("\n## ", 1)[0]


def test_commands_documented_are_the_clis():
    from atlas.db.__main__ import main

    section = _section()
    documented = set(re.findall(r"python -m atlas\.db ([\w-]+)", section))
    assert documented == {"upgrade", "import", "export", "publish", "public-role"}
    for command in documented:  # each parses (argparse exits 0 on --help)
        try:
            main([command, "--help"])
        except SystemExit as exit_:
            assert exit_.code == 0


def test_settings_and_targets_documented():
    section = _section()
    assert URL_VARIABLE in section
    assert "[connections.atlas]" in section
    assert "make postgres" in section
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^postgres:", makefile, re.M)
    assert re.search(r"^test: .*\bpostgres\b", makefile, re.M)
    assert "pg_dump" in section


def test_editing_settings_documented():
    from atlas.db.edits import REVIEWERS_VARIABLE, TRANSITIONS
    from ui.identity import USER_HEADER, USER_HEADER_VARIABLE

    section = _section().split("### Editing, review and history\n", 1)[1]
    section = section.split("\n### ", 1)[0]
    for name in (REVIEWERS_VARIABLE, USER_HEADER_VARIABLE, USER_HEADER, "history"):
        assert name in section, name
    assert f"{USER_HEADER_VARIABLE}={USER_HEADER}" in section
    for frm, to in TRANSITIONS:
        assert f"{frm} → {to}" in section, (frm, to)
    template = (PROJECT_ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    quoted = re.search(r"`(proxy_set_header [^`]+)`", section).group(1)
    assert quoted in template
    migration = PROJECT_ROOT / "atlas/db/migrations/versions/0003_history.py"
    assert "migration `0003h`" in section
    assert 'revision = "0003h"' in migration.read_text(encoding="utf-8")


def test_public_tier_documented():
    """The "Public tier on the database" subsection names the migration's schema, role and
    views, the CLI's password variable and the tier setting a public deployment needs."""
    import importlib.util

    from atlas.db import publish
    from atlas.db.__main__ import PASSWORD_VARIABLE

    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Public tier on the database\n", 1)[1].split("\n## ", 1)[0]
    path = PROJECT_ROOT / "atlas/db/migrations/versions/0003_public_tier.py"
    spec = importlib.util.spec_from_file_location("public_tier_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert path.name in section and publish.SCHEMA == migration.SCHEMA
    for name in (migration.SCHEMA, migration.ROLE, PASSWORD_VARIABLE, "dataset_version"):
        assert f"`{name}`" in section
    for table in migration.TABLES:
        assert f"`{table}`" in section and f"`{table}_data`" in section
    assert "ATLAS_TIER=public" in section and "security_invoker = true" in section
    assert (PROJECT_ROOT / "tests/db/test_public_tier.py").is_file()


def test_public_tier_measurement_command_parses():
    import shlex

    from bench import publish

    section = " ".join(_section().split())
    lines = re.findall(r"`python -m bench\.publish([^`]*)`", section)
    assert lines
    for line in lines:  # parses, and the figures say how many incidents they are of
        args = publish.build_parser().parse_args(shlex.split(line))
        assert f"{args.n:,} synthetic" in section.split("bench.publish", 1)[1][:200]


def test_replica_cap_and_benchmark_documented():
    """The capped frame's size and the database benchmark's command, as the code has them."""
    from bench.scale_db import main_postgres  # noqa: F401  (the --backend postgres path)
    from ui.data import DB_ROWS

    section = _section()
    assert f"`ui.data.DB_ROWS` rows ({DB_ROWS:,}" in section
    assert "python -m bench.scale --backend postgres" in section
    scale = (PROJECT_ROOT / "bench" / "scale.py").read_text(encoding="utf-8")
    assert '"--backend", choices=["files", "postgres"]' in scale


def test_rerun_indexes_documented(pg):
    """The README names migration 0004's indexes and the questions asked at once: the
    migration has them (on the base table and the public copy, after 0003h), an upgraded
    database has them, and `ui.data` has the prefetch it names."""
    import importlib.util

    import sqlalchemy as sa

    from atlas.db import engine, upgrade
    from ui import data

    path = PROJECT_ROOT / "atlas/db/migrations/versions/0004_rerun_indexes.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    section = _section()
    assert "migration `0004`" in section and "`ui.data._prefetch`" in section
    assert callable(data._prefetch)
    assert migration.revision == "0004" and migration.down_revision == "0003h"
    url = pg.create_database("readme_indexes")
    try:
        upgrade(url)
        with engine(url).connect() as connection:
            names = set(
                connection.execute(
                    sa.text("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'incidents%'")
                ).scalars()
            )
        for index in migration.INDEXES:
            assert f"`incidents_{index}`" in section
            assert {f"incidents_{index}", f"incidents_data_{index}"} <= names
    finally:
        engine(url).dispose()
        pg.drop_database("readme_indexes")


def test_import_chunks_documented(capsys):
    """The import's options the README names are the CLI's, with its default chunk size."""
    import pytest

    from atlas.chunks import DEFAULT_CHUNK_ROWS
    from atlas.db.__main__ import main

    section = _section()
    named = set(re.findall(r"python -m atlas\.db import \S+ (--[\w-]+)", section))
    assert named == {"--chunk-rows", "--no-publish"}
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    usage = capsys.readouterr().out
    assert all(option in usage for option in named)
    assert f"(default {DEFAULT_CHUNK_ROWS:,}:" in section
    for module in ("atlas/chunks.py", "atlas/crossrow.py", "tests/db/test_chunked_import.py"):
        assert f"`{module}`" in section and (PROJECT_ROOT / module).is_file(), module


def test_import_measurement_commands_parse():
    """The README's chunked-import figures name commands that bench.import_db takes."""
    import shlex

    from bench import import_db

    section = " ".join(_section().split())
    lines = re.findall(r"`python -m bench\.import_db([^`]*)`", section)
    assert lines
    for line in lines:
        args = import_db.build_parser().parse_args(shlex.split(line))
        assert args.modes is None or set(args.modes) <= {"whole", "chunked"}
    chunked = re.findall(r"`(--n \d+ --modes chunked)`", section)
    assert chunked and import_db.build_parser().parse_args(shlex.split(chunked[0])).n == 1_000_000


def test_what_a_replica_keeps_is_bounded_as_documented():
    """The replicas' paragraph gives the bound on the places a replica keeps; it is the code's
    (and the code starts afresh past it: tests/db/test_small_answers.py)."""
    from ui.data import HELD_INCIDENTS

    section = _section().split("### Team database: replicas\n", 1)[1].split("\n### ", 1)[0]
    bound = re.search(r"places of at most ([\d,]+) incidents", section).group(1)
    assert int(bound.replace(",", "")) == HELD_INCIDENTS
    assert "`ui.data.HELD_INCIDENTS`" in section
