"""DOCX exports: Word comments on the course director's own file, and the DOCX report of a
PDF or PPTX. Files are built here, scanned by the real engine (lexicons and rules), exported
and reopened with python-docx."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from types import SimpleNamespace

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.run import Run

from bias_review.findings import Location, Severity
from bias_review.parse.word import parse_docx
from bias_review.report.docx_annotated import annotate_docx
from bias_review.report.docx_report import docx_report

HEADER = "Ethnicity: Caucasian, non-smoker, lives alone."
TITLE = "Week 3: kidney function"
SPLIT_RUNS = [("eGFR (if Af", True, None), ("rican American): multiply", None, True),
              (" the CKD-EPI result by 1.159.", None, None)]
EDGES = "Caucasian volunteers were recruited and the control group was also Caucasian"
TWO = "The patient is a known drug-seeker who was noncompliant with follow-up."
TWICE = "He is a frequent flyer. He is a frequent flyer."
QUIET = "Caucasian patients were enrolled, and so were patients labelled Caucasian"
CELL = "A 34-year-old Hispanic woman presents with three days of dysuria."
HOSTILE = "<script>alert('x')</script>\x00\x0b\x1f\ufffe done"


# ---------------------------------------------------------------------------- helpers
def build_syllabus(path) -> None:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = HEADER
    d.add_paragraph(TITLE)
    p = d.add_paragraph()
    for text, bold, italic in SPLIT_RUNS:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
    for text in (EDGES, TWO, TWICE, QUIET):
        d.add_paragraph(text)
    d.add_table(rows=2, cols=2).cell(1, 0).text = CELL
    d.save(path)


def scan(engine, path) -> dict:
    """The contract dict of one file, `info` findings included."""
    return engine.scan_file(path).as_dict(min_severity=Severity.INFO)


def ranges(document) -> dict[str, SimpleNamespace]:
    """Per comment id: the text between its range start and end, the runs holding it, and
    (paragraph number, offset in that paragraph) of its start. Read from the XML directly."""
    out: dict[str, SimpleNamespace] = {}
    open_ids: set[str] = set()
    para, pos = 0, 0
    for el in document.element.body.iter():
        if el.tag == qn("w:p"):
            para, pos = para + 1, 0
        elif el.tag == qn("w:commentRangeStart"):
            cid = el.get(qn("w:id"))
            open_ids.add(cid)
            out[cid] = SimpleNamespace(text="", runs=[], start=(para, pos))
        elif el.tag == qn("w:commentRangeEnd"):
            open_ids.discard(el.get(qn("w:id")))
        elif el.tag in (qn("w:t"), qn("m:t")):
            for cid in open_ids:
                out[cid].text += el.text or ""
                out[cid].runs.append(el.getparent())
            pos += len(el.text or "")
    return out


def comments_by_finding(document) -> dict[str, list]:
    """Finding id -> the comments whose text names it."""
    out: dict[str, list] = {}
    for c in document.comments:
        for line in c.text.splitlines():
            if "Finding id: " in line:
                out.setdefault(line.split("Finding id: ")[1], []).append(c)
    return out


def run_format(r) -> tuple:
    run = Run(r, None)
    return run.text, run.bold, run.italic


def flags(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["severity"] != "info"]


def full_text(document) -> list[str]:
    """Every paragraph of body, tables and headers as python-docx reads it."""
    out = [p.text for p in document.paragraphs]
    out += [c.text for t in document.tables for row in t.rows for c in row.cells]
    out += [p.text for s in document.sections for p in s.header.paragraphs]
    return out


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def syllabus(tmp_path_factory, rules_engine):
    d = tmp_path_factory.mktemp("docx-export")
    src, out = d / "syllabus.docx", d / "syllabus.annotated.docx"
    build_syllabus(src)
    findings = scan(rules_engine, src)["findings"]
    result = annotate_docx(src, findings, out)
    document = docx.Document(out)
    return SimpleNamespace(src=src, out=out, findings=findings, result=result, doc=document,
                           ranges=ranges(document), by_id=comments_by_finding(document))


def finding(syllabus, text: str, passage_start: str) -> list[dict]:
    """The findings with a span `text` in a passage starting with `passage_start`."""
    return [f for f in syllabus.findings
            if text in span_texts(f) and f["passage"].startswith(passage_start)]


def span_texts(f: dict) -> list[str]:
    return [s["text"] for s in f["spans"]]


def one_span(f: dict, span: dict) -> dict:
    """`f` cut down to one of its spans (a contract finding may have a single span)."""
    return dict(f, text=span["text"], start=span["start"], end=span["end"], spans=[span])


# ---------------------------------------------------------------------------- annotate_docx
def test_each_flag_has_one_comment_anchored_on_its_text(syllabus):
    body = [f for f in flags(syllabus.findings) if f["location"].get("part") != "header"]
    # spans: eGFR x4, Caucasian x2, drug-seeker, noncompliant, flyer x2, Hispanic
    assert sum(len(f["spans"]) for f in body) >= 9
    for f in body:
        (comment,) = syllabus.by_id[f["id"]]
        first, last = f["spans"][0], f["spans"][-1]  # one paragraph: anchored first to last span
        assert syllabus.ranges[str(comment.comment_id)].text == f["passage"][first["start"]:last["end"]]
        assert "Flagged: " + " … ".join(f"“{t}”" for t in span_texts(f)) in comment.text
        assert f"{f['category']}, {f['severity']}" in comment.text
        assert f["explanation"] in comment.text
        assert all(f"Reference: {r}" in comment.text for r in f["references"])
    assert syllabus.result.anchored == len(body)
    assert len(syllabus.doc.comments) == len(body) + 1  # + the summary comment


def test_table_cell_finding_is_anchored_in_that_cell(syllabus):
    (f,) = finding(syllabus, "Hispanic", "A 34-year-old")
    assert f["location"] == {"part": "table", "table": 1, "row": 2, "col": 1}
    (comment,) = syllabus.by_id[f["id"]]
    (r,) = syllabus.ranges[str(comment.comment_id)].runs
    cell = syllabus.doc.tables[0].cell(1, 0)._tc
    assert r in cell.iter(qn("w:r"))


def test_split_runs_keep_their_formatting(syllabus):
    (f,) = finding(syllabus, "if African", "eGFR")
    assert span_texts(f) == ["eGFR", "if African", "CKD-EPI", "by 1.159"]
    (comment,) = syllabus.by_id[f["id"]]
    anchored = [run_format(r) for r in syllabus.ranges[str(comment.comment_id)].runs]
    # "eGFR" to "by 1.159": the last run is split before the final "."
    assert anchored == [("eGFR (if Af", True, None), ("rican American): multiply", None, True),
                        (" the CKD-EPI result by 1.159", None, None)]
    # the "if African" span alone splits a bold run and an italic one
    (span,) = [s for s in f["spans"] if s["text"] == "if African"]
    buf = io.BytesIO()
    annotate_docx(syllabus.src, [one_span(f, span)], buf)
    document = docx.Document(buf)
    (comment,) = document.comments
    anchored = [run_format(r) for r in ranges(document)[str(comment.comment_id)].runs]
    assert anchored == [("if Af", True, None), ("rican", None, True)]
    for paragraph in (syllabus.doc.paragraphs[1], document.paragraphs[1]):
        pieces = [(r.text, r.bold, r.italic) for r in paragraph.runs if r.text]
        assert "".join(t for t, _, _ in pieces) == "".join(t for t, _, _ in SPLIT_RUNS)
        for text, bold, italic in pieces:  # every piece keeps the format of the run it came from
            source = next(s for s in SPLIT_RUNS if text in s[0])
            assert (bold, italic) == source[1:], text


def test_spans_at_the_very_start_and_end_of_a_paragraph(syllabus):
    (f,) = finding(syllabus, "Caucasian", "Caucasian volunteers")
    assert [(s["start"], s["end"]) for s in f["spans"]] == [(0, len("Caucasian")),
                                                           (len(EDGES) - len("Caucasian"), len(EDGES))]
    (comment,) = syllabus.by_id[f["id"]]
    anchor = syllabus.ranges[str(comment.comment_id)]
    para = 3  # TITLE, the split-run paragraph, EDGES
    assert (anchor.start, anchor.text) == ((para, 0), EDGES)  # first span to last: the whole paragraph
    p = syllabus.doc.paragraphs[para - 1]._p
    assert p[0].tag == qn("w:commentRangeStart")  # nothing before the first span
    assert p[-1].find(qn("w:commentReference")) is not None  # the last span ends the text


def test_two_spans_in_one_paragraph_and_a_repeated_sentence(syllabus):
    (f,) = [f for f in syllabus.findings if f["passage"] == TWO]  # one sentence, one category
    assert span_texts(f) == ["drug-seeker", "noncompliant"]
    assert len(syllabus.by_id[f["id"]]) == 1
    twice = finding(syllabus, "frequent flyer", "He is")
    assert len(twice) == 2
    starts = {syllabus.ranges[str(syllabus.by_id[f["id"]][0].comment_id)].start for f in twice}
    assert starts == {(5, TWICE.index("frequent")), (5, TWICE.rindex("frequent"))}  # one comment per occurrence


def test_document_text_is_unchanged(syllabus):
    before, after = docx.Document(syllabus.src), syllabus.doc
    assert full_text(after) == full_text(before)
    blocks = [parse_docx(str(p), p.read_bytes(), "").blocks for p in (syllabus.src, syllabus.out)]
    assert [(b.text, b.location) for b in blocks[1]] == [(b.text, b.location) for b in blocks[0]]


def test_header_finding_goes_to_the_summary_comment(syllabus):
    (f,) = [f for f in syllabus.findings if f["location"] == {"part": "header"}]
    assert f["text"] == "Caucasian"
    (summary,) = syllabus.by_id[f["id"]]
    assert "1 finding(s) could not be anchored" in summary.text
    assert "header: “Caucasian”" in summary.text
    assert syllabus.ranges[str(summary.comment_id)].text == TITLE  # the first body paragraph
    assert syllabus.result.summarised == 1
    assert set(syllabus.result.reasons) == {f["id"]}


def test_summary_comment_names_every_span(tmp_path):
    d = docx.Document()
    passage = "Volunteers: Caucasian and Oriental"
    d.sections[0].header.paragraphs[0].text = passage
    d.add_paragraph(TITLE)
    src = tmp_path / "header.docx"
    d.save(src)
    f = {"id": "h2", "category": "outdated-term", "severity": "medium", "text": "Caucasian",
         "passage": passage, "start": 12, "end": 21, "location": {"part": "header"},
         "explanation": "why", "suggestion": None, "references": [],
         "spans": [{"start": 12, "end": 21, "text": "Caucasian"}, {"start": 26, "end": 34, "text": "Oriental"}]}
    buf = io.BytesIO()
    assert annotate_docx(src, [f], buf).summarised == 1
    (summary,) = docx.Document(buf).comments
    assert "header: “Caucasian” … “Oriental” (outdated-term, medium;" in summary.text


def test_info_findings_are_left_out_unless_asked(syllabus):
    quiet = [f for f in syllabus.findings if f["passage"] == QUIET]
    assert quiet and all(f["severity"] == "info" for f in quiet)
    assert not any(f["id"] in syllabus.by_id for f in quiet)
    assert syllabus.result.skipped == len(quiet)
    buf = io.BytesIO()
    everything = annotate_docx(syllabus.src.read_bytes(), syllabus.findings, buf, min_severity="info")
    assert everything.anchored == syllabus.result.anchored + len(quiet)
    by_id = comments_by_finding(docx.Document(buf))
    assert all(len(by_id[f["id"]]) == 1 for f in quiet)


def test_spans_in_one_paragraph_make_one_comment_from_first_to_last(syllabus):
    (f,) = finding(syllabus, "drug-seeker", "The patient")
    seeker, noncompliant = f["spans"]
    unordered = dict(f, spans=[noncompliant, seeker])  # spans given out of order are sorted
    buf = io.BytesIO()
    result = annotate_docx(syllabus.src, [unordered], buf)
    document = docx.Document(buf)
    (comment,) = document.comments
    assert result.anchored == 1
    assert ranges(document)[str(comment.comment_id)].text == TWO[seeker["start"]:noncompliant["end"]]
    assert "“drug-seeker” … “noncompliant”" in comment.text


def test_spans_in_two_paragraphs_anchor_the_first_and_name_both(tmp_path):
    d = docx.Document()
    d.add_paragraph("Intake form")
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "Race: Caucasian"
    cell.add_paragraph("Label: frequent flyer")
    src = tmp_path / "cell.docx"
    d.save(src)
    passage = "Race: Caucasian\nLabel: frequent flyer"
    f = {"id": "x1", "category": "outdated-term", "severity": "medium", "text": "Caucasian",
         "passage": passage, "start": 6, "end": 15, "location": {"part": "table", "table": 1, "row": 1, "col": 1},
         "explanation": "why", "suggestion": None, "references": [],
         "spans": [{"start": 6, "end": 15, "text": "Caucasian"},
                   {"start": 23, "end": 37, "text": "frequent flyer"}]}
    buf = io.BytesIO()
    assert annotate_docx(src, [f], buf).anchored == 1
    document = docx.Document(buf)
    (comment,) = document.comments
    assert ranges(document)[str(comment.comment_id)].text == "Caucasian"
    assert "“Caucasian” … “frequent flyer”" in comment.text


def test_hyperlink_tracked_insertion_and_equation(tmp_path, rules_engine):
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.element.body.insert(1, parse_xml(
        f'<w:p {nsdecls("w", "m")}><w:r><w:t xml:space="preserve">Use </w:t></w:r>'
        '<w:hyperlink w:anchor="x"><w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>eGFR (if African</w:t>'
        '</w:r></w:hyperlink><w:ins w:id="9" w:author="a"><w:r>'
        '<w:t xml:space="preserve"> American): multiply the CKD-EPI result by </w:t></w:r></w:ins>'
        "<m:oMath><m:r><m:t>1.159</m:t></m:r></m:oMath><w:r><w:t>.</w:t></w:r></w:p>"))
    src = tmp_path / "links.docx"
    d.save(src)
    (f,) = flags(rules_engine.scan_file(src).as_dict()["findings"])
    assert span_texts(f) == ["eGFR", "if African", "CKD-EPI", "by 1.159"]
    buf = io.BytesIO()
    assert annotate_docx(src, [f], buf).anchored == 1
    document = docx.Document(buf)
    (comment,) = document.comments
    whole = ranges(document)[str(comment.comment_id)]  # from inside the hyperlink into the equation
    assert whole.text == "eGFR (if African American): multiply the CKD-EPI result by 1.159"
    assert whole.runs[0].getparent().tag == qn("w:hyperlink")
    assert full_text(document) == full_text(docx.Document(src))
    singles = [one_span(f, s) for s in f["spans"]]
    buf = io.BytesIO()
    assert annotate_docx(src, singles, buf).anchored == len(singles)
    document = docx.Document(buf)
    spans = {c.text.splitlines()[1]: ranges(document)[str(c.comment_id)] for c in document.comments}
    for s in f["spans"]:  # "by 1.159" ends inside the equation: the whole equation is anchored
        assert spans[f"Flagged: “{s['text']}”"].text == s["text"]
    (link_run,) = spans["Flagged: “if African”"].runs  # split inside the hyperlink, underline kept
    assert link_run.getparent().tag == qn("w:hyperlink")
    assert Run(link_run, None).underline is True
    assert full_text(document) == full_text(docx.Document(src))


def test_user_text_cannot_break_the_comment_xml(syllabus):
    (f,) = finding(syllabus, "Hispanic", "A 34-year-old")
    hostile = dict(f, explanation=HOSTILE, suggestion=HOSTILE, references=[HOSTILE])
    buf = io.BytesIO()
    annotate_docx(syllabus.src, [hostile], buf, author="a\x01b")
    (comment,) = docx.Document(buf).comments
    assert "Why: <script>alert('x')</script> done" in comment.text
    assert not any(ch in comment.text for ch in "\x00\x0b\x1f\ufffe")
    assert comment.author == "ab"


def test_exports_import_neither_spacy_nor_the_engine():
    code = ("import sys, bias_review.report.docx_annotated, bias_review.report.docx_report;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy' or m == 'bias_review.engine'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------- docx_report
PDF_PAGES = ["eGFR (if African American): multiply the CKD-EPI result by 1.159.", CELL]


def build_pdf(path) -> None:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_font("helvetica", size=11)
    for text in PDF_PAGES:
        pdf.add_page()
        pdf.text(72, 100, text)
    pdf.output(str(path))


def build_pptx(path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(8), Inches(1)).text_frame.text = TWO
    slide.notes_slide.notes_text_frame.text = "Sickle cell anemia is a Black disease."
    prs.save(str(path))


def report_of(document: dict, **kw):
    buf = io.BytesIO()
    n = docx_report(document, buf, **kw)
    return n, docx.Document(buf)


def highlighted(report) -> list[str]:
    return [r.text for p in report.paragraphs for r in p.runs
            if r.font.highlight_color == WD_COLOR_INDEX.YELLOW and r.bold]


@pytest.mark.parametrize("kind", ["pdf", "pptx"])
def test_report_lists_each_finding_with_passage_and_location(tmp_path, rules_engine, kind):
    path = tmp_path / f"lecture.{kind}"
    (build_pdf if kind == "pdf" else build_pptx)(path)
    scanned = rules_engine.scan_file(path).as_dict()
    found = scanned["findings"]
    labels = {"pdf": {"page 1", "page 2"}, "pptx": {"slide 1", "slide 1, notes"}}[kind]
    assert {_label(f) for f in found} == labels
    n, report = report_of(scanned)
    assert n == len(found)
    paragraphs = [p.text for p in report.paragraphs]
    assert paragraphs[0] == f"bias-review: lecture.{kind}"
    headings = [p.text for p in report.paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"{i}. {_label(f)}" for i, f in enumerate(found, start=1)]
    for f in found:
        assert f["passage"] in paragraphs
    assert highlighted(report) == [s["text"] for f in found for s in f["spans"]]  # every span
    counts = report.tables[0]
    assert counts.rows[0].cells[0].text == "category"
    assert sum(int(r.cells[-1].text) for r in counts.rows[1:]) == len(found)


def _label(f: dict) -> str:
    return Location(**f["location"]).describe()


def test_report_of_an_unreadable_file_says_so():
    n, report = report_of({"path": "x/broken.pdf", "sha256": None, "format": None,
                           "error": "corrupt or unreadable PDF (no header)", "findings": []})
    text = "\n".join(p.text for p in report.paragraphs)
    assert n == 0
    assert "This file could not be read: corrupt or unreadable PDF (no header)" in text
    assert not report.tables


def test_report_survives_script_tags_and_control_characters():
    passage = "<script>x</script>\x0b Urine drug screen was dirty\x01 for cocaine."
    start = passage.index("drug screen")
    f = {"id": "h1", "category": "stigmatizing-language", "severity": "low",
         "text": passage[start:start + 22], "passage": passage, "start": start, "end": start + 22,
         "location": {"page": 1, "part": "body"}, "explanation": HOSTILE,
         "suggestion": "Say <b>positive</b>.", "references": [HOSTILE]}
    n, report = report_of({"path": "<script>\x07.pdf", "sha256": hashlib.sha256(b"").hexdigest(),
                           "format": "pdf", "error": None, "findings": [f]}, title=None)
    text = "\n".join(p.text for p in report.paragraphs)
    assert n == 1
    assert "<script>x</script> Urine drug screen was dirty for cocaine." in text
    assert "Instead: Say <b>positive</b>." in text
    assert "\x0b" not in text and "\x01" not in text and "\x07" not in text
    assert highlighted(report) == ["drug screen was dirty"]
