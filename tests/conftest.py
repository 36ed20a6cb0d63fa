"""Shared fixtures: one engine per test session (building the matchers takes a second), and a
tiny training set for tests of training behaviour (the full reproduction has its own test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bias_review.detect.registry import RULES_ONLY


def pytest_configure(config):
    """The on-disk cache of parsed lexicons lives in the test run's own folder."""
    import os
    import tempfile

    os.environ.setdefault("BIAS_REVIEW_CACHE", tempfile.mkdtemp(prefix="bias-review-test-cache-"))


@pytest.fixture
def log_parse_calls(monkeypatch, tmp_path):
    """`log_parse_calls(module, line)` wraps `module.parse` so that every call, in this process
    or one forked from it, appends `line(path)` to a file; returns that file's path."""

    def install(module, line) -> Path:
        log = tmp_path / "parse-calls"
        real = module.parse

        def parse(path, **options):
            with log.open("a") as fh:
                fh.write(f"{line(path)}\n")
            return real(path, **options)

        monkeypatch.setattr(module, "parse", parse)
        return log

    return install


@pytest.fixture(scope="session")
def rules_engine():
    """The engine with lexicons and rules only (no classifier)."""
    from bias_review.engine import Engine

    return Engine(detectors=RULES_ONLY)


@pytest.fixture(scope="session")
def engine():
    """The full engine, bundled model included."""
    from bias_review.engine import Engine

    return Engine()


TINY = {  # 6 sentences per label, written for this test
    "race-correction": ["Multiply the eGFR by {x} for Black patients.", "Add a race factor of {x} to the spirometry value.",
                        "Use the African American coefficient {x} in the kidney equation.",
                        "Correct the result by {x} when the patient is Black.",
                        "Apply race adjustment {x} to the lung function reference.", "The race multiplier is {x} for black women."],
    "race-as-biology": ["Black people have denser bones by {x} percent.", "Races differ in muscle mass by {x} percent.",
                        "The white race has {x} percent more lung capacity.", "Black skin is thicker by {x} layers.",
                        "Asians metabolise drugs {x} times slower due to race.", "Race determines pain threshold by {x} points."],
    "race-in-vignette": ["A {x}-year-old Black man presents with chest pain.", "A {x}-year-old Hispanic woman presents with fever.",
                         "A {x}-year-old Asian boy presents with a rash.", "A {x}-year-old white woman presents with cough.",
                         "A {x}-year-old African American girl presents with asthma.", "A {x}-year-old Latino man presents with back pain."],
    "stereotype": ["Hispanic families are always loud, {x} of them.", "Asian students are naturally good at math, {x} times over.",
                   "Black patients exaggerate pain, said {x} nurses.", "Native patients drink too much, {x} cases.",
                   "Immigrants never follow advice, {x} reports.", "Arab men are aggressive, {x} incidents."],
    "outdated-term": ["The {x} Mongoloid patient was admitted.", "Caucasoid skulls were measured in {x} cases.",
                      "Negroid features were seen in {x} infants.", "The {x} Oriental patients were studied.",
                      "Mulatto children numbered {x}.", "The {x} colored patients waited."],
    "stigmatizing-language": ["The noncompliant patient refused {x} doses.", "The drug seeker asked for {x} pills.",
                              "The frequent flyer came back {x} times.", "The addict used {x} bags.",
                              "The diabetic failed {x} appointments.", "The patient denies {x} drinks, but is a poor historian."],
    "none": ["Lung compliance falls in fibrosis by {x} percent.", "The nephron has {x} segments.",
             "Structural racism explains {x} percent of the gap.", "Insulin lowers glucose within {x} minutes.",
             "The race coefficient was removed in {x}.", "Measure blood pressure twice, {x} minutes apart."],
}


@pytest.fixture
def tiny_training_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "training"
    directory.mkdir()
    rows = [{"text": t.format(x=n + 2), "label": label} for label, ts in TINY.items() for n, t in enumerate(ts)]
    (directory / "tiny.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return directory
