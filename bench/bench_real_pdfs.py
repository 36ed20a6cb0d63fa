"""The real PDFs of ../shared/corpus/real (a three-column Federal Register issue and six
OpenStax chapters): pdftotext vs our extraction vs the whole scan, in one run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[1] / "shared" / "corpus" / "real"


def main() -> None:
    sys.path.insert(0, str(HERE))
    from bench_scan import timed

    from bias_review.engine import Engine
    from bias_review.parse import parse

    def best(fn):
        return timed(fn, 3)

    pdfs = sorted(REAL.rglob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs under {REAL}")
    engine = Engine()
    pages = sum(parse(p).pages for p in pdfs)
    ref = best(lambda: [subprocess.run(["pdftotext", "-q", str(p), "-"], stdout=subprocess.DEVNULL, check=True) for p in pdfs])
    ext = best(lambda: [parse(p) for p in pdfs])
    scan = best(lambda: [engine.scan_file(p) for p in pdfs])
    print(f"{len(pdfs)} real PDFs, {pages} pages")
    for name, t in (("pdftotext", ref), ("extraction", ext), ("whole scan, with classifier", scan)):
        print(f"{name:30} {t:6.2f} s {pages / t:8.1f} pages/s {t / ref:6.2f} x pdftotext")


if __name__ == "__main__":
    main()
