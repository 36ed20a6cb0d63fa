"""The register of classifier versions the learning loop produced, and which one is active."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bias_review.store.db import Store, StoreError
from bias_review.store.models import ModelVersion
from bias_review.store.records import ModelInfo


def model_info(row: ModelVersion) -> ModelInfo:
    return ModelInfo(row.id, row.version, row.path, row.metrics, row.created_at, row.active)


def register_model(store: Store, version: str, path: str | Path, metrics: Optional[dict[str, Any]] = None) -> ModelInfo:
    """Record a trained model (not active until `activate_model`). Registering a version again
    updates its path and metrics."""
    if not version.strip():
        raise StoreError("a model needs a version")

    def work(session: Session) -> ModelInfo:
        row = session.scalars(select(ModelVersion).where(ModelVersion.version == version)).first()
        if row is None:
            row = ModelVersion(version=version, active=False)
            session.add(row)
        row.path, row.metrics = str(path), dict(metrics or {})
        session.flush()
        return model_info(row)

    return store.write(work)


def activate_model(store: Store, version: str) -> ModelInfo:
    """Make `version` the one active model (the previous one is deactivated)."""

    def work(session: Session) -> ModelInfo:
        row = session.scalars(select(ModelVersion).where(ModelVersion.version == version)).first()
        if row is None:
            raise StoreError(f"no registered model version {version!r}")
        session.execute(update(ModelVersion).where(ModelVersion.active.is_(True)).values(active=False))
        row.active = True
        session.flush()
        return model_info(row)

    return store.write(work)


def deactivate_models(store: Store) -> None:
    """Leave no model active: scans go back to the bundled model (the register is kept)."""
    store.write(lambda session: session.execute(
        update(ModelVersion).where(ModelVersion.active.is_(True)).values(active=False)))


def active_model(store: Store) -> Optional[ModelInfo]:
    """The active model version, or None (then the bundled model is used)."""
    with store.read() as session:
        row = session.scalars(select(ModelVersion).where(ModelVersion.active.is_(True))).first()
        return model_info(row) if row else None


def models(store: Store) -> list[ModelInfo]:
    """Every registered model version, newest first."""
    with store.read() as session:
        return [model_info(r) for r in session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc()))]
