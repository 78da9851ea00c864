"""The public tier on the team database (migration 0003): `refresh_public` writes the
redacted published rows into the copy tables that the `atlas_public` role reads.

What the public may see is `atlas.redaction.redact_tables`' (the one owner of what each
sensitivity level hides); what this module adds is the review state: only published
incidents, published reports of published incidents, the places of published incidents and
the documents that such a report cites are handed to the redaction, and ids of incidents
that are not published are taken out of related_ids / may_overlap first (an id holds a date
and a place). The copy is replaced in the caller's transaction: readers see the old public
tier until it commits.
"""

from __future__ import annotations

import pandas as pd
import psycopg.sql as q
import sqlalchemy as sa

from atlas.db import tables
from atlas.db.transfer import copy_text_table, read_text_tables
from atlas.evidence import split_ids
from atlas.policy import Policy
from atlas.redaction import redact_tables

SCHEMA = "public_tier"
PUBLISHED = "published"
# Children first when deleting, parents first when writing (the copies' policies need none,
# but a reader of the code expects the base tables' order).
WRITE_ORDER = ("documents", "incidents", "places", "reports")


def published_where() -> dict[str, sa.ColumnElement[bool]]:
    """Which base rows the public tier is made of, per table."""
    i, r = tables.incidents, tables.reports
    published_ids = sa.select(i.c.incident_id).where(i.c.review_state == PUBLISHED)
    shown_reports = sa.and_(r.c.review_state == PUBLISHED, r.c.incident_id.in_(published_ids))
    cited = sa.select(r.c.document).where(shown_reports)
    return {
        "incidents": i.c.review_state == PUBLISHED,
        "places": tables.places.c.incident_id.in_(published_ids),
        "reports": shown_reports,
        "documents": tables.documents.c.document.in_(cited),
    }


def _without_unpublished(incidents: pd.DataFrame) -> pd.DataFrame:
    """Links to incidents outside the published set removed from related_ids/may_overlap."""
    known = set(incidents["incident_id"])
    out = incidents.copy()
    for column in ("related_ids", "may_overlap"):
        out[column] = [
            v if set(split_ids(v)) <= known else ";".join(x for x in split_ids(v) if x in known)
            for v in out[column]
        ]
    return out


def published_tables(connection: sa.Connection) -> dict[str, pd.DataFrame]:
    """The base tables' published rows as text tables (`read_text_tables`' shape), the
    input of the redaction."""
    base = read_text_tables(connection, published_where())
    base["incidents"] = _without_unpublished(base["incidents"])
    return base


def _base_ids(base: pd.DataFrame, public: pd.DataFrame) -> dict[str, str]:
    """public id → base id of each incident the redaction kept, through the rows' index
    labels (pandas keeps a kept row's label). Empty when the labels do not trace (a label
    that is no base row, a kept id naming another row than its label's, two public rows
    from one base row): the fail-closed trigger then hides the whole copy on any change."""
    positions = dict(zip(base["incident_id"], base.index, strict=True))
    out: dict[str, str] = {}
    for label, public_id in zip(public.index, public["incident_id"], strict=True):
        if label not in base.index or positions.get(public_id, label) != label:
            return {}
        out[public_id] = base.at[label, "incident_id"]
    return out if len(set(out.values())) == len(out) else {}


def clear_public(connection: sa.Connection) -> None:
    """Empty the public copy (in the caller's transaction): the public tier shows nothing."""
    for name in [*(f"{n}_data" for n in reversed(WRITE_ORDER)), "published_ids"]:
        connection.execute(sa.delete(sa.table(name, schema=SCHEMA)))


def refresh_public(connection: sa.Connection, policy: Policy) -> dict[str, int]:
    """Replace the public copy with `redact_tables` of the published base rows (in the
    caller's transaction); returns the rows written per table."""
    base = published_tables(connection)
    public = redact_tables(base, policy)
    ids = _base_ids(base["incidents"], public["incidents"])
    clear_public(connection)
    for name in WRITE_ORDER:
        # no editor names or edit counts in public (nor the import's file name: the public
        # version's import_marker stays empty); updated_at says when it was published
        extra = {"review_state": PUBLISHED}
        if name in tables.REVIEWED:
            extra |= {"row_version": 1, "updated_by": None}
        target = q.Identifier(SCHEMA, f"{name}_data")
        copy_text_table(connection, target, name, public[name].reset_index(drop=True), extra)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy("COPY public_tier.published_ids (public_id, base_id) FROM STDIN") as copy:
        for row in ids.items():
            copy.write_row(row)
    return {name: len(public[name]) for name in WRITE_ORDER}


def reads_public_tier_only(connection: sa.Connection) -> bool:
    """Whether this connection's role reads the public tier (its search_path starts at
    public_tier) and cannot read the base tables: what a public deployment must connect as."""
    row = connection.execute(
        sa.text(
            "SELECT current_schema() = :schema,"
            " has_table_privilege('public.incidents', 'SELECT')"
            " OR has_table_privilege('public.reports', 'SELECT')"
        ),
        {"schema": SCHEMA},
    ).one()
    return bool(row[0]) and not row[1]


def public_version(connection: sa.Connection) -> int:
    """The public tier's dataset version (bumped by every change of the copy)."""
    return connection.execute(
        sa.text("SELECT version FROM public_tier.dataset_version")
    ).scalar_one()


class RoleRefused(Exception):
    """The name belongs to a role that is not a public login: nothing was changed."""


def public_login(connection: sa.Connection, name: str, password: str) -> None:
    """Create (or give a new password to) the login role `name`, a member of atlas_public
    only, whose search_path is public_tier then public (the views first; PostGIS's
    functions, which the grid cells and the cell filter call, from the schema the
    extension is in: the role may create nothing there) and whose transactions are
    read-only. The
    password travels as a SCRAM-SHA-256 verifier made by libpq on this side, never in clear
    (nor in the server's statement log)."""
    if not password:
        raise RoleRefused("an empty password")
    exists = connection.execute(
        sa.text(
            "SELECT pg_has_role(oid, 'atlas_public', 'MEMBER') FROM pg_roles WHERE rolname = :n"
        ),
        {"n": name},
    ).scalar()
    if exists is False:
        raise RoleRefused(f"role {name} exists and is not an atlas_public login: not changed")
    raw = connection.connection.driver_connection
    verifier = raw.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
    role, secret = q.Identifier(name), q.Literal(verifier.decode("ascii"))
    if exists is None:
        statement = q.SQL(
            "CREATE ROLE {} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
            " NOBYPASSRLS PASSWORD {} IN ROLE atlas_public"
        ).format(role, secret)
    else:
        statement = q.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(role, secret)
    for sql in (
        statement,
        q.SQL("ALTER ROLE {} SET search_path = public_tier, public").format(role),
        q.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role),
    ):
        raw.execute(sql)
