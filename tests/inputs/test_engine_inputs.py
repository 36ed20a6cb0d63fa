"""The engine's hooks for inputs: a section prefix on every location, and scan_input."""

from __future__ import annotations

from pathlib import Path

from inputs_builders import BIASED, write

from bias_review.inputs import InputFile


def test_section_goes_in_front_of_every_location(tmp_path, rules_engine):
    md = write(tmp_path / "notes.md", f"{BIASED}\n\n# Renal\n\n## Staging\n\n{BIASED}\n")
    plain = rules_engine.scan_file(md)
    prefixed = rules_engine.scan_file(md, section="Module 3 > Week 2")
    assert [f.location.section for f in plain.findings] == [None, "Renal > Staging"]
    assert [f.location.section for f in prefixed.findings] == ["Module 3 > Week 2", "Module 3 > Week 2 > Renal > Staging"]
    assert [f.id for f in prefixed.findings] == [f.id for f in plain.findings]  # ids do not hash sections
    assert prefixed.findings[1].location.describe() == "line 7 (Module 3 > Week 2 > Renal > Staging)"


def test_a_module_title_does_not_change_what_is_found(tmp_path, rules_engine):
    """A cartridge module called 'Further reading' holds course files, not a reference list: only
    the document's own headings decide that a block is cited work."""
    md = write(tmp_path / "reading.md", f"{BIASED}\n")
    cited = write(tmp_path / "cited.md", f"# Further reading\n\n{BIASED}\n")
    under_module = rules_engine.scan_file(md, section="Week 3 > Further reading")
    assert [f.severity.value for f in under_module.findings] == [f.severity.value for f in rules_engine.scan_file(md).findings]
    assert [f.severity.value for f in under_module.findings] == ["high"]
    assert [f.severity.value for f in rules_engine.scan_file(cited).findings] == ["info"]  # its own heading does


def test_scan_input(tmp_path, rules_engine):
    md = write(tmp_path / "x.md", f"{BIASED}\n")
    good = rules_engine.scan_input(InputFile("course.imscc!Week 1/x.md", md, "Week 1"))
    assert good.path == "course.imscc!Week 1/x.md" and good.error is None
    assert [f.location.section for f in good.findings] == ["Week 1"]
    assert good.findings[0].id != rules_engine.scan_file(md).findings[0].id  # the display path is hashed
    bad = rules_engine.scan_input(InputFile("a.zip!../evil.txt", Path(tmp_path / "a.zip"), error="refused: …"))
    assert (bad.path, bad.error, bad.findings, bad.sha256) == ("a.zip!../evil.txt", "refused: …", [], None)
