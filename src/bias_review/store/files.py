"""Uploaded files on disk: `<data dir>/uploads/<sha256>/<sanitised name>`, never outside it."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

UPLOADS = "uploads"
MAX_NAME = 150
_UNSAFE = re.compile(r"[^\w.\- ()+,]+")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def sanitise_name(name: str) -> str:
    """A safe file name from an uploaded name: the last path component (either separator),
    without control characters, leading dots or characters outside letters, digits and
    `. - _ ( ) + ,` and space; never empty, a dot name or a Windows device name."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if len(base) > MAX_NAME:
        ext = ext[:20]
        base = f"{stem[: MAX_NAME - len(ext) - 1]}.{ext}" if ext else base[:MAX_NAME]
    if (stem or base).split(".")[0].lower() in _WINDOWS_RESERVED:
        base = "_" + base
    return base or "upload"


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def save_upload(data_dir: Path, content: bytes, name: str) -> tuple[str, str]:
    """Write `content` under the data folder; returns (sha256, path relative to the folder).

    The file is written to a temporary name and renamed, so a reader never sees half a file."""
    digest = sha256_bytes(content)
    relative = PurePosixPath(UPLOADS, digest, sanitise_name(name))
    target = data_dir / relative
    if not target.resolve().is_relative_to((data_dir / UPLOADS).resolve()):
        raise ValueError(f"upload name {name!r} does not give a path inside the data folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.exists() and sha256_bytes(target.read_bytes()) == digest):
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return digest, str(relative)
