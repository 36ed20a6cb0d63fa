"""Core tables: courses, documents, scans, findings and the append-only annotations.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_DECISIONS = "'accepted', 'dismissed', 'recategorised', 'severity', 'comment', 'rewrite'"
_REASONS = "'race-conscious', 'quoted-or-historical', 'clinically-justified', 'wrong-span', 'other'"
_TIME = sa.DateTime(timezone=True)

# A decision is a new row; these triggers refuse UPDATE and DELETE on annotations.
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER annotations_append_only_{verb.lower()} BEFORE {verb} ON annotations
        BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END"""
    for verb in ("UPDATE", "DELETE")
]
_PG_TRIGGERS = [
    """CREATE FUNCTION annotations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'annotations are append-only'; END $$""",
    """CREATE TRIGGER annotations_append_only BEFORE UPDATE OR DELETE ON annotations
       FOR EACH ROW EXECUTE FUNCTION annotations_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("lecturer", sa.String(200)),
        sa.Column("created_at", _TIME, nullable=False),
        sa.UniqueConstraint("name", "year", name="uq_courses_name_year"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("format", sa.String(20)),
        sa.Column("uploader", sa.String(200)),
        sa.Column("uploaded_at", _TIME, nullable=False),
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id"), index=True),
        sa.Column("path", sa.String(1024), nullable=False),
    )
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("lexicon_version", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(100)),
        sa.Column("tool_version", sa.String(50), nullable=False),
        sa.Column("scanned_at", _TIME, nullable=False),
        sa.Column("error", sa.Text()),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("stable_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("flagged_by", sa.String(200)),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("spans", sa.JSON()),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("detectors", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("explanation", sa.Text()),
        sa.Column("suggestion", sa.Text()),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON()),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("first_seen_scan_id", sa.Integer(), sa.ForeignKey("scans.id")),
        sa.Column("last_seen_scan_id", sa.Integer(), sa.ForeignKey("scans.id")),
        sa.CheckConstraint("source IN ('tool', 'reviewer')", name="ck_findings_source"),
        sa.UniqueConstraint("document_id", "stable_id", name="uq_findings_document_stable_id"),
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False, index=True),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("new_category", sa.String(40)),
        sa.Column("severity", sa.String(10)),
        sa.Column("reason", sa.String(40)),
        sa.Column("reason_text", sa.Text()),
        sa.Column("rewrite", sa.Text()),
        sa.Column("comment", sa.Text()),
        sa.CheckConstraint(f"decision IN ({_DECISIONS})", name="ck_annotations_decision"),
        sa.CheckConstraint(f"reason IS NULL OR reason IN ({_REASONS})", name="ck_annotations_reason"),
    )
    for statement in _PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER annotations_append_only ON annotations")
        op.execute("DROP FUNCTION annotations_append_only()")
    for table in ("annotations", "findings", "scans", "documents", "courses"):
        op.drop_table(table)
