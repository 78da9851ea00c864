"""A throwaway PostgreSQL 15 + PostGIS cluster for tests and benchmarks.

`initdb` refuses to run as root, so as root the cluster belongs to the `postgres` user;
it listens on a private Unix socket only (no TCP), with `fsync=off` (a test cluster is
thrown away, never recovered). Databases are created from a template that already holds
PostGIS, so each test's fresh database costs a file copy, not an extension install.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = "atlas_postgis"  # has the postgis extension; nothing else


def bin_dir() -> Path | None:
    """Folder of initdb/pg_ctl (Debian keeps them out of PATH), or None when absent."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def postgis_installed() -> bool:
    return bool(glob.glob("/usr/share/postgresql/*/extension/postgis.control"))


def missing() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) absent: run `make postgres`"
    if not postgis_installed():
        return "PostGIS extension absent (postgresql-15-postgis-3): run `make postgres`"
    return None


@dataclass(frozen=True)
class Cluster:
    socket_dir: Path
    user: str

    def url(self, database: str) -> str:
        """SQLAlchemy URL of `database` over the private socket."""
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}"

    def server_pid(self) -> int:
        """The postmaster's process id (the connections' backends are its children)."""
        return int((self.socket_dir.parent / "data" / "postmaster.pid").read_text().split()[0])

    def psql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir), user=self.user, dbname=database, autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self, name: str, template: str = TEMPLATE) -> str:
        """A fresh database (a copy of `template`); returns its URL."""
        import psycopg.sql as q

        self.psql(
            q.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                q.Identifier(name), q.Identifier(template)
            )
        )
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg.sql as q

        self.psql(q.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(q.Identifier(name)))


def _as_owner(args: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *args] if owner else args


@contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a cluster in a temporary folder; stop and remove it on exit."""
    bins = bin_dir()
    assert bins is not None, missing()
    owner = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if owner:
        shutil.chown(root, owner)
        shutil.chown(sock, owner)
    user = owner or os.environ.get("USER") or "postgres"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    quiet = {"check": True, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    subprocess.run(
        _as_owner(
            [str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8"], owner
        ),
        **quiet,
    )
    options = f"-k {sock} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_owner(
            [
                str(bins / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(root / "log"),
                "start",
            ],
            owner,
        ),
        **quiet,
    )
    try:
        pg = Cluster(sock, user)
        pg.psql(f"CREATE DATABASE {TEMPLATE}")
        pg.psql("CREATE EXTENSION postgis", TEMPLATE)
        yield pg
    finally:
        subprocess.run(
            _as_owner([str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def bundled_database(name: str = "atlas") -> Iterator[tuple[Cluster, str]]:
    """A throwaway cluster with one database, migrated and holding the bundled data (as
    `python -m atlas.db upgrade` then `import data` make it); yields (cluster, its URL)."""
    from atlas.db import engine, upgrade
    from atlas.db.transfer import import_folder
    from atlas.paths import BUNDLED_DATA_DIR

    with cluster() as pg:
        url = pg.create_database(name)
        upgrade(url)
        import_folder(url, BUNDLED_DATA_DIR)
        try:
            yield pg, url
        finally:
            engine(url).dispose()
