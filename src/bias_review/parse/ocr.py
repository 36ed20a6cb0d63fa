"""OCR of PDF pages that have no text layer: Tesseract, through pytesseract, on page images
rendered by pypdfium2 at about 300 dpi.

Only pages with no text at all come here (scanned pages); a page with a text layer is never
OCR'd, so text PDFs do not pay for it. Tesseract is optional: `missing()` names what to install
when it cannot run, and the PDF parser then keeps its plain "no text layer" error.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from functools import lru_cache

from bias_review.parse.document import ParseTimeout, check_deadline, one_line

DPI = 300
#: A page larger than this many pixels at DPI (a poster) is rendered at a lower resolution.
MAX_PIXELS = 40_000_000
LANG = "eng"


@dataclass(frozen=True)
class OcrParagraph:
    """A paragraph as Tesseract read it: its lines, and the mean confidence of its words (0-100)."""

    lines: list[str]
    confidence: int


@dataclass
class OcrPages:
    """What OCR found on the pages it was given: paragraphs by page index, warnings, and why
    it did not run (None when it ran)."""

    paragraphs: dict[int, list[OcrParagraph]]
    warnings: list[str]
    why_not: str | None = None


@lru_cache(maxsize=1)
def missing() -> str | None:
    """None when Tesseract and its English data can run here, else the Debian package to install."""
    try:
        import pytesseract
    except ImportError:
        return "pytesseract"
    try:
        languages = pytesseract.get_languages(config="")
    except Exception:  # noqa: BLE001 - TesseractNotFoundError, or a broken install
        return "tesseract-ocr"
    return None if LANG in languages else "tesseract-ocr-eng"


def read_pages(path: str, pdf, pages: list[int], deadline: float | None) -> OcrPages:
    """OCR the pages (0-based indices) of an open pypdfium2 document, one at a time, stopping
    with ParseTimeout once `deadline` (a time.monotonic() value) has passed."""
    import pytesseract

    # Tesseract's OpenMP threads slow it down when several scans share the cores (and on 2 cores
    # alone); pytesseract hands its process os.environ, so the limit goes there unless one is set.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    found = OcrPages({}, [])
    for pno in pages:
        check_deadline(path, deadline)
        try:
            paragraphs = _read_page(pytesseract, pdf[pno], deadline)
        except RuntimeError as exc:  # pytesseract kills Tesseract at the timeout and says so
            if "timeout" in str(exc).lower():
                raise ParseTimeout(path) from None
            found.warnings.append(f"page {pno + 1}: OCR failed ({one_line(exc)})")
            continue
        except pytesseract.TesseractError as exc:
            found.warnings.append(f"page {pno + 1}: OCR failed ({one_line(exc)})")
            continue
        if paragraphs:
            found.paragraphs[pno] = paragraphs
    return found


def _read_page(pytesseract, page, deadline: float | None) -> list[OcrParagraph]:
    try:
        width, height = page.get_size()
        scale = min(DPI / 72, math.sqrt(MAX_PIXELS / max(width * height, 1.0)))
        bitmap = page.render(scale=scale, grayscale=True)
        image = bitmap.to_pil()
    finally:
        page.close()
    timeout = 0 if deadline is None else max(deadline - time.monotonic(), 0.01)  # 0: no limit
    data = pytesseract.image_to_data(image, lang=LANG, output_type=pytesseract.Output.DICT, timeout=timeout)
    return paragraphs_of(data)


def paragraphs_of(data: dict[str, list]) -> list[OcrParagraph]:
    """Tesseract's word table (image_to_data) as paragraphs in its reading order; a word's
    confidence of -1 (a box that is not a word) is left out."""
    paragraphs: dict[tuple[int, int], dict[int, list[str]]] = {}
    confidences: dict[tuple[int, int], list[float]] = {}
    for n, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][n])
        if not word or conf < 0:
            continue
        key = (int(data["block_num"][n]), int(data["par_num"][n]))
        paragraphs.setdefault(key, {}).setdefault(int(data["line_num"][n]), []).append(word)
        confidences.setdefault(key, []).append(conf)
    return [
        OcrParagraph([" ".join(words) for words in lines.values()],
                     round(sum(confidences[key]) / len(confidences[key])))
        for key, lines in paragraphs.items()
    ]
