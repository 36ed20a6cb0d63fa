"""One file an archive scan reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputFile:
    """A file to scan.

    `display`: the path reports show and finding ids hash ('2024-25/Renal/Lecture 07 - CKD.pptx',
    'archive.zip!inner/path.pdf', 'course.imscc!Module 3/Week 2/slides.pdf').
    `path`: a readable local file (an archive member is taken out into the scan's temporary
    folder); for an entry with an `error`, the archive it came from, not to be scanned.
    `section`: the module path of a cartridge file ('Module 3 > Week 2'), put in front of each
    finding's Location.section.
    `error`: why this member or archive could not be taken out (unsafe name, zip bomb, corrupt);
    `Engine.scan_input` reports it as that file's error.
    """

    display: str
    path: Path
    section: str | None = None
    error: str | None = None
