"""Where the store meets the learning loop: `bias-review train --with-annotations URL`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from bias_review.store.db import StoreError, database_url, describe_error, make_engine, open_store
from bias_review.store.export import latest_verdicts, verdict_rows
from bias_review.store.migrate import VERSION_TABLE

_PLAIN = "SELECT finding_id, passage, category, decision, new_category FROM annotations"


def training_verdicts(url: str) -> list[dict[str, Any]]:
    """The latest verdict on each flag (accepted, dismissed, recategorised; rows in the export's
    shape) from the review store at `url`. A database that is not a store but has a plain
    `annotations` table (finding_id, passage, category, decision, new_category) is read as is."""
    try:
        engine = make_engine(database_url(url))
        try:
            tables = set(inspect(engine).get_table_names())
            if VERSION_TABLE not in tables and "annotations" in tables:
                with engine.connect() as conn:
                    return latest_verdicts([dict(r._mapping) for r in conn.execute(text(_PLAIN))])
        finally:
            engine.dispose()
        with open_store(url) as store:
            return verdict_rows(store)
    except SQLAlchemyError as exc:
        raise StoreError(describe_error(exc)) from None
