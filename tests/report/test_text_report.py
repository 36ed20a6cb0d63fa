"""The terminal report: every line within the report's width, the flagged span marked, the
reasons wrapped under their labels."""

from __future__ import annotations

from bias_review.findings import Category, Finding, Location, Severity
from bias_review.report.text_report import WIDTH, render_text
from bias_review.results import DocumentResult, ScanResult

LONG_WORD = "https://example.org/" + "x" * 150  # longer than a line


def _finding(i: int, explanation: str) -> Finding:
    passage = "Multiply the eGFR by 1.159 if the patient is Black. " * 4
    return Finding(id=f"id{i}", category=Category.RACE_CORRECTION, severity=Severity.HIGH, text="1.159",
                   passage=passage, start=21, end=26, location=Location(page=i), detectors=["lexicon:x"],
                   score=0.9, explanation=explanation, suggestion="Use the race-free CKD-EPI 2021 equation. " * 5,
                   references=[f"See {LONG_WORD} for the 2021 refit."], spans=[(21, 26)], trace=[])


def test_lines_stay_within_the_width_and_reasons_wrap_under_their_labels():
    why = "Race coefficients presented race as biology. " * 6
    doc = DocumentResult(path="lecture.txt", format="text", sha256="0" * 64,
                         findings=[_finding(1, why), _finding(2, why), _finding(3, "Short reason.")])
    out = render_text(ScanResult([doc], "lex", None))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert out.count("«1.159»") == 3
    why_lines = [n for n, line in enumerate(lines) if line.startswith("    why: Race coefficients")]
    assert len(why_lines) == 2  # the same reason, wrapped the same way for both findings
    first = why_lines[0]
    assert lines[first + 1].startswith(" " * 9) and not lines[first + 1].startswith(" " * 10)
    assert any(line.startswith("    ref: See https://example.org/xxx") for line in lines)
    assert "".join(line.strip() for line in lines if "xxxxxxxx" in line).count("x") >= 150  # broken, not lost
    assert "    why: Short reason." in lines
