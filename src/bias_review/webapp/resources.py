"""One store and one engine per process, shared by every session (`st.cache_resource`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import streamlit as st

from bias_review.startup import collector_paused
from bias_review.store import Store, active_model, data_dir, database_url, open_store

if TYPE_CHECKING:
    from bias_review.engine import Engine


@st.cache_resource(show_spinner=False)
def _store(url: str, folder: str) -> Store:
    return open_store(url, data=folder)


def get_store() -> Store:
    """The store at `$BIAS_REVIEW_DB` (else SQLite in the data folder, `$BIAS_REVIEW_DATA`)."""
    folder = str(data_dir())
    return _store(database_url(data=folder), folder)


@st.cache_resource(show_spinner="Loading the detection engine…", max_entries=2)
def _engine(model_path: Optional[str]) -> "Engine":
    """Built with the garbage collector paused (not frozen: the app may build another engine
    when the active model changes, and frozen objects are never collected)."""
    with collector_paused():
        from bias_review.engine import Engine

        return Engine(model_path=Path(model_path) if model_path else None)


def get_engine(store: Store) -> tuple["Engine", Optional[str]]:
    """The engine with the store's active model (else the bundled one), and a warning when
    the active model could not be loaded and the bundled one is used instead."""
    from bias_review.classifier.bundle import ModelError

    active = active_model(store)
    if active is None:
        return _engine(None), None
    try:
        return _engine(active.path), None
    except (ModelError, OSError) as exc:
        return _engine(None), f"the active model {active.version} could not be loaded ({exc}); using the bundled model"

