"""The review app's timings.

1. cold start: `streamlit run app.py` (new process, empty store) until its health endpoint
   answers, and until a browser shows the first page;
2. upload to flags, with a warm engine, for a generated 100-page PDF (fpdf2; on-topic
   sentences from bench/ontopic.py, one in twenty a finding): through `handle_uploads`
   (store + scan + record, in process) and through the browser (file chosen and "Upload and
   scan" clicked until every flag and the downloads are on the page).

The browser parts need Debian's /usr/bin/chromium (driven by Playwright) and are skipped
without it.

Usage: python bench/bench_app.py [--repeat 3] [--pages 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 600_000


def make_pdf(path: Path, pages: int) -> Path:
    """A `pages`-page lecture PDF of on-topic prose, one sentence in twenty a finding."""
    from fpdf import FPDF

    from ontopic import sentences

    text = sentences(pages * 45, seed=11, finding_share=0.05)
    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    k = 0
    while pdf.page <= pages:
        pdf.multi_cell(0, 5, " ".join(text[k % len(text): k % len(text) + 5]).encode("latin-1", "replace")
                       .decode("latin-1"))
        pdf.ln(3)
        k += 5
    # the last multi_cell may have opened one page too many: keep exactly `pages`
    pdf.pages = {n: p for n, p in pdf.pages.items() if n <= pages}
    pdf.page = pages
    pdf.output(str(path))
    return path


def app_env(folder: Path) -> dict[str, str]:
    env = {**os.environ, "BIAS_REVIEW_DATA": str(folder / "data"),
           "BIAS_REVIEW_DB": f"sqlite:///{folder / 'bench.sqlite'}"}
    env.pop("BIAS_REVIEW_ROLES", None)
    return env


def cold_start(repeat: int, browser) -> tuple[list[float], list[float]]:
    """Seconds from process start to the health endpoint, and to the first page in a browser."""
    from bias_review.webapp.server import running_app

    health, first_page = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            with running_app(app_env(Path(tmp)), script=ROOT / "app.py", cwd=ROOT) as (url, _):
                health.append(time.perf_counter() - start)
                if browser is not None:
                    page = browser.new_page()
                    page.goto(url)
                    page.get_by_text("Upload course materials").wait_for(timeout=TIMEOUT_MS)
                    first_page.append(time.perf_counter() - start)
                    page.close()
    return health, first_page


def in_process(pdf: Path, repeat: int) -> tuple[list[float], int]:
    """Seconds for `handle_uploads` of the PDF into a fresh store with a warm engine; flags found."""
    from bias_review.engine import Engine
    from bias_review.store import open_store
    from bias_review.webapp.uploads import handle_uploads

    engine = Engine()
    content = pdf.read_bytes()
    times, flags = [], 0
    for n in range(repeat + 1):  # the first round warms the engine and is not counted
        with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/s.sqlite", data=tmp) as store:
            start = time.perf_counter()
            [outcome] = handle_uploads(store, engine, [(pdf.name, content)], "Bench")
            if n:
                times.append(time.perf_counter() - start)
            flags = outcome.flags
    return times, flags


def through_browser(pdf: Path, repeat: int, browser) -> list[float]:
    """Seconds from "Upload and scan" to the flags and downloads on the page, warm engine."""
    from playwright.sync_api import expect

    from bias_review.webapp.server import running_app

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        warmup = Path(tmp) / "warm-up.txt"
        warmup.write_text("A 45-year-old Black man presents with chest pain.", encoding="utf-8")
        with running_app(app_env(Path(tmp)), script=ROOT / "app.py", cwd=ROOT) as (url, _):
            for n in range(repeat + 1):  # the first round loads the engine and is not counted
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                page.get_by_label("Course name (required)").fill(f"Bench {n}")
                page.locator("input[type=file]").set_input_files(str(pdf if n else warmup))
                expect(page.get_by_test_id("stFileChipName")).to_have_text((pdf if n else warmup).name)
                expect(page.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=TIMEOUT_MS)
                start = time.perf_counter()
                page.get_by_role("button", name="Upload and scan").click()
                page.get_by_text("Scanned 1 of 1 file(s)").wait_for(timeout=TIMEOUT_MS)
                page.get_by_role("button", name="HTML report").wait_for(timeout=TIMEOUT_MS)
                if n:
                    times.append(time.perf_counter() - start)
                page.close()
    return times


def show(label: str, times: list[float], extra: str = "") -> None:
    if times:
        print(f"{label:<52} median {statistics.median(times):6.2f} s  (min {min(times):.2f}, "
              f"max {max(times):.2f}, n={len(times)}){extra}")
    else:
        print(f"{label:<52} skipped (no /usr/bin/chromium)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = make_pdf(Path(tmp) / f"lecture-{args.pages}-pages.pdf", args.pages)
        size = pdf.stat().st_size / 1e6
        playwright = browser = None
        if CHROMIUM.exists():
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            health, first_page = cold_start(args.repeat, browser)
            show("cold start: process start to health endpoint", health)
            show("cold start: process start to first page in browser", first_page)
            times, flags = in_process(pdf, args.repeat)
            show(f"{args.pages}-page PDF ({size:.1f} MB): handle_uploads", times, f"  {flags} flags")
            show(f"{args.pages}-page PDF: browser, click to flags shown",
                 through_browser(pdf, args.repeat, browser) if browser else [])
        finally:
            if browser is not None:
                browser.close()
                playwright.stop()


if __name__ == "__main__":
    main()
