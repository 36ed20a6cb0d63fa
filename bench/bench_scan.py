"""End-to-end throughput, against `pdftotext` measured in the same run.

Prints pages per second for: pdftotext alone, our PDF extraction alone, the whole PDF scan
(extraction + detection) with and without the classifier, DOCX and PPTX scans; detection
alone in MB of text per second (one core); and sentences per second with and without the
classifier. Run `python bench/make_corpus.py` first.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=HERE / "out" / "corpus")
    ap.add_argument("--repeat", type=int, default=2, help="best of N runs for each measurement")
    args = ap.parse_args()
    from bias_review.detect.registry import DEFAULT_DETECTORS, RULES_ONLY
    from bias_review.engine import Engine
    from bias_review.nlp import get_nlp
    from bias_review.parse import parse

    pdfs = sorted((args.corpus / "pdf").glob("*.pdf"))
    docxs = sorted((args.corpus / "docx").glob("*.docx"))
    pptxs = sorted((args.corpus / "pptx").glob("*.pptx"))
    if not pdfs:
        raise SystemExit("no corpus: run python bench/make_corpus.py first")
    rules = Engine(detectors=RULES_ONLY)
    full = Engine(detectors=DEFAULT_DETECTORS)
    get_nlp()
    pdf_docs = [parse(p) for p in pdfs]
    pdf_pages = sum(d.pages for d in pdf_docs)
    rows = []

    if shutil.which("pdftotext"):
        t_ref = timed(lambda: [subprocess.run(["pdftotext", "-q", str(p), "-"], check=True,
                                              stdout=subprocess.DEVNULL) for p in pdfs], args.repeat)
    else:
        t_ref = float("nan")
    rows.append(("pdftotext (baseline)", pdf_pages, "pages", t_ref, 1.0))
    t_parse = timed(lambda: [parse(p) for p in pdfs], args.repeat)
    rows.append(("PDF extraction (pypdfium2)", pdf_pages, "pages", t_parse, t_parse / t_ref))
    t_scan = timed(lambda: [rules.scan_file(p) for p in pdfs], args.repeat)
    rows.append(("PDF scan, lexicons+rules", pdf_pages, "pages", t_scan, t_scan / t_ref))
    t_full = timed(lambda: [full.scan_file(p) for p in pdfs], args.repeat)
    rows.append(("PDF scan, with classifier", pdf_pages, "pages", t_full, t_full / t_ref))
    docx_pages = sum(parse(p).pages for p in docxs)
    t_docx = timed(lambda: [full.scan_file(p) for p in docxs], args.repeat)
    rows.append(("DOCX scan, with classifier", docx_pages, "pages", t_docx, float("nan")))
    slides = sum(parse(p).pages for p in pptxs)
    t_pptx = timed(lambda: [full.scan_file(p) for p in pptxs], args.repeat)
    rows.append(("PPTX scan, with classifier", slides, "slides", t_pptx, float("nan")))

    print(f"{'measurement':32} {'units':>8} {'seconds':>9} {'units/s':>9} {'x pdftotext':>12}")
    for name, n, unit, t, ratio in rows:
        print(f"{name:32} {n:>5} {unit:<3}{t:9.2f} {n / t:9.1f} {ratio:12.2f}")

    # detection alone: parsed blocks in memory, one core
    all_docs = pdf_docs + [parse(p) for p in docxs + pptxs]
    chars = sum(d.text_size for d in all_docs)
    for name, eng in (("lexicons+rules", rules), ("with classifier", full)):
        t = timed(lambda: [eng.analyze_blocks(d.blocks, path=d.path) for d in all_docs], args.repeat)
        print(f"detection alone, {name:16} {chars / 1e6:6.2f} MB text {t:7.2f} s  {chars / 1e6 / t:6.2f} MB/s")

    # sentences per second with and without the classifier (every sentence on topic)
    from bias_review.evaluate import load_examples

    from bias_review.findings import Location
    from bias_review.parse.document import Block

    sents = [e.text for e in load_examples(HERE.parent / "models" / "dev" / "dev.jsonl")] * 5
    blocks = [Block(s, Location(line=i)) for i, s in enumerate(sents, 1)]
    for name, eng in (("without classifier", rules), ("with classifier", full)):
        t = timed(lambda: eng.analyze_blocks(blocks, path="bench"), args.repeat)
        print(f"sentences, {name:20} {len(sents)} sentences {t:6.2f} s  {len(sents) / t:8.0f} sentences/s")


if __name__ == "__main__":
    main()
