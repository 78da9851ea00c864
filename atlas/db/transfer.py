"""The dataset layout in and out of the database: `import_folder` and `export_folder`.

An import is checked by the loader's rules read in chunks (`atlas.chunks.check_folder`:
the same rule functions as `atlas.loading.load_dataset`, the same one line per problem,
every problem of the folder), and a folder with any error is refused whole, before the
database is touched. Accepted, it replaces the database's dataset in one transaction
(readers see the old dataset until it commits; nothing is ever half-written) through COPY,
one block of `chunk_rows` rows at a time: memory grows with the ids, never the rows. An
export writes the four files back (and an import's `imported.json`): for a folder that
`load_dataset` reads as it is written (the bundled data), export → import → export gives
the same bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd
import psycopg
import psycopg.sql as q
import sqlalchemy as sa

from atlas.chunks import DEFAULT_CHUNK_ROWS, check_folder
from atlas.db import engine, history, tables
from atlas.export.files import write_atomic
from atlas.loading import FILES, IMPORT_MARKER, read_blocks
from atlas.policy import Policy
from atlas.validation import Problem, line_of

# Children first when deleting, parents first when loading (foreign keys).
LOAD_ORDER = ("documents", "incidents", "places", "reports")


class ImportRefused(Exception):
    """The folder has errors: nothing was written. `problems` are the loader's own."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} error(s): nothing imported")


class ImportFailed(Exception):
    """The database refused a row that the rules accept (a constraint no rule checks, such
    as two documents of one name): the transaction was rolled back, nothing was written."""


@dataclass(frozen=True)
class ImportResult:
    rows: dict[str, int]
    warnings: tuple[Problem, ...]
    version: int
    seconds: dict[str, float]  # validate (the loader's rules), write (read again + COPY)


def _cell(table: str, column: str, value: str):
    """A cell of `read_table` (text) as the database stores it."""
    if value == "":
        return "" if column in tables.KEY_COLUMNS[table] else None
    if column in tables.DATE_COLUMNS.get(table, ()):
        return date.fromisoformat(value)
    if column in tables.INT_COLUMNS:
        return int(value)
    if column in tables.NUMERIC_COLUMNS:
        return Decimal(value)
    return value


