"""IMS Common Cartridges: files found through the manifest, scanned by the real rules-only engine
and located by module; unsafe manifests refused."""

from __future__ import annotations

import pytest
from inputs_builders import BIASED, cartridge_bytes, item, manifest, resource, write, zip_bytes

from bias_review.engine import Engine
from bias_review.inputs import open_inputs
from bias_review.inputs.safexml import UnsafeXml, parse_xml


@pytest.fixture(scope="module")
def rules_only():
    return Engine(detectors=("lexicon", "vignette"))


@pytest.fixture
def course(tmp_path):
    return write(tmp_path / "course.imscc", cartridge_bytes())


def test_cartridge_files_are_shown_by_module(course):
    with open_inputs([course]) as files:
        got = [(f.display.removeprefix(f"{course}!"), f.section, f.error) for f in files]
    assert got == [
        ("Module 1: Renal/ckd-overview.html", "Module 1: Renal", None),
        ("Module 1: Renal/Week 2/case-notes.docx", "Module 1: Renal > Week 2", None),  # href %20-escaped
        ("Module 2: Pulmonary/spirometry.pdf", "Module 2: Pulmonary", None),
        ("(not in a module)/loose.pdf", "(not in a module)", None),  # the quiz holds no file we read
    ]


def test_cartridge_findings_are_located_by_module_and_place(course, rules_only):
    with open_inputs([course]) as files:
        results = {r.path.removeprefix(f"{course}!"): r for r in map(rules_only.scan_input, files)}
    assert all(r.error is None for r in results.values())
    page = results["Module 1: Renal/ckd-overview.html"]
    assert page.format == "html"
    assert [(f.category.value, f.location.section, f.location.line, f.text) for f in page.findings] == [
        ("race-correction", "Module 1: Renal > CKD overview > Staging", 7, "eGFR")]
    assert page.findings[0].passage == BIASED
    notes = results["Module 1: Renal/Week 2/case-notes.docx"]
    assert [(f.category.value, f.location.section, f.location.paragraph) for f in notes.findings] == [
        ("race-in-vignette", "Module 1: Renal > Week 2", 2)]
    slides = results["Module 2: Pulmonary/spirometry.pdf"]
    assert [(f.category.value, f.location.section, f.location.page) for f in slides.findings] == [
        ("race-correction", "Module 2: Pulmonary", 2)]
    loose = results["(not in a module)/loose.pdf"]
    assert [(f.category.value, f.location.section) for f in loose.findings] == [
        ("race-as-biology", "(not in a module)")]


def test_finding_ids_hash_the_display_path_not_the_temporary_copy(course, rules_only):
    with open_inputs([course]) as files:
        first = [f.id for r in map(rules_only.scan_input, files) for f in r.findings]
    with open_inputs([course]) as files:
        second = [f.id for r in map(rules_only.scan_input, files) for f in r.findings]
    assert len(first) == 4 and first == second


def test_a_listed_file_missing_from_the_package_is_its_error(tmp_path):
    org = item("Module 1", children=item("Gone", "r1") + item("Here", "r2"))
    data = zip_bytes({"imsmanifest.xml": manifest(org, resource("r1", "gone.pdf") + resource("r2", "here.txt")),
                      "here.txt": BIASED})
    path = write(tmp_path / "c.imscc", data)
    with open_inputs([path]) as files:
        got = [(f.display.removeprefix(f"{path}!"), f.error) for f in files]
    assert got == [("Module 1/gone.pdf", "listed in imsmanifest.xml but not in the cartridge"),
                   ("Module 1/here.txt", None)]


def test_an_unsafe_href_is_refused(tmp_path):
    org = item("Module 1", children=item("Evil", "r1"))
    data = zip_bytes({"imsmanifest.xml": manifest(org, resource("r1", "../../evil.txt")), "../../evil.txt": "x"})
    path = write(tmp_path / "c.imscc", data)
    with open_inputs([path]) as files:
        got = [(f.display.removeprefix(f"{path}!"), f.error) for f in files]
    assert got == [("Module 1/evil.txt", "refused: unsafe archive member ('..' in its path); not extracted")]


_BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE manifest [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<manifest><organizations><organization><item><title>&lol9;</title></item></organization></organizations></manifest>
"""
_XXE = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest><organizations><organization><item identifierref="r"><title>&secret;</title></item>
</organization></organizations><resources><resource identifier="r" type="webcontent" href="a.txt"/></resources></manifest>
"""
_EXTERNAL_DTD = '<?xml version="1.0"?>\n<!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd">\n<manifest/>\n'


@pytest.mark.parametrize("text", [_BILLION_LAUGHS, _XXE, _EXTERNAL_DTD], ids=["billion-laughs", "xxe", "external-dtd"])
def test_a_manifest_with_a_dtd_is_refused(tmp_path, text):
    path = write(tmp_path / "evil.imscc", zip_bytes({"imsmanifest.xml": text, "a.txt": BIASED}))
    with open_inputs([path]) as files:
        got = list(files)
    assert [(f.display, f.error) for f in got] == [
        (str(path), "refused: imsmanifest.xml is unsafe or broken "
                    "(DOCTYPE declarations are not allowed (no DTD, no entities))")]
    with pytest.raises(UnsafeXml):
        parse_xml(text.encode())


def test_safe_xml_reads_namespaces_and_refuses_undefined_entities():
    root = parse_xml(b'<m:a xmlns:m="urn:m" xml:base="x/"><m:b k="1">t &amp; u</m:b></m:a>')
    assert root.tag == "{urn:m}a" and root.get("{http://www.w3.org/XML/1998/namespace}base") == "x/"
    assert root[0].text == "t & u" and root[0].get("k") == "1"
    for bad in (b"<a>&undefined;</a>", b"<a>", b""):
        with pytest.raises(UnsafeXml, match="not well-formed"):
            parse_xml(bad)


def test_a_zip_with_a_manifest_is_read_as_a_cartridge_and_an_imscc_without_one_as_a_zip(tmp_path):
    org = item("Week 1", children=item("Notes", "r1"))
    as_zip = write(tmp_path / "export.zip", zip_bytes({"imsmanifest.xml": manifest(org, resource("r1", "n.txt")),
                                                      "n.txt": BIASED}))
    plain = write(tmp_path / "plain.imscc", zip_bytes({"notes/n.txt": BIASED}))
    with open_inputs([as_zip, plain]) as files:
        got = [(f.display, f.section) for f in files]
    assert got == [(f"{as_zip}!Week 1/n.txt", "Week 1"), (f"{plain}!notes/n.txt", None)]


def test_two_files_of_one_name_in_one_module_get_distinct_display_paths(tmp_path):
    org = item("Week 1", children=item("A", "r1") + item("B", "r2"))
    data = zip_bytes({"imsmanifest.xml": manifest(org, resource("r1", "a/n.txt") + resource("r2", "b/n.txt")),
                      "a/n.txt": BIASED, "b/n.txt": BIASED})
    path = write(tmp_path / "c.imscc", data)
    with open_inputs([path]) as files:
        assert [f.display.removeprefix(f"{path}!") for f in files] == ["Week 1/n.txt", "Week 1/b/n.txt"]
