"""Two shortcuts the engine takes on the way, each of which must give exactly what the long way
gives, checked on labelled, real and generated sentences:

- the context rules search a sentence once with all their terms together, and run each rule's
  own pattern only where that finds something;
- the vocabulary gate reads a block's words once, sentence by sentence, and takes the block's
  keys as the union of its sentences' keys.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bias_review.detect.gate import gate_keys_of_text
from bias_review.windows import rough_sentences

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = [json.loads(line)["text"] for f in sorted((ROOT / "models" / "dev").glob("*.jsonl"))
           for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    out += [json.loads(line)["text"] for line in
            (ROOT / "models" / "real" / "us-federal.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from ontopic import paragraphs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return out + paragraphs(2_000, seed=3)


def test_no_context_rule_fires_where_the_joint_search_finds_nothing(rules_engine, texts):
    rules = rules_engine.context
    fired = 0
    for text in texts:
        joint = rules._any.found(text)
        for compiled in rules.rules:
            if compiled.regex.search(text) is not None:
                fired += 1
                assert joint, (compiled.rule.id, text)
    assert fired > 500  # the rules do fire on these texts: the check is not empty


def test_a_context_rule_still_lowers_a_candidate(rules_engine):
    """The shortcut in place, a critique of race correction still quiets the candidate in it."""
    found = rules_engine.analyze_text(
        "Multiplying the eGFR by 1.159 if the patient is Black is race correction, which the "
        "2021 equation abandoned.")
    assert found and all(f.severity.value in ("info", "low") for f in found), [(f.severity, f.trace) for f in found]


def test_a_blocks_keys_are_its_sentences_keys(texts):
    blocks = [" ".join(texts[i:i + 7]) for i in range(0, len(texts), 7)]
    blocks += ["One.\n\nTwo “quoted.” Three (bracketed.) Four", "", "   ", "A\u00a0b. c—d. É.É."]
    for block in blocks:
        joined = frozenset().union(*(gate_keys_of_text(block[a:b]) for a, b in rough_sentences(block)))
        assert joined == gate_keys_of_text(block), block
