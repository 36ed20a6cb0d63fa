"""One database URL, one engine per process, and transactions that survive a busy SQLite file."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

DB_ENV = "BIAS_REVIEW_DB"
DATA_ENV = "BIAS_REVIEW_DATA"
DEFAULT_DATA_DIR = "bias-review-data"
SQLITE_FILE = "bias-review.sqlite"
BUSY_TIMEOUT_MS = 30_000
WRITE_ATTEMPTS = 12

T = TypeVar("T")
M = TypeVar("M")


class StoreError(ValueError):
    """A problem the caller can fix: a bad URL, an unknown finding, an invalid decision."""


def get_row(session: Session, model: type[M], row_id: int) -> M:
    """The row of `model` with this id; StoreError naming the table if there is none."""
    row = session.get(model, row_id)
    if row is None:
        raise StoreError(f"no {model.__tablename__.removesuffix('s')} with id {row_id}")
    return row


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data folder: `explicit`, else $BIAS_REVIEW_DATA, else ./bias-review-data."""
    return Path(explicit or os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR).absolute()


def database_url(explicit: str | None = None, *, data: str | Path | None = None) -> str:
    """The database URL: `explicit`, else $BIAS_REVIEW_DB, else SQLite in the data folder.

    A bare `postgresql://` (or `postgres://`) URL is given the psycopg 3 driver."""
    url = explicit or os.environ.get(DB_ENV) or f"sqlite:///{data_dir(data) / SQLITE_FILE}"
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        hint = " (install the extra: pip install 'bias-review[postgres]')" if "postgres" in url else ""
        raise StoreError(f"no database driver for {parsed.drivername}{hint}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so writers can BEGIN IMMEDIATE:
    they take the write lock up front and wait for it (busy_timeout) instead of failing later."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")


def describe_error(exc: BaseException) -> str:
    """One line for a database error: the driver's first line, without SQL or parameters."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return f"database error: {first}"


def is_retryable(exc: BaseException) -> bool:
    """SQLite 'database is locked/busy', PostgreSQL serialization failure or deadlock."""
    orig = getattr(exc, "orig", None)
    message = str(orig or exc).lower()
    return ("database is locked" in message or "database is busy" in message
            or getattr(orig, "sqlstate", None) in ("40001", "40P01"))


@dataclass
class Store:
    """An open review store: the database engine and the data folder for uploaded files.

    Build one per process (`open_store`) and share it; it is thread-safe."""

    url: str = field(repr=False)  # may hold a password
    engine: Engine
    data_dir: Path

    def __post_init__(self) -> None:
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(writer=True), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._reader() as session:
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in one transaction and commit; retried from the start while the
        database is locked or the transaction lost a serialization race."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._writer.begin() as session:
                    return work(session)
            except OperationalError as exc:
                if attempt == WRITE_ATTEMPTS or not is_retryable(exc):
                    raise
                time.sleep(min(2.0, 0.02 * 2 ** attempt) * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(url: str | None = None, *, data: str | Path | None = None, migrate: bool = True) -> Store:
    """Open the store at `url` (see `database_url`) and upgrade its schema to the newest
    revision. `data` is the data folder for uploads (see `data_dir`)."""
    from bias_review.store.migrate import upgrade

    resolved = database_url(url, data=data)
    store = Store(resolved, make_engine(resolved), data_dir(data))
    if migrate:
        try:
            upgrade(store.engine)
        except Exception:
            store.close()
            raise
    return store
