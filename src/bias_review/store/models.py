"""The store's tables as SQLAlchemy 2 declarative models.

The schema itself is created and changed only by the Alembic migrations in `migrations/`;
these classes are how the code reads and writes it, and a test checks the two agree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text,
    TypeDecorator, UniqueConstraint, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

DECISIONS = ("accepted", "dismissed", "recategorised", "severity", "comment", "rewrite")
VERDICTS = ("accepted", "dismissed", "recategorised")
REASONS = ("race-conscious", "quoted-or-historical", "clinically-justified", "wrong-span", "other")
SOURCES = ("tool", "reviewer")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware (UTC) time")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("name", "year", name="uq_courses_name_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[Optional[int]] = mapped_column(Integer)
    lecturer: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """An uploaded file. `path` is relative to the data folder (uploads/<sha256>/<name>);
    `source_path` (revision 0003) is where a scan found it, relative to the scanned folder."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    format: Mapped[Optional[str]] = mapped_column(String(20))
    uploader: Mapped[Optional[str]] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    course_id: Mapped[Optional[int]] = mapped_column(ForeignKey("courses.id"), index=True)
    path: Mapped[str] = mapped_column(String(1024))
    source_path: Mapped[Optional[str]] = mapped_column(String(1024))

    course: Mapped[Optional[Course]] = relationship()


class Scan(Base):
    """One run of the engine over one document, with the versions that produced it."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    lexicon_version: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[Optional[str]] = mapped_column(String(100))
    tool_version: Mapped[str] = mapped_column(String(50))
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[Optional[str]] = mapped_column(Text)


class Finding(Base):
    """A flag on a document: one JSON-contract finding (source `tool`) or a passage a reviewer
    flagged because the tool missed it (source `reviewer`). `stable_id` is the contract's `id`."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("document_id", "stable_id", name="uq_findings_document_stable_id"),
        CheckConstraint(_in("source", SOURCES), name="ck_findings_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    stable_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10), default="tool")
    flagged_by: Mapped[Optional[str]] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    passage: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    spans: Mapped[Optional[list[Any]]] = mapped_column()
    location: Mapped[dict[str, Any]] = mapped_column()
    detectors: Mapped[list[Any]] = mapped_column()
    score: Mapped[Optional[float]] = mapped_column(Float)
    explanation: Mapped[Optional[str]] = mapped_column(Text)
    suggestion: Mapped[Optional[str]] = mapped_column(Text)
    references: Mapped[list[Any]] = mapped_column()
    extra: Mapped[Optional[dict[str, Any]]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_seen_scan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("scans.id"))
    last_seen_scan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("scans.id"))

    document: Mapped[Document] = relationship()


class Annotation(Base):
    """One reviewer decision. Append-only: rows are inserted, never updated or deleted
    (database triggers refuse both). `category` is the flag's category when it was decided."""

    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint(_in("decision", DECISIONS), name="ck_annotations_decision"),
        CheckConstraint(f"reason IS NULL OR {_in('reason', REASONS)}", name="ck_annotations_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str] = mapped_column(String(20))
    category: Mapped[Optional[str]] = mapped_column(String(40))
    new_category: Mapped[Optional[str]] = mapped_column(String(40))
    severity: Mapped[Optional[str]] = mapped_column(String(10))
    reason: Mapped[Optional[str]] = mapped_column(String(40))
    reason_text: Mapped[Optional[str]] = mapped_column(Text)
    rewrite: Mapped[Optional[str]] = mapped_column(Text)
    comment: Mapped[Optional[str]] = mapped_column(Text)

    finding: Mapped[Finding] = relationship()


class ModelVersion(Base):
    """A classifier model the learning loop produced (revision 0002). At most one is active:
    a partial unique index allows a single row with `active` true."""

    __tablename__ = "model_versions"
    __table_args__ = (
        Index("ix_model_versions_one_active", "active", unique=True,
              sqlite_where=text("active"), postgresql_where=text("active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100), unique=True)
    path: Mapped[str] = mapped_column(String(1024))
    metrics: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
