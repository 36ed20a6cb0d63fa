"""Inline ignores a course director can write into a document.

`bias-review: ignore` in a paragraph, cell or note silences findings in that block and the
next one; `bias-review: ignore rc-mdrd-race-coefficient, outdated-term` silences only those
entries or categories. `bias-review: ignore-file` anywhere silences the whole document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARK = re.compile(r"bias-review\s*:\s*ignore(-file)?\b([^\n]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Ignore:
    whole_file: bool
    only: frozenset[str]  # entry ids or categories; empty = everything

    def covers(self, rule_ids: list[str], category: str) -> bool:
        if not self.only:
            return True
        return category in self.only or any(r in self.only for r in rule_ids)


def find_ignore(text: str) -> Ignore | None:
    """The ignore marker in a block of text, if any."""
    m = _MARK.search(text)
    if m is None:
        return None
    rest = m.group(2).strip().strip(".:;)")
    words = (w.strip().lower() for w in re.split(r"[,\s]+", rest))
    only = frozenset(w for w in words if "-" in w and re.fullmatch(r"[a-z0-9-]+", w))
    return Ignore(bool(m.group(1)), only)
