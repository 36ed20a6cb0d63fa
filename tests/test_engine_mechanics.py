"""Engine mechanics on a small fixed lexicon: lemma matching, requires/unless, context rules,
merging, vignette shapes, ids, chunking of huge blocks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bias_review.detect.registry import RULES_ONLY
from bias_review.engine import Engine
from bias_review.findings import Location, Severity
from bias_review.parse.document import Block

LEXICON = """
category: stigmatizing-language
default_severity: low
entries:
  - id: t-noncompliant
    patterns: [non-compliant, non-compliance]
    explanation: Blames the patient instead of naming the barrier to care.
    suggestion: Describe what happened and why.
    references: ["Sun M, et al. Health Aff 2022;41:203-211."]
  - id: t-refuse
    patterns:
      - tokens: [{LEMMA: refuse}, {LOWER: {IN: [dialysis, insulin, treatment, medication, medications]}}]
    explanation: Frames a patient's decision as defiance rather than a choice with reasons.
    suggestion: Say what was declined and why.
    references: ["Goddu AP, et al. J Gen Intern Med 2018;33:685-691."]
"""
RC = """
category: race-correction
default_severity: high
entries:
  - id: t-egfr
    patterns: [eGFR]
    requires: ["@race"]
    unless: ["CKD-EPI 2021"]
    explanation: A race coefficient in eGFR overestimates kidney function in Black patients.
    suggestion: Use the race-free CKD-EPI 2021 equation.
    references: ["Inker LA, et al. NEJM 2021;385:1737-1749."]
  - id: t-coefficient
    patterns: [race coefficient]
    explanation: A race coefficient treats race as biology in a clinical equation.
    suggestion: Use the race-free equation.
    references: ["Vyas DA, et al. NEJM 2020;383:874-882."]
"""
VIG = """
category: race-in-vignette
default_severity: medium
entries:
  - id: t-vignette
    detector: vignette
    explanation: Race is stated in the case opening without a reason, priming learners.
    suggestion: Remove race, or say why it matters.
    references: ["Tsai J, et al. Acad Med 2016;91:916-920."]
"""


@pytest.fixture(scope="module")
def eng(tmp_path_factory) -> Engine:
    d: Path = tmp_path_factory.mktemp("lex")
    (d / "s.yml").write_text(textwrap.dedent(LEXICON))
    (d / "r.yml").write_text(textwrap.dedent(RC))
    (d / "v.yml").write_text(textwrap.dedent(VIG))
    bundled_context = Path(__file__).parents[1] / "lexicons" / "context.yml"
    (d / "context.yml").write_text(bundled_context.read_text())
    return Engine(lexicon_dirs=[d], replace_lexicons=True, detectors=RULES_ONLY)


def cats(eng, text, *, include_info=False):
    return [(f.category.value, f.text, f.severity.value) for f in eng.analyze_text(text)
            if include_info or f.is_flag]


def test_hyphen_variants_and_lemmas(eng):
    for s in ["She was noncompliant.", "She was non compliant.", "Non-Compliance noted."]:
        assert cats(eng, s) and cats(eng, s)[0][0] == "stigmatizing-language", s
    assert cats(eng, "He REFUSED dialysis twice.") == [("stigmatizing-language", "REFUSED dialysis", "low")]
    assert cats(eng, "He refused the offer of a blanket.") == []


def test_requires_and_unless(eng):
    assert cats(eng, "Calculate eGFR from serum creatinine.") == []
    assert cats(eng, "For Black patients, multiply eGFR by 1.159.") == [("race-correction", "eGFR", "high")]
    found = cats(eng, "CKD-EPI 2021 computes eGFR without race.", include_info=True)
    assert found == [("race-correction", "eGFR", "info")]


@pytest.mark.parametrize("sentence, rule", [
    ("The race coefficient was removed in 2021.", "critique"),
    ("The race coefficient reflected structural racism in the data it was fitted on.", "structural"),
    ("In the 19th century, Cartwright's spirometry introduced the idea behind a race coefficient.", "history"),
    ("Avoid the label non-compliant; describe the barrier.", "taught-against"),
])
def test_context_rules_quiet_race_conscious_sentences(eng, sentence, rule):
    found = eng.analyze_text(sentence)
    assert found and all(f.severity is Severity.INFO for f in found)
    assert any(step.source == f"context:{rule}" for f in found for step in f.trace)


def test_neighbouring_critique_lowers_one_step(eng):
    text = "Old slides: apply the race coefficient to every result. That practice was retired in 2021."
    found = [f for f in eng.analyze_text(text) if f.is_flag]
    assert [f.severity for f in found] == [Severity.MEDIUM]


def test_one_finding_per_passage_and_category_with_every_span(eng, rules_engine):
    """A reviewer decides once per passage and category: two entries matching 'eGFR' and
    'race coefficient' in one sentence are one finding with two spans."""
    text = "Use the eGFR race coefficient for Black patients."
    (found,) = [f for f in eng.analyze_text(text) if f.is_flag]
    assert found.category.value == "race-correction"
    assert len(found.spans) == 2 and text[slice(*found.spans[0])] == "eGFR"
    assert "coefficient" in text[slice(*found.spans[1])]
    assert (found.text, found.start, found.end) == ("eGFR", 8, 12)
    assert len([d for d in found.detectors if d.startswith("lexicon:")]) >= 2
    (merged,) = [f for f in eng.analyze_text("She was non-compliant, noncompliant.") if f.is_flag]
    assert len(merged.spans) == 2
    # the two spans share their entry's reasons: the trace names each once
    reasons = [(step.source, step.reason) for step in merged.trace]
    assert len(reasons) == len(set(reasons)) >= 1
    assert any(source.startswith("lexicon:") for source, _ in reasons)
    # different categories in one sentence stay apart
    two = [f for f in rules_engine.analyze_text("The Caucasian patient was noncompliant.") if f.is_flag]
    assert sorted(f.category.value for f in two) == ["outdated-term", "stigmatizing-language"]


def test_finding_ids_survive_a_new_span_in_the_same_passage(eng):
    """The id is the passage and category, not the rules: a lexicon that matches one more span
    in a sentence keeps the id, so reviewers' decisions stay attached."""
    from bias_review.findings import finding_id

    (one,) = [f for f in eng.analyze_text("Use the eGFR race coefficient for Black patients.", path="a") if f.is_flag]
    assert one.id == finding_id("a", one.location, 0, one.passage, "race-correction")


