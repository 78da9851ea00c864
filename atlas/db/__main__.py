"""`python -m atlas.db upgrade | import DIR | export DIR | publish | public-role NAME` on the
database named by ATLAS_DATABASE_URL (or [connections.atlas] in .streamlit/secrets.toml).

`publish` rewrites the public tier (the redacted published rows; `import` does it too);
`public-role NAME` creates a login role that reads the public tier only, with the password
from ATLAS_PUBLIC_PASSWORD or the first line of standard input (never an argument).

Exit status: 0 done, 1 the folder has errors (one line per problem, nothing written),
2 no database configured or a usage error."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from atlas.chunks import DEFAULT_CHUNK_ROWS
from atlas.db import URL_VARIABLE, database_url, engine, schema_revision, upgrade
from atlas.db.transfer import ImportFailed, ImportRefused, export_folder, import_folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m atlas.db", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="create or migrate the schema (Alembic)")
    imp = commands.add_parser("import", help="validate a dataset folder and load it, all or none")
    imp.add_argument("folder", type=Path)
    imp.add_argument(
        "--chunk-rows",
        type=_positive,
        default=DEFAULT_CHUNK_ROWS,
        help="rows of a file read at a time: memory grows with it, not with the folder "
        f"(default {DEFAULT_CHUNK_ROWS:,})",
    )
    imp.add_argument(
        "--no-publish",
        action="store_true",
        help="leave the public tier empty (nothing public) until `python -m atlas.db "
        "publish`: for a bulk load too large to publish in one go",
    )
    exp = commands.add_parser("export", help="write the dataset layout to a folder")
    exp.add_argument("folder", type=Path)
    commands.add_parser("publish", help="rewrite the public tier from the published rows")
    role = commands.add_parser("public-role", help="create a login that reads the public tier")
    role.add_argument("name")
    args = parser.parse_args(argv)

    url = database_url()
    if not url:
        print(
            f"No database: set {URL_VARIABLE} (a SQLAlchemy URL such as "
            "postgresql+psycopg://user@host/atlas) or [connections.atlas] url in "
            ".streamlit/secrets.toml",
            file=sys.stderr,
        )
        return 2
    if args.command == "upgrade":
        upgrade(url)
        print(f"Schema at revision {schema_revision(url)}")
        return 0
    if args.command == "import":
        try:
            result = import_folder(
                url, args.folder, chunk_rows=args.chunk_rows, publish=not args.no_publish
            )
        except ImportRefused as refused:
            for problem in refused.problems:
                print(problem, file=sys.stderr)
            print(f"{refused}: {args.folder} has {len(refused.problems)} error(s)", file=sys.stderr)
            return 1
        except ImportFailed as failed:
            print(failed, file=sys.stderr)
            return 1
        for problem in result.warnings:
            print(problem)
        rows = ", ".join(f"{n:,} {name}" for name, n in result.rows.items())
        took = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
        print(f"Imported {rows}; dataset version {result.version} ({took})")
        return 0
    if args.command == "publish":
        return _publish(url)
    if args.command == "public-role":
        return _public_role(url, args.name)
    rows = export_folder(url, args.folder)
    print(f"Exported {', '.join(f'{n:,} {name}' for name, n in rows.items())} to {args.folder}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


PASSWORD_VARIABLE = "ATLAS_PUBLIC_PASSWORD"  # noqa: S105 (the variable's name)


def _publish(url: str) -> int:
    from atlas.db.publish import public_version, refresh_public
    from atlas.policy import load_policy

    with engine(url).begin() as connection:
        rows = refresh_public(connection, load_policy())
        version = public_version(connection)
    listed = ", ".join(f"{n:,} {name}" for name, n in rows.items())
    print(f"Published {listed}; public version {version}")
    return 0


def _public_role(url: str, name: str) -> int:
    import sqlalchemy as sa

    from atlas.db.publish import RoleRefused, public_login

    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = getpass.getpass() if sys.stdin.isatty() else sys.stdin.readline()
        password = password.rstrip("\r\n")
    try:
        with engine(url).begin() as connection:
            public_login(connection, name, password)
    except RoleRefused as refused:
        print(f"Not done: {refused}", file=sys.stderr)
        return 1
    public = sa.make_url(url).set(username=name, password=None)
    print(f"Role {name} reads the public tier only. A public deployment sets:")
    print(f"  ATLAS_DATABASE_URL={public.render_as_string(hide_password=False)}  ATLAS_TIER=public")
    print("  (the password goes in .streamlit/secrets.toml or the URL, never in the repository)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
