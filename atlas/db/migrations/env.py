"""Alembic environment: migrations run on the connection `atlas.db.upgrade` hands over
(config.attributes["connection"]), or on the URL of alembic.ini / ATLAS_DATABASE_URL
when alembic is run by hand (`alembic -c atlas/db/alembic.ini upgrade head`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from atlas.db import database_url

    url = database_url() or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()


run()