@pytest.mark.parametrize("stem, span", [
    ("A 45-year-old African American man presents with chest pain.", "African American"),
    ("Ms. X, a 30-year-old Hispanic woman, comes to clinic for follow-up.", "Hispanic"),
    ("You are asked to see a 6 y/o Black boy with fever.", "Black"),
    ("A White woman in her fifties is brought in after a fall.", "White"),
])
def test_vignette_shapes(eng, stem, span):
    found = [f for f in eng.analyze_text(stem) if f.is_flag]
    assert [(f.category.value, f.text) for f in found] == [("race-in-vignette", span)]
    assert found[0].explanation.startswith("Race is stated")


@pytest.mark.parametrize("text", [
    "A 45-year-old man presents with chest pain.",
    "Black patients aged 40 to 60 were enrolled in the trial cohort.",
    "A 38-year-old woman who self-identifies as Black describes discrimination at prior clinics.",
])
def test_vignette_hard_negatives(eng, text):
    assert not [f for f in eng.analyze_text(text) if f.is_flag and f.category.value == "race-in-vignette"]


def test_ids_depend_on_place_and_are_stable(eng):
    blocks = [Block("She was noncompliant.", Location(page=1)), Block("She was noncompliant.", Location(page=2))]
    a = eng.analyze_blocks(blocks, path="a.pdf")
    b = eng.analyze_blocks(blocks, path="a.pdf")
    assert [f.id for f in a] == [f.id for f in b]
    assert len({f.id for f in a}) == 2
    assert {f.id for f in eng.analyze_blocks(blocks, path="b.pdf")}.isdisjoint({f.id for f in a})


def test_a_one_megabyte_line_is_chunked_not_refused(eng):
    filler = "word " * 220_000  # over 1 MB, no sentence break
    text = filler + "She was noncompliant. " + filler
    found = [f for f in eng.analyze_text(text) if f.is_flag]
    assert [f.text for f in found] == ["noncompliant"]


def test_offsets_point_at_the_span(eng):
    for f in eng.analyze_text("Notes. Patient was non-compliant with insulin; he refused insulin."):
        assert f.passage[f.start:f.end] == f.text


def test_a_flag_and_a_quiet_mention_of_one_category_in_a_passage_are_one_finding(rules_engine):
    """'addict' is a flag, 'drug-seeking' in the same sentence a mention kept as info: one
    finding (the flag's) for the reviewer's one decision, not two findings sharing an id
    (the store kept whichever came first, and a flag after a mention was lost)."""
    text = "The goal of treatment is to help an addict stop compulsive drug-seeking behaviors."
    found = rules_engine.analyze_text(text)
    assert [(f.severity, f.text) for f in found] == [(Severity.LOW, "addict")]
    # each alone still reports as before: the mention as info, the flag as a flag
    assert [f.severity for f in rules_engine.analyze_text("Stop compulsive drug-seeking behaviors.")] == [Severity.INFO]


def test_findings_that_share_place_passage_and_category_get_distinct_ids(rules_engine):
    """Two reference-list entries on one PDF page that begin alike have no finer place than the
    page: the second gets '-2' after the id, the first keeps the id it always had."""
    from bias_review.findings import finding_id

    place = Location(page=4, part="body")
    entry = "The noncompliant patient was discharged. (2012). Principles of treatment."
    blocks = [Block(entry, place), Block("Nothing here.", place), Block(entry, place)]
    found = rules_engine.analyze_blocks(blocks, path="refs.pdf")
    assert [f.text for f in found] == ["noncompliant", "noncompliant"]
    first = finding_id("refs.pdf", place, 0, found[0].passage, "stigmatizing-language")
    assert [f.id for f in found] == [first, first + "-2"]
    # the same document scanned again names them the same way
    assert [f.id for f in rules_engine.analyze_blocks(blocks, path="refs.pdf")] == [first, first + "-2"]


def test_a_list_run_into_one_line_is_reported_item_by_item(rules_engine):
    """A drug label's contraindications flattened into one line: the finding's passage is its
    item, not the whole list."""
    text = ("COUMADIN is contraindicated in patients with: • Hemorrhagic tendencies or blood dyscrasias "
            "• Unsupervised patients with potential high levels of non-compliance • Malignant hypertension")
    (found,) = [f for f in rules_engine.analyze_text(text) if f.is_flag]
    assert found.passage == "• Unsupervised patients with potential high levels of non-compliance"
    assert found.text == "non-compliance"
