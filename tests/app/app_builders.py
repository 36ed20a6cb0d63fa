"""Stores filled by hand (no engine run) and AppTest helpers for the app tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from streamlit.testing.v1 import AppTest

from bias_review.store import DocumentInfo, Store, add_course, add_document, record_scan
from bias_review.store.files import sha256_bytes

APP = Path(__file__).parents[2] / "app.py"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))"
LECTURE = (
    "A 45-year-old African American man presents with chest pain.\n\n"
    "For Black patients, multiply the eGFR by 1.159.\n\n"
    f"The Caucasian patient wrote {HOSTILE} in the chart.\n\n"
    "Sickle cell disease is described here without any flag.\n"
)


def finding(fid: str, passage: str, text: str, category: str, severity: str, line: int) -> dict[str, Any]:
    start = passage.find(text)
    return {"id": fid, "category": category, "severity": severity, "text": text, "passage": passage,
            "start": start, "end": start + len(text), "spans": [{"start": start, "end": start + len(text), "text": text}],
            "location": {"line": line}, "detectors": [f"lexicon:{fid}"], "score": 0.9,
            "explanation": f"why {fid}", "suggestion": f"instead {fid}", "references": [f"ref {fid}"]}


FINDINGS = [
    finding("vignette", "A 45-year-old African American man presents with chest pain.", "African American",
            "race-in-vignette", "medium", 1),
    finding("egfr", "For Black patients, multiply the eGFR by 1.159.", "multiply the eGFR by 1.159",
            "race-correction", "high", 3),
    finding("caucasian", f"The Caucasian patient wrote {HOSTILE} in the chart.", "Caucasian",
            "outdated-term", "medium", 5),
    finding("mention", "Sickle cell disease is described here without any flag.", "Sickle cell disease",
            "stereotype", "info", 7),
]


def prefilled(store: Store, name: str = "lecture.txt", findings: Optional[list[dict]] = None) -> DocumentInfo:
    """A course with one text document, scanned once with hand-written findings."""
    course = add_course(store, "Renal physiology", 2025, "Dr Diaz")
    content = LECTURE.encode()
    doc = add_document(store, content, name, course=course, uploader="director")
    result = {"path": doc.path, "sha256": sha256_bytes(content), "format": "text", "error": None,
              "findings": FINDINGS if findings is None else findings}
    record_scan(store, doc, result, "lex-1", "clf-1", "0.1.0")
    return doc


def app_test(*, user: Optional[dict] = None, login: bool = False) -> AppTest:
    """The app from its entry file; `login` configures an `[auth]` section and `user`."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if login:
        at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x",
                              "client_id": "id", "client_secret": "secret",
                              "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    if user is not None:
        at.user = user
    return at


def goto(at: AppTest, page: str) -> AppTest:
    """Open a page by its url path. Pages are functions (st.Page(callable)), which
    `AppTest.switch_page` (files only) cannot open: set the page hash the navigation registered."""
    if not at._registered_pages:  # noqa: SLF001
        at.run()
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == page]  # noqa: SLF001
    assert hashes, f"page {page!r} is not in the navigation: {list(at._registered_pages.values())}"  # noqa: SLF001
    at._page_hash = hashes[0]  # noqa: SLF001
    return at.run()


def page_names(at: AppTest) -> list[str]:
    """The url paths of the pages in the navigation (function pages have no script path; the
    default page's url path is empty)."""
    pages = at._registered_pages.values()  # noqa: SLF001
    return [info.get("url_pathname") or "upload" for info in pages if not info.get("script_path")]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)
