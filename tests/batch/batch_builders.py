"""Small lecture archives built at test time: text, DOCX and PDF files under year and course
folders, each holding sentences the rules flag (and one that must stay quiet)."""

from __future__ import annotations

from pathlib import Path

from bias_review.store import Store

FLAGGED = [
    "For African American patients, multiply the MDRD eGFR by 1.212.",
    "The patient is a known drug-seeker and was noncompliant with follow-up.",
    "A 52-year-old African American man presents with fatigue and ankle swelling.",
    "Ethnicity: Caucasian.",
]
QUIET = "The CKD-EPI 2021 equation removed the race coefficient."
YEARS = ("2023-24", "2024-25")
COURSES = ("Renal", "Cardio", "Pulm")
KINDS = ("txt", "docx", "pdf")


def lecture_text(n: int, repeat: int = 1) -> list[str]:
    """Paragraphs of lecture `n` (its number makes every file's content its own)."""
    paragraphs = [f"Lecture {n}: kidney and heart physiology."]
    for r in range(repeat):
        paragraphs += [f"{FLAGGED[(n + r) % len(FLAGGED)]} (Case {n}.{r}.)", QUIET,
                       f"{FLAGGED[(n + r + 1) % len(FLAGGED)]} (Note {n}.{r}.)"]
    return paragraphs


def write_file(path: Path, paragraphs: list[str]) -> Path:
    """A text, DOCX or PDF file (by `path`'s suffix) holding the paragraphs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = path.suffix.lstrip(".")
    if kind == "docx":
        import docx

        d = docx.Document()
        for p in paragraphs:
            d.add_paragraph(p)
        d.save(path)
    elif kind == "pdf":
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for p in paragraphs:
            pdf.multi_cell(0, 6, p)
            pdf.ln(2)
        pdf.output(str(path))
    else:
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def write_archive(root: Path, n: int, *, kinds: tuple[str, ...] = KINDS, repeat: int = 1) -> list[Path]:
    """`n` lectures under `root/<year>/<course>/Lecture NN.<kind>`."""
    return [write_file(root / YEARS[i % len(YEARS)] / COURSES[i % len(COURSES)] / f"Lecture {i:02d}.{kinds[i % len(kinds)]}",
                       lecture_text(i, repeat)) for i in range(n)]


def stored_findings(store: Store) -> dict[str, list[str]]:
    """Per source path, the sorted stable ids of the store's tool findings (every severity)."""
    from sqlalchemy import select

    from bias_review.store.models import Document, Finding

    out: dict[str, list[str]] = {}
    with store.read() as session:
        for path, stable_id in session.execute(select(Document.source_path, Finding.stable_id)
                                               .join(Finding, Finding.document_id == Document.id)):
            out.setdefault(path, []).append(stable_id)
    return {k: sorted(v) for k, v in out.items()}


def scan_counts(store: Store) -> dict[str, int]:
    """Per source path, how many scans the store holds."""
    from sqlalchemy import func, select

    from bias_review.store.models import Document, Scan

    with store.read() as session:
        return dict(session.execute(select(Document.source_path, func.count(Scan.id))
                                    .join(Scan, Scan.document_id == Document.id).group_by(Document.source_path)).all())
