"""The engine: parse -> gate -> spaCy once -> detectors -> context -> merge -> findings."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from bias_review import __version__
from bias_review.detect.base import Detector
from bias_review.detect.context import ContextRules
from bias_review.detect.gate import GateIndex, gate_keys_of_text
from bias_review.detect.merge import combined, merge_candidates
from bias_review.detect.registry import DEFAULT_DETECTORS, DetectorSettings, build_detectors
from bias_review.findings import Candidate, Finding, Location, Severity, finding_id
from bias_review.ignores import find_ignore
from bias_review.lexicon import Lexicon, load_lexicon
from bias_review.nlp import chunk_text, get_nlp
from bias_review.parse import SUPPORTED_EXTENSIONS, parse
from bias_review.parse.document import Block, Document, ParseError

BATCH_SIZE = 256


@dataclass
class DocumentResult:
    """What one file gave: its findings, or the reason it could not be read."""

    path: str
    format: str | None = None
    sha256: str | None = None
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0
    chars: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "error": self.error,
            "findings": [f.as_dict(with_trace=with_trace) for f in self.findings
                         if f.severity.at_least(min_severity)],
        }


@dataclass
class ScanResult:
    """The result of a scan: one DocumentResult per input file, and the tool's versions."""

    documents: list[DocumentResult]
    lexicon_version: str
    model_version: str | None

    def flags(self, min_severity: Severity = Severity.LOW) -> list[Finding]:
        floor = min_severity if min_severity is not Severity.INFO else Severity.LOW
        return [f for d in self.documents for f in d.findings if f.severity.at_least(floor)]

    def summary(self, min_severity: Severity = Severity.LOW) -> dict[str, Any]:
        flags = self.flags(min_severity)
        by_category: dict[str, int] = {}
        by_severity: dict[str, int] = {}
        for f in flags:
            by_category[f.category.value] = by_category.get(f.category.value, 0) + 1
            by_severity[f.severity.value] = by_severity.get(f.severity.value, 0) + 1
        return {
            "documents": len(self.documents),
            "failed": sum(1 for d in self.documents if d.error),
            "findings": len(flags),
            "by_category": dict(sorted(by_category.items())),
            "by_severity": by_severity,
        }

    def as_dict(self, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> dict[str, Any]:
        """The JSON output contract of DESIGN.md."""
        return {
            "tool": {
                "name": "bias-review",
                "version": __version__,
                "lexicon_version": self.lexicon_version,
                "model_version": self.model_version,
            },
            "documents": [d.as_dict(min_severity=min_severity, with_trace=with_trace) for d in self.documents],
            "summary": self.summary(min_severity),
        }


class Engine:
    """Detects race-based language in documents. Build once, scan many files."""

    def __init__(
        self,
        *,
        lexicon: Lexicon | None = None,
        lexicon_dirs: list[Path] | None = None,
        replace_lexicons: bool = False,
        detectors: tuple[str, ...] | list[str] = DEFAULT_DETECTORS,
        model_path: Path | None = None,
    ) -> None:
        self.nlp = get_nlp()
        self.lexicon = lexicon or load_lexicon(lexicon_dirs, include_bundled=not replace_lexicons)
        settings = DetectorSettings(self.lexicon, self.nlp, model_path)
        self.detectors: list[Detector] = build_detectors(detectors, settings)
        self.context = ContextRules(self.lexicon)
        # detectors that override `adjust` see every block, even one with no candidates
        self.judges = [d for d in self.detectors if type(d).adjust is not Detector.adjust]
        gates = [d.gates for d in self.detectors]
        self.gate: GateIndex | None = None if any(g is None for g in gates) else GateIndex(
            [c for g in gates for c in g])
        self.model_version: str | None = next(
            (getattr(d, "model_version", None) for d in self.detectors if getattr(d, "model_version", None)), None)

    # -- text ---------------------------------------------------------------------------
    def analyze_text(self, text: str, *, path: str = "<text>", location: Location | None = None) -> list[Finding]:
        """Findings (including `info`) in a piece of text."""
        return self.analyze_blocks([Block(text, location or Location())], path=path)

    def analyze_blocks(self, blocks: list[Block], *, path: str) -> list[Finding]:
        """Findings (including `info`) in a document's blocks, in reading order."""
        pieces: list[tuple[int, int, str]] = []  # (block index, offset in block, text)
        for bi, block in enumerate(blocks):
            for offset, piece in chunk_text(block.text):
                for start, end in self._windows(piece):
                    pieces.append((bi, offset + start, piece[start:end]))
        if not pieces:
            return []
        docs: list[Doc] = list(self.nlp.pipe((p[2] for p in pieces), batch_size=BATCH_SIZE))
        for doc, (_, _, text) in zip(docs, pieces):
            doc.user_data["text"] = text
        per_detector = [d.detect_many(docs) for d in self.detectors]
        ignores = self._ignores(blocks)
        findings: list[Finding] = []
        for k, (bi, offset, _) in enumerate(pieces):
            cands: list[Candidate] = [c for found in per_detector for c in found[k]]
            if not cands and not self.judges:
                continue
            self.context.apply(cands, docs[k])
            seen = {id(c) for c in cands}
            for detector in self.detectors:
                cands = detector.adjust(docs[k], cands)
            added = [c for c in cands if id(c) not in seen]
            if added:  # a judge's own findings meet the same context rules
                self.context.apply(added, docs[k])
            if not cands:
                continue
            block = blocks[bi]
            for primary, group in merge_candidates(cands):
                score, severity, detectors, trace = combined(primary, group)
                ignore = ignores.get(bi)
                rule_ids = [c.rule_id for c in group]
                if ignore is not None and ignore.covers(rule_ids, primary.category.value):
                    continue
                block_start = offset + primary.sent_start + primary.start
                findings.append(Finding(
                    id=finding_id(path, block.location, block_start, primary.text, primary.rule_id),
                    category=primary.category, severity=severity, text=primary.text,
                    passage=primary.passage, start=primary.start, end=primary.end,
                    location=block.location, detectors=detectors, score=score,
                    explanation=primary.explanation, suggestion=primary.suggestion,
                    references=list(primary.references), trace=trace,
                ))
        return findings

    def _windows(self, text: str) -> list[tuple[int, int]]:
        """The parts of a text worth sending to spaCy: each rough sentence that passes the
        vocabulary gate, with one sentence either side (context rules read neighbours)."""
        if self.gate is None:
            return [(0, len(text))]
        keys = gate_keys_of_text(text)
        if not self.gate.passes(keys):
            return []
        bounds = rough_sentences(text)
        if len(bounds) <= 3:
            return [(0, len(text))]
        hits = [i for i, (a, b) in enumerate(bounds) if self.gate.passes(gate_keys_of_text(text[a:b]))]
        if not hits:  # the words are spread over sentences; keep the block whole
            return [(0, len(text))]
        spans: list[list[int]] = []
        for i in hits:
            lo, hi = max(0, i - 1), min(len(bounds) - 1, i + 1)
            if spans and lo <= spans[-1][1] + 1:
                spans[-1][1] = hi
            else:
                spans.append([lo, hi])
        return [(bounds[lo][0], bounds[hi][1]) for lo, hi in spans]

    @staticmethod
    def _ignores(blocks: list[Block]) -> dict:
        out = {}
        for bi, block in enumerate(blocks):
            if "bias-review" not in block.text.lower():
                continue
            ignore = find_ignore(block.text)
            if ignore is None:
                continue
            if ignore.whole_file:
                return {i: ignore for i in range(len(blocks))}
            out[bi] = ignore
            out.setdefault(bi + 1, ignore)
        return out

    # -- files --------------------------------------------------------------------------
    def scan_file(self, path: str | Path, *, display_path: str | None = None) -> DocumentResult:
        """Parse and analyse one file. Never raises for bad input: the error is in the result."""
        shown = display_path or str(path)
        try:
            document: Document = parse(path)
        except ParseError as exc:
            return DocumentResult(path=shown, sha256=_sha256_or_none(path), error=exc.reason)
        findings = self.analyze_blocks(document.blocks, path=shown)
        return DocumentResult(
            path=shown, format=document.format, sha256=document.sha256, findings=findings,
            pages=document.pages, chars=document.text_size, warnings=list(document.warnings),
        )

    def scan(self, paths: list[str | Path], *, exclude: list[str] | None = None) -> ScanResult:
        """Scan files and directories (recursively, supported extensions only)."""
        results = [self.scan_file(p) for p in expand_paths(paths, exclude=exclude)]
        return ScanResult(results, self.lexicon.version, self.model_version)


_ROUGH_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])|\n\s*\n")


def rough_sentences(text: str) -> list[tuple[int, int]]:
    """Cheap sentence bounds (no tokenizer), used only to decide what spaCy must read."""
    out, start = [], 0
    for m in _ROUGH_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(a, b) for a, b in out if b > a]


def expand_paths(paths: list[str | Path], *, exclude: list[str] | None = None) -> list[Path]:
    """Files named directly, plus supported files under directories, minus `exclude` globs.
    A named file is kept whatever its extension (its content decides its format)."""
    exclude = exclude or []

    def excluded(p: Path) -> bool:
        s = p.as_posix()
        return any(fnmatch.fnmatch(s, g) or fnmatch.fnmatch(p.name, g) for g in exclude)

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    f = Path(root) / name
                    if f.suffix.lower() in SUPPORTED_EXTENSIONS and not name.startswith(("~$", ".")) and not excluded(f):
                        out.append(f)
        elif not excluded(p):
            out.append(p)
    return out


def _sha256_or_none(path: str | Path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
