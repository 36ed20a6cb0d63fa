"""Generate the benchmark corpus: PDFs (>= 200 pages, half of them two-column), DOCX
(>= 100 pages) and PPTX (>= 100 slides), from open textbook prose (OpenStax Anatomy and
Physiology 2e and Microbiology, CC BY 4.0, from ../shared/corpus) with one sentence in seven
followed by a sentence the tool should flag or keep quiet. Output goes to bench/out/corpus
(not committed)."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "corpus" / "real" / "openstax"
SEEDED = [
    "For African American patients, multiply the MDRD eGFR by 1.212.",
    "A 52-year-old African American man presents with fatigue and ankle swelling.",
    "The patient is a known drug-seeker and was noncompliant with follow-up.",
    "Black patients have thicker skin and feel less pain.",
    "Hispanic patients are often noncompliant with insulin.",
    "Ethnicity: Caucasian.",
    "The CKD-EPI 2021 equation removed the race coefficient.",
    "Structural racism, not biology, drives the disparity in kidney failure.",
]


def prose(limit_chars: int, seed: int = 1) -> list[str]:
    """Paragraphs of real textbook prose (OpenStax, CC BY 4.0), with seeded sentences."""
    rng = random.Random(seed)
    paras: list[str] = []
    # the medical books (anatomy and physiology, microbiology): the register of the lectures
    # the tool is for; the psychology and sociology books are used in the real-corpus review
    files = sorted(SHARED.glob("anatomy-and-physiology-2e/*.md")) + sorted(SHARED.glob("microbiology/*.md"))
    if not files:
        sys.exit(f"benchmark needs the shared corpus at {SHARED}")
    for f in files:
        for p in f.read_text(encoding="utf-8").split("\n\n"):
            p = re.sub(r"[#*_`|>\[\]]", "", p).strip()
            if len(p) > 200:
                paras.append(p)
    rng.shuffle(paras)
    out, size = [], 0
    for i, p in enumerate(paras):
        if i % 7 == 0:
            p = p + " " + SEEDED[i % len(SEEDED)]
        out.append(p)
        size += len(p)
        if size >= limit_chars:
            break
    return out


def latin1(s: str) -> str:
    return s.encode("latin-1", "replace").decode("latin-1")


def make_pdfs(out: Path, pages_wanted: int = 220) -> int:
    from fpdf import FPDF

    paras = prose(pages_wanted * 7000, seed=2)
    per_file = 55
    pages = 0
    k = 0
    file_no = 0
    while pages < pages_wanted:
        file_no += 1
        pdf = FPDF(format="letter")
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_font("Helvetica", size=10)
        two_col = file_no % 2 == 0
        pdf.add_page()
        if two_col:
            while pdf.page < per_file:  # columns render when the block closes: go in slices
                with pdf.text_columns(ncols=2, gutter=8, text_align="J") as cols:
                    for _ in range(12):
                        cols.write(latin1(paras[k % len(paras)]) + "\n\n")
                        k += 1
        else:
            while pdf.page < per_file:
                pdf.multi_cell(0, 5, latin1(paras[k % len(paras)]))
                pdf.ln(3)
                k += 1
        pages += pdf.page
        pdf.output(str(out / f"lecture-{file_no:02d}.pdf"))
    return pages


def make_docx(out: Path, pages_wanted: int = 110) -> int:
    import docx

    paras = prose(pages_wanted * 3000, seed=3)
    per_file = len(paras) // 4 + 1
    for n in range(4):
        d = docx.Document()
        d.sections[0].header.paragraphs[0].text = f"Course handbook part {n + 1}"
        chunk = paras[n * per_file:(n + 1) * per_file]
        for i, p in enumerate(chunk):
            d.add_paragraph(p)
            if i % 40 == 0:
                t = d.add_table(rows=3, cols=3)
                for r in range(3):
                    for c in range(3):
                        t.cell(r, c).text = "Ethnicity: Caucasian" if (r, c) == (1, 1) else f"value {r}{c}"
        d.save(str(out / f"handbook-{n + 1}.docx"))
    return sum(len(p) for p in paras) // 3000


def make_pptx(out: Path, slides_wanted: int = 120) -> int:
    from pptx import Presentation
    from pptx.util import Inches

    paras = prose(slides_wanted * 900, seed=4)
    per_deck = 40
    made = 0
    deck_no = 0
    while made < slides_wanted:
        deck_no += 1
        prs = Presentation()
        for s in range(per_deck):
            p = paras[(made + s) % len(paras)]
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            slide.shapes.title.text = f"Lecture {deck_no}, slide {s + 1}"
            sentences = re.split(r"(?<=[.!?])\s+", p)
            body = slide.placeholders[1].text_frame
            body.text = sentences[0]
            for sent in sentences[1:5]:
                body.add_paragraph().text = sent
            slide.notes_slide.notes_text_frame.text = " ".join(sentences[5:9]) or sentences[0]
            if s % 10 == 0:
                rows = slide.shapes.add_table(2, 2, Inches(1), Inches(5), Inches(4), Inches(1)).table
                rows.cell(0, 0).text = "Group"
                rows.cell(1, 0).text = "Caucasian"
        prs.save(str(out / f"deck-{deck_no}.pptx"))
        made += per_deck
    return made


def main() -> None:
    out = HERE / "out" / "corpus"
    for sub in ("pdf", "docx", "pptx"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    print("pdf pages", make_pdfs(out / "pdf"))
    print("docx pages (est.)", make_docx(out / "docx"))
    print("slides", make_pptx(out / "pptx"))


if __name__ == "__main__":
    main()
