"""Lexicon validation: a broken file names file, entry and field; the bundled set is sound."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bias_review.findings import Category
from bias_review.lexicon import LexiconError, load_lexicon

GOOD_ENTRY = """
  - id: {id}
    patterns: [{pattern}]
    explanation: This is an explanation that is long enough to act on.
    suggestion: Write something else.
    references: ["Someone A. A paper. J 2020;1:1-2."]
"""


def write(tmp_path: Path, name: str, body: str) -> Path:
    (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def only(tmp_path: Path):
    return load_lexicon([tmp_path], include_bundled=False)


def test_bundled_lexicons_load_with_enough_entries_in_every_category():
    lx = load_lexicon()
    assert len(lx.entries) >= 200
    per = lx.by_category()
    for cat in Category:
        assert per[cat], f"no entries for {cat.value}"
    for e in lx.entries.values():
        assert e.references, e.id
        assert len(e.explanation) >= 20, e.id


def test_vyas_table_algorithms_are_all_covered():
    lx = load_lexicon()
    text = " ".join(
        " ".join(getattr(p, "text", "") for p in e.patterns) + " " + e.id
        for e in lx.entries.values() if e.category is Category.RACE_CORRECTION
    ).lower()
    for name in ["gwtg", "sts", "mdrd", "ckd-epi", "kdri", "kdpi", "vbac", "stone", "uticalc",
                 "rectal", "gail", "score", "frax", "spirometr", "pooled cohort"]:
        assert name in text, name


def test_missing_field_names_file_entry_and_field(tmp_path):
    write(tmp_path, "x.yml", """
        category: outdated-term
        entries:
          - id: term-bad
            severity: medium
            patterns: [foo]
            suggestion: null
            references: ["R"]
        """)
    with pytest.raises(LexiconError) as exc:
        only(tmp_path)
    msg = str(exc.value)
    assert "x.yml" in msg and "'term-bad'" in msg and "field 'explanation'" in msg


def test_bad_yaml_reports_the_line(tmp_path):
    write(tmp_path, "broken.yml", "category: stereotype\nentries:\n  - id: a\n    patterns: [unclosed\n")
    with pytest.raises(LexiconError) as exc:
        only(tmp_path)
    assert "broken.yml" in str(exc.value) and "not valid YAML" in str(exc.value)


def test_unknown_category_severity_and_set_are_each_reported(tmp_path):
    write(tmp_path, "a.yml", "category: race-stuff\nentries: [{id: x}]\n")
    write(tmp_path, "b.yml", "category: stereotype\nentries:\n" + GOOD_ENTRY.format(id="s-one", pattern="foo")
          + "    severity: urgent\n    requires: ['@nosuchset']\n")
    with pytest.raises(LexiconError) as exc:
        only(tmp_path)
    msg = str(exc.value)
    assert "a.yml: field 'category'" in msg
    assert "'s-one': field 'severity'" in msg
    assert "unknown term set '@nosuchset'" in msg


def test_duplicate_ids_and_bad_token_patterns_are_reported(tmp_path):
    body = "category: stereotype\nentries:\n" + GOOD_ENTRY.format(id="dup", pattern="foo") \
        + GOOD_ENTRY.format(id="dup", pattern="bar") + """
  - id: tok-bad
    patterns:
      - tokens: [{LOWER: {IN: [a, b]}, OP: "??"}, {LOWER: x}]
    explanation: This is an explanation that is long enough to act on.
    suggestion: null
    references: ["R"]
