"""The review store: courses, uploaded documents, scans, findings and reviewers' append-only
decisions, in SQLite (default) or PostgreSQL. See docs/store.md.

It takes the JSON contract's dicts (`DocumentResult.as_dict()`, `ScanResult.as_dict()`) and
never imports spaCy, `bias_review.detect` or `bias_review.engine`.
"""

from bias_review.store.agreement import agreement, cohen_kappa
from bias_review.store.archive import LastScan, decisions_by_finding, last_scans
from bias_review.store.catalog import add_course, add_document, courses, documents, get_document
from bias_review.store.db import Store, StoreError, data_dir, database_url, open_store
from bias_review.store.decisions import add_missed_flag, decide, flag_state, history
from bias_review.store.export import decision_rows, export_decisions, latest_verdicts, parse_decisions, verdict_rows
from bias_review.store.migrate import current_revision, head_revision, upgrade
from bias_review.store.model_versions import (
    activate_model, active_model, deactivate_models, models, register_model,
)
from bias_review.store.queries import counts, lexicon_stats, queue
from bias_review.store.records import (
    Agreement, CourseInfo, DecisionInfo, DocumentCounts, DocumentInfo, FlagState, LexiconStat, ModelInfo,
    QueueItem, ScanInfo,
)
from bias_review.store.scans import FileScan, record_file_scan, record_file_scans, record_scan, record_scan_result

__all__ = [
    "Agreement", "CourseInfo", "DecisionInfo", "DocumentCounts", "DocumentInfo", "FlagState", "LastScan",
    "LexiconStat", "ModelInfo", "QueueItem", "ScanInfo", "Store", "StoreError",
    "activate_model", "active_model", "add_course", "add_document", "add_missed_flag", "agreement",
    "cohen_kappa", "counts", "courses", "current_revision", "data_dir", "database_url", "deactivate_models", "decide",
    "decision_rows", "decisions_by_finding", "documents", "export_decisions", "flag_state", "get_document", "head_revision",
    "history", "last_scans", "latest_verdicts", "lexicon_stats", "models", "open_store", "parse_decisions", "queue",
    "FileScan", "record_file_scan", "record_file_scans", "record_scan", "record_scan_result", "register_model", "upgrade", "verdict_rows",
]
