"""The files a batch scan reads, and the path each is shown and stored by.

`open_archive` is the ONE place a batch gets its file list: `bias_review.inputs.open_inputs`
(folders, zip archives, IMS Common Cartridge course exports, HTML), as a list, so the runner
can look every file up in the store before it hands any to a worker. Members of archives are
extracted to a temporary folder that lives until the `with` block ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bias_review.inputs import InputFile, open_inputs

__all__ = ["InputFile", "open_archive"]


@contextmanager
def open_archive(paths: Sequence[str | Path], *, exclude: Sequence[str] = ()) -> Iterator[list[InputFile]]:
    """Every file to scan under `paths` (minus `exclude` globs), each with its display path
    (relative to the folder it was found under; `archive.zip!member` inside archives)."""
    with open_inputs(list(paths), exclude=tuple(exclude)) as files:
        yield list(files)
