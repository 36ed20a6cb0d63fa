"""Courses and uploaded documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Optional

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bias_review.store.db import Store, StoreError, get_row
from bias_review.store.files import sanitise_name, save_upload
from bias_review.store.models import Course, Document, utcnow
from bias_review.store.records import CourseInfo, DocumentInfo, Ref, ref_id


def course_info(row: Course) -> CourseInfo:
    return CourseInfo(row.id, row.name, row.year, row.lecturer)


def document_info(store: Store, row: Document) -> DocumentInfo:
    return DocumentInfo(row.id, row.sha256, row.name, row.format, row.uploader, row.uploaded_at,
                        row.course_id, row.path, str(store.data_dir / row.path), row.source_path)


def add_course(store: Store, name: str, year: Optional[int] = None, lecturer: Optional[str] = None) -> CourseInfo:
    """The course called `name` in `year`, created if it does not exist yet (a `lecturer`
    given for a course that has none is filled in)."""
    if not name.strip():
        raise StoreError("a course needs a name")

    def work(session: Session) -> CourseInfo:
        row = session.scalars(select(Course).where(
            Course.name == name, Course.year.is_(None) if year is None else Course.year == year)).first()
        if row is None:
            row = Course(name=name, year=year, lecturer=lecturer)
            session.add(row)
            session.flush()
        elif lecturer and not row.lecturer:
            row.lecturer = lecturer
        return course_info(row)

    return store.write(work)


def courses(store: Store) -> list[CourseInfo]:
    """Every course, by name and year."""
    with store.read() as session:
        return [course_info(c) for c in session.scalars(select(Course).order_by(Course.name, Course.year))]


@dataclass(frozen=True)
class Upload:
    """A file kept under the data folder, not yet recorded: what `document_row` needs."""

    sha256: str
    name: str
    path: str
    format: Optional[str]


def save_file(store: Store, content: bytes | str | Path, name: Optional[str] = None, *,
              format: Optional[str] = None) -> Upload:
    """Write `content` (bytes, or a path to read them from: then `name` defaults to the file's
    name) under `<data dir>/uploads/<sha256>/<sanitised name>`."""
    if isinstance(content, (str, Path)):
        source = Path(content)
        name = name or source.name
        content = source.read_bytes()
    if not name:
        raise StoreError("a document needs a name")
    safe = sanitise_name(name)
    digest, relative = save_upload(store.data_dir, content, safe)
    return Upload(digest, safe, relative, format or (PurePosixPath(safe).suffix.lstrip(".").lower() or None))


class StoredDocument(NamedTuple):
    """What recording a scan needs of a document row."""

    id: int
    sha256: str
    format: Optional[str]


DocumentKey = tuple[Upload, Optional[int], Optional[str], Optional[str]]  # upload, course id, uploader, source path
_INSERT_DOCUMENTS = insert(Document.__table__).returning(Document.id, sort_by_parameter_order=True)


def document_row(session: Session, upload: Upload, course_id: Optional[int], uploader: Optional[str],
                 source_path: Optional[str] = None) -> tuple[StoredDocument, bool]:
    """The document row of `upload` in this course (and source path), created if there is none,
    and whether it was created now."""
    return documents_rows(session, [(upload, course_id, uploader, source_path)])[0]


def documents_rows(session: Session, keys: Sequence[DocumentKey]) -> list[tuple[StoredDocument, bool]]:
    """`document_row` for each key, with one query for those that exist and one statement for
    those to create (a batch records many files per transaction)."""
    def identity(key: DocumentKey) -> tuple:
        upload, course_id, _, source_path = key
        return upload.sha256, upload.path, course_id, source_path

    found: dict[tuple, StoredDocument] = {}
    shas = sorted({k[0].sha256 for k in keys})
    for chunk in (shas[i:i + 500] for i in range(0, len(shas), 500)):
        for row in session.execute(select(Document.id, Document.sha256, Document.format, Document.path,
                                          Document.course_id, Document.source_path)
                                   .where(Document.sha256.in_(chunk)).order_by(Document.id)):
            found.setdefault((row.sha256, row.path, row.course_id, row.source_path),
                             StoredDocument(row.id, row.sha256, row.format))
    missing = list({identity(k): k for k in keys if identity(k) not in found}.values())
    for course_id in sorted({k[1] for k in missing if k[1] is not None}):
        get_row(session, Course, course_id)
    created: set[tuple] = set()
    if missing:
        now = utcnow()
        ids = session.execute(_INSERT_DOCUMENTS, [
            {"sha256": u.sha256, "name": u.name, "format": u.format, "uploader": uploader, "course_id": course_id,
             "path": u.path, "source_path": source_path, "uploaded_at": now}
            for u, course_id, uploader, source_path in missing]).scalars().all()
        for key, new_id in zip(missing, ids):
            found[identity(key)] = StoredDocument(new_id, key[0].sha256, key[0].format)
            created.add(identity(key))
    out = []
    for key in keys:  # a key given twice is created once: the second is not new
        ident = identity(key)
        out.append((found[ident], ident in created))
        created.discard(ident)
    return out


def add_document(store: Store, content: bytes | str | Path, name: Optional[str] = None, *,
                 course: Optional[Ref] = None, uploader: Optional[str] = None,
                 format: Optional[str] = None, source_path: Optional[str] = None) -> DocumentInfo:
    """Keep an uploaded file under `<data dir>/uploads/<sha256>/<sanitised name>` and record it.

    `content` is the file's bytes or a path to read them from (then `name` defaults to the
    file's name). Uploading the same bytes under the same name to the same course (and, for a
    scanned file, from the same `source_path`) again returns the document already recorded."""
    upload = save_file(store, content, name, format=format)
    course_id = ref_id(course) if course is not None else None
    return store.write(lambda session: document_info(
        store, get_row(session, Document, document_row(session, upload, course_id, uploader, source_path)[0].id)))


def get_document(store: Store, document: Ref) -> DocumentInfo:
    """One document by id; StoreError if there is none."""
    with store.read() as session:
        return document_info(store, get_row(session, Document, ref_id(document)))


def documents(store: Store, course: Optional[Ref] = None) -> list[DocumentInfo]:
    """Every document (of one course), newest upload first."""
    query = select(Document).order_by(Document.uploaded_at.desc(), Document.id.desc())
    if course is not None:
        query = query.where(Document.course_id == ref_id(course))
    with store.read() as session:
        return [document_info(store, d) for d in session.scalars(query)]

