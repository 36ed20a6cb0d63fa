"""Inline ignore markers silence findings in their block and the next one."""

from bias_review.findings import Location
from bias_review.ignores import find_ignore
from bias_review.parse.document import Block


def test_marker_parsing():
    assert find_ignore("plain text") is None
    everything = find_ignore("Note: bias-review: ignore")
    assert everything is not None and not everything.only and not everything.whole_file
    some = find_ignore("bias-review: ignore stig-noncompliant, outdated-term")
    assert some.only == {"stig-noncompliant", "outdated-term"}
    assert some.covers(["stig-noncompliant"], "stigmatizing-language")
    assert not some.covers(["rc-x"], "race-correction")
    assert find_ignore("bias-review: ignore-file").whole_file


def test_engine_honours_ignores(rules_engine):
    text = "The patient was noncompliant with insulin."
    blocks = [Block(text, Location(paragraph=1)), Block("bias-review: ignore", Location(paragraph=2)),
              Block(text, Location(paragraph=3)), Block(text, Location(paragraph=4))]
    found = [f for f in rules_engine.analyze_blocks(blocks, path="x") if f.is_flag]
    paragraphs = sorted(f.location.paragraph for f in found)
    assert paragraphs == [1, 4]
    whole = [Block(text, Location(paragraph=1)), Block("bias-review: ignore-file", Location(paragraph=2))]
    assert not [f for f in rules_engine.analyze_blocks(whole, path="x") if f.is_flag]
