"""Builders of the inputs tests' files: zips, an IMS Common Cartridge, DOCX, text and image PDFs."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

from office_builders import docx_bytes

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

BIASED = "Multiply the eGFR by 1.159 for Black patients."
CONSCIOUS = "Serum creatinine is measured with an enzymatic assay."


def zip_bytes(members: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of {member name: content}, names written exactly as given (even '../x' or '/x')."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buf.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def pdf_bytes(pages: list[list[str]], *, scanned: tuple[int, ...] = ()) -> bytes:
    """A PDF, one list of lines per page: a text layer, except on the `scanned` pages (0-based),
    which are only a picture of their lines (drawn with Pillow in a large clear font on an A4
    page at 300 dpi), as a scanner makes them."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=12)
    for n, lines in enumerate(pages):
        pdf.add_page()
        if n in scanned:
            pdf.image(_picture_of(lines), x=0, y=0, w=pdf.w, h=pdf.h)
            continue
        for line in lines:
            pdf.cell(0, 20, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _picture_of(lines: list[str]):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(DEJAVU), 48) if DEJAVU.exists() else ImageFont.load_default(size=48)
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((200, 300 + 100 * n), line, fill=0, font=font)
    return image


def text_pdf_bytes(pages: list[list[str]]) -> bytes:
    return pdf_bytes(pages)


def image_pdf_bytes(pages: list[list[str]]) -> bytes:
    return pdf_bytes(pages, scanned=tuple(range(len(pages))))


MANIFEST_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = ('xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1" '
       'xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"')


def manifest(organization: str, resources: str) -> str:
    """An imsmanifest.xml with one organization (its items) and its resources."""
    return (f'{MANIFEST_HEAD}<manifest identifier="course" {_NS}>\n'
            '<metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion></metadata>\n'
            '<organizations><organization identifier="org_1" structure="rooted-hierarchy">\n'
            f'<item identifier="LearningModules">{organization}</item>\n'
            '</organization></organizations>\n'
            f'<resources>{resources}</resources>\n</manifest>\n')


_ITEM_IDS = itertools.count(1)


def item(title: str, ref: str | None = None, children: str = "") -> str:
    attrs = f' identifierref="{ref}"' if ref else ""
    return f'<item identifier="item_{next(_ITEM_IDS)}"{attrs}><title>{title}</title>{children}</item>'


def resource(ident: str, href: str, kind: str = "webcontent") -> str:
    return f'<resource identifier="{ident}" type="{kind}" href="{href}"><file href="{href}"/></resource>'


PAGE = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>CKD overview</title></head>
<body>
<h2>Staging</h2>
<p>Chronic kidney disease is staged by eGFR and albuminuria.</p>
<p>{sentence}</p>
</body>
</html>
"""


def cartridge_bytes() -> bytes:
    """A course with two modules: Module 1 holds a page (a flaggable sentence) and, under
    'Week 2', an attached DOCX; Module 2 an attached PDF; a PDF attached to no module."""
    organization = (
        item("Module 1: Renal", children=(
            item("CKD overview", "r_page")
            + item("Week 2", children=item("Case notes", "r_docx"))))
        + item("Module 2: Pulmonary", children=item("Spirometry slides", "r_pdf"))
        + item("Quiz 1", "r_quiz")
    )
    resources = (
        resource("r_page", "wiki_content/ckd-overview.html")
        + resource("r_docx", "web_resources/Week%202/case-notes.docx")
        + resource("r_pdf", "web_resources/spirometry.pdf")
        + resource("r_quiz", "quiz/assessment.xml", "imsqti_xmlv1p2/imscc_xmlv1p1/assessment")
        + resource("r_loose", "web_resources/loose.pdf")
    )
    return zip_bytes({
        "imsmanifest.xml": manifest(organization, resources),
        "wiki_content/ckd-overview.html": PAGE.format(sentence=BIASED),
        "web_resources/Week 2/case-notes.docx": docx_bytes([CONSCIOUS, "A 45-year-old Black man presents with chest pain."]),
        "web_resources/spirometry.pdf": text_pdf_bytes([[CONSCIOUS], ["Apply a race correction to the spirometry reference values."]]),
        "web_resources/loose.pdf": text_pdf_bytes([["Black patients have denser bones than white patients."]]),
        "quiz/assessment.xml": "<questestinterop/>",
    })
