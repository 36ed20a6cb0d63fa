"""Points under a heading that names a group: a cultural "chart" such as

    ## Hispanic patients
    - Expressive about pain; expect loud complaints
    - Tend to distrust doctors

states each line as a trait of the group in the heading, though no line names it. For a list
item or a short line (`Block.topic`, set by the parsers: Markdown and HTML headings, a slide's
title and the deck's title), this detector flags a line that states a trait as a rule when its
heading names a racial or ethnic group as people. What counts is data: the entry marked
`detector: heading_group` (detectors.yml) names the trait words (`requires`), the group in the
heading (`requires_also`) and the headings that teach against the chart (`unless`: "Myths
about ...", "Stereotypes of ...", history). A line that names its own group is left to the
other detectors, and the context rules read each line as usual.
"""

from __future__ import annotations

from bias_review.detect.base import Detector, Piece
from bias_review.detect.gate import stored_clause_of_values
from bias_review.findings import Candidate, Explanation, Severity
from bias_review.lexicon.schema import Lexicon
from bias_review.lexicon.terms import compile_terms, expand_terms

SCORE = 0.6
DETECTOR = "heading-group"


class HeadingGroupDetector(Detector):
    """Flags a short line or list item stating a trait under a heading that names a group."""

    name = DETECTOR

    def __init__(self, lexicon: Lexicon) -> None:
        self.entry = lexicon.detector_entry("heading_group")
        sets = lexicon.term_sets
        if self.entry is None:
            self.trait = self.group = self.quiet = None
            self._gates = []
            return
        self.trait = compile_terms(expand_terms(self.entry.requires, sets))
        self.group = compile_terms(expand_terms(self.entry.requires_also, sets))
        self.quiet = compile_terms(expand_terms(self.entry.unless, sets)) if self.entry.unless else None
        # the engine reads a block's topic with it for the gate, so a group word in either passes
        terms = [t.rstrip("*") for t in sets.get("race_group", ())]
        self._gates = [(stored_clause_of_values(terms, lemma=False),)] if terms else []

    @property
    def gates(self):
        return self._gates

    def detect(self, piece: Piece) -> list[Candidate]:
        topic = piece.topic
        if not topic or self.entry is None:
            return []
        group = self.group.search(topic)
        if group is None or (self.quiet is not None and self.quiet.search(topic)):
            return []
        out: list[Candidate] = []
        for sent in piece.sentences:
            text = sent.text
            if self.group.search(text) or (self.quiet is not None and self.quiet.search(text)):
                continue
            trait = self.trait.search(text)
            if trait is None:
                continue
            body = text.rstrip()
            start = len(body) - len(body.lstrip())
            out.append(Candidate(
                category=self.entry.category, severity=self.entry.severity or Severity.LOW,
                start=start, end=len(body), passage=text, detector=DETECTOR, score=SCORE,
                explanation=self.entry.explanation, suggestion=self.entry.suggestion,
                references=self.entry.references, rule_id=self.entry.id,
                trace=[Explanation(DETECTOR, f"under the heading {topic!r}, which names a group ({group.group(0)!r})", SCORE),
                       Explanation(DETECTOR, f"the line states a trait as a rule ({trait.group(0)!r})")],
                sent_start=sent.start,
            ))
        return out
