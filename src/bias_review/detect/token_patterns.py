"""Token patterns (the lexicon's `tokens:` entries), compiled and matched on a doc's attribute
columns: spaCy's Matcher semantics (every start and end a pattern allows, each pair once,
empty matches dropped) without its per-token Python predicate calls.

A pattern is a list of token specs in spaCy's Matcher syntax. The part of that syntax the
engine reads (anything else is refused by `compile_pattern`, and so by the lexicon loader):

- attributes: the string ones (LOWER, ORTH/TEXT, LEMMA, NORM, SHAPE, PREFIX, SUFFIX), LENGTH,
  and the flags (IS_ALPHA, IS_PUNCT, LIKE_NUM, IS_SENT_START, ...);
- a value, or a predicate: IN, NOT_IN, REGEX (string attributes), ==, !=, >=, <=, >, <
  (LENGTH);
- OP: none (one token), "?" (zero or one), "*" (zero or more), "+" (one or more), "!" (one
  token that does not match).

Matching starts from the pattern's anchor: its first spec that must match a token (no OP, or
"+"). Only the anchor's hits are tried as match starts (with as many tokens before them as the
specs before the anchor can take), so a pattern costs a scan of one column where nothing is
found. The equivalence with spaCy's Matcher is tested on random patterns and texts
(tests/test_token_patterns.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from spacy.attrs import IDS, SENT_START
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc

_STRING_ATTRS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM", "SHAPE", "PREFIX", "SUFFIX")
_FLAG_ATTRS = (
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
    "IS_STOP", "IS_SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL",
)
SUPPORTED_ATTRS = frozenset(_STRING_ATTRS + _FLAG_ATTRS + ("LENGTH",))
OPS = (None, "?", "*", "+", "!")
MANDATORY_OPS = (None, "+")  # a spec every match uses (one token, or one or more)

# test kinds: the token's value is in a set, is not in it, matches a regex, or compares to a number
IN, NOT_IN, REGEX, EQ, NE, GE, LE, GT, LT = range(9)
_COMPARE = {"==": EQ, "!=": NE, ">=": GE, "<=": LE, ">": GT, "<": LT}


class RegexNeed:
    """A REGEX a token's attribute must match (searched in its text, as spaCy does), with the
    answer remembered per string hash: the same form is tested once per process, not once
    per sentence. One object per regex source (`of`)."""

    __slots__ = ("regex", "_hits")
    _made: dict[str, "RegexNeed"] = {}
    MEMO_SIZE = 200_000

    def __init__(self, source: str) -> None:
        self.regex = re.compile(source)
        self._hits: dict[int, bool] = {}

    @classmethod
    def of(cls, source: str) -> "RegexNeed":
        need = cls._made.get(source)
        if need is None:
            need = cls._made[source] = cls(source)
        return need

    def test(self, h: int, strings: StringStore) -> bool:
        """Does the string with hash `h` match?"""
        hit = self._hits.get(h)
        if hit is None:
            hit = self.regex.search(strings[h]) is not None
            if len(self._hits) >= self.MEMO_SIZE:
                self._hits.clear()  # another thread may lose a few answers: they are recomputed
            self._hits[h] = hit
        return hit


class UnsupportedPattern(ValueError):
    """A token spec uses spaCy Matcher syntax the engine does not read."""


class Test(NamedTuple):
    """One attribute test of a token spec: the attribute's id, the kind of test, its value (a
    frozenset of hashes or numbers, a `RegexNeed`, or a number)."""

    attr: int
    kind: int
    value: Any


class Spec(NamedTuple):
    """One token spec: its operator and the tests a token must pass (all of them)."""

    op: str | None
    tests: tuple[Test, ...]


class Pattern(NamedTuple):
    """A compiled pattern: its specs, the anchor's place (None: no spec must match a token), and
    how many tokens the specs before the anchor can take (None: any number, or no anchor)."""

    specs: tuple[Spec, ...]
    anchor: int | None
    lead: int | None


def _attr_id(name: str) -> int:
    return SENT_START if name == "IS_SENT_START" else IDS["ORTH" if name == "TEXT" else name]


STRING_ATTR_IDS = frozenset(_attr_id(n) for n in _STRING_ATTRS)  # attributes whose values are string hashes


@lru_cache(maxsize=4096)
def _hashes(values: tuple[str, ...]) -> frozenset[int]:
    """The string hashes of a value list (the same lists recur across patterns)."""
    return frozenset(map(get_string_id, values))


def _values(name: str, values: list[Any]) -> frozenset[int]:
    """A spec's literal values as the column holds them: string hashes, or numbers (LENGTH)."""
    if name in _STRING_ATTRS:
        if all(type(v) is str for v in values):
            return _hashes(tuple(values))
    elif all(type(v) is int for v in values):
        return frozenset(values)
    bad = next(v for v in values if type(v) is not (str if name in _STRING_ATTRS else int))
    raise UnsupportedPattern(f"{name} cannot be compared to {bad!r}")


