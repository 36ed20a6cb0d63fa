"""What kind of sentence a passage is, from its text alone: a reference-list entry, a list of
answer options, a heading-like fragment, or prose. Findings in cited titles are mentions, not
uses; the classifier judges only prose."""

from __future__ import annotations

import re

# the model was trained on whole sentences; a fragment shorter than this is not judged alone
MIN_PROSE_WORDS = 6
_WORD = re.compile(r"[A-Za-z]{2,}")
_OPTIONS = re.compile(r"(?:^|\s)(?:[a-eA-E]|[ivx]{1,3})[.)]\s.*\s(?:[a-eA-E]|[ivx]{1,3})[.)]\s")
# the shape of a reference-list entry (not an in-text citation such as "(Smith et al., 1998)"):
# "(1998)." after the authors, a volume(issue), a DOI, pages, an edition, a journal name
_CITATION = re.compile(
    r"\(\d{4}[a-z]?\)\.|\b\d+\s?\(\d+\)[,:]|\b(?:19|20)\d{2}[a-z]?;\s*\d+|\bdoi:|\bpp?\.\s*\d|\bvol\.\s*\d"
    r"|\(\d+(?:st|nd|rd|th) ed\.\)|\bRetrieved from\b|\bJournal of\b|\bhttps?://", re.IGNORECASE)


# every shape above holds a digit right after "(", ";" or "." (white space between), or one of
# these words: most sentences, those with a year or a count in them too, are told apart cheaply
_CITATION_HINT = re.compile(r"[(;.]\s*\d|doi:|retrieved from|journal of|https?://", re.IGNORECASE)
# the same test in two parts for ASCII text: a pattern that starts with a character set (which
# the regex engine skips ahead to) and plain substring tests of the lower-cased text
_PUNCT_DIGIT = re.compile(r"[(;.]\s*\d")
_HINT_WORDS = ("doi:", "retrieved from", "journal of", "http://", "https://")
# an option run holds "." or ")" then white space at least twice
_OPTION_END = re.compile(r"[.)]\s")


def _citation_hint(text: str) -> bool:
    if not text.isascii():
        return _CITATION_HINT.search(text) is not None
    if _PUNCT_DIGIT.search(text) is not None:
        return True
    lower = text.lower()
    return any(word in lower for word in _HINT_WORDS)


def looks_like_citation(text: str) -> bool:
    """A reference-list entry or a cited title with its publication details."""
    return _citation_hint(text) and _CITATION.search(text) is not None


def looks_like_options(text: str) -> bool:
    """A run of answer options ("a. … b. …")."""
    return len(_OPTION_END.findall(text)) >= 2 and _OPTIONS.search(text) is not None


def is_prose(text: str) -> bool:
    """A whole sentence: enough words, ends like a sentence, and is not answer options or a
    reference-list entry."""
    stripped = text.strip()
    if len(_WORD.findall(stripped)) < MIN_PROSE_WORDS or stripped[-1:] not in ".!?:;\"”’)":
        return False
    return not looks_like_options(stripped) and not looks_like_citation(stripped)


_REFERENCE_HEADING = re.compile(
    r"\b(?:references?|bibliography|works cited|further reading|suggested reading|citations|sources)\s*$",
    re.IGNORECASE)


def in_reference_section(section: str | None) -> bool:
    """A block under a References / Bibliography / Further reading heading (the last heading of
    its Markdown section path): what it holds are cited works."""
    if not section:
        return False
    return _REFERENCE_HEADING.search(section.rsplit(" > ", 1)[-1]) is not None
