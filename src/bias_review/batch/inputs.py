"""The files a batch scan reads, and the path each is shown and stored by.

`open_archive` is the ONE place a batch gets its file list. When `bias_review.inputs.open_inputs`
(zip, IMS Common Cartridge, HTML, OCR) exists, `open_archive` becomes a call to it: it has the
same shape (a context manager giving `InputFile`s) and nothing else in `batch` changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bias_review.paths import expand_paths


@dataclass(frozen=True)
class InputFile:
    """One file to scan. `display` is its path relative to the scanned folder ('/'-separated):
    shown in reports, stored as the document's source path and hashed into finding ids, so it
    must not depend on where the archive is mounted. `path` is where to read it; `section` is
    where inside a package (a cartridge module) it came from, when it did."""

    display: str
    path: Path
    section: str | None = None


@contextmanager
def open_archive(paths: Sequence[str | Path], *, exclude: Sequence[str] = ()) -> Iterator[list[InputFile]]:
    """The supported files under `paths` (minus `exclude` globs), each named relative to the
    folder it was found under; with several folders, behind that folder's own name."""
    yield archive_files(paths, exclude=exclude)


def archive_files(paths: Sequence[str | Path], *, exclude: Sequence[str] = ()) -> list[InputFile]:
    """`open_archive`'s list: folder-relative display paths, each file once."""
    several = len(paths) > 1
    seen: set[Path] = set()
    out: list[InputFile] = []
    for raw in paths:
        root = Path(raw)
        prefix = (root.resolve().name + "/") if several else ""
        for f in expand_paths([root], exclude=list(exclude)):
            real = f.resolve()
            if real in seen:
                continue
            seen.add(real)
            shown = prefix + f.relative_to(root).as_posix() if root.is_dir() else f.name
            out.append(InputFile(shown, f))
    return out
