"""The work of one file, the same on every executor: a recipe for the engine (built once per
process and kept), a task, and the results of a task that never finished."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from bias_review.batch.inputs import InputFile
from bias_review.results import DocumentResult, timeout_message
from bias_review.startup import collector_paused

if TYPE_CHECKING:
    from bias_review.engine import Engine


@dataclass(frozen=True)
class EngineSpec:
    """How to build the engine: small and picklable, so a worker process (or a Dask worker on
    another machine, where these paths must exist too) builds the same engine."""

    lexicon_dirs: tuple[str, ...] = ()
    replace_lexicons: bool = False
    classifier: bool = True
    model_path: Optional[str] = None
    ocr: bool = True  # read PDF pages with no text layer by OCR (Tesseract, when installed)

    def versions(self) -> tuple[str, Optional[str]]:
        """(lexicon version, model version) without building the engine (no spaCy): what a
        rerun compares with the store before deciding to scan anything."""
        from bias_review.lexicon import load_lexicon

        lexicon = load_lexicon([Path(d) for d in self.lexicon_dirs], include_bundled=not self.replace_lexicons)
        if not self.classifier:
            return lexicon.version, None
        from bias_review.classifier.bundle import META_FILE, ModelError, bundled_model_dir

        meta = Path(self.model_path or bundled_model_dir()) / META_FILE
        try:
            return lexicon.version, str(json.loads(meta.read_text(encoding="utf-8")).get("model_version"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{meta}: cannot read the model's metadata ({exc})") from None

    def build(self) -> "Engine":
        """The engine, built with the garbage collector paused, and frozen after (a worker keeps it)."""
        with collector_paused(freeze=True):
            return self._build()

    def _build(self) -> "Engine":
        from bias_review.detect.registry import DEFAULT_DETECTORS, RULES_ONLY
        from bias_review.engine import Engine

        return Engine(lexicon_dirs=[Path(d) for d in self.lexicon_dirs], replace_lexicons=self.replace_lexicons,
                      detectors=DEFAULT_DETECTORS if self.classifier else RULES_ONLY,
                      model_path=Path(self.model_path) if self.model_path else None, ocr=self.ocr)


_engines: dict[EngineSpec, "Engine"] = {}
_engines_lock = threading.Lock()


def engine_for(spec: EngineSpec) -> "Engine":
    """This process's engine for `spec`, built on first use. A worker forked after the parent
    built it inherits it, built."""
    with _engines_lock:
        if spec not in _engines:
            _engines[spec] = spec.build()
        return _engines[spec]


@dataclass(frozen=True)
class Task:
    """A file handed to a worker, with what the batch knows of it: the content hash it was
    checked against the store with, and its course's row id."""

    file: InputFile
    sha256: Optional[str] = None
    course_id: Optional[int] = None


def scan_one(spec: EngineSpec, display: str, path: str, timeout: Optional[float] = None, *,
             section: Optional[str] = None, error: Optional[str] = None) -> DocumentResult:
    """Scan one file with this process's engine (`section`: a cartridge module path put in
    front of its locations; `error`: an archive member that could not be taken out). Never
    raises for a problem with the file."""
    if error is not None:
        return DocumentResult(path=display, error=error)
    return engine_for(spec).scan_file(path, display_path=display, section=section, timeout=timeout)


def timed_out(task: Task, timeout: float) -> DocumentResult:
    return DocumentResult(path=task.file.display, sha256=task.sha256, error=timeout_message(timeout))


def died(task: Task, how: str) -> DocumentResult:
    """The result of a file whose worker died; `how` is e.g. 'signal SIGSEGV'."""
    return DocumentResult(path=task.file.display, sha256=task.sha256,
                          error=f"the worker scanning this file died ({how})")
