"""Decisions leave the store as JSON Lines or CSV, one decision a row, and read back the same."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bias_review.store import (
    StoreError, decide, decision_rows, export_decisions, latest_verdicts, parse_decisions, queue, verdict_rows,
)
from bias_review.store.export import COLUMNS
from store_builders import finding, scanned_document

DESIGN_FIELDS = ["finding_id", "passage", "category", "decision", "new_category", "severity", "reason",
                 "comment", "reviewer", "time"]


@pytest.fixture
def decided(store):
    scanned_document(store, [finding("f1", passage='He said "negroid" in 1920, a term we no longer use.',
                                     text="negroid", category="outdated-term", severity="medium"),
                             finding("f2")])
    one, two = sorted(queue(store), key=lambda i: i.stable_id)
    decide(store, one, "ana", "accepted")
    decide(store, one, "ben", "dismissed", reason="quoted-or-historical", comment="a quotation, with, commas")
    decide(store, two, "ana", "recategorised", new_category="race-as-biology", reason="other",
           reason_text="claims biology")
    decide(store, two, "ana", "rewrite", rewrite="Use the race-free CKD-EPI 2021 equation.")
    decide(store, two, "ben", "severity", severity="low")
    return store


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_round_trips(decided, fmt):
    rows = decision_rows(decided)
    text = export_decisions(decided, fmt)
    assert parse_decisions(text, fmt) == rows
    assert len(rows) == 5 and list(rows[0])[:10] == DESIGN_FIELDS and list(rows[0]) == list(COLUMNS)


def test_rows_have_the_design_shape(decided):
    rows = decision_rows(decided)
    first = rows[0]
    assert (first["finding_id"], first["decision"], first["category"], first["severity"], first["reviewer"]) == (
        "f1", "accepted", "outdated-term", "medium", "ana")
    assert first["passage"].startswith('He said "negroid"')
    assert datetime.fromisoformat(first["time"]).utcoffset().total_seconds() == 0
    assert rows[2]["new_category"] == "race-as-biology" and rows[2]["reason_text"] == "claims biology"
    assert rows[3]["rewrite"].startswith("Use the race-free") and rows[4]["severity"] == "low"
    line = export_decisions(decided).splitlines()[1]
    assert json.loads(line)["comment"] == "a quotation, with, commas"


def test_latest_verdicts_keep_one_verdict_per_flag(decided):
    verdicts = verdict_rows(decided)
    assert [(r["finding_id"], r["decision"]) for r in verdicts] == [("f1", "dismissed"), ("f2", "recategorised")]
    text = export_decisions(decided, "jsonl", verdicts_only=True)
    assert [r["decision"] for r in parse_decisions(text, "jsonl")] == ["dismissed", "recategorised"]
    rows = [{"passage": "a", "decision": "accepted"}, {"passage": "b", "decision": "maybe"}]
    assert latest_verdicts(rows) == rows  # no finding_id: each stands; unknown decisions left to the reader


def test_an_unknown_format_is_refused(decided):
    with pytest.raises(StoreError, match="format must be"):
        export_decisions(decided, "xml")
