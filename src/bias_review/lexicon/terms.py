"""Term lists (`requires`, `unless`, context sets) compiled to fast whole-word regexes."""

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
    start = r"(?<![\w])" if re.match(r"\w", term) or leading else ""
    end = r"(?![\w])" if wildcard or re.search(r"\w$", term) else ""
    return start + body + end


@lru_cache(maxsize=4096)
def compile_terms(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that finds any of `terms` (already expanded, no @references)."""
    if not terms:
        return re.compile(r"(?!x)x")  # matches nothing
    ordered = sorted(set(terms), key=len, reverse=True)
    return re.compile("|".join(term_regex_source(t) for t in ordered), re.IGNORECASE)


def expand_terms(items: tuple[str, ...], sets: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Replace `@name` references by the terms of that set."""
    out: list[str] = []
    for item in items:
        if item.startswith("@"):
            out.extend(sets[item[1:]])
        else:
            out.append(item)
    return tuple(out)
