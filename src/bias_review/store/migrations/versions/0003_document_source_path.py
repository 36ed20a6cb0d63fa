"""Where a scanned file was found: `documents.source_path`, the path a batch or command-line
scan names the file by (relative to the scanned folder), so a rerun can find its last scan and
the archive report can show the file's place in the archive.

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column: SQLite adds it in place (no table rebuild), PostgreSQL without a rewrite
    op.add_column("documents", sa.Column("source_path", sa.String(1024)))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("source_path")
