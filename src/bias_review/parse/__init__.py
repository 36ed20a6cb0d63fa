"""Step 1 of the pipeline: a file becomes a `Document` of located `Block`s.

`parse(path)` picks the parser from the file's content (magic bytes, an HTML page's
`<!doctype html` or `<html`), not from its extension; the extension is only used to tell
plain text from Markdown, and an HTML fragment from text. Every failure is a `ParseError`
carrying a one-line reason.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bias_review.parse.document import Block, Document, ParseError, ParseTimeout, one_line
from bias_review.parse.limits import DEFAULT_MAX_BYTES, check_size, check_zip
from bias_review.parse.text import READ_CHUNK_BYTES

__all__ = [
    "Block",
    "DEFAULT_MAX_BYTES",
    "Document",
    "ParseError",
    "ParseTimeout",
    "SUPPORTED_EXTENSIONS",
    "TEXT_EXTENSIONS",
    "detect_format",
    "parse",
]

#: Extensions the scanner looks for when walking a directory.
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {".pdf", ".docx", ".pptx", ".txt", ".md", ".markdown", ".html", ".htm"}
)
#: Extensions whose files are read as plain text (content has no magic number).
TEXT_EXTENSIONS: dict[str, str] = {".txt": "text", ".md": "markdown", ".markdown": "markdown"}
#: Extensions of HTML pages (a page without `<!doctype html>` or `<html>` is still one).
HTML_EXTENSIONS: dict[str, str] = {".html": "html", ".htm": "html"}

_EXPECTED_FORMAT = {".pdf": "pdf", ".docx": "docx", ".pptx": "pptx", **TEXT_EXTENSIONS, **HTML_EXTENSIONS}
_HTML_STARTS = (b"<!doctype html", b"<html")

# enough of a file to tell its format (magic numbers, an HTML page's opening, a text sample)
_HEAD_BYTES = 64 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_REASON = (
    "password-protected or legacy Office file (.doc/.ppt); save as .docx/.pptx without a password"
)
# Binary formats people may drop into a course folder, for a clearer refusal.
_KNOWN_BINARIES = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"{\\rtf", "RTF document (save as .docx)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"MZ", "Windows executable"),
)


def _ext(path: str) -> str:
    return Path(path).suffix.lower()


def _zip_format(path: str) -> str:
    """'docx' or 'pptx' for an OOXML archive; ParseError for anything else. Also runs
    the zip-bomb checks (directory only)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        kind = {".docx": "DOCX", ".pptx": "PPTX"}.get(_ext(path), "ZIP/Office file")
        raise ParseError(path, f"corrupt or unreadable {kind} ({one_line(exc)})") from None
    with archive:
        check_zip(path, archive)
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        content_types = ""
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size < 1_000_000:
                try:
                    content_types = archive.read(info).decode("utf-8", "replace")
                except Exception:  # noqa: BLE001 - a broken member only loses the hint
                    content_types = ""
        if "wordprocessingml.document.main" in content_types or "ms-word." in content_types:
            return "docx"
        if "presentationml" in content_types or "ms-powerpoint." in content_types:
            return "pptx"
        if "xl/workbook.xml" in names or "spreadsheetml" in content_types:
            raise ParseError(path, "Excel workbooks (.xlsx) are not supported")
        if "mimetype" in names and "content.xml" in names:
            raise ParseError(
                path, "OpenDocument files are not supported; save as .docx or .pptx"
            )
        raise ParseError(path, "ZIP archive that is not a .docx or .pptx file")


def _looks_like_html(data: bytes) -> bool:
    """True when the file opens with `<!doctype html` or `<html` (after a BOM, white space, an
    XML declaration or comments)."""
    head = data[:2048].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    while head.startswith((b"<!--", b"<?xml")):
        end = head.find(b"-->" if head.startswith(b"<!--") else b"?>")
        if end < 0:
            return False
        head = head[end + 2:].lstrip(b">").lstrip()
    return head.startswith(_HTML_STARTS)


def _sniff(path: str, data: bytes) -> str:
    """The format of the file at `path` whose first bytes are `data` (at least _HEAD_BYTES of
    them, or the whole file): pdf, docx, pptx, html, text or markdown."""
    ext = _ext(path)
    if data.startswith(b"%PDF-") or (ext == ".pdf" and b"%PDF-" in data[:1024]):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    if data.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise ParseError(path, "empty or split ZIP archive, not a .docx or .pptx file")
    if data.startswith(_OLE_MAGIC):
        raise ParseError(path, _OLE_REASON)
    if _looks_like_html(data) or ext in HTML_EXTENSIONS:
        return "html"  # the HTML parser decodes as the text parser does, refusing binary content
    if ext in TEXT_EXTENSIONS:
        return TEXT_EXTENSIONS[ext]  # the text parser refuses binary content itself
    for magic, what in _KNOWN_BINARIES:
        if data.startswith(magic):
            raise ParseError(path, f"unsupported file type: {what}")
    if ext in _EXPECTED_FORMAT:
        raise ParseError(path, f"not a valid {ext} file (unrecognised content)")
    shown = ext or "no extension"
    raise ParseError(
        path, f"unsupported file type ({shown}); expected PDF, DOCX, PPTX, HTML, .txt or .md"
    )


