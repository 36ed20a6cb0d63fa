"""Load and validate lexicon YAML files into a Lexicon; report every problem at once."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bias_review.cache import cached_json
from bias_review.lexicon.terms import term_refs

from bias_review.findings import Category, Severity
from bias_review.lexicon.schema import (
    ContextRule,
    Lexicon,
    LexiconEntry,
    LexiconError,
    PhrasePattern,
    TokenPattern,
)

CONTEXT_FILE = "context.yml"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ENTRY_KEYS = {
    "id", "category", "severity", "patterns", "requires", "requires_also", "unless", "explanation",
    "suggestion", "references", "note", "detector", "own", "quiets", "model_may_quiet",
}
_TOKEN_KEYS = {
    "ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "LENGTH", "IS_ALPHA", "IS_ASCII", "IS_DIGIT",
    "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_SENT_START",
    "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "SHAPE", "OP", "PREFIX", "SUFFIX",
}
_EFFECTS = {"info", "lower"}
# TAXONOMY.md's default severity per category, used when a file sets none
DEFAULT_SEVERITY = {
    "race-correction": "high", "race-as-biology": "high", "race-in-vignette": "medium",
    "stereotype": "high", "outdated-term": "medium", "stigmatizing-language": "low",
}
_SCOPES = {"sentence", "neighbours"}
# the checks a cached lexicon passed: a new check (or a change to one) is a new name here, so
# a lexicon cached before it is checked again
_CHECKS = "checks-2: spaCy pattern validation, engine token matcher"


# libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure-Python one
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def bundled_lexicon_dir() -> Path:
    """The lexicons shipped with the package."""
    return Path(str(resources.files("bias_review") / "data" / "lexicons"))


def _yaml_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])


def load_lexicon(extra_dirs: list[Path] | None = None, *, include_bundled: bool = True) -> Lexicon:
    """Load the bundled lexicons and/or a school's own directories, later ones overriding
    entries with the same id. Raises LexiconError listing every problem found.

    The parsed files of a lexicon that passed every check are kept in the on-disk cache
    (bias_review/cache.py) under a hash of the files' names and bytes, so the next process
    skips YAML parsing and spaCy's pattern validation; any change to a file is a new key."""
    dirs: list[Path] = [bundled_lexicon_dir()] if include_bundled else []
    dirs += [Path(d) for d in extra_dirs or []]
    if not dirs:
        raise LexiconError(["no lexicon directory given"])
    problems: list[str] = []
    files: list[tuple[Path, bytes]] = []
    for directory in dirs:
        if not directory.is_dir():
            problems.append(f"{directory}: not a directory")
            continue
        found = _yaml_files(directory)
        if not found:
            problems.append(f"{directory}: no .yml lexicon files")
        files += [(path, path.read_bytes()) for path in found]
    if problems:
        raise LexiconError(problems)
    key = hashlib.sha256(_CHECKS.encode())
    for path, data in files:
        key.update(str(path).encode() + b"\0" + hashlib.sha256(data).digest())

    def parse_and_check() -> list[Any]:
        parsed = [_read_yaml(path, data, problems) for path, data in files]
        lexicon = _assemble(dirs, files, parsed, problems)
        _check_token_patterns(lexicon, problems)
        _raise_problems(dirs, problems)
        return parsed

    parsed = cached_json("lexicon", key.hexdigest()[:32], parse_and_check)
    lexicon = _assemble(dirs, files, parsed, problems)
    _raise_problems(dirs, problems)
    return lexicon


def _raise_problems(dirs: list[Path], problems: list[str]) -> None:
    if any(p.startswith(f"{d}/{CONTEXT_FILE}:") or p.startswith(f"{d / CONTEXT_FILE}:") for d in dirs for p in problems):
        # a broken context.yml makes every @reference look unknown; show the cause only
        problems[:] = [p for p in problems if "unknown term set" not in p]
    if problems:
        raise LexiconError(problems)


def _assemble(dirs: list[Path], files: list[tuple[Path, bytes]], parsed: list[Any], problems: list[str]) -> Lexicon:
    """Build the Lexicon from the parsed files (None for a file that did not parse)."""
    lexicon = Lexicon()
    digest = hashlib.sha256()
    raw_sets: dict[str, list[str]] = {}
    raw_rules: list[tuple[str, dict[str, Any]]] = []
    raw_entries: list[tuple[str, dict[str, Any], str, str | None]] = []
    base_version = ""
    for (path, raw), data in zip(files, parsed):
        if data is None:
            continue
        digest.update(path.name.encode() + b"\0" + raw)
        lexicon.sources.append(str(path))
        if path.name == CONTEXT_FILE:
            base_version = base_version or str(data.get("version", ""))
            _collect_context(path, data, raw_sets, raw_rules, problems)
        else:
            _collect_entries(path, data, raw_entries, problems)
    lexicon.term_sets = {k: tuple(v) for k, v in raw_sets.items()}
    for fname, entry_data, category, severity in raw_entries:
        entry = _build_entry(fname, entry_data, category, severity, lexicon.term_sets, problems)
        if entry is None:
            continue
        prior = lexicon.entries.get(entry.id)
        if prior is not None and Path(prior.source).parent == Path(entry.source).parent:
            where = "" if prior.source == entry.source else f" (also in {Path(prior.source).name})"
            problems.append(f"{fname}: entry {entry.id!r}: field 'id': duplicate id{where}")
            continue
        lexicon.entries[entry.id] = entry  # a later directory overrides an earlier one
    for fname, rule_data in raw_rules:
        rule = _build_rule(fname, rule_data, lexicon.term_sets, problems)
        if rule is not None:
            lexicon.context_rules.append(rule)
    lexicon.version = f"{base_version or '0'}+{digest.hexdigest()[:8]}"
    lexicon.digest = digest.hexdigest()
    return lexicon


