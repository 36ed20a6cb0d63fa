"""Is a flagged term part of a proper name? "Themes Concerning Blacks Test", "Alcoholics
Anonymous", "United Negro College Fund", "Journal of Negro Education": a name is mentioned,
not a term used about people.

A name here is a run of capitalised words around the term (joined by spaces or hyphens, with
'of', 'for', 'the', 'and' allowed inside) that holds one of the lexicon's `name_heads` (Test,
Scale, College, Anonymous, Journal, ...), or of two or more capitalised words followed by a
head in lower case ("the Themes Concerning Blacks test"). A capitalised run without a head is
not taken for a name: place names ("Gypsies in Eastern Europe"), table headers and title-case
slide headings are where outdated terms are used, too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"[^\W\d_][\w'’]*(?:-[\w'’]+)*")
_JOINERS = frozenset({"of", "for", "the", "and", "&"})
# how far (characters) either side of the term a name may reach: a name is a few words, and
# looking no further keeps the check linear in a long run of flagged text
_REACH = 160


def proper_name(passage: str, start: int, end: int, *, name_head: Callable[[str], bool]) -> str | None:
    """The name that holds passage[start:end], or None."""
    if not passage[start:start + 1].isupper():  # a name's words are capitalised, the term's too
        return None
    words = [(m.start(), m.end(), m.group())
             for m in _WORD.finditer(passage, max(0, start - _REACH), min(len(passage), end + _REACH))]
    inside = [k for k, (s, e, _) in enumerate(words) if s < end and e > start]
    if not inside or not all(words[k][2][0].isupper() for k in inside):
        return None
    lo, hi = inside[0], inside[-1]

    def joined(a: int, b: int) -> bool:  # nothing but spaces between word a and word b
        return not passage[words[a][1]:words[b][0]].strip()

    def capital(k: int) -> bool:
        return words[k][2][0].isupper()

    while lo > 0 and joined(lo - 1, lo) and (capital(lo - 1) or (
            words[lo - 1][2] in _JOINERS and lo > 1 and joined(lo - 2, lo - 1) and capital(lo - 2))):
        lo -= 1
    while hi + 1 < len(words) and joined(hi, hi + 1) and (capital(hi + 1) or (
            words[hi + 1][2] in _JOINERS and hi + 2 < len(words) and joined(hi + 1, hi + 2) and capital(hi + 2))):
        hi += 1
    run = range(lo, hi + 1)
    if any(k not in inside and capital(k) and name_head(words[k][2].lower()) for k in run):
        return passage[words[lo][0]:words[hi][1]]
    after = hi + 1
    if (after < len(words) and joined(hi, after) and sum(capital(k) for k in run) >= 2
            and name_head(words[after][2])):
        return passage[words[lo][0]:words[after][1]]
    return None
