"""The engine as a service, against `pdftotext` measured in the same run.

1. start-up: `bias-review scan` of a one-page file (PDF and text), with and without the
   classifier, against `pdftotext` of the same one-page PDF (whole commands, wall time), and
   the floor under it on this machine: Python importing spaCy and building its blank pipeline;
2. 600 PDF pages end to end: `bias-review scan` of 40 copies of the real three-column Federal
   Register issue (start-up included) against `pdftotext` of the same 40 files, in one process
   and with two worker processes; and the whole real corpus beside the project (a scan of real
   prose: textbooks, drug labels, the PDF);
3. on-topic sentences per second: generated sentences that all pass the vocabulary gate,
   about one in four a finding (bench/ontopic.py), through the warm engine, against spaCy's
   tokenizer alone on the same text;
4. a 1.7 MB single line holding 28,000 flagged phrases, and a 5 MB on-topic text file:
   `bias-review scan` time and peak memory (each in its own process).

Usage: python bench/bench_engine.py [--sentences 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL_CORPUS = HERE.parents[1] / "shared" / "corpus" / "real"
REAL_PDF = REAL_CORPUS / "federal-register-2020-17221.pdf"
CLI = [sys.executable, "-m", "bias_review.cli"]


def wall(cmd: list[str], repeat: int) -> float:
    """Median wall time of a command (its output discarded)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of a command run in its own process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, check=True).stdout
    seconds, kb = out.split()
    return float(seconds), int(kb) / 1024


def one_page_pdf(folder: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    text = ("Renal physiology, week 3. A 45-year-old African American man presents with fatigue. "
            "His eGFR was calculated with the race coefficient. Discuss why the 2021 CKD-EPI "
            "equation removed race, and how structural racism shapes access to transplant. ") * 6
    pdf.multi_cell(0, 6, text)
    path = folder / "one-page.pdf"
    pdf.output(str(path))
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext not found: apt-get install poppler-utils")
    sys.path.insert(0, str(HERE))
    from ontopic import paragraphs

    work = Path(tempfile.mkdtemp(prefix="bias-review-bench-"))
    rows: list[tuple[str, str]] = []

    # 1. start-up
    page = one_page_pdf(work)
    text = work / "one-page.txt"
    text.write_text(subprocess.run(["pdftotext", str(page), "-"], capture_output=True, text=True).stdout)
    subprocess.run([*CLI, "scan", str(text)], stdout=subprocess.DEVNULL)  # fill the lexicon cache
    ref = wall(["pdftotext", str(page), "-"], args.repeat * 3)
    # the floor no scan can go under on this machine: Python, spaCy imported as the engine
    # imports it, and its blank English pipeline (tokenizer rules)
    floor = wall([sys.executable, "-c", "import bias_review, spacy; spacy.blank('en')"], args.repeat * 3)
    rows.append(("start-up floor: Python + import spaCy + spacy.blank('en')", f"{floor:6.2f} s"))
    for label, cmd in (("one-page PDF, with classifier", [*CLI, "scan", str(page)]),
                       ("one-page PDF, without classifier", [*CLI, "scan", str(page), "--no-classifier"]),
                       ("one-page text, with classifier", [*CLI, "scan", str(text)]),
                       ("one-page text, without classifier", [*CLI, "scan", str(text), "--no-classifier"])):
        t = wall(cmd, args.repeat * 3)
        rows.append((f"start-up: {label}", f"{t:6.2f} s   (pdftotext {ref:.3f} s)"))

    # 2. 600 pages end to end
    folder = work / "federal-register-x40"
    folder.mkdir()
    for i in range(40):
        shutil.copy(REAL_PDF, folder / f"fr-{i:02d}.pdf")
    pdfs = sorted(folder.glob("*.pdf"))
    ref = wall(["sh", "-c", " ".join(f"pdftotext -q {p} - >/dev/null;" for p in pdfs)], args.repeat)
    scan = wall([*CLI, "scan", str(folder), "--format", "json"], args.repeat)
    rows.append(("600 PDF pages (40 x 15), whole scan", f"{scan:6.2f} s   pdftotext {ref:.2f} s   {scan / ref:.2f} x pdftotext"))
    scan = wall([*CLI, "scan", str(folder), "--format", "json", "--workers", "2"], args.repeat)
    rows.append(("600 PDF pages, whole scan with --workers 2", f"{scan:6.2f} s   pdftotext {ref:.2f} s   {scan / ref:.2f} x pdftotext"))
    if REAL_CORPUS.is_dir():
        scan = wall([*CLI, "scan", str(REAL_CORPUS), "--format", "json"], 1)
        mb = sum(p.stat().st_size for p in REAL_CORPUS.rglob("*") if p.is_file()) / 1e6
        rows.append((f"the real corpus ({mb:.0f} MB of real prose), whole scan", f"{scan:6.2f} s"))

    # 3. on-topic sentences per second
    from bias_review.engine import Engine
    from bias_review.findings import Location
    from bias_review.parse.document import Block

    engine = Engine()
    texts = paragraphs(args.sentences)
    blocks = [Block(p, Location(paragraph=i)) for i, p in enumerate(texts)]
    # the baseline: spaCy's tokenizer alone over the same text
    list(engine.nlp.tokenizer.pipe(texts[:200]))
    t = time.perf_counter()
    for _ in engine.nlp.tokenizer.pipe(texts):
        pass
    tokenizer_rate = args.sentences / (time.perf_counter() - t)
    rows.append(("on-topic sentences, spaCy's tokenizer alone (baseline)", f"{tokenizer_rate:8.0f} sentences/s"))
    engine.analyze_blocks(blocks[:200], path="warm-up")
    t = time.perf_counter()
    found = engine.analyze_blocks(blocks, path="bench")
    dt = time.perf_counter() - t
    flags = sum(1 for f in found if f.is_flag)
    rows.append((f"on-topic sentences, with classifier ({args.sentences:,})",
                 f"{args.sentences / dt:8.0f} sentences/s   ({flags:,} flags, {dt:.1f} s)   "
                 f"{tokenizer_rate * dt / args.sentences:.1f} x the tokenizer's time"))
    fast = Engine(detectors=("lexicon", "vignette"))
    fast.analyze_blocks(blocks[:200], path="warm-up")
    t = time.perf_counter()
    fast.analyze_blocks(blocks, path="bench")
    dt = time.perf_counter() - t
    rows.append(("on-topic sentences, without classifier",
                 f"{args.sentences / dt:8.0f} sentences/s   {tokenizer_rate * dt / args.sentences:.1f} x the tokenizer's time"))

    # 4. a 1.7 MB single line, a 5 MB on-topic file
    line = work / "one-line.txt"
    line.write_text(("the patient is a known drug seeker and was seen again today " * 28_000).strip(), encoding="utf-8")
    big = work / "on-topic-5mb.txt"
    with open(big, "w", encoding="utf-8") as fh:
        size, n = 0, 0
        while size < 5_000_000:
            chunk = "\n\n".join(paragraphs(2_000, seed=n)) + "\n\n"
            fh.write(chunk)
            size += len(chunk.encode())
            n += 1
    for label, path in (("single line, 28,000 flagged phrases", line), ("5 MB on-topic text", big)):
        mb = path.stat().st_size / 1e6
        seconds, rss = peak([*CLI, "scan", str(path), "--format", "json", "--timeout", "0"])
        rows.append((f"{label} ({mb:.1f} MB)", f"{seconds:6.1f} s   peak {rss:6.0f} MB"))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, value in rows:
        print(f"{name:55} {value}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
