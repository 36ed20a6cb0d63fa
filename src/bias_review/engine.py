"""The engine: parse -> gate -> spaCy once -> detectors -> context -> judges -> merge -> findings.

One `Engine` serves many callers: it keeps no per-call state, so threads may share it. Work on
a document goes in bounded batches (memory does not grow with the file), every sentence fed to
spaCy is bounded in length (no step is quadratic in its size), and a per-file deadline stops a
scan that runs too long. Any failure inside one file becomes that file's error.

spaCy's vocabulary keeps every new word it sees (every number, code and name), so an engine
serving for hours would grow without bound: once the vocabulary holds MAX_VOCAB_STRINGS
strings, the engine builds a fresh pipeline and detectors (a fraction of a second), between two
batches of a document, and lets the old ones go when the calls still using them end. Findings
do not depend on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bias_review.detect.base import Detector, Judge, Piece
from bias_review.detect.context import ContextRules
from bias_review.detect.gate import GateIndex, gate_keys_of_text
from bias_review.detect.merge import combined, merge_candidates, rank
from bias_review.detect.registry import DEFAULT_DETECTORS, DetectorSettings, build_detectors
from bias_review.detect.sentence_kind import in_reference_section
from bias_review.findings import Candidate, Finding, Location, Severity, finding_id, with_unique_ids
from bias_review.ignores import Ignore, Ignores, ignores_of_blocks
from bias_review.lexicon import Lexicon, load_lexicon
from bias_review.nlp import chunk_text, new_nlp, process
from bias_review.parse import parse
from bias_review.parse.ahead import ParseAhead, ParseFailed, Parsed
from bias_review.parse.document import Block, Document, ParseError, ParseTimeout
from bias_review.paths import expand_paths, sha256_or_none
from bias_review.results import DocumentResult, ScanResult, timeout_message
from bias_review.windows import windows

if TYPE_CHECKING:
    from spacy.language import Language

    from bias_review.inputs import InputFile

# a batch of pieces sent through spaCy and the detectors together: bounds memory per file
BATCH_PIECES = 256
BATCH_CHARS = 400_000
DEFAULT_TIMEOUT = 120.0
# a pipeline whose vocabulary holds this many strings is replaced by a fresh one (~100 MB of growth)
MAX_VOCAB_STRINGS = 300_000


class ScanTimeout(Exception):
    """A file took longer than its time budget."""


@dataclass(frozen=True)
class _Pipeline:
    """What depends on one spaCy vocabulary: the pipeline, the detectors and judges built on
    it, and the lock its tokenizer runs under (it adds new words to the vocabulary)."""

    nlp: Language
    detectors: list[Detector]
    judges: list[Judge]
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, nlp: Language, components: list) -> _Pipeline:
        """The pipeline of `nlp` with these components, detectors and judges each in order."""
        return cls(nlp, [c for c in components if isinstance(c, Detector)],
                   [c for c in components if isinstance(c, Judge)])


class Engine:
    """Detects race-based language in documents. Build once, scan many files, from any thread."""

    def __init__(
        self,
        *,
        lexicon: Lexicon | None = None,
        lexicon_dirs: list[Path] | None = None,
        replace_lexicons: bool = False,
        detectors: tuple[str, ...] | list[str] = DEFAULT_DETECTORS,
        model_path: Path | None = None,
        ocr: bool = True,
    ) -> None:
        """`ocr`: read PDF pages with no text layer by OCR when Tesseract is installed."""
        self.ocr = ocr
        self.lexicon = lexicon or load_lexicon(lexicon_dirs, include_bundled=not replace_lexicons)
        self._model_path = model_path
        nlp = new_nlp()  # a vocabulary of its own: renewed when grown
        components = build_detectors(detectors, DetectorSettings(self.lexicon, nlp, model_path))
        # judges (the classifier) hold nothing of spaCy's: a renewed pipeline keeps them
        self._renewed_names = [n for n, c in zip(detectors, components) if not isinstance(c, Judge)]
        self._pipe = _Pipeline.of(nlp, components)
        self._renewing = threading.Lock()
        self.max_vocab_strings: int | None = MAX_VOCAB_STRINGS
        components = [*self._pipe.detectors, *self._pipe.judges]
        self.context = ContextRules(self.lexicon)
        gates = [c.gates for c in components]
        self.gate: GateIndex | None = None if any(g is None for g in gates) else GateIndex(
            [c for g in gates for c in g])
        self.model_version: str | None = next(
            (getattr(c, "model_version", None) for c in components if getattr(c, "model_version", None)), None)


    @property
    def nlp(self) -> Language:
        return self._pipe.nlp

    @property
    def detectors(self) -> list[Detector]:
        return self._pipe.detectors

    @property
    def judges(self) -> list[Judge]:
        return self._pipe.judges

    def _renew_if_grown(self, pipe: _Pipeline) -> None:
        """A fresh pipeline and detectors once this one's vocabulary is full (see the module's
        docstring), with the same judges; calls still running on the old one finish with it.
        If the fresh one cannot be built, the engine goes on with the old one and stops trying."""
        limit = self.max_vocab_strings
        if limit is None or len(pipe.nlp.vocab.strings) < limit or not self._renewing.acquire(blocking=False):
            return
        try:
            if self._pipe is pipe:
                nlp = new_nlp()
                components = build_detectors(self._renewed_names, DetectorSettings(self.lexicon, nlp, self._model_path))
                self._pipe = _Pipeline.of(nlp, [*components, *pipe.judges])
        except Exception:  # noqa: BLE001 - memory growth is better than a failed scan
            self.max_vocab_strings = None
        finally:
            self._renewing.release()

    # -- text ---------------------------------------------------------------------------
    def analyze_text(self, text: str, *, path: str = "<text>", location: Location | None = None,
                     framing: str = "") -> list[Finding]:
        """Findings (including `info`) in a piece of text; `framing` is text it continues (a
        list item's lead-in, see `Block`)."""
        return self.analyze_blocks([Block(text, location or Location(), framing)], path=path)

    def analyze_blocks(self, blocks: Iterable[Block], *, path: str, deadline: float | None = None,
                       warnings: list[str] | None = None) -> list[Finding]:
        """Findings (including `info`) in a document's blocks, in reading order.

        `blocks` may be any iterable that can be gone through twice (a list, or a large text
        file's `parse.text.BlockStream`, read from the file each time): the blocks are read in
        bounded batches and none is kept after its batch, so memory does not grow with the file.
        `deadline` (a `time.monotonic()` value) raises ScanTimeout between batches once passed;
        problems worth telling the user (an unknown id in an ignore marker) go to `warnings`."""
        ignores = ignores_of_blocks(blocks, self.lexicon, warnings)
        findings: list[Finding] = []
        for batch in self._batches(blocks):
            if deadline is not None and time.monotonic() > deadline:
                raise ScanTimeout
            pipe = self._pipe  # this batch's pipeline, even if a fresh one replaces it meanwhile
            findings.extend(self._analyze_batch(pipe, batch, ignores, path))
            self._renew_if_grown(pipe)  # between batches: a very large file renews it too
        return with_unique_ids(findings)

    def _batches(self, blocks: Iterable[Block]) -> Iterator[list[tuple[int, Block, int, str]]]:
        """(block index, block, offset in block, text) pieces worth reading, in bounded batches."""
        batch: list[tuple[int, Block, int, str]] = []
        size = 0
        for bi, block in enumerate(blocks):
            # a short line under a heading is read with the heading for the gate: "Expressive
            # about pain" under "Hispanic patients" is worth reading
            passes = self._passes if not block.topic else (
                lambda keys, topic=gate_keys_of_text(block.topic): self._passes(keys | topic))
            for offset, piece in chunk_text(block.text):
                for start, end in windows(piece, passes):
                    batch.append((bi, block, offset + start, piece[start:end]))
                    size += end - start
                    if len(batch) >= BATCH_PIECES or size >= BATCH_CHARS:
                        yield batch
                        batch, size = [], 0
        if batch:
            yield batch

    def _passes(self, keys: frozenset[str]) -> bool:
        return self.gate is None or self.gate.passes(keys)

    def _analyze_batch(self, pipe: _Pipeline, pieces: list[tuple[int, Block, int, str]],
                       ignores: Ignores, path: str) -> list[Finding]:
        with pipe.lock:
            docs = process(pipe.nlp, [p[3] for p in pieces])
        read = [Piece(doc, text, block.topic) for doc, (_, block, _, text) in zip(docs, pieces)]
        per_detector = [d.detect_many(read) for d in pipe.detectors]
        found = [[c for by_detector in per_detector for c in by_detector[k]] for k in range(len(read))]
        prepared = [j.prepare(read, found) for j in pipe.judges]
        findings: list[Finding] = []
        for k, (bi, block, offset, _) in enumerate(pieces):
            cands: list[Candidate] = found[k]
            if not cands and not pipe.judges:
                continue
            cited = in_reference_section(block.location.section)
            framing = block.framing
            self.context.apply(cands, read[k], cited=cited, framing=framing)
            seen = {id(c) for c in cands}
            for judge, state in zip(pipe.judges, prepared):
                cands = judge.judge(state, k, read[k], cands)
            added = [c for c in cands if id(c) not in seen]
            if added:  # a judge's own findings meet the same context rules
                self.context.apply(added, read[k], cited=cited, framing=framing)
            if cands:
                findings.extend(self._findings(cands, block, offset, ignores.get(bi), path))
        return findings

    @staticmethod
    def _findings(cands: list[Candidate], block: Block, offset: int, ignore: Ignore | None,
                  path: str) -> list[Finding]:
        """One finding per passage and category (one decision for a reviewer), holding every
        matched span; overlapping candidates merge first. Where a passage holds both flags and
        info mentions of one category, the finding is the flags' (the mentions kept quiet add
        no decision, and two findings would share one id)."""
        groups: dict[tuple[int, str, bool], list[tuple[Candidate, list[Candidate]]]] = {}
        for primary, group in merge_candidates(cands):
            if ignore is not None and ignore.covers([c.rule_id for c in group], primary.category.value):
                continue
            key = (primary.sent_start, primary.category.value, primary.severity is Severity.INFO)
            groups.setdefault(key, []).append((primary, group))
        out = []
        for (sent_start, category, info), members in groups.items():
            if info and (sent_start, category, False) in groups:
                continue
            merged = [c for _, group in members for c in group]
            primary = max((p for p, _ in members), key=rank)
            score, severity, detectors, trace = combined(primary, merged)
            spans = sorted({(p.start, p.end) for p, _ in members})
            first = min(members, key=lambda m: (m[0].start, m[0].end))[0]
            out.append(Finding(
                id=finding_id(path, block.location, offset + sent_start, primary.passage, category),
                category=primary.category, severity=severity, text=first.text,
                passage=primary.passage, start=first.start, end=first.end,
                location=block.location, detectors=detectors, score=score,
                explanation=primary.explanation, suggestion=primary.suggestion,
                references=list(dict.fromkeys(r for p, _ in sorted(members, key=lambda m: rank(m[0]), reverse=True)
                                              for r in p.references)),
                trace=trace, spans=spans,
            ))
        return out

    # -- files --------------------------------------------------------------------------
    def scan_file(self, path: str | Path, *, display_path: str | None = None, section: str | None = None,
                  timeout: float | None = DEFAULT_TIMEOUT, parsed: Parsed | None = None) -> DocumentResult:
        """Parse and analyse one file within `timeout` seconds (None: no limit). Never raises
        for a problem with the file: the reason is the result's `error`.

        `section` (a module path of a course cartridge) goes in front of every finding's
        Location.section; detection itself sees only the document's own headings. `parsed`:
        the file parsed already (by `ParseAhead`), its parse's seconds counted in the budget."""
        shown = display_path or str(path)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            if parsed is None:
                document = _parse_within(path, timeout, ocr=self.ocr, deadline=deadline)
            else:
                document = parsed.get()
                if deadline is not None:
                    deadline -= parsed.seconds
            warnings = list(document.warnings)
            findings = self.analyze_blocks(document.blocks, path=shown, deadline=deadline, warnings=warnings)
        except (ScanTimeout, ParseTimeout):
            return DocumentResult(path=shown, sha256=sha256_or_none(path), error=timeout_message(timeout))
        except ParseError as exc:
            return DocumentResult(path=shown, sha256=sha256_or_none(path), error=exc.reason)
        except ParseFailed as exc:  # a parser's own error, in a helper process
            return DocumentResult(path=shown, sha256=sha256_or_none(path),
                                  error=f"internal error while scanning ({exc})")
        except Exception as exc:  # noqa: BLE001 - one file's failure must not end a batch
            return DocumentResult(path=shown, sha256=sha256_or_none(path),
                                  error=f"internal error while scanning ({type(exc).__name__}: {exc})")
        return DocumentResult(
            path=shown, format=document.format, sha256=document.sha256, findings=_under(section, findings),
            pages=document.pages, chars=document.text_size, warnings=warnings,
        )

    def scan_input(self, item: InputFile, *, timeout: float | None = DEFAULT_TIMEOUT) -> DocumentResult:
        """`scan_file` for one file of `bias_review.inputs.open_inputs`: shown by its display path,
        its module path in front of each location's section; an archive member that could not be
        taken out is its error."""
        if item.error is not None:
            return DocumentResult(path=item.display, error=item.error)
        return self.scan_file(item.path, display_path=item.display, section=item.section, timeout=timeout)

    def scan_iter(self, files: Iterable[str | Path], *, timeout: float | None = DEFAULT_TIMEOUT,
                  ahead: ParseAhead | None = None) -> Iterator[DocumentResult]:
        """Scan files one by one, yielding each result as soon as it is ready; `ahead`: helper
        processes parsing these files (in this order) ahead of the scan."""
        for f in files:
            yield self.scan_file(f, timeout=timeout, parsed=ahead.take(f) if ahead is not None else None)

    def scan(self, paths: list[str | Path], *, exclude: list[str] | None = None,
             timeout: float | None = DEFAULT_TIMEOUT,
             on_result: Callable[[DocumentResult], Any] | None = None) -> ScanResult:
        """Scan files and directories (recursively, supported extensions only)."""
        results = []
        for result in self.scan_iter(expand_paths(paths, exclude=exclude), timeout=timeout):
            results.append(result)
            if on_result is not None:
                on_result(result)
        return self.result_of(results)

    def result_of(self, documents: list[DocumentResult]) -> ScanResult:
        """A ScanResult carrying this engine's lexicon and model versions."""
        return ScanResult(documents, self.lexicon.version, self.model_version)


def _under(section: str | None, findings: list[Finding]) -> list[Finding]:
    """The findings with `section` in front of their location's section ("Module 3 > Week 2 >
    CKD overview > Staging")."""
    if not section:
        return findings
    return [replace(f, location=replace(f.location, section=" > ".join(filter(None, (section, f.location.section)))))
            for f in findings]


def _parse_within(path: str | Path, timeout: float | None, *, ocr: bool, deadline: float | None) -> Document:
    """`parse(path)`, given up after `timeout` seconds. A parser stuck past its deadline is left
    to finish in a daemon thread (Python cannot stop a thread; the PDF parser and its OCR stop
    themselves at `deadline`, between pages); batch scans run files in worker processes, which
    can be stopped."""
    if timeout is None:
        return parse(path, ocr=ocr)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["doc"] = parse(path, ocr=ocr, deadline=deadline)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["exc"] = exc

    worker = threading.Thread(target=run, name=f"parse {Path(path).name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise ScanTimeout
    if "exc" in box:
        raise box["exc"]
    return box["doc"]
