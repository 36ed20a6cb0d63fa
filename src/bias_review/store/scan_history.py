"""The newest scan of a document: which lexicon and model versions read it, and whether it
could be read at all."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from bias_review.store.db import Store
from bias_review.store.models import Scan
from bias_review.store.records import Ref, ScanInfo, ref_id
from bias_review.store.scans import scan_info


def last_scan(store: Store, document: Ref) -> Optional[ScanInfo]:
    """The newest scan of a document (failed or not), or None if it was never scanned."""
    with store.read() as session:
        row = session.scalars(select(Scan).where(Scan.document_id == ref_id(document))
                              .order_by(Scan.id.desc()).limit(1)).first()
        return scan_info(row) if row else None
