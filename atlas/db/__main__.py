"""`python -m atlas.db upgrade | import DIR | export DIR` on the database named by
ATLAS_DATABASE_URL (or [connections.atlas] in .streamlit/secrets.toml).

Exit status: 0 done, 1 the folder has errors (one line per problem, nothing written),
2 no database configured or a usage error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlas.db import URL_VARIABLE, database_url, schema_revision, upgrade
from atlas.db.transfer import ImportFailed, ImportRefused, export_folder, import_folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m atlas.db", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="create or migrate the schema (Alembic)")
    imp = commands.add_parser("import", help="validate a dataset folder and load it, all or none")
    imp.add_argument("folder", type=Path)
    exp = commands.add_parser("export", help="write the dataset layout to a folder")
    exp.add_argument("folder", type=Path)
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
            result = import_folder(url, args.folder)
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
    rows = export_folder(url, args.folder)
    print(f"Exported {', '.join(f'{n:,} {name}' for name, n in rows.items())} to {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
