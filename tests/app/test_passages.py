"""Passages of a stored document, for flagging what the tool missed."""

from __future__ import annotations

import pytest

from bias_review.webapp.passages import document_passages, locate, search, sentences, span_of
from app_builders import prefilled


def test_sentences_split_on_end_punctuation():
    assert sentences("He is 45. She said \"no.\" Then 3 more!  Done?") == [
        "He is 45.", 'She said "no."', "Then 3 more!", "Done?"]


def test_document_passages_search_and_locate(app_store):
    doc = prefilled(app_store)
    passages = document_passages(doc.file)
    assert passages[1].text == "For Black patients, multiply the eGFR by 1.159." and passages[1].location == {"line": 3}
    assert [p.text for p in search(passages, "  black   PATIENTS")] == [passages[1].text]
    assert locate(passages, "multiply the eGFR") == {"line": 3}
    assert locate(passages, "not in the document") == {}
    assert document_passages(str(app_store.data_dir / "missing.pdf")) == []


def test_span_of_words():
    assert span_of("For Black patients, multiply", "black") == (4, 9)
    assert span_of("anything", "  ") is None
    with pytest.raises(ValueError):
        span_of("anything", "else")
