"""What of a text is worth sending to spaCy, cut so that no sentence is unbounded.

A cheap pass (no tokenizer) finds rough sentence bounds; each rough sentence that passes the
vocabulary gate is kept with one sentence either side (context rules read neighbours). A "sentence"
longer than MAX_SENTENCE_CHARS (a table flattened into one line, a file with no punctuation) is
cut at white space into windows of its own, so that the work per candidate stays bounded and a
scan is linear in its input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bias_review.detect.gate import gate_keys_of_text

MAX_SENTENCE_CHARS = 2_000
# a break: after . ! or ? (closing quotes and brackets, then white space, before a capital or
# a digit), or a blank line. The punctuation is matched and left out of the break (group 1),
# rather than looked behind for: the engine then skips to the few characters a break can start
# with, two to three times faster, and the breaks are the same (tests/test_shortcuts.py)
_ROUGH_BREAK = re.compile(r"[.!?]([\"'”’)\]]*\s+)(?=[\"'“‘(\[]*[A-Z0-9])|\n\s*\n")


def rough_sentences(text: str) -> list[tuple[int, int]]:
    """Cheap sentence bounds (no tokenizer), used only to decide what spaCy must read."""
    out, start = [], 0
    for m in _ROUGH_BREAK.finditer(text):
        out.append((start, m.start(1) if m.lastindex else m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(a, b) for a, b in out if b > a]


def cut_long(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Bounds of `text[start:end]` cut at white space into pieces of at most `limit` characters
    (at a hard limit when a piece has no white space)."""
    out = []
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut + 1 if cut > start else start + limit
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def windows(text: str, passes: Callable[[frozenset[str]], bool]) -> list[tuple[int, int]]:
    """(start, end) windows of `text` to send to spaCy. `passes(keys)` is the vocabulary gate,
    asked about the gate keys of a stretch of text. A text's keys are the union of its rough
    sentences' (they are cut at white space only), so each sentence's words are read once."""
    bounds = rough_sentences(text)
    keys = [gate_keys_of_text(text[a:b]) for a, b in bounds]
    if not passes(frozenset().union(*keys)):
        return []
    if any(b - a > MAX_SENTENCE_CHARS for a, b in bounds):
        # over-long sentences become windows of their own; the rest is handled as usual
        out: list[tuple[int, int]] = []
        run: list[tuple[int, int]] = []
        for a, b in bounds + [(len(text), len(text))]:
            if b - a > MAX_SENTENCE_CHARS or a == b == len(text):
                if run:
                    lo, hi = run[0][0], run[-1][1]
                    out += [(lo + s, lo + e) for s, e in windows(text[lo:hi], passes)]
                    run = []
                out += [w for w in cut_long(text, a, b) if passes(gate_keys_of_text(text[w[0]:w[1]]))]
            else:
                run.append((a, b))
        return out
    if len(bounds) <= 3:
        return [(0, len(text))]
    hits = [i for i, k in enumerate(keys) if passes(k)]
    if not hits:  # the words are spread over sentences; keep the block whole
        return [(0, len(text))]
    spans: list[list[int]] = []
    for i in hits:
        lo, hi = max(0, i - 1), min(len(bounds) - 1, i + 1)
        if spans and lo <= spans[-1][1] + 1:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [(bounds[lo][0], bounds[hi][1]) for lo, hi in spans]