def _read_yaml(path: Path, raw: bytes, problems: list[str]) -> dict[str, Any] | None:
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_SAFE_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problems.append(f"{path}: not valid YAML{where}: {first}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: top level must be a mapping")
        return None
    return data


def _collect_context(path, data, raw_sets, raw_rules, problems) -> None:
    sets = data.get("sets", {})
    if not isinstance(sets, dict):
        problems.append(f"{path}: field 'sets' must be a mapping of name -> list of terms")
        return
    for name, terms in sets.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            problems.append(f"{path}: set {name!r}: must be a list of non-empty strings")
            continue
        raw_sets.setdefault(str(name), []).extend(terms)  # a school's sets extend ours
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        problems.append(f"{path}: field 'rules' must be a list")
        return
    raw_rules.extend((str(path), r) for r in rules)


def _collect_entries(path, data, raw_entries, problems) -> None:
    category = None  # a file without a category gives one per entry
    if "category" in data:
        try:
            category = Category.parse(str(data["category"])).value
        except ValueError as exc:
            problems.append(f"{path}: field 'category': {exc}")
            return
    severity = data.get("default_severity")
    entries = data.get("entries")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path}: field 'entries' must be a non-empty list")
        return
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"{path}: entry #{i}: must be a mapping")
            continue
        raw_entries.append((str(path), entry, category, severity))


def _check_refs(where: str, items: tuple[str, ...], sets, problems: list[str]) -> None:
    for item in items:
        for name in term_refs(item):
            if name not in sets:
                problems.append(f"{where}: unknown term set {'@' + name!r}")


def _string_list(value, where: str, problems: list[str], *, required: bool) -> tuple[str, ...]:
    if value is None:
        if required:
            problems.append(f"{where}: missing")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: must be a list of non-empty strings")
        return ()
    if required and not value:
        problems.append(f"{where}: must not be empty")
    return tuple(v.strip() for v in value)


def _build_entry(fname, data, category, default_severity, sets, problems) -> LexiconEntry | None:
    eid = data.get("id")
    label = f"{fname}: entry {eid!r}" if eid else f"{fname}: entry without id"
    before = len(problems)
    if not isinstance(eid, str) or not _ID_RE.match(eid):
        problems.append(f"{label}: field 'id': must be lower-case letters, digits and hyphens")
    unknown = set(data) - _ENTRY_KEYS
    if unknown:
        problems.append(f"{label}: unknown field(s) {sorted(unknown)}")
    if category is None:
        try:
            category = Category.parse(str(data.get("category", ""))).value
        except ValueError as exc:
            problems.append(f"{label}: field 'category': {exc}")
            return None
    elif "category" in data and data["category"] != category:
        problems.append(f"{label}: field 'category': {data['category']!r} differs from the file's {category!r}")
    sev_value = data.get("severity", default_severity or DEFAULT_SEVERITY[category])
    try:  # `info`: a style note, reported on request and never counted as a flag
        severity = Severity.parse(str(sev_value))
    except ValueError as exc:
        problems.append(f"{label}: field 'severity': {exc}")
        severity = Severity.MEDIUM
    detector = data.get("detector")
    patterns = _parse_patterns(data.get("patterns"), f"{label}: field 'patterns'", problems,
                               required=detector is None)
    explanation = data.get("explanation")
    if not isinstance(explanation, str) or len(explanation.strip()) < 20:
        problems.append(f"{label}: field 'explanation': missing or too short to act on")
    if "suggestion" not in data:
        problems.append(f"{label}: field 'suggestion': missing (write null if nothing fits)")
    suggestion = data.get("suggestion")
    if suggestion is not None and not isinstance(suggestion, str):
        problems.append(f"{label}: field 'suggestion': must be text or null")
    references = _string_list(data.get("references"), f"{label}: field 'references'", problems, required=True)
    requires = _string_list(data.get("requires"), f"{label}: field 'requires'", problems, required=False)
    requires_also = _string_list(data.get("requires_also"), f"{label}: field 'requires_also'", problems, required=False)
    _check_refs(f"{label}: field 'requires_also'", requires_also, sets, problems)
    unless = _string_list(data.get("unless"), f"{label}: field 'unless'", problems, required=False)
    _check_refs(f"{label}: field 'requires'", requires, sets, problems)
    _check_refs(f"{label}: field 'unless'", unless, sets, problems)
    flags = {}
    for key in ("own", "quiets"):
        if key in data:
            if detector != "classifier" or not isinstance(data[key], bool):
                problems.append(f"{label}: field {key!r}: true or false, on classifier entries only")
            flags[key] = bool(data[key])
    if "model_may_quiet" in data:
        if detector is not None or not isinstance(data["model_may_quiet"], bool):
            problems.append(f"{label}: field 'model_may_quiet': true or false, on lexicon entries only")
        flags["model_may_quiet"] = bool(data["model_may_quiet"])
    if len(problems) > before:
        return None
    return LexiconEntry(
        id=eid, category=Category(category), severity=severity, patterns=patterns,
        explanation=" ".join(explanation.split()),
        suggestion=" ".join(suggestion.split()) if suggestion else None,
        references=references, requires=requires, requires_also=requires_also, unless=unless,
        detector=str(detector) if detector else None, source=fname, **flags,
    )


