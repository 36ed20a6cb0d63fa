"""Which files a scan reads: named files, and supported files under named directories."""

from __future__ import annotations

import fnmatch
import hashlib
import os
from pathlib import Path

from bias_review.parse import SUPPORTED_EXTENSIONS


def expand_paths(paths: list[str | Path], *, exclude: list[str] | None = None) -> list[Path]:
    """Files named directly, plus supported files under directories, minus `exclude` globs.
    A named file is kept whatever its extension (its content decides its format)."""
    exclude = exclude or []

    def excluded(p: Path) -> bool:
        s = p.as_posix()
        return any(fnmatch.fnmatch(s, g) or fnmatch.fnmatch(p.name, g) for g in exclude)

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    f = Path(root) / name
                    if f.suffix.lower() in SUPPORTED_EXTENSIONS and not name.startswith(("~$", ".")) and not excluded(f):
                        out.append(f)
        elif not excluded(p):
            out.append(p)
    return out


def sha256_or_none(path: str | Path) -> str | None:
    """The file's sha256, or None when it cannot be read."""
    try:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
