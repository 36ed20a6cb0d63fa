"""Schema migrations: the Alembic scripts shipped in `migrations/`, run from code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

VERSION_TABLE = "bias_review_version"
_PG_LOCK_KEY = 0x6269_6173  # an advisory lock that serialises concurrent upgrades


@contextmanager
def _config(connection=None) -> Iterator[Config]:
    with as_file(files("bias_review.store") / "migrations") as location:
        cfg = Config()
        cfg.set_main_option("script_location", str(location))
        cfg.attributes["connection"] = connection
        yield cfg


def head_revision() -> str:
    """The newest revision the package ships."""
    with _config() as cfg:
        head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to `revision` in one transaction that holds the write lock, so two
    processes opening a new store at once migrate it once. Returns the revision reached."""
    with engine.execution_options(writer=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        with _config(conn) as cfg:
            command.upgrade(cfg, revision)
    return current_revision(engine)
