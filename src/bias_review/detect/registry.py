"""The one place detectors are registered. Adding a detector = one module + one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from spacy.language import Language

from bias_review.detect.base import Component
from bias_review.lexicon.schema import Lexicon


@dataclass(frozen=True)
class DetectorSettings:
    """What a detector factory may need."""

    lexicon: Lexicon
    nlp: Language
    model_path: Path | None = None

    @cached_property
    def gates(self):
        """Each lexicon entry's gate clauses, computed (or read from the cache) once."""
        from bias_review.detect.lexicon_matcher import gates_by_entry

        return gates_by_entry(self.lexicon)


def _lexicon(s: DetectorSettings) -> Component:
    from bias_review.detect.lexicon_matcher import LexiconDetector

    return LexiconDetector(s.lexicon, s.nlp, s.gates)


def _vignette(s: DetectorSettings) -> Component:
    from bias_review.detect.vignette import VignetteDetector

    return VignetteDetector(s.lexicon)


def _heading_group(s: DetectorSettings) -> Component:
    from bias_review.detect.heading_group import HeadingGroupDetector

    return HeadingGroupDetector(s.lexicon)


def _classifier(s: DetectorSettings) -> Component:
    from bias_review.classifier.predict import bundled_model_dir
    from bias_review.detect.classifier import ClassifierDetector
    from bias_review.detect.gate import stored_clause_of_values
    from bias_review.detect.lexicon_matcher import lexicon_gates

    # the classifier reads sentences the lexicon could match, or that name a racial or ethnic
    # group or another topic word of its own (ancestry words alone are too common to gate on)
    terms = [t.rstrip("*") for name in ("race", "race_group", "classifier_topic")
             for t in s.lexicon.term_sets.get(name, ())]
    topic = [(stored_clause_of_values(terms, lemma=False),)] + list(lexicon_gates(s.lexicon, s.gates) or [])
    return ClassifierDetector(s.lexicon, s.model_path or bundled_model_dir(), topic_gate=topic)


REGISTRY: dict[str, Callable[[DetectorSettings], Component]] = {
    "lexicon": _lexicon,
    "vignette": _vignette,
    "heading-group": _heading_group,
    "classifier": _classifier,
}
DEFAULT_DETECTORS = ("lexicon", "vignette", "heading-group", "classifier")
RULES_ONLY = ("lexicon", "vignette", "heading-group")


def build_detectors(names: tuple[str, ...] | list[str], settings: DetectorSettings) -> list[Component]:
    """Build the named detectors, in order. Unknown names raise ValueError."""
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown detector(s) {unknown}; available: {sorted(REGISTRY)}")
    return [REGISTRY[n](settings) for n in names]