def _text(value) -> str:
    """A stored value back as the file's text (one value; whole tables: `read_text_tables`)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # keeps the digits as written: 43.5760, never 4.3576E+1
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def import_folder(
    url: str,
    folder: Path,
    policy: Policy | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    publish: bool = True,
) -> ImportResult:
    """Validate `folder` (the dataset layout) and make it the database's dataset, reading
    `chunk_rows` rows of a file at a time (`atlas.chunks`).

    Raises `ImportRefused` with every error when the loader's rules find any; warnings (an
    import's optional values) are returned and the rows load, as on the dashboard. The
    public tier (migration 0003) is refreshed in the same transaction under `policy`
    (default: the policy file, `atlas.policy.load_policy()`); with `publish` false it is
    emptied instead (nothing public until `python -m atlas.db publish`: the refresh reads
    every published row at once, 6.7 GB at 1M incidents, which a bulk load may not have)."""
    folder = Path(folder)
    started = time.perf_counter()
    check = check_folder(folder, chunk_rows)
    validated = time.perf_counter()
    if check.errors:
        raise ImportRefused(list(check.errors))
    marker = folder / IMPORT_MARKER
    marker_text = marker.read_text(encoding="utf-8") if marker.is_file() else None
    with engine(url).begin() as connection:
        recorded = history.begin_import(connection)  # the import records itself, set-based
        for name in reversed(LOAD_ORDER):
            connection.execute(tables.TABLES[name].delete())
        for name in LOAD_ORDER:
            try:
                blocks = read_blocks(folder / FILES[name], tables.SCHEMA_COLUMNS[name], chunk_rows)
                for block in blocks:  # row_order: the row's place in the whole file
                    start = int(block["_line"].iloc[0]) - line_of(0) if len(block) else 0
                    copy_text_table(connection, q.Identifier(name), name, block, start=start)
            except psycopg.Error as error:  # raised out of `begin()`: rolled back
                detail = error.diag.message_detail or ""
                raise ImportFailed(
                    f"{FILES[name]}: {error.diag.message_primary}. {detail} Nothing imported."
                ) from error
        if recorded:
            history.record_import(connection)
        connection.execute(tables.dataset_version.update().values(import_marker=marker_text))
        version = connection.execute(sa.select(tables.dataset_version.c.version)).scalar_one()
        if has_public_tier(connection):  # the import emptied the public copy: write it again
            from atlas.db.publish import clear_public, refresh_public
            from atlas.policy import load_policy

            if publish:
                refresh_public(connection, policy or load_policy())
            else:  # fail closed: the old public rows go too
                clear_public(connection)
    _vacuum(url)
    return ImportResult(
        rows=check.rows,
        warnings=check.warnings,
        version=version,
        seconds={
            "validate": round(validated - started, 2),
            "write": round(time.perf_counter() - validated, 2),
        },
    )


def _vacuum(url: str) -> None:
    """VACUUM (ANALYZE) the incidents just written (and the public copy): their statistics,
    and the visibility map that lets the views' questions read the indexes of migration
    0004 alone (index-only scans) from the first rerun on, not after autovacuum's turn.
    Outside the import's transaction (VACUUM cannot run in one); a role that does not own
    the tables gets a warning from PostgreSQL and autovacuum does it later."""
    with engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("incidents", "public_tier.incidents_data"):
            if connection.execute(sa.select(sa.func.to_regclass(table))).scalar() is not None:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")  # names of this file


def copy_text_table(
    connection: sa.Connection,
    target: q.Composable,
    name: str,
    frame: pd.DataFrame,
    extra: dict[str, object] | None = None,
    start: int = 0,
) -> None:
    """COPY the text table `frame` (dataset table `name`) into `target`, each row with its
    position (plus `start`, the block's first row in its file) as row_order and the
    constant columns `extra`."""
    extra = extra or {}
    columns = [*tables.SCHEMA_COLUMNS[name], "row_order", *extra]
    values = [[_cell(name, c, v) for v in frame[c].tolist()] for c in tables.SCHEMA_COLUMNS[name]]
    statement = q.SQL("COPY {} ({}) FROM STDIN").format(
        target, q.SQL(", ").join(map(q.Identifier, columns))
    )
    cursor = connection.connection.driver_connection.cursor()
    constants = tuple(extra.values())
    with cursor.copy(statement) as copy:
        for order, row in enumerate(zip(*values, strict=True), start=start):
            copy.write_row((*row, order, *constants))


def has_public_tier(connection: sa.Connection) -> bool:
    """Whether the database has the public tier (migration 0003)."""
    found = connection.execute(sa.text("SELECT to_regclass('public_tier.incidents_data')"))
    return found.scalar() is not None


def _as_text(table: str, column: sa.Column) -> sa.ColumnElement[str]:
    if column.name in tables.DATE_COLUMNS.get(table, ()):
        return sa.func.to_char(column, "YYYY-MM-DD")  # whatever the session's DateStyle
    return sa.cast(column, sa.Text)


def read_text_tables(
    connection: sa.Connection, where: dict[str, sa.ColumnElement[bool]] | None = None
) -> dict[str, pd.DataFrame]:
    """The four tables as the files hold them: text, schema columns, in the files' order
    (only the rows matching `where[name]`, when given). Cast to text by PostgreSQL (numeric
    keeps its digits as written: 43.5760; dates ISO) and read through COPY (atlas.db.copy):
    no Python work per value."""
    from atlas.db.copy import read_frame

    out = {}
    for name in FILES:
        table = tables.TABLES[name]
        columns = tables.SCHEMA_COLUMNS[name]
        statement = sa.select(*(_as_text(name, table.c[c]).label(c) for c in columns))
        if where and name in where:
            statement = statement.where(where[name])
        frame = read_frame(connection, statement.order_by(table.c.row_order))
        out[name] = frame.reindex(columns=list(columns)).astype("str")
    return out


@cache
def _empty_text(name: str) -> pd.DataFrame:
    """A table of text with no row (`read_text_rows`' for a table not asked for; built once:
    ~3 ms each time)."""
    columns = tables.SCHEMA_COLUMNS[name]
    return pd.DataFrame({c: pd.Series(dtype="str") for c in columns}).assign(
        _line=pd.Series(dtype="int64")
    )


def read_text_rows(
    connection: sa.Connection,
    ids: tuple[str, ...],
    every_document: bool = False,
    names: tuple[str, ...] = tuple(FILES),
) -> dict[str, pd.DataFrame]:
    """`read_text_tables` of the incidents `ids`: their rows, places and reports, and the
    documents those cite (or every document), of the tables `names` (the others empty);
    `_line` is each row's line in its file."""
    from atlas.db.copy import read_frame
    from atlas.db.where import TEXT_ARRAY

    def chosen(table: sa.Table) -> sa.ColumnElement[bool]:
        return table.c.incident_id == sa.func.any(sa.bindparam("ids", list(ids), TEXT_ARRAY))

    cited = sa.select(tables.reports.c.document).where(chosen(tables.reports))
    out = {}
    for name in FILES:
        table = tables.TABLES[name]
        columns = tables.SCHEMA_COLUMNS[name]
        statement = sa.select(
            *(_as_text(name, table.c[c]).label(c) for c in columns),
            (table.c.row_order + 2).label("_line"),
        )
        if name not in names:  # not asked for: empty, without a query
            out[name] = _empty_text(name).copy()
            continue
        if name != "documents":
            statement = statement.where(chosen(table))
        elif not every_document:
            statement = statement.where(table.c.document.in_(cited))
        frame = read_frame(connection, statement.order_by(table.c.row_order), {"_line": "int64"})
        out[name] = frame.reindex(columns=[*columns, "_line"])
        out[name][list(columns)] = out[name][list(columns)].astype("str")
    return out


def export_folder(url: str, folder: Path) -> dict[str, int]:
    """Write the database's dataset to `folder` in the dataset layout; returns rows per file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with engine(url).connect() as connection:
        frames = read_text_tables(connection)
        marker = connection.execute(sa.select(tables.dataset_version.c.import_marker)).scalar()
    for name, frame in frames.items():
        write_atomic(
            folder / FILES[name],
            lambda tmp, frame=frame: frame.to_csv(tmp, index=False, lineterminator="\n"),
        )
    if marker is not None:
        write_atomic(folder / IMPORT_MARKER, lambda tmp: tmp.write_text(marker, encoding="utf-8"))
    return {name: len(frame) for name, frame in frames.items()}