"""
    write(tmp_path, "c.yml", body)
    with pytest.raises(LexiconError) as exc:
        only(tmp_path)
    msg = str(exc.value)
    assert "'dup': field 'id': duplicate id" in msg
    assert "'tok-bad': field 'patterns' #1" in msg


def test_a_schools_directory_adds_entries_and_overrides_by_id(tmp_path):
    bundled = load_lexicon()
    some_id = next(iter(bundled.entries))
    write(tmp_path, "school.yml", "category: outdated-term\nentries:\n"
          + GOOD_ENTRY.format(id="school-term", pattern="frobnicated people")
          + GOOD_ENTRY.format(id=some_id, pattern="zzzz"))
    merged = load_lexicon([tmp_path])
    assert "school-term" in merged.entries
    assert merged.entries[some_id].source.endswith("school.yml")
    assert len(merged.entries) == len(bundled.entries) + 1
    assert merged.version != bundled.version


def test_parsed_lexicons_are_cached_rebuilt_on_change_and_corruption_is_ignored(tmp_path, monkeypatch):
    import shutil

    from bias_review.lexicon import loader
    from bias_review.lexicon.loader import bundled_lexicon_dir, load_lexicon

    cache = tmp_path / "cache"
    monkeypatch.setenv("BIAS_REVIEW_CACHE", str(cache))
    lex = tmp_path / "lex"
    shutil.copytree(bundled_lexicon_dir(), lex)
    first = load_lexicon([lex], include_bundled=False)
    stored = list(cache.glob("lexicon-*.json"))
    assert len(stored) == 1

    # a hit reads no YAML at all
    real_read = loader._read_yaml
    monkeypatch.setattr(loader, "_read_yaml", lambda *a: (_ for _ in ()).throw(AssertionError("parsed YAML")))
    again = load_lexicon([lex], include_bundled=False)
    assert again.entries.keys() == first.entries.keys() and again.version == first.version
    monkeypatch.setattr(loader, "_read_yaml", real_read)

    # any change to a file is a new key: the change is seen
    path = lex / "outdated-term.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("Caucasian", "Caucasoidal", 1), encoding="utf-8")
    changed = load_lexicon([lex], include_bundled=False)
    assert changed.version != first.version
    assert len(list(cache.glob("lexicon-*.json"))) == 2

    # a corrupt entry is ignored and rewritten
    shutil.rmtree(cache)
    load_lexicon([lex], include_bundled=False)
    (entry,) = cache.glob("lexicon-*.json")
    entry.write_text("{not json", encoding="utf-8")
    assert load_lexicon([lex], include_bundled=False).version == changed.version
    assert json.loads(entry.read_text(encoding="utf-8"))["key"]


def test_a_broken_lexicon_is_never_cached(tmp_path, monkeypatch):
    from bias_review.lexicon.loader import load_lexicon

    cache = tmp_path / "cache"
    monkeypatch.setenv("BIAS_REVIEW_CACHE", str(cache))
    lex = tmp_path / "lex"
    lex.mkdir()
    (lex / "bad.yml").write_text("category: stereotype\nentries:\n  - id: x\n    patterns: [{tokens: [{NOPE: 1}]}]\n"
                                 "    explanation: e\n    references: [r]\n", encoding="utf-8")
    for _ in range(2):  # the second load must fail the same way, not pass from a cache
        with pytest.raises(LexiconError, match="'x'"):
            load_lexicon([lex])
    assert not list(cache.glob("lexicon-*.json"))


def test_the_cache_keeps_only_the_most_recently_used_entries_of_a_kind(tmp_path, monkeypatch):
    import os
    import time

    from bias_review import cache

    monkeypatch.setenv("BIAS_REVIEW_CACHE", str(tmp_path))
    built = []

    def value(n):
        def build():
            built.append(n)
            return {"n": n}
        return build

    for n in range(cache.KEEP_PER_KIND):
        cache.cached_json("gates", f"k{n}", value(n))
    cache.cached_json("lemma-lookup", "v1", value("lemmas"))
    # make the oldest entry the most recently used: a read marks it
    past = time.time() - 3600
    for path in tmp_path.glob("gates-*.json"):
        os.utime(path, (past, past))
    assert cache.cached_json("gates", "k0", value(0)) == {"n": 0}
    cache.cached_json("gates", "new", value("new"))  # one over the limit: the least recently used goes
    kept = sorted(p.name.rsplit("-", 1)[-1] for p in tmp_path.glob("gates-*.json"))
    assert len(kept) == cache.KEEP_PER_KIND and "k0.json" in kept and "new.json" in kept
    assert len(list(tmp_path.glob("lemma-lookup-*.json"))) == 1  # other kinds untouched
    assert built == [*range(cache.KEEP_PER_KIND), "lemmas", "new"]  # the read of k0 built nothing
