"""The engine as a shared service: the same answers from many threads, the same ids under any
hash seed, one bad file never stops a scan, a per-file time budget, bounded sentences."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bias_review.cli import app
from bias_review.findings import Location
from bias_review.parse.document import Block
from bias_review.windows import MAX_SENTENCE_CHARS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _sentences(name: str) -> list[str]:
    lines = (ROOT / "models" / "dev" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _key(findings) -> list[tuple]:
    return [(f.id, f.category.value, f.severity.value, tuple(f.detectors), round(f.score, 9)) for f in findings]


def test_threads_sharing_one_engine_get_the_sequential_results(engine):
    texts = _sentences("dev.jsonl")[:160]
    # paragraphs of several sentences, so blocks hold candidates for every detector and judge
    paragraphs = [" ".join(texts[i:i + 4]) for i in range(0, len(texts), 4)]
    expected = [_key(engine.analyze_text(p, path=f"p{i}")) for i, p in enumerate(paragraphs)]
    assert sum(len(e) for e in expected) > 40
    jobs = [(i, p) for _ in range(3) for i, p in enumerate(paragraphs)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda job: (job[0], _key(engine.analyze_text(job[1], path=f"p{job[0]}"))), jobs))
    for i, found in got:
        assert found == expected[i], f"paragraph {i} differs under threads"


def test_finding_ids_do_not_depend_on_the_hash_seed(tmp_path: Path):
    doc = tmp_path / "sentences.txt"
    doc.write_text("\n\n".join(_sentences("dev.jsonl") + _sentences("heldout.jsonl")), encoding="utf-8")

    def ids(seed: str) -> list[tuple]:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-m", "bias_review.cli", "scan", str(doc), str(ROOT / "examples"),
                              "--format", "json", "--min-severity", "info"],
                             capture_output=True, text=True, env=env, check=True).stdout
        return [(f["id"], f["category"], f["severity"], tuple(f["detectors"]))
                for d in json.loads(out)["documents"] for f in d["findings"]]

    first, second = ids("1"), ids("2")
    assert len(first) > 300
    assert first == second


def test_a_parser_that_hangs_is_cut_off_and_the_scan_goes_on(rules_engine, tmp_path: Path, monkeypatch):
    import bias_review.engine as E

    slow, fine = tmp_path / "slow.txt", tmp_path / "fine.txt"
    slow.write_text("The noncompliant patient.", encoding="utf-8")
    fine.write_text("The patient was noncompliant with insulin.", encoding="utf-8")
    real_parse = E.parse

    def parse(path, **options):
        if Path(path).name == "slow.txt":
            time.sleep(3)
        return real_parse(path, **options)

    monkeypatch.setattr(E, "parse", parse)
    started = time.monotonic()
    results = [rules_engine.scan_file(p, timeout=0.5) for p in (slow, fine)]
    assert time.monotonic() - started < 2.5
    assert results[0].error == "timed out after 0.5 s (raise --timeout for very large files)"
    assert results[1].error is None and any(f.is_flag for f in results[1].findings)


def test_the_cli_reports_a_timeout_for_that_file_only(tmp_path: Path, monkeypatch):
    import bias_review.engine as E

    (tmp_path / "a-slow.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The patient was noncompliant with insulin.", encoding="utf-8")
    real_parse = E.parse
    monkeypatch.setattr(E, "parse", lambda p, **kw: (time.sleep(3) if "slow" in str(p) else None) or real_parse(p, **kw))
    res = runner.invoke(app, ["scan", str(tmp_path), "--format", "json", "--timeout", "0.5", "--no-classifier"])
    assert res.exit_code == 0, res.output
    docs = {Path(d["path"]).name: d for d in json.loads(res.stdout)["documents"]}
    assert docs["a-slow.txt"]["error"].startswith("timed out after 0.5 s")
    assert docs["b.txt"]["findings"]


def test_an_error_inside_a_detector_is_that_files_error(rules_engine, tmp_path: Path, monkeypatch):
    vignette = next(d for d in rules_engine.detectors if d.name == "vignette")
    real = vignette.detect

    def detect(piece):
        if "BOOM" in piece.text:
            raise RuntimeError("detector exploded")
        return real(piece)

    monkeypatch.setattr(vignette, "detect", detect)
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_text("A 40-year-old Black man presents with BOOM.", encoding="utf-8")
    good.write_text("A 40-year-old Black man presents with chest pain.", encoding="utf-8")
    first, second = rules_engine.scan_file(bad), rules_engine.scan_file(good)
    assert first.error == "internal error while scanning (RuntimeError: detector exploded)"
    assert not first.findings
    assert second.error is None and any(f.category.value == "race-in-vignette" for f in second.findings)


def test_an_internal_error_is_one_line_and_exit_status_3(tmp_path: Path, monkeypatch, capsys):
    import bias_review.engine as E
    from bias_review import cli

    (tmp_path / "a.txt").write_text("text", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("the engine could not start")

    monkeypatch.setattr(E.Engine, "__init__", broken)
    monkeypatch.setattr(sys, "argv", ["bias-review", "scan", str(tmp_path / "a.txt")])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: the engine could not start" in err and "Traceback" not in err


def test_an_unwritable_out_fails_before_scanning(tmp_path: Path):
    (tmp_path / "a.txt").write_text("The patient was noncompliant.", encoding="utf-8")
    res = runner.invoke(app, ["scan", str(tmp_path / "a.txt"), "--format", "json",
                              "--out", str(tmp_path / "no-such-dir" / "report.json")])
    assert res.exit_code == 2
    assert "cannot write there" in res.output and "Traceback" not in res.output


def test_a_report_replaces_out_only_when_complete(tmp_path: Path):
    out = tmp_path / "report.json"
    out.write_text("old report", encoding="utf-8")
    (tmp_path / "a.txt").write_text("The patient was noncompliant.", encoding="utf-8")
    res = runner.invoke(app, ["scan", str(tmp_path / "a.txt"), "--format", "json", "--out", str(out), "--no-classifier"])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["summary"]["findings"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def _stopped_jsonl_scan(tmp_path: Path, stop: signal.Signals) -> tuple[str, int]:
    """A JSON Lines scan of 400 files, sent `stop` once three documents are written: the
    report's text and the scan's exit status."""
    folder = tmp_path / "lectures"
    folder.mkdir()
    text = " ".join(_sentences("dev.jsonl")[:40])
    for i in range(400):
        (folder / f"lecture-{i:03d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "flags.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "bias_review.cli", "scan", str(folder), "--format", "jsonl",
                             "--out", str(out), "--no-classifier"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if out.exists() and out.read_text(encoding="utf-8").count('"document"') >= 3:
                break
            time.sleep(0.02)
        proc.send_signal(stop)
    finally:
        status = proc.wait(timeout=60)
    return out.read_text(encoding="utf-8"), status


def _documents_of(lines: list[str]) -> list[dict]:
    objects = [json.loads(line) for line in lines]
    assert "tool" in objects[0] and objects[0]["tool"]["name"] == "bias-review"
    assert not any("summary" in o for o in objects), "a stopped scan has no closing summary"
    documents = [o["document"] for o in objects if "document" in o]
    assert 3 <= len(documents) < 400, "the scan should have been stopped part-way"
    assert all(d["findings"] for d in documents)
    return documents


def test_jsonl_of_a_scan_stopped_by_sigterm_has_only_whole_lines(tmp_path: Path):
    text, status = _stopped_jsonl_scan(tmp_path, signal.SIGTERM)
    assert status == 130  # stopped as by Ctrl-C, not killed by the signal
    assert text.endswith("\n")
    _documents_of(text.splitlines())  # every line parses


def test_jsonl_on_standard_output_stopped_by_sigterm_has_only_whole_lines(tmp_path: Path):
    """The same on a pipe: the report on standard output, read as it comes."""
    folder = tmp_path / "lectures"
    folder.mkdir()
    text = " ".join(_sentences("dev.jsonl")[:40])
    for i in range(400):
        (folder / f"lecture-{i:03d}.txt").write_text(text, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "bias_review.cli", "scan", str(folder), "--format", "jsonl",
                             "--no-classifier"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = []
    try:
        while len(lines) < 4:  # the tool line and three documents
            line = proc.stdout.readline()
            assert line, "the scan ended before it was stopped"
            lines.append(line)
        proc.send_signal(signal.SIGTERM)
        lines += proc.stdout.read().splitlines(keepends=True)
    finally:
        status = proc.wait(timeout=60)
    assert status == 130 and all(line.endswith(b"\n") for line in lines)
    _documents_of([line.decode("utf-8") for line in lines])


def test_jsonl_of_a_killed_scan_parses_line_by_line(tmp_path: Path):
    text, status = _stopped_jsonl_scan(tmp_path, signal.SIGKILL)
    assert status == -signal.SIGKILL
    # the kernel may cut the write in progress short: every line with its line end is whole
    whole, _, unfinished = text.rpartition("\n")
    assert "\n" not in unfinished
    _documents_of(whole.splitlines())


def test_jsonl_of_a_finished_scan_ends_with_the_summary(tmp_path: Path):
    (tmp_path / "a.txt").write_text("The patient was noncompliant.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    res = runner.invoke(app, ["scan", str(tmp_path), "--format", "jsonl", "--no-classifier"])
    objects = [json.loads(line) for line in res.stdout.splitlines()]
    assert [next(iter(o)) for o in objects] == ["tool", "document", "document", "summary"]
    assert objects[-1]["summary"] == {"documents": 2, "failed": 1, "findings": 1,
                                      "by_category": {"stigmatizing-language": 1}, "by_severity": {"low": 1}}


def test_a_huge_line_is_cut_into_bounded_sentences(rules_engine):
    phrase = "the noncompliant patient was seen and "
    line = phrase * 6000  # about 230,000 characters with no sentence break
    findings = [f for f in rules_engine.analyze_text(line, path="long") if f.is_flag]
    assert sum(len(f.spans) for f in findings) == 6000
    assert max(len(f.passage) for f in findings) <= MAX_SENTENCE_CHARS
    assert len({f.id for f in findings}) == len(findings) >= 6000 * len(phrase) // MAX_SENTENCE_CHARS


def test_ignore_markers_name_entries_or_categories_and_unknown_words_are_reported(rules_engine):
    vignette = "A 45-year-old Black man presents with chest pain."
    stig = "The patient was noncompliant with insulin."
    blocks = [Block("bias-review: ignore stigmatizing-language -- quoting the old chart", Location(paragraph=1)),
              Block(f"{vignette} {stig}", Location(paragraph=2)),
              Block("bias-review: ignore this slide please", Location(paragraph=3)),
              Block(stig, Location(paragraph=4))]
    warnings: list[str] = []
    found = [f for f in rules_engine.analyze_blocks(blocks, path="x", warnings=warnings) if f.is_flag]
    kept = {(f.location.paragraph, f.category.value) for f in found}
    assert (2, "stigmatizing-language") not in kept and (2, "race-in-vignette") in kept
    assert (4, "stigmatizing-language") in kept  # unknown words silence nothing
    assert len(warnings) == 1 and "please, slide, this" in warnings[0] and warnings[0].startswith("paragraph 3")


def test_document_warnings_reach_json_and_csv(tmp_path: Path):
    doc = tmp_path / "a.txt"
    doc.write_text("bias-review: ignore stereotipe\nThe patient was noncompliant.", encoding="utf-8")
    res = runner.invoke(app, ["scan", str(doc), "--format", "json", "--no-classifier"])
    warnings = json.loads(res.stdout)["documents"][0]["warnings"]
    assert len(warnings) == 1 and "stereotipe" in warnings[0]
    res = runner.invoke(app, ["scan", str(doc), "--format", "csv", "--no-classifier"])
    assert "stereotipe" in res.stdout.splitlines()[1]


def test_lexicon_list_refuses_an_unknown_category():
    res = runner.invoke(app, ["lexicon", "list", "--category", "typo"])
    assert res.exit_code == 2 and "unknown category 'typo'" in res.output
    res = runner.invoke(app, ["lexicon", "list", "--category", "outdated-term"])
    assert res.exit_code == 0 and res.output.count("\toutdated-term\t") >= 20


def test_a_whole_sentence_finding_meets_sentence_context_rules(engine):
    """The classifier's own findings cover their whole sentence; a critique word anywhere in it
    still quiets them (it used to count only outside the span, which is nowhere)."""
    from bias_review.detect.base import Piece
    from bias_review.detect.context import _covers_sentence
    from bias_review.findings import Candidate, Category, Severity

    passage = "Teaching that race is biology has been retired by most programs."
    cand = Candidate(Category.RACE_AS_BIOLOGY, Severity.LOW, 0, len(passage), passage, "classifier", 0.8,
                     "x", sent_start=0)
    assert _covers_sentence(cand)
    engine.context.apply([cand], Piece(engine.nlp(passage)))
    assert cand.severity is Severity.INFO, cand.trace


def test_the_classifier_scores_only_sentences_whose_score_can_matter(engine, monkeypatch):
    """Sentences with no candidate that the model could not flag on its own (not prose, or
    missing every category's requirements) are not scored, and the findings are exactly those
    of scoring every on-topic sentence."""
    clf = engine.judges[0]
    texts = _sentences("dev.jsonl") + _sentences("heldout.jsonl")
    blocks = [Block(t, Location(paragraph=i)) for i, t in enumerate(texts)]
    scored: list[int] = []
    predictor = type(clf.model)
    real_predict = predictor.predict_proba

    def counting(self, batch):
        scored.append(len(batch))
        return real_predict(self, batch)

    monkeypatch.setattr(predictor, "predict_proba", counting)
    lean = engine.analyze_blocks(blocks, path="dev")
    lean_scored = sum(scored)
    scored.clear()
    with monkeypatch.context() as m:
        m.setattr(type(clf), "_could_own", lambda self, text: True)
        full = engine.analyze_blocks(blocks, path="dev")
    assert _key(lean) == _key(full)
    assert len(full) > 300 and lean_scored < sum(scored)
    # a sentence naming a group (it passes the gate) but not as patients or people in care: not scored
    from bias_review.detect.gate import gate_keys_of_text

    on_topic = "Hispanic singers from the choir travelled to Lisbon for the festival last spring."
    assert clf._index.passes(gate_keys_of_text(on_topic))
    scored.clear()
    assert engine.analyze_text(on_topic) == []
    assert sum(scored) == 0


def test_a_grown_vocabulary_is_renewed_and_findings_do_not_change(monkeypatch):
    """An engine serving for hours sees endless new words (ids, numbers, codes): once its spaCy
    vocabulary is full it builds a fresh pipeline, threads mid-call finish on the old one, and
    every finding is what a fresh engine gives."""
    from bias_review.engine import Engine

    texts = _sentences("dev.jsonl")[:120]
    noise = [f"The Black patient's record {i * 7919} code Z{i * 104729} was filed on {i * 31}." for i in range(400)]
    fresh = Engine()
    expected = [_key(fresh.analyze_text(t, path=f"t{i}")) for i, t in enumerate(texts)]

    engine = Engine()
    first = engine._pipe
    engine.max_vocab_strings = len(first.nlp.vocab.strings) + 500
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda it: _key(engine.analyze_text(it[1], path=f"t{it[0]}")), enumerate(texts)))
        list(pool.map(engine.analyze_text, noise))
        again = list(pool.map(lambda it: _key(engine.analyze_text(it[1], path=f"t{it[0]}")), enumerate(texts)))
    assert got == expected and again == expected
    assert engine._pipe is not first  # renewed at least once
    assert len(engine.nlp.vocab.strings) < len(first.nlp.vocab.strings)
    assert engine.detectors and engine.detectors[0] is not first.detectors[0]
    assert engine.judges == first.judges  # the classifier holds nothing of spaCy's: kept, not reloaded


def test_one_very_large_document_renews_the_vocabulary_as_it_goes():
    """A single file of endless new words (a log of record ids) does not grow the vocabulary
    without bound either: the pipeline is renewed between batches of the document, and its
    findings are those of a fresh engine."""
    from bias_review.engine import BATCH_PIECES, Engine
    from bias_review.findings import Location
    from bias_review.parse.document import Block

    blocks = [Block(f"A 45-year-old Black man, record {i * 7919}-{i * 31}-Q{i * 104729}, presents with chest pain.",
                    Location(line=i + 1)) for i in range(4 * BATCH_PIECES)]
    expected = _key(Engine(detectors=("lexicon", "vignette")).analyze_blocks(blocks, path="log.txt"))
    engine = Engine(detectors=("lexicon", "vignette"))
    first = engine._pipe
    engine.max_vocab_strings = len(first.nlp.vocab.strings) + 300
    renewed = []
    real = engine._renew_if_grown
    engine._renew_if_grown = lambda pipe: (real(pipe), renewed.append(engine._pipe is not pipe))
    assert _key(engine.analyze_blocks(blocks, path="log.txt")) == expected and len(expected) == 4 * BATCH_PIECES
    assert sum(renewed) >= 2  # renewed more than once inside the one call
    assert len(engine.nlp.vocab.strings) < len(first.nlp.vocab.strings)


def test_a_renewal_that_fails_leaves_the_engine_working(monkeypatch):
    import bias_review.engine as engine_module
    from bias_review.engine import Engine

    engine, reference = Engine(detectors=("lexicon", "vignette")), Engine(detectors=("lexicon", "vignette"))
    first = engine._pipe
    engine.max_vocab_strings = len(first.nlp.vocab.strings) + 50

    def broken(*args, **kwargs):
        raise OSError("lexicon folder unmounted")

    monkeypatch.setattr(engine_module, "build_detectors", broken)
    texts = [f"A 45-year-old Black man, record {i * 7919}-{i * 31}, presents with chest pain." for i in range(100)]
    found = [_key(engine.analyze_text(t)) for t in texts]
    assert engine._pipe is first and engine.max_vocab_strings is None  # gave up renewing, kept serving
    assert found == [_key(reference.analyze_text(t)) for t in texts] and any(found)


def test_stop_signals_wait_until_the_held_block_ends():
    from bias_review.processes import sigterm_interrupts, stop_signals_held

    done = []
    with sigterm_interrupts():
        with pytest.raises(KeyboardInterrupt):
            with stop_signals_held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # a signal not held would interrupt here
                done.append("the block")
        assert done == ["the block"]
        with pytest.raises(KeyboardInterrupt):  # and outside the block, at once
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
