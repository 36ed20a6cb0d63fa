"""Shared fixtures: one engine per test session (building the matchers takes a second)."""

from __future__ import annotations

import pytest

from bias_review.detect.registry import RULES_ONLY


@pytest.fixture(scope="session")
def rules_engine():
    """The engine with lexicons and rules only (no classifier)."""
    from bias_review.engine import Engine

    return Engine(detectors=RULES_ONLY)


@pytest.fixture(scope="session")
def engine():
    """The full engine, bundled model included."""
    from bias_review.engine import Engine

    return Engine()
