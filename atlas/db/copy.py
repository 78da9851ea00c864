"""Query results as pandas frames through `COPY (SELECT …) TO STDOUT` (CSV), parsed by
pandas' C reader in one call.

Why: reading 100k filtered incidents row by row cost 12–37 s (bench/db.py): SQLAlchemy's
ARRAY result processor ran once per array value (300,000 calls), psycopg built a Python
tuple per row, `DataFrame.from_records` walked them again, and the whole-table reader
formatted every value in Python. COPY sends one CSV stream; psycopg binds the statement's
parameters client-side (values quoted by psycopg, never formatted here), so filters stay
bound parameters (tests/db/test_backends.py feeds them injection attempts).

Text comes back as text: NULL and '' both read as '' (the frames never tell them apart).
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import sqlalchemy as sa


def copy_csv(connection: sa.Connection, statement: sa.Select) -> bytes:
    """The rows of `statement` as CSV with a header line (PostgreSQL's COPY)."""
    compiled = statement.compile(dialect=connection.dialect)
    raw = connection.connection.driver_connection  # psycopg 3 connection of the pool
    buffer = io.BytesIO()
    with raw.cursor() as cursor:
        with cursor.copy(
            f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)", compiled.params
        ) as copy:
            for block in copy:
                buffer.write(block)
    return buffer.getvalue()


def read_frame(
    connection: sa.Connection, statement: sa.Select, dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """The rows of `statement` as a frame: every column text ('' for NULL) unless `dtypes`
    names its type (then an empty field is missing: NaN, <NA>)."""
    data = copy_csv(connection, statement)
    dtypes = dtypes or {}
    # the header line read by the csv module: a second pd.read_csv for it cost ~3 ms, half
    # of reading a small answer (a card's four tables, a map's places)
    header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8")]))
    return pd.read_csv(
        io.BytesIO(data),
        dtype={c: dtypes.get(c, "str") for c in header},
        keep_default_na=False,
        na_values={c: [""] for c in dtypes},
        encoding="utf-8",
    )
