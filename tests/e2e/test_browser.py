"""End to end, in a real browser: `streamlit run app.py` on a free port with a temporary store,
Debian's Chromium driven by Playwright. One reviewer uploads a DOCX, sees its flags, accepts
one and dismisses another, reloads; a second reviewer in another browser context decides other
flags at the same time; `bias-review annotations export` then reads every decision back.

Without /usr/bin/chromium the test is skipped, except in CI (CI=true), where it fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

ROOT = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
PARAGRAPHS = [
    "A 45-year-old African American man presents with chest pain.",
    "For Black patients, multiply the eGFR by 1.159.",
    "The patient is noncompliant with his medications.",
    f"The Caucasian patient wrote {SCRIPT} and {IMG} in the chart.",
    "Hispanic patients are often drug-seeking.",
    "Spirometry reference values are corrected for race in Black patients.",
    "The frequent flyer claims his pain is ten out of ten.",
]
SCREENSHOT = ROOT / "docs" / "img" / "review.png"
WAIT_MS = 90_000


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
    pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`streamlit run app.py` on a free port with its own store; yields (its URL, the database URL)."""
    from bias_review.webapp.server import running_app

    _need_chromium()
    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    env = {**os.environ, "BIAS_REVIEW_DB": db, "BIAS_REVIEW_DATA": str(tmp_path / "data")}
    env.pop("BIAS_REVIEW_ROLES", None)
    with open(tmp_path / "streamlit.log", "wb") as log, \
            running_app(env, script=ROOT / "app.py", cwd=ROOT, log=log) as (url, _):
        yield url, db


def _docx(path: Path) -> Path:
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    document.save(path)
    return path


def _export(db: str) -> list[dict]:
    cli = Path(sys.executable).with_name("bias-review")
    out = subprocess.run([str(cli), "annotations", "export", "--db", db], capture_output=True, text=True,
                         check=True, timeout=120)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def _set_reviewer(page, name: str) -> None:
    field = page.get_by_label("Reviewer name")
    field.fill(name)
    field.press("Enter")
    page.wait_for_url(f"**reviewer_name={name}**", timeout=WAIT_MS)


def test_upload_review_reload_and_export(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, db = served
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            ana = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
            ana.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            ana.goto(url)
            _set_reviewer(ana, "ana")
            ana.locator("input[type=file]").set_input_files(str(_docx(tmp_path / "syllabus.docx")))
            expect(ana.get_by_test_id("stFileChipName")).to_have_text("syllabus.docx")
            expect(ana.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=WAIT_MS)  # uploaded
            ana.get_by_label("Course name (required)").fill("Renal physiology")
            ana.get_by_role("button", name="Upload and scan").click()
            expect(ana.get_by_text("Scanned 1 of 1 file(s)")).to_be_visible(timeout=WAIT_MS)
            # the downloads are drawn after the last flag
            expect(ana.get_by_role("button", name="Word file with comments")).to_be_visible(timeout=WAIT_MS)
            # The hostile paragraph shows as literal text, next to its highlighted flag.
            expect(ana.get_by_text(SCRIPT).first).to_be_visible()
            expect(ana.get_by_text(IMG).first).to_be_visible()
            assert ana.get_by_text("Why:").count() == 7 and ana.locator("mark").count() >= 7

            ana.get_by_role("link", name="Review").click()
            expect(ana.get_by_text("7 flag(s) match the filters")).to_be_visible(timeout=WAIT_MS)
            bo = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
            bo.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            bo.goto(f"{url}/review?reviewer_name=bo")
            expect(bo.get_by_text("7 flag(s) match the filters")).to_be_visible(timeout=WAIT_MS)
            for n in (2, 3, 4):  # bo works further down the queue
                bo.get_by_role("button", name="Next").click()
                expect(bo.get_by_text(f"Flag {n} of 7")).to_be_visible(timeout=WAIT_MS)

            # Both reviewers click at the same moment, twice; then wait for both saves.
            ana.get_by_role("button", name="Accept", exact=True).click()
            bo.get_by_role("button", name="Accept", exact=True).click()
            ana.get_by_text("Saved: accepted").first.wait_for(timeout=WAIT_MS)
            bo.get_by_text("Saved: accepted").first.wait_for(timeout=WAIT_MS)
            ana.get_by_role("button", name="Dismiss", exact=True).click()
            bo.get_by_role("button", name="Dismiss", exact=True).click()
            ana.get_by_text("Saved: dismissed").first.wait_for(timeout=WAIT_MS)
            bo.get_by_text("Saved: dismissed").first.wait_for(timeout=WAIT_MS)

            ana.reload()
            expect(ana.get_by_text("3 flag(s) match the filters")).to_be_visible(timeout=WAIT_MS)
            expect(ana.get_by_label("Reviewer name")).to_have_value("ana")
            ana.set_viewport_size({"width": 1400, "height": 2000})
            expect(ana.get_by_text("Flag 1 of 3")).to_be_visible(timeout=WAIT_MS)
            ana.wait_for_timeout(1000)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            ana.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()

    decisions = _export(db)
    by_reviewer = {(d["reviewer"], d["decision"]) for d in decisions}
    assert len(decisions) == 4 and by_reviewer == {("ana", "accepted"), ("ana", "dismissed"),
                                                   ("bo", "accepted"), ("bo", "dismissed")}
    assert len({d["finding_id"] for d in decisions}) == 4  # other flags, none decided twice
    assert dialogs == []
