"""The review page in AppTest: queue and filters, decisions saved at once and still there in a
new session, the next open flag, a missed flag, agreement, escaped passages."""

from __future__ import annotations

from bias_review.store import decide, history, queue
from app_builders import HOSTILE, app_test, goto, markdown_text, prefilled


def review(name: str | None = "ana"):
    at = goto(app_test(), "review")
    if name:
        at.text_input(key="reviewer_name").set_value(name).run()
    return at


def shown_flag(at) -> str:
    """The passage of the flag on screen (its card is the one with a status badge)."""
    cards = [m.value for m in at.markdown if "border-left:4px" in m.value]
    assert len(cards) == 1
    return cards[0]


def test_queue_and_filters(app_store):
    prefilled(app_store)
    at = review()
    assert [c.value for c in at.caption][0] == "3 flag(s) match the filters"  # info is not a flag
    at.multiselect(key="review_category").set_value(["race-correction"]).run()
    assert at.caption[0].value == "1 flag(s) match the filters" and "eGFR" in shown_flag(at)
    at.multiselect(key="review_category").set_value([]).run()
    at.multiselect(key="review_severity").set_value(["info"]).run()
    assert at.caption[0].value == "1 flag(s) match the filters" and "Sickle" in shown_flag(at)
    at.multiselect(key="review_status").set_value(["accepted"]).run()
    assert [s.value for s in at.success] == ["Nothing to review with these filters."]
    at.selectbox(key="review_course").select_index(1).run()
    assert at.selectbox(key="review_document").options == ["All", "lecture.txt"]


def test_decisions_need_a_reviewer_name(app_store):
    prefilled(app_store)
    at = review(name=None)
    assert at.button(key="review_accept").disabled and at.button(key="review_dismiss").disabled
    assert "Reviewer name" in at.warning[0].value
    assert at.text_input(key="reviewer_name").label == "Reviewer name"


def test_accept_and_dismiss_are_saved_and_survive_a_new_session(app_store):
    prefilled(app_store)
    at = review()
    assert "African American" in shown_flag(at)
    assert at.button(key="review_accept").label == "Accept"
    at.button(key="review_accept").click().run()
    assert not at.exception and "eGFR" in shown_flag(at)  # the next open flag
    at.selectbox(key="review_reason").select("wrong-span").run()
    at.text_input(key="review_reason_text").set_value("only the coefficient").run()
    at.button(key="review_dismiss").click().run()
    assert "Caucasian" in shown_flag(at)
    flags = {f.text: f for f in queue(app_store)}
    [accepted] = history(app_store, flags["African American"].id)
    [dismissed] = history(app_store, flags["multiply the eGFR by 1.159"].id)
    assert (accepted.reviewer, accepted.decision) == ("ana", "accepted")
    assert (dismissed.decision, dismissed.reason, dismissed.reason_text) == ("dismissed", "wrong-span",
                                                                              "only the coefficient")
    # a dismissal with no reason picked records none (the list must not answer for the reviewer)
    assert at.selectbox(key="review_reason").value is None
    at.button(key="review_dismiss").click().run()
    [plain] = history(app_store, flags["Caucasian"].id)
    assert (plain.decision, plain.reason, plain.reason_text) == ("dismissed", None, None)
    again = review("bo")  # a reload: a new session reads everything from the database
    assert again.caption[0].value == "0 flag(s) match the filters"  # all three decided
    again.multiselect(key="review_status").set_value(["accepted", "dismissed"]).run()
    assert again.caption[0].value == "3 flag(s) match the filters"
    assert "dismissed" in shown_flag(again) or "accepted" in shown_flag(again)


def test_recategorise_severity_rewrite_and_comment(app_store):
    prefilled(app_store)
    at = review()
    flag = queue(app_store)[0]
    at.text_area(key="review_rewrite").set_value("A 45-year-old man presents with chest pain.").run()
    at.button(key="review_save_rewrite").click().run()
    at.text_area(key="review_comment").set_value("race is irrelevant here").run()
    at.button(key="review_save_comment").click().run()
    assert "African American" in shown_flag(at)  # notes do not move on
    at.selectbox(key="review_new_severity").select("high").run()
    at.button(key="review_save_severity").click().run()
    assert "eGFR" in shown_flag(at)
    at.multiselect(key="review_status").set_value([]).run()
    at.button(key="review_previous").click().run()
    at.selectbox(key="review_new_category").select("stereotype").run()
    at.button(key="review_save_category").click().run()
    decisions = [(d.decision, {"rewrite": d.rewrite, "comment": d.comment, "severity": d.severity,
                               "recategorised": d.new_category}[d.decision]) for d in history(app_store, flag.id)]
    assert decisions == [("rewrite", "A 45-year-old man presents with chest pain."),
                         ("comment", "race is irrelevant here"), ("severity", "high"),
                         ("recategorised", "stereotype")]
    state = queue(app_store)[0]
    assert (state.status, state.category, state.severity) == ("changed", "stereotype", "high")


def test_add_a_missed_flag_from_the_document_text(app_store):
    doc = prefilled(app_store)
    at = review()
    at.selectbox(key="missed_document").select(doc.id).run()
    at.text_input(key="missed_search").set_value("sickle cell").run()
    at.selectbox(key="missed_choice").select_index(0).run()
    assert at.text_area(key="missed_passage").value == "Sickle cell disease is described here without any flag."
    at.text_input(key="missed_words").set_value("Sickle cell disease").run()
    at.selectbox(key="missed_category").select("stereotype").run()
    at.text_input(key="missed_comment").set_value("framed as a Black disease elsewhere").run()
    at.button(key="missed_add").click().run()
    assert not at.exception and "Flag added" in at.info[-1].value
    [added] = [f for f in queue(app_store) if f.source == "reviewer"]
    assert (added.text, added.category, added.location, added.status) == (
        "Sickle cell disease", "stereotype", {"line": 7}, "accepted")
    assert history(app_store, added.id)[0].reviewer == "ana"


def test_missed_flag_words_must_be_in_the_passage(app_store):
    prefilled(app_store)
    at = review()
    at.text_area(key="missed_passage").set_value("Some pasted passage.").run()
    at.text_input(key="missed_words").set_value("absent").run()
    at.button(key="missed_add").click().run()
    assert "Not added" in at.info[-1].value
    assert all(f.source == "tool" for f in queue(app_store))


def test_agreement_table(app_store):
    prefilled(app_store)
    for f in queue(app_store, severity=["high", "medium"]):
        decide(app_store, f, "ana", "accepted")
        decide(app_store, f, "bo", "dismissed" if f.category == "outdated-term" else "accepted")
    table = review().dataframe[-1].value
    assert set(table["category"]) == {"race-correction", "race-in-vignette", "outdated-term"}
    assert list(table.loc[table["category"] == "outdated-term", "agreement"]) == [0.0]


def test_passages_are_escaped(app_store):
    prefilled(app_store)
    at = review()
    at.multiselect(key="review_category").set_value(["outdated-term"]).run()
    card = shown_flag(at)
    assert "Caucasian" in card and "<script" not in card and "<img" not in card
    assert "&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;" in card
    assert "&#42;&#42;bold&#42;&#42;" in card and "&#91;link&#93;&#40;javascript&#58;" in card
    assert HOSTILE not in markdown_text(at)
