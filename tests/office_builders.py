"""Office files built in memory for tests in any folder (tests/ is on sys.path through its conftest)."""

from __future__ import annotations

import io


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A DOCX of one paragraph per string."""
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
