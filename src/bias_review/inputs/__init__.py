"""What an archive scan reads: files, folders (recursively), .zip archives (a zip inside one
level deep) and IMS Common Cartridges (.imscc, or any zip with imsmanifest.xml at the top), each
as an `InputFile`: a local path to parse, the path to show, and a cartridge file's module path.

    with open_inputs(["archive/", "course.imscc"], exclude=["*/old/*"]) as files:
        for item in files:
            result = engine.scan_input(item)

Archive members are taken out lazily, one at a time as the iterator reaches them, into a
temporary folder that stays until the context ends (also on an exception), so a worker may
still read a member the iterator has passed. A bad member is an InputFile with an `error`; it
never stops the rest. See docs/inputs.md.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bias_review.inputs.archives import ARCHIVE_EXTENSIONS, Extractor, archive_inputs, is_archive
from bias_review.inputs.input_file import InputFile
from bias_review.parse import SUPPORTED_EXTENSIONS
from bias_review.paths import expand_displayed

__all__ = ["ARCHIVE_EXTENSIONS", "InputFile", "open_inputs"]


@contextmanager
def open_inputs(paths: Iterable[str | Path], *, exclude: Iterable[str] = (),
                workdir: str | Path | None = None) -> Iterator[Iterator[InputFile]]:
    """The files to scan under `paths`, in order: files named directly (shown as named), files
    under a named folder (shown relative to it), archive members ('archive.zip!inner/path.pdf')
    and cartridge files ('course.imscc!Module 3/Week 2/slides.pdf'). `exclude`: globs matched
    against a file's path, display path or name. `workdir`: where the temporary folder goes
    (default: the system's)."""
    folder = Path(tempfile.mkdtemp(prefix="bias-review-inputs-", dir=workdir))
    files = _inputs(list(paths), tuple(exclude), Extractor(folder))
    try:
        yield files
    finally:
        files.close()  # closes any archive still open in the generator
        shutil.rmtree(folder, ignore_errors=True)


def _inputs(paths: list[str | Path], exclude: tuple[str, ...], extractor: Extractor) -> Iterator[InputFile]:
    found = expand_displayed(paths, exclude=list(exclude), extensions=SUPPORTED_EXTENSIONS | ARCHIVE_EXTENSIONS)
    for path, shown in found:
        if is_archive(path):
            yield from archive_inputs(path, shown, extractor, exclude)
        else:
            yield InputFile(shown, path)