@contextmanager
def _reading(path: str) -> Iterator[None]:
    """OS errors while reading `path` as one-line ParseErrors."""
    try:
        yield
    except ParseError:
        raise
    except FileNotFoundError:
        raise ParseError(path, "file not found") from None
    except PermissionError:
        raise ParseError(path, "permission denied") from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise ParseError(path, f"invalid path ({one_line(exc)})") from None
    except OSError as exc:
        raise ParseError(path, f"cannot read file ({exc.strerror or one_line(exc)})") from None


def _read(path: str, max_bytes: int, *, limit: int | None = None) -> bytes:
    """The file's bytes, after the size checks; only its first `limit` bytes when given."""
    with _reading(path):
        if os.path.isdir(path):
            raise ParseError(path, "is a directory, not a file")
        size = os.stat(path).st_size
        check_size(path, size, max_bytes)
        with open(path, "rb") as fh:
            # the size it had, plus one byte to see whether it has grown since (reading
            # max_bytes at once would allocate that much for every file)
            data = fh.read(limit if limit is not None else size + 1)
            if limit is None and len(data) > size:
                data += fh.read(max_bytes + 1 - len(data) if max_bytes is not None else -1)
    if limit is None or len(data) < limit:
        check_size(path, len(data), max_bytes)  # the file may have changed since stat()
    return data


def _sha256_of_file(path: str, max_bytes: int) -> str:
    """The file's SHA-256, read in chunks (a large PDF is never held whole in memory)."""
    digest = hashlib.sha256()
    size = 0
    with _reading(path), open(path, "rb") as fh:
        while chunk := fh.read(READ_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                break
    check_size(path, size, max_bytes)  # the file may have changed since stat()
    return digest.hexdigest()


def detect_format(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The format `parse()` would use for `path`: 'pdf', 'docx', 'pptx', 'html', 'text' or
    'markdown'. Raises ParseError when the file cannot be parsed at all."""
    p = os.fspath(path)
    return _detect(p, _read(p, max_bytes, limit=_HEAD_BYTES))


def _detect(p: str, data: bytes) -> str:
    """`detect_format` for the first bytes of the file, already read (also runs the ZIP safety
    checks)."""
    try:
        return _sniff(p, data)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - the contract: only ParseError escapes
        raise ParseError(p, f"unrecognised file ({type(exc).__name__}: {one_line(exc)})") from exc


def parse(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: bool = True,
          deadline: float | None = None) -> Document:
    """Parse one file into a Document. Raises ParseError (and nothing else) for any
    input it cannot read, with a one-line `reason`.

    `ocr`: read PDF pages that have no text layer with Tesseract, when it is installed.
    `deadline` (a time.monotonic() value): parsers that can stop between pages (PDF, and its
    OCR) raise ParseTimeout once it has passed."""
    p = os.fspath(path)
    head = _read(p, max_bytes, limit=_HEAD_BYTES)
    fmt = _detect(p, head)
    try:
        doc = _parse_as(p, head, fmt, max_bytes, ocr=ocr, deadline=deadline)
    except ParseError:
        raise
    except MemoryError:
        raise ParseError(p, f"out of memory while reading the {fmt.upper()} file") from None
    except RecursionError:
        raise ParseError(p, f"{fmt.upper()} structure is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - the contract: only ParseError escapes
        raise ParseError(
            p, f"could not read {fmt.upper()} file ({type(exc).__name__}: {one_line(exc)})"
        ) from exc
    expected = _EXPECTED_FORMAT.get(_ext(p))
    if expected and expected != fmt and {expected, fmt} != {"text", "markdown"}:
        doc.warnings.insert(
            0, f"extension {_ext(p)} does not match the content ({fmt}); parsed as {fmt}"
        )
    if not doc.blocks:
        doc.warnings.append("no text found")
    return doc


def _parse_as(path: str, head: bytes, fmt: str, max_bytes: int, *, ocr: bool, deadline: float | None) -> Document:
    """The format's parser on the file whose first bytes are `head`. A PDF, and a plain-text,
    Markdown or HTML file over `text.STREAM_BYTES`, are read from the file as they are needed,
    never held whole."""
    if fmt == "pdf":
        from bias_review.parse.pdf import parse_pdf

        return parse_pdf(path, path, _sha256_of_file(path, max_bytes), ocr=ocr, deadline=deadline)
    if fmt in ("text", "markdown", "html") and len(head) == _HEAD_BYTES:
        from bias_review.parse import text

        if os.path.getsize(path) > text.STREAM_BYTES:
            return text.parse_text_file(path, head, max_bytes=max_bytes, format=fmt)
    data = head if len(head) < _HEAD_BYTES else _read(path, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    if fmt == "html":
        from bias_review.parse.html import parse_html

        return parse_html(path, data, sha)
    if fmt == "docx":
        from bias_review.parse.word import parse_docx

        return parse_docx(path, data, sha)
    if fmt == "pptx":
        from bias_review.parse.slides import parse_pptx

        return parse_pptx(path, data, sha)
    from bias_review.parse.text import parse_text

    return parse_text(path, data, sha, markdown=(fmt == "markdown"))
