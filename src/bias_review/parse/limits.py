"""Safety limits applied before any parser touches a file.

Every check raises ParseError with a one-line reason; nothing here extracts data.
"""

from __future__ import annotations

import zipfile

from bias_review.parse.document import ParseError

MB = 1024 * 1024

#: Largest input file accepted by `parse()` (overridable per call).
DEFAULT_MAX_BYTES = 200 * MB

#: DOCX/PPTX: the sum of the declared uncompressed sizes of all archive members.
MAX_ZIP_UNCOMPRESSED = 500 * MB

#: DOCX/PPTX: largest ratio of declared uncompressed to compressed size over the whole
#: archive. Real Office files are far below this (XML compresses ~5-40x, media ~1x).
MAX_ZIP_RATIO = 200

#: The ratio check only applies once the archive expands beyond this; a tiny archive
#: with a silly ratio is harmless.
ZIP_RATIO_FLOOR = 10 * MB

#: DOCX/PPTX: most members an archive may hold.
MAX_ZIP_MEMBERS = 20_000


def human_size(n: int | float) -> str:
    """'250.0 MB', '12.5 KB', '300 bytes'; whole megabytes print without decimals
    when they are limits (see `limit_size`)."""
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{int(n)} bytes"


def limit_size(n: int) -> str:
    """A limit as people write it: '200 MB', '1 KB', '500 bytes'."""
    for unit, size in (("MB", MB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def check_size(path: str, size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse empty files and files over `max_bytes`."""
    if size == 0:
        raise ParseError(path, "empty file")
    if max_bytes is not None and size > max_bytes:
        raise ParseError(
            path, f"file is {human_size(size)}, over the {limit_size(max_bytes)} limit"
        )


def check_zip(path: str, archive: zipfile.ZipFile) -> None:
    """Refuse archives that would expand too far, judged from the central directory
    only (no member is decompressed here).

    Python's zipfile stops decompressing a member at its declared size, so checking the
    declared sizes bounds what the DOCX/PPTX libraries can later inflate.
    """
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ParseError(
            path, f"ZIP archive has {len(infos)} members, over the {MAX_ZIP_MEMBERS} limit"
        )
    total = sum(max(i.file_size, 0) for i in infos)
    packed = sum(max(i.compress_size, 0) for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise ParseError(
            path,
            f"ZIP archive expands to {human_size(total)}, over the "
            f"{limit_size(MAX_ZIP_UNCOMPRESSED)} limit (possible zip bomb)",
        )
    if total > ZIP_RATIO_FLOOR and total / max(packed, 1) > MAX_ZIP_RATIO:
        raise ParseError(
            path,
            f"ZIP archive expands to {human_size(total)} from {human_size(packed)} "
            f"(ratio {total / max(packed, 1):.0f}:1, over {MAX_ZIP_RATIO}:1; possible zip bomb)",
        )
