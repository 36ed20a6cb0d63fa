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


def test_a_reason_right_after_the_marker_leaves_it_whole():
    """`ignore -- reason` with no ids silences everything: the reason's words are not ids."""
    known = {"stig-noncompliant", "outdated-term"}
    for text in ("bias-review: ignore -- taught as history", "bias-review: ignore — taught as history",
                 "bias-review: ignore-file -- a history lecture", "bias-review: ignore --"):
        marker = find_ignore(text, known)
        assert marker is not None and not marker.only and not marker.unknown, text
        assert marker.covers(["rc-x"], "race-correction")
    named = find_ignore("bias-review: ignore outdated-term -- quoted from a 1990 text", known)
    assert named.only == {"outdated-term"} and not named.unknown


def test_engine_honours_ignores(rules_engine):
    text = "The patient was noncompliant with insulin."
    blocks = [Block(text, Location(paragraph=1)), Block("bias-review: ignore", Location(paragraph=2)),
              Block(text, Location(paragraph=3)), Block(text, Location(paragraph=4))]
    found = [f for f in rules_engine.analyze_blocks(blocks, path="x") if f.is_flag]
    paragraphs = sorted(f.location.paragraph for f in found)
    assert paragraphs == [1, 4]
    whole = [Block(text, Location(paragraph=1)), Block("bias-review: ignore-file", Location(paragraph=2))]
    assert not [f for f in rules_engine.analyze_blocks(whole, path="x") if f.is_flag]
