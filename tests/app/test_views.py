"""View models: the store's records as the pages show them (no Streamlit)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bias_review.lexicon import load_lexicon
from bias_review.store import Agreement, LexiconStat, ModelInfo, agreement, decide, history, queue
from bias_review.webapp import views
from app_builders import prefilled


@pytest.fixture
def items(app_store):
    prefilled(app_store)
    return queue(app_store)


def test_flags_grouped_by_location_in_reading_order(items):
    groups = views.group_by_location(items)
    assert [g.label for g in groups] == ["line 1", "line 3", "line 5"]
    assert [f.item.text for g in groups for f in g.flags] == ["African American", "multiply the eGFR by 1.159",
                                                              "Caucasian"]
    with_info = views.group_by_location(items, include_info=True)
    assert [g.label for g in with_info][-1] == "line 7" and with_info[-1].flags[0].is_info


def test_each_span_is_highlighted_in_its_category_colour(items):
    view = views.flag_view(items[0])
    assert view.passage_html.count("<mark") == 1
    assert views.category_colour("race-in-vignette") in view.passage_html
    assert len(set(views.CATEGORY_COLOURS.values())) == len(views.CATEGORIES) == len(views.CATEGORY_COLOURS)


def test_card_escapes_document_text(items):
    card = views.card_html(views.flag_view(items[2]), with_status=True)
    assert "<script" not in card and "<img" not in card and "**" not in card and "](" not in card
    assert "&#60;script&#62;" in card and "why caucasian" in card and "instead caucasian" in card


def test_counts_per_category_and_severity_leave_out_info_and_dismissed(app_store, items):
    assert views.count_rows(items) == [
        {"category": "race-correction", "high": 1, "medium": 0, "low": 0, "total": 1},
        {"category": "race-in-vignette", "high": 0, "medium": 1, "low": 0, "total": 1},
        {"category": "outdated-term", "high": 0, "medium": 1, "low": 0, "total": 1},
    ]
    decide(app_store, items[0], "ana", "dismissed", reason="race-conscious")
    assert [r["category"] for r in views.count_rows(queue(app_store))] == ["race-correction", "outdated-term"]


def test_queue_position_and_next_open(app_store, items):
    flags = views.shown_flags(items)
    assert views.position_of(flags, flags[1].id) == 1
    assert views.position_of(flags, 999_999, fallback=7) == len(flags) - 1  # gone: stay in place
    assert views.next_open(flags, 0) == flags[1].id
    decide(app_store, flags[1], "ana", "accepted")
    flags = views.shown_flags(queue(app_store))
    assert views.next_open(flags, 0) == flags[2].id
    assert views.next_open(flags, 2) == flags[0].id  # wraps round
    assert views.queue_rows(flags)[1]["status"] == "accepted"


def test_history_and_agreement_tables(app_store, items):
    decide(app_store, items[0], "ana", "dismissed", reason="wrong-span", reason_text="too wide")
    decide(app_store, items[0], "bo", "dismissed", reason="race-conscious")
    decide(app_store, items[1], "ana", "recategorised", new_category="race-as-biology")
    decide(app_store, items[1], "bo", "accepted")
    rows = views.history_rows(history(app_store, items[0].id))
    assert rows[0]["reason"] == "wrong span - too wide" and rows[1]["reviewer"] == "bo"
    assert {r["made on"] for r in views.history_rows(history(app_store, items[0].id), flag=items[0].id)} == {"this version"}
    table = views.agreement_rows(agreement(app_store))
    assert {(r["category"], r["reviewer A"], r["reviewer B"], r["flags"]) for r in table} == {
        ("race-in-vignette", "ana", "bo", 1), ("race-correction", "ana", "bo", 1)}
    assert views.agreement_rows([Agreement("stereotype", "a", "b", 3, 1.0, None)])[0]["kappa"] is None


def test_lexicon_tables():
    stats = [LexiconStat("a", 10, 1, 0, 0), LexiconStat("b", 5, 1, 4, 0), LexiconStat("c", 3, 0, 2, 0)]
    assert [s.entry for s in views.most_dismissed(stats)] == ["b", "c"]
    assert views.lexicon_stat_rows(stats[1:2], {"b": "stereotype"})[0] == {
        "entry": "b", "category": "stereotype", "fired": 5, "accepted": 1, "dismissed": 4, "changed": 0,
        "dismissal rate": 0.8}
    lexicon = load_lexicon()
    found = views.entry_rows(lexicon.entries.values(), "egfr")
    assert found and all("egfr" in " ".join(str(v) for v in r.values()).lower() for r in found)
    only = views.entry_rows(lexicon.entries.values(), "", "outdated-term")
    assert only and {r["category"] for r in only} == {"outdated-term"}


def test_model_and_metric_tables():
    when = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    report = {"n": 40, "flag_vs_none": {"f1": 0.91234}, "per_category": {"stereotype": {"f1": 0.5}},
              "confusion": {"stereotype": {"none": 2}}}
    metrics = {"before": {"model_version": "clf-1", "dev": report}, "after": {"model_version": "clf-2", "dev": report,
               "held_back": None}, "decisions_used": 9}
    rows = views.model_rows([ModelInfo(1, "clf-2", "/m", metrics, when, True)])
    assert rows == [{"version": "clf-2", "active": True, "created": "2026-01-02 03:04", "after.dev.n": 40,
                     "after.dev.flag_vs_none.f1": 0.912, "decisions_used": 9}]
    assert views.compare_metrics({"dev": {"f1": 0.8}, "note": "x", "held": None},
                                 {"dev": {"f1": 0.85}, "held": {"f1": 0.7}}) == [
        {"metric": "dev.f1", "before": 0.8, "after": 0.85, "change": 0.05},
        {"metric": "held.f1", "before": None, "after": 0.7, "change": None},
    ]
