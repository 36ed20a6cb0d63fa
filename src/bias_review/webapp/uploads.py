"""What happens to uploaded files: stored in the data folder, scanned, recorded in the store.

No Streamlit here: the upload page hands its files to `handle_uploads`, and so do the tests
and the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Optional

from bias_review import __version__
from bias_review.findings import Severity
from bias_review.store import DocumentInfo, Store, StoreError, add_course, add_document, record_scan

if TYPE_CHECKING:
    from bias_review.engine import Engine

UPLOAD_TYPES = ("pdf", "docx", "pptx", "txt", "md")
SCAN_TIMEOUT = 120.0

Progress = Callable[[int, int, str], None]  # (files done, files in all, what is happening)


@dataclass(frozen=True)
class UploadOutcome:
    """One uploaded file: the stored document (None if it was refused) and the reason it
    could not be scanned, if any."""

    name: str
    document: Optional[DocumentInfo]
    error: Optional[str] = None
    flags: int = 0  # findings that are flags (not `info`)


def unsupported_reason(name: str) -> Optional[str]:
    """Why a file name is refused before it is stored, or None."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix in UPLOAD_TYPES:
        return None
    shown = f".{suffix}" if suffix else "no extension"
    return f"not a supported file type ({shown}); upload {', '.join(t.upper() for t in UPLOAD_TYPES)}"


def handle_uploads(store: Store, engine: "Engine", files: Sequence[tuple[str, bytes]], course: str, *,
                   year: Optional[int] = None, lecturer: Optional[str] = None, uploader: Optional[str] = None,
                   on_progress: Optional[Progress] = None, timeout: float = SCAN_TIMEOUT) -> list[UploadOutcome]:
    """Store, scan and record each `(name, bytes)` under `course`; one bad file does not stop
    the others. Raises StoreError only when the course itself is missing."""
    if not course or not course.strip():
        raise StoreError("a course name is required")
    info = add_course(store, course.strip(), year, (lecturer or "").strip() or None)
    report = on_progress or (lambda done, total, what: None)
    outcomes = []
    for n, (name, content) in enumerate(files):
        report(n, len(files), f"scanning {name}")
        outcomes.append(_one(store, engine, name, content, info.id, uploader, timeout))
    report(len(files), len(files), "done")
    return outcomes


def _one(store: Store, engine: "Engine", name: str, content: bytes, course_id: int,
         uploader: Optional[str], timeout: float) -> UploadOutcome:
    refused = unsupported_reason(name)
    if refused:
        return UploadOutcome(name, None, refused)
    try:
        doc = add_document(store, content, name, course=course_id, uploader=uploader or None)
    except (StoreError, OSError, ValueError) as exc:
        return UploadOutcome(name, None, f"could not be stored: {exc}")
    # The stored path is the scanned path, so a rescan of this upload keeps its flags' ids.
    result = engine.scan_file(doc.file, display_path=doc.path, timeout=timeout)
    record_scan(store, doc, result.as_dict(min_severity=Severity.INFO), engine.lexicon.version,
                engine.model_version, __version__)
    return UploadOutcome(doc.name, doc, result.error, sum(1 for f in result.findings if f.is_flag))
