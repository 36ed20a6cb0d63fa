"""Batch scan of a lecture archive: throughput with 1 and 2 worker processes, pdftotext on the
same PDFs as the floor, peak memory (parent + workers) at 250 and 500 documents, an unchanged
rerun, and how fast workers start (fork, inheriting the parent's engine, vs spawn, each building
its own).

The archive (bench/out/archive, kept between runs; --regenerate to rebuild) holds >= 500
lectures under <year>/<course>/: PDFs (fpdf2), DOCX and PPTX, about 5,000 pages, from open
textbook prose (OpenStax, CC BY 4.0, ../shared/corpus) with one paragraph in seven carrying a
sentence the tool should flag or keep quiet (bench/make_corpus.py). One lecture in thirteen is
zipped (one zip of old lectures per course folder), and twelve lectures with a wiki page per
module are packed into an IMS Common Cartridge (.imscc), as an LMS course export holds them.

    python bench/bench_archive.py          # needs poppler-utils (pdftotext); a few minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
YEARS = ("2022-23", "2023-24", "2024-25")
COURSES = ("Renal", "Cardio", "Pulm", "Neuro", "Endo", "GI", "Heme", "MSK")
PDF_PAGES, DOCX_CHARS, SLIDES = 12, 30_000, 10


# ------------------------------------------------------------------------------ archive
def make_archive(root: Path, documents: int) -> dict:
    """`documents` lectures, a third each PDF, DOCX and PPTX; returns the manifest."""
    sys.path.insert(0, str(HERE))
    from make_corpus import latin1, prose

    paras = prose(10**9, seed=5)
    manifest = {"documents": documents, "pdf_pages": 0, "pdfs": [], "pages_of": {}}
    for i in range(documents):
        kind = ("pdf", "docx", "pptx")[i % 3]
        folder = root / YEARS[i % len(YEARS)] / COURSES[(i // 3) % len(COURSES)]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"Lecture {i:03d} - topic {i % 17}.{kind}"
        start = (i * 37) % len(paras)
        text = [f"Lecture {i}: {COURSES[(i // 3) % len(COURSES)]}."] + [paras[(start + k) % len(paras)] for k in range(200)]
        if kind == "pdf":
            manifest["pages_of"][str(path)] = _pdf(path, text, latin1)
            manifest["pdfs"].append(str(path))
        elif kind == "docx":
            _docx(path, text)
        else:
            _pptx(path, text)
    _package(root, manifest, paras)
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def _package(root: Path, manifest: dict, paras: list[str]) -> None:
    """Zip one lecture in thirteen (one 'Old lectures.zip' per course folder) and pack the next
    twelve lectures of one course, a wiki page beside each, into 'Course export.imscc' with a
    module per lecture. The PDFs moved into either leave `manifest["pdfs"]` (pdftotext's floor
    reads loose files only)."""
    import zipfile
    from xml.sax.saxutils import escape

    lectures = sorted(p for p in root.rglob("Lecture *") if p.suffix in (".pdf", ".docx", ".pptx"))
    zipped = [p for p in lectures if int(p.name.split()[1]) % 13 == 12]
    for folder in sorted({p.parent for p in zipped}):
        with zipfile.ZipFile(folder / "Old lectures.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for p in (p for p in zipped if p.parent == folder):
                z.write(p, f"old/{p.name}")
                p.unlink()
    packed = [p for p in lectures if int(p.name.split()[1]) % 13 == 5][:12]
    items, resources = [], []
    with zipfile.ZipFile(root / YEARS[-1] / COURSES[0] / "Course export.imscc", "w", zipfile.ZIP_DEFLATED) as z:
        for n, p in enumerate(packed, 1):
            page = f"wiki_content/module-{n}.html"
            body = "".join(f"<p>{escape(paras[(n * 11 + k) % len(paras)])}</p>" for k in range(6))
            z.writestr(page, f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Module {n}</title></head>"
                             f"<body><h2>Reading for module {n}</h2>{body}</body></html>")
            z.write(p, f"web_resources/{p.name}")
            p.unlink()
            items.append(f'<item identifier="m{n}"><title>Module {n}</title>'
                         f'<item identifier="m{n}p" identifierref="r{n}p"><title>Reading</title></item>'
                         f'<item identifier="m{n}l" identifierref="r{n}l"><title>Lecture</title></item></item>')
            href = f"web_resources/{escape(p.name)}"
            resources.append(f'<resource identifier="r{n}p" type="webcontent" href="{page}"><file href="{page}"/></resource>'
                             f'<resource identifier="r{n}l" type="webcontent" href="{href}"><file href="{href}"/></resource>')
        z.writestr("imsmanifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?>\n<manifest identifier="course" '
                   'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"><organizations>'
                   '<organization identifier="org" structure="rooted-hierarchy"><item identifier="root">'
                   + "".join(items) + "</item></organization></organizations><resources>"
                   + "".join(resources) + "</resources></manifest>")
    moved = {str(p) for p in zipped + packed}
    kept = [p for p in manifest["pdfs"] if p not in moved]
    manifest["pdf_pages"] = sum(manifest["pages_of"][p] for p in kept)
    manifest["pdfs"] = kept
    manifest["zipped"], manifest["in_cartridge"] = len(zipped), len(packed)


def _pdf(path: Path, paragraphs: list[str], latin1) -> int:
    """PDF_PAGES pages of pre-wrapped lines (fpdf2's text(); multi_cell is 50x slower)."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_font("Helvetica", size=10)
    lines = [line for p in paragraphs for line in textwrap.wrap(latin1(p), 105) + [""]]
    y = 300.0
    for line in lines:
        if y > 258:
            if pdf.page == PDF_PAGES:
                break
            pdf.add_page()
            y = 20.0
        if line:
            pdf.text(15, y, line)
        y += 4.6
    pdf.output(str(path))
    return pdf.page


def _docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    d = docx.Document()
    size = 0
    for p in paragraphs:
        d.add_paragraph(p)
        size += len(p)
        if size > DOCX_CHARS:
            break
    d.save(str(path))


def _pptx(path: Path, paragraphs: list[str]) -> None:
    from pptx import Presentation

    prs = Presentation()
    for s in range(SLIDES):
        sentences = re.split(r"(?<=[.!?])\s+", paragraphs[s + 1])
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = paragraphs[0] if s == 0 else f"Slide {s + 1}"
        body = slide.placeholders[1].text_frame
        body.text = sentences[0]
        for sent in sentences[1:5]:
            body.add_paragraph().text = sent
        slide.notes_slide.notes_text_frame.text = " ".join(sentences[5:]) or sentences[0]
    prs.save(str(path))


# ------------------------------------------------------------------------------ measurements
def tree_memory(proc: psutil.Process, per_process: dict[int, dict]) -> tuple[int, int]:
    """(PSS, RSS) summed over a process and its children, in bytes (PSS shares pages fairly);
    each process's peak PSS and CPU seconds so far go to `per_process`."""
    pss = rss = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info, cpu = p.memory_full_info(), p.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += getattr(info, "pss", info.rss)
        rss += info.rss
        seen = per_process.setdefault(p.pid, {"parent": p.pid == proc.pid, "pss": 0, "cpu": 0.0})
        seen["pss"], seen["cpu"] = max(seen["pss"], getattr(info, "pss", info.rss)), cpu.user + cpu.system
    return pss, rss


def scans_done(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM scans").fetchone()[0]
    except sqlite3.Error:
        return 0


def batch(root: Path, db: Path, workers: int, *, watch: bool = False) -> dict:
    """`bias-review scan` as a child process; its wall time, pages (from the summary line) and,
    with `watch`, peak memory of the process tree while the first 250 documents were scanned,
    the next 250, and the rest."""
    cmd = [sys.executable, "-m", "bias_review.cli", "scan", str(root), "--db", f"sqlite:///{db}",
           "--workers", str(workers), "--format", "jsonl", "--out", str(db.with_suffix(".jsonl"))]
    env = {**os.environ, "BIAS_REVIEW_DATA": str(db.parent / f"{db.stem}-data")}
    started, cpu_before = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks = {"up to 250": (0, 0), "250 to 500": (0, 0), "after 500": (0, 0)}
    per_process: dict[int, dict] = {}
    if watch:
        tree = psutil.Process(proc.pid)
        while proc.poll() is None:
            done = scans_done(db)
            half = "up to 250" if done < 250 else "250 to 500" if done < 500 else "after 500"
            pss, rss = tree_memory(tree, per_process)
            peaks[half] = (max(peaks[half][0], pss), max(peaks[half][1], rss))
            time.sleep(0.5)
    err = proc.communicate()[1]
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"scan failed ({proc.returncode}): {err}")
    line = [x for x in err.splitlines() if "file(s) scanned" in x][-1]
    m = re.search(r"(\d+) of (\d+) file\(s\) scanned \((\d+) pages\)", line)
    return {"seconds": seconds, "scanned": int(m.group(1)), "files": int(m.group(2)), "pages": int(m.group(3)),
            "line": line, "peaks": peaks, "cpu": _children_cpu() - cpu_before, "processes": per_process}


def _children_cpu() -> float:
    """CPU seconds of every finished child and its waited-for descendants (the workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def effective_cores() -> float:
    """How many cores this machine gives us right now: a CPU-bound loop alone, then twice in
    parallel (2.0 on an idle 2-core machine; less when others are busy)."""
    import multiprocessing

    n = 10_000_000
    started = time.perf_counter()
    _spin(n)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_spin, [n, n])
    return 2 * alone / (time.perf_counter() - started)


def pool_alone(root: Path, workers: int) -> float:
    """Seconds for LocalPool (worker processes, the engine built and forked here) to scan the
    archive with nothing recorded or written: how the workers themselves scale."""
    from bias_review.batch import EngineSpec, LocalPool, Task, open_archive

    with open_archive([root]) as files:
        started = time.perf_counter()
        for _ in LocalPool(EngineSpec(), workers).results(Task(f) for f in files):
            pass
    return time.perf_counter() - started


def pdftotext(pdfs: list[str], processes: int) -> float:
    def one(path: str) -> None:
        subprocess.run(["pdftotext", "-q", path, "-"], check=True, stdout=subprocess.DEVNULL)

    started = time.perf_counter()
    with ThreadPoolExecutor(processes) as pool:
        list(pool.map(one, pdfs))
    return time.perf_counter() - started


def start_times(root: Path) -> dict[str, float]:
    """Seconds from creating 2 workers (with the classifier) to the first result and to the
    last of 4 small files: fork inherits the engine built in this process, spawn builds one per
    worker. The engine is built afresh for each (a new process each time)."""
    out = {}
    for method in ("fork", "spawn"):
        code = (
            "import sys, time\n"
            "from pathlib import Path\n"
            "from bias_review.batch import EngineSpec, InputFile, LocalPool, Task\n"
            "if __name__ == '__main__':\n"
            f"    files = sorted(Path({str(root)!r}).rglob('*.pptx'))[:4]\n"
            "    t = time.perf_counter(); first = None\n"
            f"    for _ in LocalPool(EngineSpec(), 2, start_method={method!r}).results("
            "Task(InputFile(f.name, f)) for f in files):\n"
            "        first = first or time.perf_counter() - t\n"
            "    print(first, time.perf_counter() - t)\n")
        script = OUT / f"start_{method}.py"
        script.write_text(code, encoding="utf-8")
        first, last = map(float, subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                                check=True).stdout.split())
        out[method] = (first, last)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=510)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="best of N runs with 1 and with 2 workers (alternated)")
    args = ap.parse_args()
    root = OUT / "archive"
    made = json.loads((root / "manifest.json").read_text())["documents"] if (root / "manifest.json").exists() else 0
    if args.regenerate or made != args.documents:
        shutil.rmtree(root, ignore_errors=True)
        t = time.perf_counter()
        make_archive(root, args.documents)
        print(f"generated {args.documents} documents in {time.perf_counter() - t:.1f} s")
    manifest = json.loads((root / "manifest.json").read_text())
    runs = OUT / "archive-runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    print(f"packaged: {manifest['zipped']} lectures in zips, {manifest['in_cartridge']} lectures and "
          f"{manifest['in_cartridge']} wiki pages in one .imscc")

    starts = start_times(root)
    for method, (first, last) in starts.items():
        print(f"workers start ({method:5}): first result {first:.2f} s, 4 files done {last:.2f} s")

    pdfs = manifest["pdfs"]
    load, cores_before = os.getloadavg(), effective_cores()
    ref1, ref2 = pdftotext(pdfs, 1), pdftotext(pdfs, 2)
    one = two = None
    for n in range(args.repeat):  # alternated, so other work on the machine hits both alike
        for workers in (1, 2):
            db = runs / f"w{workers}-{n}.sqlite"
            r = batch(root, db, workers, watch=True)  # both watched: the sampling costs each the same
            if workers == 1 and (one is None or r["seconds"] < one["seconds"]):
                one = r
            if workers == 2 and (two is None or r["seconds"] < two["seconds"]):
                two, two_db = r, db
    again = batch(root, two_db, 2)
    alone = {w: min(pool_alone(root, w) for _ in range(args.repeat)) for w in (1, 2)}
    pdf_root = runs / "pdf-only"
    for p in pdfs:
        target = pdf_root / Path(p).relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(p, target)
    pdf_two = batch(pdf_root, runs / "pdf.sqlite", 2)

    n, pages = two["files"], two["pages"]
    print(f"\narchive: {n} documents ({len(pdfs)} loose PDFs, {manifest['pdf_pages']} pages; "
          f"{manifest['zipped']} zipped lectures, {2 * manifest['in_cartridge']} files in a cartridge), {pages} pages in all")
    print(f"load average before the runs {load[0]:.2f}; cores free for us (2 CPU-bound loops vs 1): "
          f"{cores_before:.2f} before, {effective_cores():.2f} after")
    print(f"{'run':34} {'seconds':>8} {'docs/s':>8} {'pages/s':>8} {'CPU s':>8} {'cores used':>10}")
    for label, r in (("1 worker", one), ("2 workers", two)):
        print(f"{label:34} {r['seconds']:8.1f} {r['scanned'] / r['seconds']:8.2f} {r['pages'] / r['seconds']:8.1f} "
              f"{r['cpu']:8.1f} {r['cpu'] / r['seconds']:10.2f}")
    print(f"{'speed-up, 2 workers vs 1':34} {one['seconds'] / two['seconds']:8.2f}x   (target >= 1.7x)")
    for w in (1, 2):
        print(f"{f'workers alone, {w} (no store, no report)':34} {alone[w]:8.1f} {n / alone[w]:8.2f} {pages / alone[w]:8.1f}")
    print(f"{'speed-up of the workers alone':34} {alone[1] / alone[2]:8.2f}x")
    print(f"{'PDFs alone, 2 workers':34} {pdf_two['seconds']:8.1f} {pdf_two['scanned'] / pdf_two['seconds']:8.2f} "
          f"{pdf_two['pages'] / pdf_two['seconds']:8.1f}")
    print(f"{'pdftotext, 1 process':34} {ref1:8.1f} {len(pdfs) / ref1:8.2f} {manifest['pdf_pages'] / ref1:8.1f}")
    print(f"{'pdftotext, 2 processes':34} {ref2:8.1f} {len(pdfs) / ref2:8.2f} {manifest['pdf_pages'] / ref2:8.1f}")
    print(f"{'PDFs alone vs pdftotext (2 each)':34} {pdf_two['seconds'] / ref2:8.2f}x")
    print(f"{'unchanged rerun':34} {again['seconds']:8.1f}   {again['seconds'] / two['seconds']:.1%} of the first run "
          f"(target <= 5%); {again['line']}")
    for label, r in (("1 worker", one), ("2 workers", two)):
        for half, (pss, rss) in r["peaks"].items():
            if not pss:
                continue
            print(f"peak memory, parent + {label:9}, {half:10} documents: {pss / 2**20:6.0f} MB PSS "
                  f"({rss / 2**20:.0f} MB RSS summed)")
        parent = [p for p in r["processes"].values() if p["parent"]]
        workers = [p for p in r["processes"].values() if not p["parent"]]
        print(f"  {label}: parent {parent[0]['cpu']:.1f} CPU s, peak {parent[0]['pss'] / 2**20:.0f} MB PSS; "
              f"{len(workers)} worker processes over the run (recycled every 500 files), "
              f"{sum(p['cpu'] for p in workers):.1f} CPU s, each at most {max(p['pss'] for p in workers) / 2**20:.0f} MB PSS")


if __name__ == "__main__":
    main()
