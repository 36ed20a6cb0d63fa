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
    return [f for f, _ in expand_displayed(paths, exclude=exclude)]


def expand_displayed(paths: list[str | Path], *, exclude: list[str] | None = None,
                     extensions: frozenset[str] = SUPPORTED_EXTENSIONS) -> list[tuple[Path, str]]:
    """`expand_paths` with each file's display path: a named file as it was named, a file under
    a named directory relative to it ('2024-25/Renal/Lecture 07 - CKD.pptx'), so reports and
    finding ids do not depend on where the folder sits. `extensions`: what a directory walk
    keeps. An `exclude` glob matches the path as found, its display path or its name."""
    globs = exclude or []
    out: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            if not excluded(globs, p.as_posix(), str(p)):
                out.append((p, str(p)))
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                f = Path(root) / name
                shown = f.relative_to(p).as_posix()
                if (f.suffix.lower() in extensions and not name.startswith(("~$", "."))
                        and not excluded(globs, f.as_posix(), shown)):
                    out.append((f, shown))
    return out


def excluded(globs: list[str] | tuple[str, ...], *paths: str) -> bool:
    """True when a glob matches one of `paths` (posix form) or the last one's file name."""
    name = paths[-1].rsplit("/", 1)[-1] if paths else ""
    return any(fnmatch.fnmatch(s, g) for g in globs for s in (*paths, name))


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
