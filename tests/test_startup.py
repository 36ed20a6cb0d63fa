"""Start-up: what a scan imports. spaCy comes without its command-line package (which pulls in
weasel, requests and httpx), yet `spacy.cli` and `spacy.info` still work when asked for; the
report writers do not import spaCy at all."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_the_engine_imports_spacy_without_its_cli():
    out = _run(
        "import sys\n"
        "from bias_review.nlp import get_nlp\n"
        "nlp = get_nlp()\n"
        "print(sorted(m for m in ('spacy.cli', 'spacy.cli.info', 'weasel', 'requests', 'httpx') if m in sys.modules))\n"
        "print([t.text for t in nlp('A Black patient.')])\n"
    )
    loaded, tokens = out.splitlines()
    assert loaded == "[]"
    assert tokens == "['A', 'Black', 'patient', '.']"


def test_spacys_cli_still_works_when_asked_for():
    out = _run(
        "import bias_review.nlp, spacy\n"
        "import spacy.cli\n"
        "from spacy.cli.info import info_model\n"
        "print(callable(info_model), spacy.info()['spacy_version'] == spacy.__version__, hasattr(spacy.cli, 'download'))\n"
    )
    assert out == "True True True"


def test_spacy_imported_first_is_left_alone():
    out = _run(
        "import spacy, sys\n"
        "import bias_review.nlp\n"
        "from bias_review import spacy_import\n"
        "print('spacy.cli' in sys.modules, spacy_import._FINDER in sys.meta_path, type(spacy.__spec__.loader).__module__)\n"
    )
    assert out.startswith("True False ") and "bias_review" not in out


def test_report_writers_do_not_import_spacy():
    out = _run(
        "import sys\n"
        "import bias_review.report.json_report, bias_review.report.csv_report, bias_review.report.html_report\n"
        "print('spacy' in sys.modules)\n"
    )
    assert out == "False"


def test_a_batch_without_a_store_does_not_import_it(tmp_path):
    """The review store (SQLAlchemy, about 0.2 s to import) is imported by a batch scan only
    when it is given one (--db)."""
    (tmp_path / "a.txt").write_text("For African American patients, multiply the eGFR by 1.159.\n", encoding="utf-8")
    out = _run(
        "import sys\n"
        "from bias_review.cli import main\n"
        f"sys.argv = ['bias-review', 'scan', {str(tmp_path)!r}, '--workers', '1', '--no-classifier', '--format', 'csv']\n"
        "code = 0\ntry:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "print('sqlalchemy' in sys.modules, 'bias_review.store' in sys.modules, code)\n"
    )
    assert out.splitlines()[-1] == "False False 0"
    assert "race-correction" in out


def test_an_engine_is_built_with_the_collector_paused_then_frozen():
    """The collector is off while the engine is built (no collection runs, none walks the
    start-up's objects), back on after, and what was built sits in the permanent generation."""
    out = _run(
        "import gc\n"
        "from bias_review.startup import collector_paused\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(info['generation']) if phase == 'start' else None)\n"
        "from bias_review.batch.work import EngineSpec\n"
        "frozen = gc.get_freeze_count()\n"
        "runs.clear()\n"
        "engine = EngineSpec(classifier=False).build()\n"  # imports spaCy, builds the engine
        "print(runs, gc.isenabled(), gc.get_freeze_count() - frozen > 100_000)\n"
        "gc.disable()\n"
        "with collector_paused():\n"
        "    pass\n"
        "print(gc.isenabled())\n"  # left off when it was off
    )
    assert out.splitlines() == ["[] True True", "False"]


def test_a_started_engine_reads_its_clauses_without_the_word_frequencies(tmp_path):
    """The gate clauses the vignette, heading-group and classifier detectors build at start-up
    come from the on-disk cache after the first run: the word-frequency table (0.05 s to read)
    is not loaded."""
    code = (
        "import os\n"
        f"os.environ['BIAS_REVIEW_CACHE'] = {str(tmp_path)!r}\n"
        "from bias_review.engine import Engine\n"
        "from bias_review.detect import gate\n"
        "Engine()\n"
        "print(gate.word_logprob.cache_info().currsize)\n"
    )
    assert (_run(code), _run(code)) == ("1", "0")  # computed once, then read
    assert len(list(tmp_path.glob("clause-*.json"))) == 3


def test_a_stored_clause_is_the_computed_one(tmp_path, monkeypatch):
    from bias_review.detect.gate import clause_of_values, stored_clause_of_values, word_logprob

    monkeypatch.setenv("BIAS_REVIEW_CACHE", str(tmp_path))
    for values, lemma in ((["black", "african american", "asian*"], False), (["refuse", "non-compliant"], True),
                          (["black", "--"], False)):  # a value with no word: no clause
        want = clause_of_values(values, lemma=lemma)
        word_logprob.cache_clear()
        assert stored_clause_of_values(values, lemma=lemma) == want  # built and stored
        word_logprob.cache_clear()
        assert stored_clause_of_values(values, lemma=lemma) == want  # read
        assert word_logprob.cache_info().currsize == 0
    assert len(list(tmp_path.glob("clause-*.json"))) == 3