def _tests(name: str, value: Any) -> list[Test]:
    """The tests one attribute of a spec asks for."""
    attr = _attr_id(name)
    if name in _FLAG_ATTRS:
        if type(value) is not bool:
            raise UnsupportedPattern(f"{name} takes true or false, not {value!r}")
        if name == "IS_SENT_START":  # spaCy's test: the token's SENT_START is 1
            return [Test(attr, IN if value else NOT_IN, frozenset([1]))]
        return [Test(attr, IN, frozenset([int(value)]))]
    if not isinstance(value, dict):
        return [Test(attr, IN, _values(name, [value]))]
    out = []
    for pred, arg in value.items():
        if pred in ("IN", "NOT_IN"):
            if not isinstance(arg, list):
                raise UnsupportedPattern(f"{name} {pred} needs a list")
            out.append(Test(attr, IN if pred == "IN" else NOT_IN, _values(name, arg)))
        elif pred == "REGEX" and name in _STRING_ATTRS and isinstance(arg, str):
            try:
                out.append(Test(attr, REGEX, RegexNeed.of(arg)))
            except re.error as exc:
                raise UnsupportedPattern(f"{name}: REGEX {arg!r}: {exc}") from None
        elif pred in _COMPARE and name == "LENGTH":
            (number,) = _values(name, [arg])
            out.append(Test(attr, _COMPARE[pred], number))
        else:
            raise UnsupportedPattern(f"{name}: predicate {pred!r} is not supported")
    return out


def compile_pattern(tokens: list[dict] | tuple[dict, ...]) -> Pattern:
    """A token pattern in spaCy's syntax, compiled; `UnsupportedPattern` names what it cannot read."""
    specs = []
    for spec in tokens:
        op = spec.get("OP")
        if op not in OPS:
            raise UnsupportedPattern(f"OP {op!r} is not supported (use one of ?, *, +, !)")
        tests: list[Test] = []
        for name, value in spec.items():
            if name == "OP":
                continue
            if name not in SUPPORTED_ATTRS:
                raise UnsupportedPattern(f"attribute {name!r} is not supported")
            tests += _tests(name, value)
        specs.append(Spec(op, tuple(tests)))
    anchor = next((i for i, s in enumerate(specs) if s.op in MANDATORY_OPS), None)
    # before the anchor every spec is "?", "!" (at most one token each) or "*" (any number)
    before = [s.op for s in specs[:anchor]] if anchor is not None else ["*"]
    return Pattern(tuple(specs), anchor, None if "*" in before else len(before))


class Columns(dict):
    """A doc's token attributes as Python lists, one value per token, keyed by attribute id:
    each read with `to_array` the first time it is looked up (IS_SENT_START's column is
    SENT_START's: 1 where a sentence starts)."""

    __slots__ = ("doc", "strings")

    def __init__(self, doc: Doc) -> None:
        super().__init__()
        self.doc = doc
        self.strings = doc.vocab.strings

    def __missing__(self, attr: int) -> list[int]:
        column = self[attr] = self.doc.to_array(attr).tolist()
        return column


def _passes(tests: tuple[Test, ...], cols: dict[int, list[int]], i: int, strings: StringStore) -> bool:
    """Does token `i` pass every test?"""
    for attr, kind, value in tests:
        x = cols[attr][i]
        if kind == IN:
            if x not in value:
                return False
        elif kind == NOT_IN:
            if x in value:
                return False
        elif kind == REGEX:
            if not value.test(x, strings):
                return False
        elif kind == EQ:
            if x != value:
                return False
        elif kind == NE:
            if x == value:
                return False
        elif kind == GE:
            if x < value:
                return False
        elif kind == LE:
            if x > value:
                return False
        elif kind == GT:
            if x <= value:
                return False
        elif x >= value:  # LT
            return False
    return True


def _step(spec: Spec, states: set[int], end: int, cols: dict[int, list[int]], strings: StringStore) -> set[int]:
    """The positions reachable after `spec` from each position in `states`."""
    op, tests = spec
    if op is None:
        return {p + 1 for p in states if p < end and _passes(tests, cols, p, strings)}
    if op == "?":
        return states | {p + 1 for p in states if p < end and _passes(tests, cols, p, strings)}
    if op == "!":
        return {p + 1 for p in states if p < end and not _passes(tests, cols, p, strings)}
    reached = set(states) if op == "*" else set()  # "*" or "+": as many tokens as pass
    frontier = {p + 1 for p in states if p < end and _passes(tests, cols, p, strings)}
    while frontier - reached:
        frontier -= reached
        reached |= frontier
        frontier = {p + 1 for p in frontier if p < end and _passes(tests, cols, p, strings)}
    return reached


def _anchor_hits(spec: Spec, cols: dict[int, list[int]], start: int, end: int, strings: StringStore) -> list[int]:
    """The tokens of [start, end) the anchor spec matches."""
    tests = spec.tests
    if len(tests) == 1 and tests[0].kind == IN:
        column, values = cols[tests[0].attr], tests[0].value
        return [i for i in range(start, end) if column[i] in values]
    return [i for i in range(start, end) if _passes(tests, cols, i, strings)]


def find(pattern: Pattern, cols: Columns, start: int, end: int) -> set[tuple[int, int]]:
    """Every (start, end) token pair a match of `pattern` can cover within [start, end)."""
    strings = cols.strings
    if pattern.anchor is None:
        starts: set[int] = set(range(start, end))
    else:
        hits = _anchor_hits(pattern.specs[pattern.anchor], cols, start, end, strings)
        if not hits:
            return set()
        lead = pattern.lead
        starts = set()
        for q in hits:
            starts.update(range(start if lead is None else max(start, q - lead), q + 1))
    out = set()
    for s in starts:
        states = {s}
        for spec in pattern.specs:
            states = _step(spec, states, end, cols, strings)
            if not states:
                break
        out.update((s, e) for e in states if e > s)
    return out
