"""Fixture files for the parser tests, built once per session at test time."""

from __future__ import annotations

import io
import zipfile

import pytest
from parse_builders import (
    build_docx,
    build_encrypted_pdf,
    build_hyphen_pdf,
    build_multipage_pdf,
    build_pptx,
    build_rectangle_pdf,
    build_two_column_pdf,
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("parse-fixtures")
    out = {
        "docx": build_docx(d / "syllabus.docx"),
        "pptx": build_pptx(d / "lecture.pptx"),
        "two_col": build_two_column_pdf(d / "two-column.pdf"),
        "multipage": build_multipage_pdf(d / "multipage.pdf"),
        "hyphen": build_hyphen_pdf(d / "hyphen.pdf"),
        "encrypted": build_encrypted_pdf(d / "encrypted.pdf"),
        "rectangle": build_rectangle_pdf(d / "rectangle.pdf"),
    }
    out["dir"] = d
    return out


@pytest.fixture
def zip_bytes():
    """Build a zip in memory from {name: bytes}."""

    def make(members: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        return buf.getvalue()

    return make

