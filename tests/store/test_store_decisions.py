"""Decisions are appended; a flag's state is derived from its history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bias_review.store import StoreError, add_missed_flag, decide, export_decisions, flag_state, history, queue
from bias_review.store.state import derive_state
from store_builders import finding, scanned_document


@pytest.fixture
def flag(store):
    scanned_document(store, [finding("f1", category="stereotype", severity="medium")])
    return queue(store)[0]


def test_accept_then_dismiss_is_dismissed_and_both_stay_in_the_history(store, flag):
    decide(store, flag, "ana", "accepted")
    decide(store, flag, "ben", "dismissed", reason="quoted-or-historical")
    assert flag_state(store, flag).status == "dismissed"
    assert [(d.reviewer, d.decision, d.reason) for d in history(store, flag)] == [
        ("ana", "accepted", None), ("ben", "dismissed", "quoted-or-historical")]


def test_recategorise_is_changed_with_the_new_category_and_later_decisions_see_it(store, flag):
    decide(store, flag, "ana", "recategorised", new_category="race-as-biology", reason="other",
           reason_text="it claims a biological difference")
    state = flag_state(store, flag)
    assert (state.status, state.category, state.severity) == ("changed", "race-as-biology", "medium")
    decide(store, flag, "ben", "accepted")
    assert (flag_state(store, flag).status, flag_state(store, flag).category) == ("accepted", "race-as-biology")
    assert history(store, flag)[-1].category == "race-as-biology"  # the category that was accepted
    assert queue(store)[0].tool_category == "stereotype"


def test_severity_changes_and_comments_and_rewrites(store, flag):
    decide(store, flag, "ana", "comment", comment="ask the lecturer")
    assert flag_state(store, flag).status == "open"
    decide(store, flag, "ana", "severity", severity="high")
    decide(store, flag, "ana", "rewrite", rewrite="Some patients ...")
    state = flag_state(store, flag)
    assert (state.status, state.severity, state.decisions) == ("changed", "high", 3)
    assert queue(store, severity="high")[0].id == flag.id and queue(store, severity="medium") == []


def test_derive_state_is_a_fold_over_the_history():
    class D:
        def __init__(self, decision, new_category=None, severity=None):
            self.decision, self.new_category, self.severity = decision, new_category, severity

    assert derive_state("stereotype", "low", []).status == "open"
    s = derive_state("stereotype", "low", [D("recategorised", "outdated-term"), D("dismissed"), D("comment")])
    assert (s.status, s.category, s.severity, s.decisions) == ("dismissed", "outdated-term", "low", 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"decision": "maybe"}, "decision must be"),
    ({"decision": "recategorised"}, "needs new_category"),
    ({"decision": "recategorised", "new_category": "rude"}, "new_category must be"),
    ({"decision": "severity"}, "needs severity"),
    ({"decision": "comment"}, "needs comment"),
    ({"decision": "dismissed", "reason": "because"}, "reason must be"),
])
def test_invalid_decisions_are_refused_and_nothing_is_written(store, flag, kwargs, message):
    with pytest.raises(StoreError, match=message):
        decide(store, flag, "ana", **kwargs)
    assert history(store, flag) == []


def test_a_decision_on_an_unknown_flag_is_a_clear_error(store):
    with pytest.raises(StoreError, match="no finding with id 999"):
        decide(store, 999, "ana", "accepted")


def test_decision_times_are_utc_and_kept(store, flag):
    d = decide(store, flag, "ana", "accepted")
    later = decide(store, flag, "ana", "dismissed", at=d.time + timedelta(hours=1))
    assert d.time.utcoffset() == timedelta(0)
    assert history(store, flag)[1].time == later.time


def test_a_missed_flag_is_an_accepted_reviewer_flag_that_is_exported(store):
    doc, _ = scanned_document(store, [finding("f1")])
    passage = "Asians are naturally good at math, so expect less from the others."
    key = add_missed_flag(store, doc, passage, (0, 33), "stereotype", "ana", {"page": 2}, comment="missed")
    assert add_missed_flag(store, doc, passage, (0, 33), "stereotype", "ana", {"page": 2}) == key
    item = next(i for i in queue(store) if i.id == key)
    assert (item.source, item.status, item.text, item.vanished) == (
        "reviewer", "accepted", "Asians are naturally good at math", False)
    assert '"decision": "accepted"' in export_decisions(store) and passage in export_decisions(store)
    with pytest.raises(StoreError, match="not inside the passage"):
        add_missed_flag(store, doc, passage, (10, 500), "stereotype", "ana")
