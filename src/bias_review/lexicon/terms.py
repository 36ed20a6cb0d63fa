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


# between the two sides of a "near" item: up to NEAR_WORDS words, no sentence punctuation
NEAR_WORDS = 3
_GAP = r"(?:[^\w.!?]+\w[\w'’-]*){0,%d}?[^\w.!?]+" % NEAR_WORDS
Near = tuple  # ("~", left terms, right terms): a term of the left, then one of the right


def _plain_source(terms: tuple[str, ...]) -> str:
    ordered = sorted(set(terms), key=lambda t: (-len(t), t))  # longest first, then a fixed order
    branches = [term_regex_source(t) for t in ordered]
    if all(b.startswith(_BOUNDARY) for b in branches):
        return _BOUNDARY + "(?:" + _by_first_letter(ordered, [b[len(_BOUNDARY):] for b in branches]) + ")"
    return "|".join(branches)


def _by_first_letter(terms: list[str], bodies: list[str]) -> str:
    """The alternation of `bodies` with branches grouped under their first letter
    ("b(?:lack|rown)|w(?:hite)"): at a word start the engine tries only the branches of that
    letter instead of every term. Within a letter the order is kept, and branches of different
    letters cannot match at one place, so the match is the plain alternation's. A branch that
    does not start with a letter (a leading wildcard, "*itis") stays in its place between two
    runs of groups."""
    out: list[str] = []
    run: dict[str, list[str]] = {}

    def close_run() -> None:
        if run:
            out.append("|".join(re.escape(f) + "(?:" + "|".join(rest) + ")" for f, rest in run.items()))
            run.clear()

    for term, body in zip(terms, bodies):
        first = term.strip().lower()[:1]
        if first.isalnum() and body.startswith(re.escape(first)):
            run.setdefault(first, []).append(body[len(re.escape(first)):])
        else:
            close_run()
            out.append(body)
    close_run()
    return "|".join(out)


def found_source(terms: tuple) -> str:
    """Regex source that matches where any of `terms` (plain terms and "near" items, see
    `expand_terms`) does, for when only whether one matches counts (not which, nor where).

    The terms that start a word share one word-boundary look-behind and are written as a
    prefix tree ("b(?:lack(?:s|)|rown)"), so at a word start the engine reads each letter
    once instead of trying every term that shares it; a position inside a word is rejected
    once for the whole list. Near items sit under the same look-behind, one branch per left
    side with the union of its right sides (a left term then any right term is what each
    item asks for), their left sides written as trees too. Word endings ("*itis") share one
    branch. Each rewriting keeps the set of places where a match starts, so the answer is
    the plain alternation's."""
    words: list[tuple[str, ...]] = []  # the atoms of each word term after the boundary
    endings: list[str] = []
    others: list[str] = []
    for term in sorted({t for t in terms if isinstance(t, str)}):
        source = term_regex_source(term)
        atoms = _word_atoms(source)
        if atoms is not None:
            words.append(atoms)
        elif source.startswith(_BOUNDARY) and source[len(_BOUNDARY):].startswith(r"\w+"):
            endings.append(source[len(_BOUNDARY) + 3:])
        else:
            others.append(source)
    # near items: left sides sharing their right sides' union, then right sides sharing a left
    rights_of: dict[tuple[str, ...], set[str]] = {}
    for t in terms:
        if not isinstance(t, str):
            _, left, right = t
            rights_of.setdefault(tuple(sorted(set(left))), set()).update(right)
    lefts_of: dict[tuple[str, ...], set[str]] = {}
    for left, right in rights_of.items():
        lefts_of.setdefault(tuple(sorted(right)), set()).update(left)
    near: list[str] = []  # branches under the shared boundary
    for right, left in lefts_of.items():
        left_atoms = [_word_atoms(term_regex_source(t)) for t in sorted(left)]
        tail = f"{_GAP}(?:{found_source(right)})"
        if all(a is not None for a in left_atoms):
            near.append(_prefix_tree(left_atoms) + tail)
        else:
            others.append(f"(?:{found_source(tuple(left))}){tail}")
    shared = ([_prefix_tree(words)] if words else []) + near
    parts = []
    if shared:
        parts.append(_BOUNDARY + "(?:" + "|".join(shared) + ")")
    if endings:  # a word with one of these endings: the ending, after a word character
        parts.append(r"(?<=\w)(?:" + "|".join(endings) + ")")
    return "|".join(parts + others) or r"(?!x)x"


# one unit of a term's regex: an escaped character, a character class with its repeat, a
# look-ahead, or one character
_ATOM = re.compile(r"\\.|\[[^\]]*\][?*+]?|\(\?<?[!=][^)]*\)|.", re.DOTALL)


def _word_atoms(source: str) -> tuple[str, ...] | None:
    """The atoms of a term's regex after its word-boundary look-behind, when it has one and
    starts with a character of its own (not a leading wildcard); None otherwise."""
    if not source.startswith(_BOUNDARY):
        return None
    body = source[len(_BOUNDARY):]
    if body.startswith(r"\w"):
        return None
    atoms = tuple(_ATOM.findall(body))
    return atoms if "".join(atoms) == body else None


