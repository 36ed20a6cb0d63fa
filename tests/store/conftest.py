"""Store fixtures: every store test runs against SQLite and a real PostgreSQL server.

PostgreSQL comes from $BIAS_REVIEW_TEST_PG_URL (a database the role may create schemas in);
each test gets a fresh schema. Without the variable the PostgreSQL cases are skipped, except
in CI (CI=true), where they fail: CI must run them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bias_review.store import Store, database_url, open_store

PG_ENV = "BIAS_REVIEW_TEST_PG_URL"


def _pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return database_url(url)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{PG_ENV} is not set: in CI the PostgreSQL store tests must run, not skip")
    pytest.skip(f"{PG_ENV} is not set (PostgreSQL store tests skipped outside CI)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    base = _pg_base_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """An open, migrated store with its data folder in tmp_path."""
    with open_store(db_url, data=tmp_path / "data") as s:
        yield s
