"""Files inside .zip archives and IMS Common Cartridges, taken out one at a time, safely.

A member's name never decides where it is written: each member taken out goes to the scan's
temporary folder under a name of our own (a counter and its extension), and a member whose name
is absolute, holds '..' or a drive letter, or that is a symbolic link, is refused outright (and
reported). Each member is held to the file size limit and the zip-bomb ratio before a byte is
inflated, and all members together to MAX_EXTRACTED_TOTAL. A zip inside an archive is opened
one level deep.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bias_review.inputs.cartridge import MANIFEST, CartridgeFile, cartridge_files, member_name
from bias_review.inputs.safexml import UnsafeXml
from bias_review.inputs.input_file import InputFile
from bias_review.parse import SUPPORTED_EXTENSIONS
from bias_review.parse.document import ParseError, one_line
from bias_review.parse.limits import (MAX_EXTRACTED_TOTAL, MB, check_member, check_zip_members, human_size,
                                      limit_size)
from bias_review.paths import excluded

ARCHIVE_EXTENSIONS = frozenset({".zip", ".imscc"})
#: Archives inside archives are opened this many levels deep (a zip in a zip: yes; deeper: no).
MAX_NESTING = 1
#: Largest imsmanifest.xml read.
MAX_MANIFEST_BYTES = 50 * MB
_DRIVE = re.compile(r"^[A-Za-z]:")
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


def is_archive(path: Path | str) -> bool:
    return PurePosixPath(str(path)).suffix.lower() in ARCHIVE_EXTENSIONS


def unsafe_name(name: str) -> str | None:
    """Why an archive member's name is refused (it could point outside the folder it is
    extracted to), or None."""
    posix = name.replace("\\", "/")
    if "\x00" in name:
        return "a NUL byte in its name"
    if posix.startswith("/"):
        return "an absolute path"
    if _DRIVE.match(posix):
        return "a drive letter"
    if ".." in posix.split("/"):
        return "'..' in its path"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


class Extractor:
    """Takes members out into one folder, under names of its own, within one size budget."""

    def __init__(self, folder: Path, budget: int = MAX_EXTRACTED_TOTAL) -> None:
        self.folder = folder
        self.left = budget
        self.count = 0

    def extract(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> Path:
        """The member as a local file; ParseError (naming `shown`) when it is refused or broken."""
        check_member(shown, info)
        if info.flag_bits & 0x1:
            raise ParseError(shown, "encrypted archive member (password-protected); not extracted")
        if info.file_size > self.left:
            raise ParseError(shown, f"not extracted: the scan has taken {limit_size(MAX_EXTRACTED_TOTAL)} "
                             "out of archives, its limit")
        self.count += 1
        suffix = PurePosixPath(info.filename).suffix.lower()
        target = self.folder / f"{self.count:06d}{suffix if _SAFE_SUFFIX.match(suffix) else ''}"
        written = 0
        try:
            with archive.open(info) as src, open(target, "xb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > info.file_size:  # never past the declared size (checked above)
                        raise ParseError(shown, f"archive member is larger than it declares "
                                         f"({human_size(info.file_size)}); corrupt or a zip bomb")
                    dst.write(chunk)
        except ParseError:
            target.unlink(missing_ok=True)
            raise
        except Exception as exc:  # noqa: BLE001 - bad CRC, unknown compression, a truncated archive
            target.unlink(missing_ok=True)
            raise ParseError(shown, f"corrupt archive member ({one_line(exc)})") from None
        self.left -= written
        return target


@dataclass(frozen=True)
class _Scope:
    """What members to yield and how deep archives may nest."""

    extractor: Extractor
    exclude: tuple[str, ...]
    depth: int = 0

    def deeper(self) -> "_Scope":
        return _Scope(self.extractor, self.exclude, self.depth + 1)


def archive_inputs(path: Path, shown: str, extractor: Extractor, exclude: tuple[str, ...] = ()) -> Iterator[InputFile]:
    """The files to scan in an archive (a cartridge when it has imsmanifest.xml at the top);
    an archive that cannot be opened is one InputFile with its error."""
    yield from _archive(path, shown, _Scope(extractor, exclude))


def _archive(path: Path, shown: str, scope: _Scope) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        yield InputFile(shown, path, error="file not found")
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield InputFile(shown, path, error=f"corrupt or unreadable ZIP archive ({one_line(exc)})")
        return
    with archive:
        try:
            infos = check_zip_members(shown, archive)
            names = {i.filename for i in infos}
            if MANIFEST in names:
                entries = list(_cartridge(archive, infos, names, shown))
            else:
                entries = [_Entry(i, f"{shown}!{i.filename.replace(chr(92), '/')}") for i in infos]
        except ParseError as exc:
            yield InputFile(shown, path, error=exc.reason)
            return
        for entry in entries:
            if entry.info is None:
                yield InputFile(entry.display, path, entry.section, error=entry.error)
            else:
                yield from _member(archive, entry.info, entry.display, entry.section, path, scope)


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, section: str | None,
            container: Path, scope: _Scope) -> Iterator[InputFile]:
    """One member: refused, skipped (a folder, a file we do not read, excluded), taken out, or
    opened as an archive one level down."""
    why = unsafe_name(info.filename) or ("a symbolic link" if _is_symlink(info) else None)
    if why:
        yield InputFile(shown, container, section, error=f"refused: unsafe archive member ({why}); not extracted")
        return
    name = PurePosixPath(info.filename.replace("\\", "/"))
    suffix = name.suffix.lower()
    if (info.is_dir() or name.name.startswith((".", "~$")) or "__MACOSX" in name.parts
            or suffix not in SUPPORTED_EXTENSIONS | ARCHIVE_EXTENSIONS or excluded(scope.exclude, shown)):
        return
    if suffix in ARCHIVE_EXTENSIONS and scope.depth >= MAX_NESTING:
        yield InputFile(shown, container, section,
                        error=f"archive nested more than {MAX_NESTING} level deep; not opened")
        return
    try:
        local = scope.extractor.extract(archive, info, shown)
    except ParseError as exc:
        yield InputFile(shown, container, section, error=exc.reason)
        return
    if suffix in ARCHIVE_EXTENSIONS:
        yield from _archive(local, shown, scope.deeper())
    else:
        yield InputFile(shown, local, section)


@dataclass(frozen=True)
class _Entry:
    """A member to read (`info`), or a file the manifest names that cannot be (`error`)."""

    info: zipfile.ZipInfo | None
    display: str
    section: str | None = None
    error: str | None = None


def _cartridge(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], names: set[str],
               shown: str) -> Iterator[_Entry]:
    """Each file of the course, in module order, with its display path and module path."""
    info = archive.getinfo(MANIFEST)
    check_member(f"{shown}!{MANIFEST}", info, MAX_MANIFEST_BYTES)
    try:
        files = cartridge_files(archive.read(info))
    except UnsafeXml as exc:
        raise ParseError(shown, f"refused: {MANIFEST} is unsafe or broken ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt manifest member
        raise ParseError(shown, f"cannot read {MANIFEST} ({one_line(exc)})") from None
    by_name = {i.filename: i for i in infos}
    used: set[str] = set()
    for f in files:
        section = " > ".join(f.modules)
        member = member_name(f.href, names)
        display = _cartridge_display(shown, f, member, used)
        if member is None:
            why = unsafe_name(f.href)
            yield _Entry(None, display, section, f"refused: unsafe href in {MANIFEST} ({why})" if why else
                         f"listed in {MANIFEST} but not in the cartridge")
        else:
            yield _Entry(by_name[member], display, section)


def _cartridge_display(shown: str, f: CartridgeFile, member: str | None, used: set[str]) -> str:
    """'course.imscc!Module 3/Week 2/slides.pdf': the module path and the file's name; the
    file's whole path in the package when that name is taken in the module."""
    where = (*f.modules, PurePosixPath(member or f.href).name)
    display = f"{shown}!" + "/".join(where)
    if display in used:
        display = f"{shown}!" + "/".join((*f.modules, member or f.href))
    used.add(display)
    return display
