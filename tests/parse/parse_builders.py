"""Builders of the parser tests' fixture files (python-docx, python-pptx, fpdf2)."""

from __future__ import annotations

from pathlib import Path

REAL_PDF = Path("/work/shared/corpus/real/federal-register-2020-17221.pdf")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


# --------------------------------------------------------------------------- DOCX

_FOOTNOTES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
  <w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">The CKD-EPI 2021 equation does not use race.</w:t></w:r></w:p></w:footnote>
</w:footnotes>
"""

_TEXTBOX_RUN = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
     xmlns:v="urn:schemas-microsoft-com:vml">
  <w:pict><v:shape style="width:200pt;height:50pt"><v:textbox><w:txbxContent>
    <w:p><w:r><w:t>Key point: report eGFR without a race coefficient.</w:t></w:r></w:p>
  </w:txbxContent></v:textbox></v:shape></w:pict>
</w:r>"""

_TRACKED = """<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:r><w:t xml:space="preserve">Serum creatinine is </w:t></w:r>
  <w:del w:id="1" w:author="x"><w:r><w:delText>not </w:delText></w:r></w:del>
  <w:ins w:id="2" w:author="x"><w:r><w:t xml:space="preserve">usually </w:t></w:r></w:ins>
  <w:hyperlink><w:r><w:t>measured</w:t></w:r></w:hyperlink>
  <w:r><w:t xml:space="preserve"> with an enzymatic assay.</w:t></w:r>
</w:p>"""


def build_docx(path: Path) -> Path:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    d = docx.Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = "Renal Block Syllabus"
    section.footer.paragraphs[0].text = "Confidential course material"
    d.add_heading("Acute kidney injury", level=1)
    p = d.add_paragraph("Acute kidney injury is a rapid fall in glomerular filtration.")
    d.add_paragraph("")  # empty paragraph: skipped, not counted
    d.add_paragraph("Urine output below 0.5 mL/kg/h for six hours is one criterion.")
    table = d.add_table(rows=2, cols=3)
    cells = [["Analyte", "Unit", "Range"], ["Creatinine", "mg/dL", "0.7-1.3"]]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_paragraph("Review the table before the lab session.")
    merged = d.add_table(rows=2, cols=2)
    top = merged.cell(0, 0).merge(merged.cell(0, 1))
    top.text = "Merged heading cell"
    merged.cell(1, 0).text = "Left"
    merged.cell(1, 1).text = "Right"
    # tracked changes, hyperlink
    d.element.body.insert(len(d.element.body) - 1, parse_xml(_TRACKED))
    # a text box anchored in the second body paragraph
    p._p.append(parse_xml(_TEXTBOX_RUN))
    # a footnote part and a reference to it
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        _FOOTNOTES_XML.encode("utf-8"),
        d.part.package,
    )
    d.part.relate_to(part, RT.FOOTNOTES)
    ref = parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:footnoteReference w:id="1"/></w:r>'
    )
    p._p.append(ref)
    d.save(str(path))
    return path


# --------------------------------------------------------------------------- PPTX


def build_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    # slide 1: title + bulleted body, notes
    s1 = prs.slides.add_slide(prs.slide_layouts[1])
    s1.shapes.title.text = "Kidney function"
    body = s1.placeholders[1].text_frame
    body.text = "GFR is estimated from serum creatinine"
    body.add_paragraph().text = "Cystatin C is an alternative marker"
    s1.notes_slide.notes_text_frame.text = "Start with the nephron diagram."
    # slide 2: a group with two text boxes, a table
    s2 = prs.slides.add_slide(prs.slide_layouts[6])
    group = s2.shapes.add_group_shape()
    tb = group.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    tb.text_frame.text = "Grouped box one"
    tb2 = group.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(1))
    tb2.text_frame.text = "Grouped box two"
    inner = group.shapes.add_group_shape()
    tb3 = inner.shapes.add_textbox(Inches(5), Inches(1), Inches(3), Inches(1))
    tb3.text_frame.text = "Nested group text"
    tbl = s2.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(6), Inches(1.5)).table
    tbl.cell(0, 0).text = "Stage"
    tbl.cell(0, 1).text = "eGFR"
    tbl.cell(1, 0).text = "G3a"
    tbl.cell(1, 1).text = "45-59"
    # slide 3: a plain text box and speaker notes with two paragraphs
    s3 = prs.slides.add_slide(prs.slide_layouts[6])
    box = s3.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(2))
    box.text_frame.text = "Spirometry measures FEV1 and FVC"
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(24)
    notes = s3.notes_slide.notes_text_frame
    notes.text = "Explain the flow-volume loop."
    notes.add_paragraph().text = "Use race-neutral reference equations."
    prs.save(str(path))
    return path


# --------------------------------------------------------------------------- PDF


def _pdf(font_size: float = 11):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    if DEJAVU.exists():
        pdf.add_font("DejaVu", "", str(DEJAVU))
        pdf.set_font("DejaVu", size=font_size)
    else:
        pdf.set_font("Helvetica", size=font_size)
    return pdf


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


