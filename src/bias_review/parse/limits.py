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

#: DOCX/PPTX, and archives scanned (.zip, .imscc): most members an archive may hold.
MAX_ZIP_MEMBERS = 20_000

#: Archives scanned (.zip, .imscc): the most one scan takes out of archives in all (members are
#: taken out one by one as they are scanned; each member is also held to `DEFAULT_MAX_BYTES`
#: and to the ratio cap). Members that are not scanned (video, images) are never taken out.
MAX_EXTRACTED_TOTAL = 4 * 1024 * MB


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
    infos = check_zip_members(path, archive)
    total = sum(max(i.file_size, 0) for i in infos)
    packed = sum(max(i.compress_size, 0) for i in infos)
    check_expansion(path, total, packed, MAX_ZIP_UNCOMPRESSED)


def check_zip_members(path: str, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's members; refuses an archive with more than MAX_ZIP_MEMBERS."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ParseError(
            path, f"ZIP archive has {len(infos)} members, over the {MAX_ZIP_MEMBERS} limit"
        )
    return infos


def check_member(path: str, info: zipfile.ZipInfo, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse one archive member, before it is taken out, that would expand past `max_bytes` or
    from too little (its declared sizes; zipfile never inflates past the declared size)."""
    check_expansion(path, max(info.file_size, 0), max(info.compress_size, 0), max_bytes,
                    what="archive member")


def check_expansion(path: str, total: int, packed: int, limit: int, *, what: str = "ZIP archive") -> None:
    """Refuse `total` uncompressed bytes over `limit`, or over MAX_ZIP_RATIO times `packed`
    (once past ZIP_RATIO_FLOOR)."""
    if total > limit:
        raise ParseError(
            path,
            f"{what} expands to {human_size(total)}, over the "
            f"{limit_size(limit)} limit (possible zip bomb)",
        )
    if total > ZIP_RATIO_FLOOR and total / max(packed, 1) > MAX_ZIP_RATIO:
        raise ParseError(
            path,
            f"{what} expands to {human_size(total)} from {human_size(packed)} "
            f"(ratio {total / max(packed, 1):.0f}:1, over {MAX_ZIP_RATIO}:1; possible zip bomb)",
        )
