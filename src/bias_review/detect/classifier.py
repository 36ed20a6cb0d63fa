"""The classifier detector: a sentence-level scikit-learn model.

It does two jobs. It proposes sentence-level findings of its own where no lexicon entry fired
and it is confident; and it judges the lexicon's candidates: agreeing raises their score,
a confident "race-conscious" verdict turns them into `info` with the reason given.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from bias_review.classifier.predict import Predictor, load_predictor
from bias_review.detect.base import Judge, Piece, Sentence
from bias_review.detect.sentence_kind import is_prose
from bias_review.detect.gate import GateIndex
from bias_review.findings import LABELS, NONE, Candidate, Category, Explanation, Severity
from bias_review.lexicon.schema import Lexicon
from bias_review.lexicon.terms import compile_terms, expand_terms

DEFAULT_THRESHOLDS = {"own": 0.75, "quiet": 0.85, "agree": 0.4}
# a finding that only the model supports is never above this severity
MODEL_ONLY_CAP = Severity.LOW
_NONE = LABELS.index(NONE)


class ClassifierDetector(Judge):
    name = "classifier"

    def __init__(self, lexicon: Lexicon, model_dir: Path, *, topic_gate: list) -> None:
        self.model: Predictor = load_predictor(model_dir)
        self.model_version = self.model.version
        self.thresholds = {**DEFAULT_THRESHOLDS, **self.model.metadata.get("thresholds", {})}
        self._gates = topic_gate
        # a sentence is scored only if it passes the same gate
        self._index = GateIndex(topic_gate)
        self.entries = {e.category: e for e in lexicon.entries.values() if e.detector == "classifier"}
        self.not_quieted = frozenset(e.id for e in lexicon.entries.values() if not e.model_may_quiet)
        # a category's own findings need one of its entry's `requires` terms in the sentence
        self.requires = {
            cat: [compile_terms(expand_terms(g, lexicon.term_sets)) for g in (e.requires, e.requires_also) if g]
            for cat, e in self.entries.items()}
        # what a sentence with no candidate must have for the model to flag it on its own: the
        # requirements of one category it may flag (a category without an entry has none)
        ownable = [Category(label) for label in LABELS if label != NONE]
        self._own_requirements = [tuple(self.requires.get(cat, ())) for cat in ownable
                                  if cat not in self.entries or self.entries[cat].own]

    @property
    def gates(self):
        return self._gates

    def prepare(self, pieces: list[Piece], candidates: list[list[Candidate]]) -> list[dict[int, tuple[np.ndarray, bool]]]:
        """Score, in one batch, the on-topic sentences whose score can matter: those holding a
        candidate (to judge it) and those the model could flag on its own (see `_could_own`).
        Per piece, keyed by the sentence's start: the probabilities, and whether the sentence
        is prose (True for those scored as possible findings of the model's own, which are)."""
        texts, keys = [], []
        for k, piece in enumerate(pieces):
            judged = {c.sent_start for c in candidates[k]}
            for sent in piece.sentences:
                if not self._index.passes(sent.keys):
                    continue
                if sent.start in judged:
                    keys.append((k, sent.start, None))
                elif self._could_own(sent.text):
                    keys.append((k, sent.start, True))
                else:
                    continue
                texts.append(sent.text)
        proba = self.model.predict_proba(texts)
        out: list[dict[int, tuple[np.ndarray, bool | None]]] = [{} for _ in pieces]
        for (k, start, prose), row in zip(keys, proba):
            out[k][start] = (row, prose)
        return out

    def _could_own(self, text: str) -> bool:
        """Could `judge` flag this sentence on the model's word alone, whatever its scores?
        Only prose meeting every requirement of some category it may flag; each requirement is
        searched once (categories share them)."""
        if not is_prose(text):
            return False
        seen: dict[int, bool] = {}
        for requirements in self._own_requirements:
            ok = True
            for pattern in requirements:
                got = seen.get(id(pattern))
                if got is None:
                    got = seen[id(pattern)] = pattern.found(text)
                if not got:
                    ok = False
                    break
            if ok:
                return True
        return False

    def judge(self, prepared: list[dict[int, tuple[np.ndarray, bool | None]]], index: int, piece: Piece,
              candidates: list[Candidate]) -> list[Candidate]:
        """Judge the other detectors' candidates and add the model's own."""
        probs = prepared[index]
        if not probs:
            return candidates
        t = self.thresholds
        flagged_sents = set()
        for cand in candidates:
            scored = probs.get(cand.sent_start)
            if scored is None:
                continue
            row = scored[0]
            flagged_sents.add(cand.sent_start)
            p_none = float(row[_NONE])
            p_cat = float(row[LABELS.index(cand.category.value)])
            entry = self.entries.get(cand.category)
            quiets = (entry.quiets if entry else True) and cand.rule_id not in self.not_quieted
            if cand.severity is not Severity.INFO and quiets and p_none >= t["quiet"]:
                change = -cand.score * 0.7
                cand.score += change
                cand.severity = Severity.INFO
                cand.also.append("classifier")
                cand.trace.append(Explanation("classifier", f"the model reads this sentence as race-conscious "
                                              f"(p(none) = {p_none:.2f}); kept as info", change))
            elif cand.severity is not Severity.INFO and p_cat >= t["agree"]:
                new = 1 - (1 - cand.score) * (1 - p_cat)
                cand.trace.append(Explanation("classifier", f"the model agrees: {cand.category.value} "
                                              f"(p = {p_cat:.2f})", new - cand.score))
                cand.score = new
                cand.also.append("classifier")
        for sent in piece.sentences:
            if sent.start in flagged_sents:
                continue
            scored = probs.get(sent.start)
            if scored is None:
                continue
            row, prose = scored
            if not (prose if prose is not None else is_prose(sent.text)):
                continue
            p = 1.0 - float(row[_NONE])  # the chance that the sentence is a finding at all
            if p < t["own"]:
                continue
            j = int(np.argmax(np.where(np.arange(len(LABELS)) == _NONE, -1, row)))
            category = Category(LABELS[j])
            entry = self.entries.get(category)
            if entry is not None and not entry.own:
                continue
            if not all(r.search(sent.text) for r in self.requires.get(category, ())):
                continue
            candidates.append(self._own(category, p, sent))
        return candidates

    def _own(self, category: Category, p: float, sent: Sentence) -> Candidate:
        entry = self.entries.get(category)
        severity = entry.severity if entry else Severity.MEDIUM
        if severity.rank > MODEL_ONLY_CAP.rank:
            severity = MODEL_ONLY_CAP
        text = sent.text
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        return Candidate(
            category=category, severity=severity, start=start, end=end, passage=text,
            detector="classifier", score=p,
            explanation=entry.explanation if entry else f"The model reads this sentence as {category.value}.",
            suggestion=entry.suggestion if entry else None,
            references=entry.references if entry else (), rule_id=f"classifier:{category.value}",
            trace=[Explanation("classifier", f"sentence classified as a finding (p = {p:.2f}), most likely "
                               f"{category.value}; no lexicon entry matched, so the whole sentence is marked", p)],
            sent_start=sent.start,
        )
