"""Term lists (`requires`, `unless`, context sets) compiled to fast whole-word regexes.

A list becomes one alternation, longest term first, with one shared word-boundary look-behind
in front when every term starts with a word character (so the engine rejects a position inside
a word once, not once per term). Patterns are compiled on first use, so that a scan that never
needs a rule does not pay for compiling it.
"""

from __future__ import annotations

import re
from functools import lru_cache


def term_regex_source(term: str) -> str:
    """Regex source for one term: whole words, case-insensitive use, a hyphen or space also
    matches a hyphen, a space or nothing, a trailing `*` matches any word ending and a leading
    `*` any word beginning ("*itis")."""
    term = term.strip().lower()
    wildcard = term.endswith("*")
    if wildcard:
        term = term[:-1]
    leading = term.startswith("*")  # a suffix: "*itis" = any word ending in -itis
    if leading:
        term = term[1:]
    parts = re.split(r"[-\s]+", term)
    body = r"[-\s]?".join(re.escape(p) for p in parts if p)
    if wildcard:
        body += r"[\w-]*"
    if leading:
        body = r"\w+" + body
    start = _BOUNDARY if re.match(r"\w", term) or leading else ""
    end = r"(?![\w])" if wildcard or re.search(r"\w$", term) else ""
    return start + body + end


_BOUNDARY = r"(?<![\w])"


def terms_regex_source(terms: tuple[str, ...]) -> str:
    """Regex source finding any of `terms`, longest first."""
    if not terms:
        return r"(?!x)x"  # matches nothing
    branches = [term_regex_source(t) for t in sorted(set(terms), key=len, reverse=True)]
    if all(b.startswith(_BOUNDARY) for b in branches):
        return _BOUNDARY + "(?:" + "|".join(b[len(_BOUNDARY):] for b in branches) + ")"
    return "|".join(branches)


class TermPattern:
    """A compiled term list, compiled on first use; offers `search` and `finditer`."""

    __slots__ = ("source", "_regex")

    def __init__(self, source: str) -> None:
        self.source = source
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        regex = self._regex
        if regex is None:  # two threads may both compile it: same result, no harm
            regex = self._regex = re.compile(self.source, re.IGNORECASE)
        return regex

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.regex.search(text, pos)

    def finditer(self, text: str):
        return self.regex.finditer(text)


@lru_cache(maxsize=4096)
def compile_terms(terms: tuple[str, ...]) -> TermPattern:
    """One pattern that finds any of `terms` (already expanded, no @references)."""
    return TermPattern(terms_regex_source(terms))


def expand_terms(items: tuple[str, ...], sets: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Replace `@name` references by the terms of that set."""
    out: list[str] = []
    for item in items:
        if item.startswith("@"):
            out.extend(sets[item[1:]])
        else:
            out.append(item)
    return tuple(out)
