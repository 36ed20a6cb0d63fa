"""A small on-disk cache for data derived from the lexicons (parsed YAML, gate clauses), so a
scan starts in well under a second. Entries are JSON files named by a key that hashes every
input they depend on: a changed input is a new key, so a stale entry is never read. A corrupt
or unreadable entry is ignored and rebuilt; entries are written to a temporary file and
renamed, so processes sharing the cache never see half a file.

The folder is `BIAS_REVIEW_CACHE`, else `$XDG_CACHE_HOME/bias-review`, else
`~/.cache/bias-review`; set `BIAS_REVIEW_CACHE=off` to disable it. Each kind keeps its
KEEP_PER_KIND most recently used entries (a read marks an entry used), so editing lexicons
does not grow the folder without bound.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bias_review import __version__

KEEP_PER_KIND = 4


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    configured = os.environ.get("BIAS_REVIEW_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bias-review"


def cached_json(kind: str, key: str, build: Callable[[], Any], *, keep: int = KEEP_PER_KIND) -> Any:
    """The JSON value stored under (kind, key, tool version), or `build()` stored there (and
    the kind's entries beyond the `keep` most recently used deleted)."""
    folder = cache_dir()
    path = folder / f"{kind}-{__version__}-{key}.json" if folder is not None else None
    if path is not None:
        try:
            with open(path, encoding="utf-8") as fh:
                stored = json.load(fh)
            if isinstance(stored, dict) and stored.get("key") == key:
                _touch(path)
                return stored["value"]
        except (OSError, ValueError, KeyError):
            pass  # missing or corrupt: rebuild below
    value = build()
    if path is not None:
        _write_atomically(path, {"key": key, "value": value})
        _prune(path.parent, kind, keep)
    return value


def _touch(path: Path) -> None:
    """Mark an entry as just used (its modification time), for `_prune`."""
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache still serves


def _prune(folder: Path, kind: str, keep: int = KEEP_PER_KIND) -> None:
    """Delete the entries of `kind` (any tool version) beyond the `keep` most recently used.
    Another process reading one as it goes just rebuilds it."""
    try:
        entries = sorted(folder.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink()
    except OSError:
        pass


def _write_atomically(path: Path, obj: Any) -> None:
    """Write `obj` as JSON through a temporary file renamed into place; on any failure (an
    unwritable folder, a value JSON cannot hold) leave no file behind and run without the cache."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
