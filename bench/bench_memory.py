"""Peak memory of one large file, by format and size: `bias-review scan FILE` in a process of
its own (peak resident memory of that process, and its wall time).

Inputs, made in a temporary folder:
- plain text and Markdown: the paragraphs of the OpenStax chapters of the real corpus beside
  the project (Markdown), a generated on-topic paragraph (bench/ontopic.py) after every tenth,
  repeated up to the size; the same bytes as `.txt` and as `.md`;
- HTML: the same paragraphs, each in `<p>`, under `<h2>` headings;
- PDF: copies of the real three-column Federal Register issue joined with `pdfunite`.

Usage: python bench/bench_memory.py [--text 50,100,190] [--markdown 50,190] [--html 20]
                                    [--pdf 600,3900] [--format jsonl]
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_engine import CLI, REAL_CORPUS, REAL_PDF, peak
from ontopic import paragraphs

MB = 1_000_000


def _sizes(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def _unit() -> list[str]:
    """One round of the text's paragraphs: the real chapters', with a generated on-topic
    paragraph after every tenth."""
    chapters = sorted((REAL_CORPUS / "openstax").rglob("*.md"))
    real = [p for c in chapters for p in c.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    made = iter(paragraphs(5 * (len(real) // 10 + 1)))
    out = []
    for n, para in enumerate(real, start=1):
        out.append(para)
        if n % 10 == 0:
            out.append(next(made))
    return out


def _write_until(path: Path, pieces: list[str], size_mb: int, *, head: str = "", tail: str = "") -> Path:
    """`head`, then the pieces over and over up to `size_mb`, then `tail`."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head)
        written = 0
        while written < size_mb * MB:
            for piece in pieces:
                fh.write(piece)
                written += len(piece.encode("utf-8"))
                if written >= size_mb * MB:
                    break
        fh.write(tail)
    return path


def _text(path: Path, unit: list[str], size_mb: int) -> Path:
    return _write_until(path, [p + "\n\n" for p in unit], size_mb)


def _html(path: Path, unit: list[str], size_mb: int) -> Path:
    pieces = []
    for n, para in enumerate(unit):
        if n % 20 == 0:
            pieces.append(f"<h2>Part {n // 20}</h2>\n")
        pieces.append(f"<p>{html.escape(para.strip('# '))}</p>\n")
    return _write_until(path, pieces, size_mb, head="<!doctype html>\n<html><body>\n", tail="</body></html>\n")


def _pdf(path: Path, pages: int) -> Path:
    per_copy = 15
    subprocess.run(["pdfunite", *[str(REAL_PDF)] * (pages // per_copy), str(path)], check=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", default="50,100,190", help="plain-text sizes in MB")
    ap.add_argument("--markdown", default="50,190", help="Markdown sizes in MB")
    ap.add_argument("--html", default="20", help="HTML sizes in MB")
    ap.add_argument("--pdf", default="600,3900", help="PDF sizes in pages (multiples of 15)")
    ap.add_argument("--format", default="jsonl", help="the report format written (to a file)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bias-review-bench-memory-"))
    unit = _unit()
    inputs: list[tuple[str, Path]] = []
    for mb in _sizes(args.text):
        inputs.append((f"text {mb} MB", _text(work / f"text-{mb}.txt", unit, mb)))
    for mb in _sizes(args.markdown):
        inputs.append((f"Markdown {mb} MB", _text(work / f"notes-{mb}.md", unit, mb)))
    for mb in _sizes(args.html):
        inputs.append((f"HTML {mb} MB", _html(work / f"page-{mb}.html", unit, mb)))
    if shutil.which("pdfunite"):
        for pages in _sizes(args.pdf):
            pdf = _pdf(work / f"fr-{pages}.pdf", pages)
            inputs.append((f"PDF {pages:,} pages ({pdf.stat().st_size / MB:.0f} MB)", pdf))
    else:
        print("pdfunite not found (Debian poppler-utils): PDFs left out")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; report: --format {args.format}")
    for label, path in inputs:
        out = work / f"report.{args.format}"
        seconds, rss = peak([*CLI, "scan", str(path), "--format", args.format, "--timeout", "0", "--out", str(out)])
        kept = out.stat().st_size / MB if out.exists() else 0.0
        print(f"{label:32} {seconds:7.1f} s   peak {rss:6.0f} MB   (report {kept:6.2f} MB)", flush=True)
        path.unlink()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