TWO_COL_LEFT = (
    "Loop diuretics act on the thick ascending limb of the loop of Henle. "
    "They block the sodium potassium chloride cotransporter and cause a brisk natriuresis. "
    "Ototoxicity is a dose related adverse effect of intravenous furosemide."
)
TWO_COL_RIGHT = (
    "Thiazide diuretics act on the distal convoluted tubule of the nephron. "
    "They inhibit the sodium chloride symporter and lower blood pressure over weeks. "
    "Hyponatraemia is a common adverse effect in older adults taking thiazides."
)


def build_two_column_pdf(path: Path) -> Path:
    """Two columns written line by line across the page (left line, right line, ...),
    so content-stream order interleaves them; a full-width title above."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.text(72, 80, "Diuretics: sites of action")
    pdf.set_font_size(11)
    left, right = _wrap(TWO_COL_LEFT, 38), _wrap(TWO_COL_RIGHT, 38)
    y = 120
    for i in range(max(len(left), len(right))):
        if i < len(left):
            pdf.text(72, y, left[i])
        if i < len(right):
            pdf.text(320, y, right[i])
        y += 14
    pdf.output(str(path))
    return path


HEADER = "Renal Physiology \u2014 Lecture 4" if DEJAVU.exists() else "Renal Physiology - Lecture 4"

PAGE_TEXTS = [
    "The glomerulus filters about 180 litres of plasma each day.",
    "Most filtered sodium is reabsorbed in the proximal tubule.",
    "Antidiuretic hormone inserts aquaporin channels in the collecting duct.",
    "Aldosterone increases sodium reabsorption in the principal cells.",
    "Renin is released by the juxtaglomerular cells when perfusion falls.",
]


def build_multipage_pdf(path: Path) -> Path:
    pdf = _pdf()
    n = len(PAGE_TEXTS)
    for i, sentence in enumerate(PAGE_TEXTS, start=1):
        pdf.add_page()
        pdf.set_font_size(9)
        pdf.text(72, 40, HEADER)
        pdf.set_font_size(11)
        y = 100
        for line in _wrap(sentence + " " + "Tubular function is examined on this page in detail.", 70):
            pdf.text(72, y, line)
            y += 14
        pdf.set_font_size(9)
        pdf.text(280, 760, f"Page {i} of {n}")
    pdf.output(str(path))
    return path


def build_hyphen_pdf(path: Path) -> Path:
    pdf = _pdf()
    pdf.add_page()
    lines = [
        "The standard of care is early treat-",
        "ment with an ACE inhibitor, and race-",
        "based adjustments to the equation are",
        "obsolete in current practice guidelines.",
    ]
    y = 100
    for line in lines:
        pdf.text(72, y, line)
        y += 14
    pdf.output(str(path))
    return path


def build_encrypted_pdf(path: Path) -> Path:
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.text(72, 100, "Confidential examination questions.")
    pdf.output(str(path))
    return path


def build_rectangle_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 80, 60)
    pdf.add_page()
    pdf.rect(30, 30, 50, 50, style="F")
    pdf.output(str(path))
    return path


_DIAGRAM_DATA = b"""<?xml version="1.0" encoding="UTF-8"?>
<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram"
    xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><dgm:ptLst>
  <dgm:pt modelId="1"><dgm:t><a:bodyPr/><a:p><a:r><a:t>Filtration</a:t></a:r></a:p></dgm:t></dgm:pt>
  <dgm:pt modelId="2"><dgm:t><a:bodyPr/><a:p><a:r><a:t>Reabsorption in the tubule</a:t></a:r></a:p></dgm:t></dgm:pt>
</dgm:ptLst></dgm:dataModel>"""


def build_smartart_pptx(path: Path) -> Path:
    """A slide whose only text is in a SmartArt diagram (diagram data part)."""
    from lxml import etree
    from pptx import Presentation
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    part = Part(
        PackURI("/ppt/diagrams/data1.xml"),
        "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml",
        prs.part.package,
        _DIAGRAM_DATA,
    )
    rid = slide.part.relate_to(
        part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/diagramData"
    )
    frame = (
        '<p:graphicFrame xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<p:nvGraphicFramePr><p:cNvPr id="9" name="Diagram 1"/><p:cNvGraphicFramePr/><p:nvPr/>'
        '</p:nvGraphicFramePr><p:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/></p:xfrm>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram">'
        '<dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
        f'r:dm="{rid}" r:lo="" r:qs="" r:cs=""/></a:graphicData></a:graphic></p:graphicFrame>'
    )
    slide.shapes._spTree.append(etree.fromstring(frame))
    prs.save(str(path))
    return path


def parsed_with_peak(path: Path):
    """`parse(path)` and the most memory Python allocated meanwhile (bytes, tracemalloc)."""
    import tracemalloc

    from bias_review.parse import parse

    tracemalloc.start()
    try:
        doc = parse(path)
        return doc, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
