"""Format detection, limits and the error contract of parse()."""

from __future__ import annotations

import pytest

from bias_review.parse import SUPPORTED_EXTENSIONS, ParseError, detect_format, limits, parse


def test_supported_extensions():
    assert {".pdf", ".docx", ".pptx", ".txt", ".md", ".markdown"} <= set(SUPPORTED_EXTENSIONS)


def test_detect_by_content_not_extension(files, tmp_path):
    assert detect_format(files["docx"]) == "docx"
    assert detect_format(files["pptx"]) == "pptx"
    assert detect_format(files["hyphen"]) == "pdf"
    odd = tmp_path / "slides.bin"
    odd.write_bytes(files["pptx"].read_bytes())
    assert detect_format(odd) == "pptx"
    md = tmp_path / "a.markdown"
    md.write_text("# hi", encoding="utf-8")
    assert detect_format(md) == "markdown"


def test_empty_file(tmp_path):
    f = tmp_path / "empty.pdf"
    f.write_bytes(b"")
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason == "empty file"


def test_file_over_size_cap(tmp_path):
    f = tmp_path / "big.txt"
    f.write_bytes(b"a" * 5000)
    with pytest.raises(ParseError) as err:
        parse(f, max_bytes=1024)
    assert err.value.reason == "file is 4.9 KB, over the 1 KB limit"
    assert parse(f, max_bytes=5000).blocks  # at the limit is fine


def test_reading_a_file_allocates_about_its_size_not_the_cap(tmp_path):
    """A file is read as the size it has (plus one byte, to see whether it grew since): reading
    up to the 200 MB cap at once allocated 200 MB for every file."""
    from parse_builders import parsed_with_peak

    f = tmp_path / "notes.txt"
    f.write_text("Renin is released by the juxtaglomerular cells when perfusion falls.\n\n" * 2000)
    size = f.stat().st_size
    doc, peak = parsed_with_peak(f)
    assert len(doc.blocks) == 2000
    assert peak < 20 * size, f"{peak:,} bytes allocated to parse {size:,} bytes of text"


def test_a_file_that_grows_while_read_is_held_to_the_cap(tmp_path, monkeypatch):
    import os

    f = tmp_path / "growing.txt"
    f.write_bytes(b"a" * 100_000)  # more than the head read to tell the format
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: os.stat_result((*real_stat(p)[:6], 50_000, *real_stat(p)[7:])))
    assert len(parse(f, max_bytes=200_000).blocks[0].text) == 100_000  # whole, though stat said 50 KB
    with pytest.raises(ParseError) as err:
        parse(f, max_bytes=80 * 1024)
    assert err.value.reason == "file is 80.0 KB, over the 80 KB limit"


def test_size_message_in_megabytes():
    with pytest.raises(ParseError) as err:
        limits.check_size("x.pdf", 250 * limits.MB)
    assert err.value.reason == "file is 250.0 MB, over the 200 MB limit"


def test_png_named_docx(tmp_path):
    f = tmp_path / "figure.docx"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason == "unsupported file type: PNG image"


def test_unknown_binary(tmp_path):
    f = tmp_path / "data.bin"
    f.write_bytes(bytes(range(256)))
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason.startswith("unsupported file type (.bin)")


def test_text_named_pdf(tmp_path):
    f = tmp_path / "notes.pdf"
    f.write_text("just text", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason == "not a valid .pdf file (unrecognised content)"


def test_ole_file_legacy_or_encrypted_office(tmp_path):
    f = tmp_path / "old.doc"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason == (
        "password-protected or legacy Office file (.doc/.ppt); "
        "save as .docx/.pptx without a password"
    )


def test_zip_bomb_ratio(tmp_path, zip_bytes):
    f = tmp_path / "bomb.docx"
    f.write_bytes(
        zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (40 * limits.MB)})
    )
    assert f.stat().st_size < 200_000
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason.startswith("ZIP archive expands to 40.0 MB")
    assert err.value.reason.endswith("possible zip bomb)")


def test_zip_total_size_cap(tmp_path, monkeypatch, files):
    monkeypatch.setattr(limits, "MAX_ZIP_UNCOMPRESSED", 10_000)
    with pytest.raises(ParseError) as err:
        parse(files["docx"])
    assert err.value.reason.startswith("ZIP archive expands to")
    assert "possible zip bomb" in err.value.reason


def test_zip_that_is_not_office(tmp_path, zip_bytes):
    f = tmp_path / "archive.docx"
    f.write_bytes(zip_bytes({"readme.txt": b"hello"}))
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason == "ZIP archive that is not a .docx or .pptx file"
    xl = tmp_path / "book.docx"
    xl.write_bytes(zip_bytes({"xl/workbook.xml": b"<workbook/>"}))
    with pytest.raises(ParseError, match="Excel"):
        parse(xl)


def test_broken_zip(tmp_path):
    f = tmp_path / "broken.pptx"
    f.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason.startswith("corrupt or unreadable")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ParseError) as err:
        parse(tmp_path / "nope.pdf")
    assert err.value.reason == "file not found"
    with pytest.raises(ParseError) as err:
        parse(tmp_path)
    assert err.value.reason == "is a directory, not a file"


def test_unexpected_library_errors_become_parse_errors(files, monkeypatch):
    import bias_review.parse.word as word

    def boom(*args, **kwargs):
        raise KeyError("rId99")

    monkeypatch.setattr(word, "_headers_footers", boom)
    with pytest.raises(ParseError) as err:
        parse(files["docx"])
    assert err.value.reason.startswith("could not read DOCX file (KeyError:")


def test_every_reason_is_one_line(tmp_path, zip_bytes):
    cases = {
        "a.pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n",
        "b.docx": b"PK\x03\x04garbage",
        "c.txt": b"\x00\x01\x02",
        "d.pptx": zip_bytes({"ppt/presentation.xml": b"\n\n<bad"}),
    }
    for name, data in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        with pytest.raises(ParseError) as err:
            parse(f)
        assert err.value.reason and "\n" not in err.value.reason, (name, err.value.reason)
        assert isinstance(err.value, ParseError)