def _prefix_tree(sequences: list[tuple[str, ...]]) -> str:
    """The alternation of the atom sequences with common beginnings written once:
    ("ab", "ac", "a") -> "a(?:b|c|)". Same language, same places where a match starts."""
    children: dict[str, list[tuple[str, ...]]] = {}
    ends = False
    for seq in sequences:
        if seq:
            children.setdefault(seq[0], []).append(seq[1:])
        else:
            ends = True
    branches = [atom + _prefix_tree(rest) for atom, rest in children.items()]
    if ends:
        branches.append("")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def terms_regex_source(terms: tuple) -> str:
    """Regex source finding any of `terms`, longest first. An item may be a "near" item
    (see `expand_terms`): a term of its left side followed, within NEAR_WORDS words, by a term
    of its right side."""
    if not terms:
        return r"(?!x)x"  # matches nothing
    plain = tuple(t for t in terms if isinstance(t, str))
    near = [t for t in terms if not isinstance(t, str)]
    parts = [f"(?:{_plain_source(left)}){_GAP}(?:{_plain_source(right)})" for _, left, right in near]
    if plain:
        parts.append(_plain_source(plain))
    return "|".join(f"(?:{p})" for p in parts) if len(parts) > 1 else parts[0]


class TermPattern:
    """A term list, written out and compiled on first use; offers `search` and `finditer`
    (the leftmost match, longer terms tried first) and `found` (yes or no, faster)."""

    __slots__ = ("terms", "_regex", "_any", "_any_lower")

    def __init__(self, terms: tuple) -> None:
        self.terms = terms
        self._regex: re.Pattern[str] | None = None
        self._any: re.Pattern[str] | None = None
        # `found`'s pattern without IGNORECASE, for ASCII text lower-cased (None: not safe)
        self._any_lower: re.Pattern[str] | None = None

    @property
    def source(self) -> str:
        return terms_regex_source(self.terms)

    @property
    def regex(self) -> re.Pattern[str]:
        regex = self._regex
        if regex is None:  # two threads may both compile it: same result, no harm
            regex = self._regex = re.compile(self.source, re.IGNORECASE)
        return regex

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.regex.search(text, pos)

    def found(self, text: str) -> bool:
        """Does any term occur in `text`? (The same answer as `search`, without ordering the
        terms: the engine may stop at whichever matches first.) An ASCII text is lower-cased
        and searched without IGNORECASE, two to three times faster: the same answer, since
        every letter of the pattern is lower-case and none of its other characters matches an
        ASCII one when case is ignored (checked when compiled, see `_ascii_exact`)."""
        regex = self._any
        if regex is None:
            source = found_source(self.terms)
            if _ascii_exact(source):
                self._any_lower = re.compile(source)
            regex = self._any = re.compile(source, re.IGNORECASE)
        lower = self._any_lower
        if lower is not None and text.isascii():
            return lower.search(text.lower()) is not None
        return regex.search(text) is not None

    def finditer(self, text: str):
        return self.regex.finditer(text)


_ASCII = [chr(i) for i in range(128)]


def _ascii_exact(source: str) -> bool:
    """Can `source`, compiled without IGNORECASE and run on a lower-cased ASCII text, give the
    same answer as with IGNORECASE on the text itself? Yes when it holds no upper-case
    letter outside a backslash escape, and no other character that matches an ASCII one when
    case is ignored (as U+017F, the long s, matches 's', or the Kelvin sign 'k')."""
    unescaped = re.sub(r"\\.", "", source)
    if any(c.isupper() for c in unescaped if c.isascii()):
        return False
    return not any(re.fullmatch(re.escape(c), a, re.IGNORECASE)
                   for c in set(source) if not c.isascii() for a in _ASCII)


@lru_cache(maxsize=4096)
def compile_terms(terms: tuple[str, ...]) -> TermPattern:
    """One pattern that finds any of `terms` (already expanded, no @references)."""
    return TermPattern(terms)


def expand_terms(items: tuple[str, ...], sets: dict[str, tuple[str, ...]]) -> tuple:
    """Replace `@name` references by the terms of that set (sets may refer to sets). An item
    `A ~ B` (each side a term or an @set) becomes a near item: ("~", A's terms, B's terms)."""
    out: list = []
    for item in items:
        if "~" in item:
            left, _, right = (side.strip() for side in item.partition("~"))
            out.append(("~", _plain(expand_terms((left,), sets)), _plain(expand_terms((right,), sets))))
        elif item.startswith("@"):
            out.extend(expand_terms(sets[item[1:]], sets))
        else:
            out.append(item)
    return tuple(out)


def _plain(terms: tuple) -> tuple[str, ...]:
    """A near item's side holds plain terms only."""
    return tuple(t for t in terms if isinstance(t, str))


def necessary_terms(terms: tuple) -> list[str]:
    """Plain terms one of which any match of `terms` contains (a near item's left side): what
    the vocabulary gate may require."""
    out: list[str] = []
    for t in terms:
        out.extend([t] if isinstance(t, str) else t[1])
    return out


def term_refs(item: str) -> list[str]:
    """The @set names an item refers to (both sides of a near item)."""
    return [side.strip()[1:] for side in item.split("~") if side.strip().startswith("@")]