def _parse_patterns(value, where: str, problems: list[str], *, required: bool):
    if value is None or value == []:
        if required:
            problems.append(f"{where}: at least one pattern is required")
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}: must be a list")
        return ()
    out = []
    for i, p in enumerate(value, 1):
        if isinstance(p, (int, float)) and not isinstance(p, bool):
            p = str(p)
        if isinstance(p, str):
            if not p.strip():
                problems.append(f"{where} #{i}: empty phrase")
            else:
                out.append(PhrasePattern(p.strip()))
        elif isinstance(p, dict) and "phrase" in p:
            match = p.get("match", "lemma")
            if match not in ("lemma", "lower") or not isinstance(p["phrase"], str):
                problems.append(f"{where} #{i}: phrase needs text and match 'lemma' or 'lower'")
            else:
                out.append(PhrasePattern(p["phrase"].strip(), match))
        elif isinstance(p, dict) and "tokens" in p:
            tokens = p["tokens"]
            if not isinstance(tokens, list) or not tokens or not all(isinstance(t, dict) for t in tokens):
                problems.append(f"{where} #{i}: 'tokens' must be a non-empty list of token specs")
                continue
            bad = sorted({k for t in tokens for k in t} - _TOKEN_KEYS)
            if bad:
                problems.append(f"{where} #{i}: unknown token attribute(s) {bad}")
                continue
            if all(t.get("OP") in ("?", "*") for t in tokens):
                problems.append(f"{where} #{i}: every token is optional; the pattern could match nothing")
                continue
            out.append(TokenPattern(tuple(tokens)))
        else:
            problems.append(f"{where} #{i}: must be a phrase, {{phrase: …, match: …}} or {{tokens: […]}}")
    return tuple(out)


def _build_rule(fname, data, sets, problems) -> ContextRule | None:
    rid = data.get("id") if isinstance(data, dict) else None
    label = f"{fname}: rule {rid!r}"
    if not isinstance(data, dict) or not isinstance(rid, str):
        problems.append(f"{fname}: every rule needs an 'id'")
        return None
    before = len(problems)
    quoted = bool(data.get("quoted", False))
    when = _string_list(data.get("when"), f"{label}: field 'when'", problems, required=not quoted)
    _check_refs(f"{label}: field 'when'", when, sets, problems)
    cats = []
    for c in data.get("categories") or []:
        try:
            cats.append(Category.parse(str(c)))
        except ValueError as exc:
            problems.append(f"{label}: field 'categories': {exc}")
    if not cats:
        problems.append(f"{label}: field 'categories': at least one category")
    effect = data.get("effect")
    if effect not in _EFFECTS:
        problems.append(f"{label}: field 'effect': must be one of {sorted(_EFFECTS)}")
    scope = data.get("scope", "sentence")
    if scope not in _SCOPES:
        problems.append(f"{label}: field 'scope': must be one of {sorted(_SCOPES)}")
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{label}: field 'reason': missing")
    if len(problems) > before:
        return None
    return ContextRule(rid, when, tuple(cats), effect, reason.strip(), scope, quoted)


def _check_token_patterns(lexicon: Lexicon, problems: list[str]) -> None:
    """Let spaCy's own validator check token patterns, then check that the engine's token
    matcher reads them (detect/token_patterns.py), naming the entry on failure."""
    import spacy
    from spacy.matcher import Matcher

    from bias_review.detect.token_patterns import UnsupportedPattern, compile_pattern

    vocab = spacy.blank("en").vocab
    matcher = Matcher(vocab, validate=True)
    for entry in lexicon.entries.values():
        for i, p in enumerate(entry.patterns, 1):
            if isinstance(p, TokenPattern):
                where = f"{entry.source}: entry {entry.id!r}: field 'patterns' #{i}"
                try:
                    matcher.add(f"{entry.id}#{i}", [list(p.tokens)])
                except Exception as exc:  # spaCy raises ValueError/MatchPatternError
                    msg = " ".join(str(exc).split())[:300]
                    problems.append(f"{where}: {msg}")
                    continue
                try:
                    compile_pattern(p.tokens)
                except UnsupportedPattern as exc:
                    problems.append(f"{where}: {exc}")
