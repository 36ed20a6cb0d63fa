"""App tests run against a fresh SQLite store and data folder each (set through the same
environment variables the app reads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bias_review.store import Store, open_store


@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The store the app will open (BIAS_REVIEW_DB / BIAS_REVIEW_DATA point at tmp_path)."""
    data = tmp_path / "data"
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("BIAS_REVIEW_DATA", str(data))
    monkeypatch.setenv("BIAS_REVIEW_DB", url)
    monkeypatch.delenv("BIAS_REVIEW_ROLES", raising=False)
    with open_store(url, data=data) as store:
        yield store
