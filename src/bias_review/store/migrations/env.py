"""Alembic environment for the review store. `bias_review.store.migrate` passes an open
connection; the `alembic` command line (for writing a new revision) gives a URL instead."""

from __future__ import annotations

from alembic import context

from bias_review.store.migrate import VERSION_TABLE
from bias_review.store.models import Base


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      version_table=VERSION_TABLE, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from bias_review.store.db import database_url, make_engine

    engine = make_engine(database_url(context.config.get_main_option("sqlalchemy.url") or None))
    with engine.begin() as conn:
        _run(conn)
