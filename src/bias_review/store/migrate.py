"""Schema migrations: the Alembic scripts shipped in `migrations/`, run from code.

Opening a store that is already at the newest revision costs one query and no Alembic import
(a rerun of an unchanged archive should take a moment); Alembic runs only to upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files

from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "bias_review_version"
# the newest revision in migrations/versions (a test holds it equal to Alembic's head)
HEAD = "0003"
_PG_LOCK_KEY = 0x6269_6173  # an advisory lock that serialises concurrent upgrades


@contextmanager
def _config(connection=None) -> Iterator["Config"]:
    from alembic.config import Config

    with as_file(files("bias_review.store") / "migrations") as location:
        cfg = Config()
        cfg.set_main_option("script_location", str(location))
        cfg.attributes["connection"] = connection
        yield cfg


def head_revision() -> str:
    """The newest revision the package ships (read from the scripts by Alembic)."""
    from alembic.script import ScriptDirectory

    with _config() as cfg:
        head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to `revision` in one transaction that holds the write lock, so two
    processes opening a new store at once migrate it once. Returns the revision reached."""
    if revision in ("head", HEAD) and _recorded_revision(engine) == HEAD:
        return HEAD
    from alembic import command

    with engine.execution_options(writer=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        with _config(conn) as cfg:
            command.upgrade(cfg, revision)
    return current_revision(engine)


def _recorded_revision(engine: Engine) -> str | None:
    """The revision in the version table, read with one plain query (None if there is none)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    except DBAPIError:  # no version table yet: a new database
        return None
    return rows[0] if len(rows) == 1 else None
