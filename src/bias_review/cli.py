"""Command line: a thin layer over the library. Errors become one line and an exit code."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Optional, TextIO

import click
import typer

from bias_review.findings import Severity

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Find race-based medicine in course materials (PDF, DOCX, PPTX, HTML, text, Markdown).")
lexicon_app = typer.Typer(no_args_is_help=True, help="Check and list the lexicons.")
app.add_typer(lexicon_app, name="lexicon")
from bias_review.cli_store import store_app; app.add_typer(store_app)  # noqa: E402,E702 annotations, db
from bias_review.cli_app import app_cli; app.add_typer(app_cli)  # noqa: E402,E702 serve

EXIT_OK, EXIT_FAIL_ON, EXIT_NOTHING, EXIT_INTERNAL = 0, 1, 2, 3
# the default per-file time budget of `scan` (seconds); kept here so --help needs no engine import
DEFAULT_TIMEOUT = 120.0


def _die(message: str, code: int = EXIT_NOTHING) -> None:
    typer.echo(f"bias-review: {message}", err=True)
    raise typer.Exit(code)


def _severity(value: str, option: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError as exc:
        _die(f"{option}: {exc}")
        raise  # unreachable


@app.command()
def scan(
    paths: list[Path] = typer.Argument(..., help="Files or directories to scan."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json, jsonl, csv or html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report here instead of stdout."),
    min_severity: str = typer.Option("low", help="Report findings at or above: info, low, medium, high."),
    fail_on: Optional[str] = typer.Option(None, help="Exit 1 if a finding at or above this severity exists."),
    lexicons: list[Path] = typer.Option([], "--lexicons", help="A directory of your own lexicon files (added to the bundled ones; repeatable)."),
    replace_lexicons: bool = typer.Option(False, help="Use only --lexicons directories, not the bundled lexicons."),
    exclude: list[str] = typer.Option([], "--exclude", help="Skip files matching this glob (repeatable)."),
    no_classifier: bool = typer.Option(False, "--no-classifier", help="Lexicons and rules only."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not read PDF pages that have no text layer by OCR "
                                "(Tesseract, when installed)."),
    model: Optional[Path] = typer.Option(None, help="A model directory (default: the bundled model; with --db the "
                                         "store's active model)."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Give up on a file after this many seconds (0: no limit)."),
    trace: bool = typer.Option(False, help="Show every detector's and context rule's reason."),
    db: Optional[str] = typer.Option(None, "--db", help="Also store the files and their findings in this review "
                                     "store (a database URL; 'default' for $BIAS_REVIEW_DB or the data folder); "
                                     "a rerun skips the files it already holds unchanged."),
    course: Optional[str] = typer.Option(None, help="With --db: the course every file belongs to (default: from "
                                         "each file's path)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Scan in this many worker processes "
                                          "(default with --db or --executor dask: one per core)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="With --db: rescan unchanged files whose last "
                                      "scan failed."),
    courses: Optional[Path] = typer.Option(None, "--courses", help="With --db: a TOML file of rules giving course, "
                                           "year and lecturer from a file's path (see docs/batch.md)."),
    executor: str = typer.Option("local", help="With workers: local (processes on this machine) or dask."),
    scheduler: Optional[str] = typer.Option(None, help="With --executor dask: the scheduler address "
                                            "(tcp://HOST:8786; default: a cluster on this machine)."),
) -> None:
    """Scan files and directories and report every flagged passage.

    With --db or --workers, a batch scan: worker processes, resumable and incremental against
    the review store."""
    from bias_review.report import FORMATS

    if fmt not in FORMATS:
        _die(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    floor = _severity(min_severity, "--min-severity")
    fail_floor = _severity(fail_on, "--fail-on") if fail_on else None
    if replace_lexicons and not lexicons:
        _die("--replace-lexicons needs at least one --lexicons DIR")
    if timeout < 0:
        _die("--timeout must be 0 (no limit) or a number of seconds")
    _check_batch_options(db=db, course=course, courses=courses, retry_failed=retry_failed, executor=executor,
                         scheduler=scheduler)
    missing = [str(p) for p in paths if not p.exists()]
    for m in missing:
        typer.echo(f"bias-review: {m}: no such file or directory", err=True)
    existing = [p for p in paths if p.exists()]
    color = out is None and fmt == "text" and sys.stdout.isatty()
    options = dict(fmt=fmt, out=out, floor=floor, trace=trace, color=color)
    if db is not None or workers is not None or executor != "local":  # a batch scan
        from bias_review.batch import BatchOptions, CourseRules, EngineSpec, default_workers

        spec = EngineSpec(tuple(str(d.resolve()) for d in lexicons), replace_lexicons, not no_classifier,
                          str(model.resolve()) if model else None, ocr=not no_ocr)
        rules = _course_rules(courses, course)
        run = BatchOptions(workers=workers or default_workers(), timeout=timeout or None, retry_failed=retry_failed,
                           executor=executor, scheduler=scheduler, courses=rules or CourseRules(), min_severity=floor)
        tally, notes = _scan_batch(existing, exclude, spec, db, run, **options)
    else:
        tally, notes = _scan_files(existing, exclude, lexicons=lexicons, replace_lexicons=replace_lexicons,
                                   no_classifier=no_classifier, no_ocr=no_ocr, model=model, timeout=timeout or None,
                                   **options)
    if out is not None:
        s = tally.summary()
        typer.echo(f"wrote {out}: {s['documents']} document(s), {s['findings']} finding(s), {s['failed']} failed", err=True)
    for note in notes:
        typer.echo(f"bias-review: {note}", err=True)
    if tally.documents and tally.failed == tally.documents:
        raise typer.Exit(EXIT_NOTHING)
    if fail_floor is not None and tally.top is not None and tally.top.at_least(fail_floor):
        raise typer.Exit(EXIT_FAIL_ON)


def _check_batch_options(*, db: Optional[str], course: Optional[str], courses: Optional[Path],
                         retry_failed: bool, executor: str, scheduler: Optional[str]) -> None:
    if course and not db:
        _die("--course goes with --db")
    if (courses or retry_failed) and not db:
        _die("--courses and --retry-failed go with --db")
    if course and courses:
        _die("--course and --courses: give one or the other")
    if executor not in ("local", "dask"):
        _die(f"--executor must be local or dask, not {executor!r}")
    if scheduler and executor != "dask":
        _die("--scheduler goes with --executor dask")


def _scan_files(paths: list[Path], exclude: list[str], *, lexicons: list[Path], replace_lexicons: bool,
                no_classifier: bool, no_ocr: bool, model: Optional[Path], timeout: Optional[float], fmt: str, out: Optional[Path],
                floor: Severity, trace: bool, color: bool):
    """The single-process scan: one file after another, with a progress bar. Returns the
    counts and the errors to print."""
    from bias_review.classifier.bundle import ModelError
    from bias_review.lexicon import LexiconError
    from bias_review.paths import expand_paths
    from bias_review.progress import scan_progress
    from bias_review.report.stream import ReportStream

    files = expand_paths(paths, exclude=exclude)
    if not files:
        _die("nothing to scan (no supported files found)")
    from bias_review.parse.ahead import ParseAhead
    from bias_review.processes import sigterm_interrupts
    from bias_review.startup import collector_paused

    # helpers reading PDF, Word and PowerPoint files ahead, started before spaCy is imported
    with _report_sink(out, stream=fmt == "jsonl") as sink, sigterm_interrupts(), \
            ParseAhead.start(files, ocr=not no_ocr, timeout=timeout) or nullcontext() as ahead:
        try:
            with collector_paused(freeze=True):
                from bias_review.engine import Engine  # spaCy: imported while the helpers parse

                engine = Engine(lexicon_dirs=lexicons, replace_lexicons=replace_lexicons,
                                detectors=_detector_names(no_classifier), model_path=model, ocr=not no_ocr)
        except (LexiconError, ModelError) as exc:
            _die(str(exc))
        stream = ReportStream(fmt, sink, min_severity=floor, with_trace=trace, color=color, in_order=True)
        stream.start(engine.result_of([]).tool())
        errors = []
        with scan_progress(len(files), min_severity=floor) as progress:
            for doc in engine.scan_iter(files, timeout=timeout, ahead=ahead):
                progress.update(doc)
                stream.add(doc)
                if doc.error and fmt != "text":
                    errors.append(f"{doc.path}: {doc.error}")
        stream.finish()
    return stream.tally, errors


def _scan_batch(paths: list[Path], exclude: list[str], spec, db: Optional[str], run, *, fmt: str,
                out: Optional[Path], floor: Severity, trace: bool, color: bool):
    """The batch scan (bias_review.batch): worker processes, and the review store when --db is
    given. Returns the counts and the notes to print."""
    from dataclasses import replace

    from bias_review.batch import BatchError, CourseConfigError, open_archive, run_batch
    from bias_review.classifier.bundle import ModelError
    from bias_review.lexicon import LexiconError
    from bias_review.report.stream import ReportStream

    store, store_errors = None, ()  # the store (SQLAlchemy) is imported only with --db
    if db:
        from sqlalchemy.exc import SQLAlchemyError

        from bias_review.store import active_model
        from bias_review.store.db import describe_error

        store, store_errors = _open_store(db), (SQLAlchemyError,)
        if spec.classifier and spec.model_path is None and (active := active_model(store)):
            spec = replace(spec, model_path=active.path)
    with open_archive(paths, exclude=exclude) as files:
        if not files:
            _die("nothing to scan (no supported files found)")
        with _report_sink(out, stream=fmt == "jsonl") as sink:
            # written in the files' order as they finish; a file waits only for those before it
            stream = ReportStream(fmt, sink, min_severity=floor, with_trace=trace, color=color,
                                  order=[f.display for f in files])
            try:
                summary = run_batch(files, spec, store=store, options=run, on_start=stream.start, on_result=stream.add,
                                    on_skip=stream.skip)
            except (LexiconError, ModelError, CourseConfigError, BatchError) as exc:
                _die(str(exc))
            except store_errors as exc:  # the store went away mid-batch: what was recorded stays
                _die(f"--db: {describe_error(exc)}")
            stream.finish()
    typer.echo(summary.line(), err=True)
    notes = [f"{p}: failed before, skipped (use --retry-failed)" for p in summary.failed_before]
    notes += [f"{p}: not recorded in the store ({why})" for p, why in summary.not_recorded]
    return summary.scanned, notes


def _course_rules(path: Optional[Path], course: Optional[str]):
    """The --courses rules or the one --course; None for the defaults."""
    from bias_review.batch import CourseConfigError, CourseRules

    if course:
        return CourseRules(course=course)
    try:
        return CourseRules.load(path) if path else None
    except CourseConfigError as exc:
        _die(f"--courses: {exc}")


class _Stdout(io.TextIOBase):
    """Standard output, for a report written while a progress bar may be drawn. The bar
    replaces `sys.stdout` with a stand-in that prints each line above it, on the bar's own
    terminal: the report goes through it only when standard output is that terminal too,
    never when it is a file or a pipe."""

    def writable(self) -> bool:
        return True

    @staticmethod
    def _real() -> TextIO:
        return getattr(sys.stdout, "rich_proxied_file", sys.stdout)

    def _target(self) -> TextIO:
        return sys.stdout if self.isatty() else self._real()

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return self._real().isatty()


@contextmanager
def _report_sink(out: Optional[Path], *, stream: bool) -> Iterator[TextIO]:
    """Where the report goes. A file is checked before the scan starts (a scan is never lost to
    an unwritable --out); a streamed report is written in place, any other one to a temporary
    file beside it that replaces --out only once the report is complete."""
    if out is None:
        yield _Stdout()
        return
    try:
        if stream:
            fh = open(out, "w", encoding="utf-8")
            tmp = None
        else:
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent if str(out.parent) else ".")
            fh = os.fdopen(fd, "w", encoding="utf-8")
    except OSError as exc:
        _die(f"--out {out}: cannot write there ({exc.strerror or exc})")
    ok = False
    try:
        with fh:
            yield fh
        if tmp is not None:
            os.replace(tmp, out)
        ok = True
    finally:
        if tmp is not None and not ok and os.path.exists(tmp):
            os.unlink(tmp)


def _open_store(db: str):
    """The review store at --db ('default': $BIAS_REVIEW_DB or the data folder); one clear line
    and exit 2 when it cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    from bias_review.store import StoreError, open_store
    from bias_review.store.db import describe_error

    try:
        return open_store(None if db == "default" else db)
    except (StoreError, OSError) as exc:
        _die(f"--db: {exc}")
    except SQLAlchemyError as exc:
        _die(f"--db: {describe_error(exc)}")


def _detector_names(no_classifier: bool) -> tuple[str, ...]:
    from bias_review.detect.registry import DEFAULT_DETECTORS

    return tuple(d for d in DEFAULT_DETECTORS if not (no_classifier and d == "classifier"))


@app.command()
def train(
    training_dir: Optional[Path] = typer.Option(None, help="Labelled JSONL files (default: the bundled models/training)."),
    out: Optional[Path] = typer.Option(None, help="Where to write the model (default: the bundled models/ without "
                                       "annotations; ./bias-review-model-<version> with them)."),
    with_annotations: Optional[str] = typer.Option(None, help="Reviewers' decisions: a JSONL export or a database URL."),
    family: Optional[str] = typer.Option(None, help="Train only this model family (default: compare all, keep the best)."),
    folds: int = typer.Option(5, help="Cross-validation folds."),
) -> None:
    """Train the sentence classifier reproducibly and print cross-validated metrics."""
    from bias_review.classifier.bundle import bundled_model_dir
    from bias_review.classifier.workflow import build_model, save_model

    src = training_dir or bundled_model_dir() / "training"
    try:
        trained, version = build_model(src, annotations=with_annotations, family=family, folds=folds,
                                       log=lambda m: typer.echo(m, err=True))
    except (ValueError, OSError) as exc:
        _die(str(exc))
    target = out or (Path(f"bias-review-model-{version}") if with_annotations else bundled_model_dir())
    path = save_model(trained, target, version)
    typer.echo(f"saved model {version} to {path}")


@app.command()
def evaluate(
    file: Path = typer.Argument(..., help="Labelled JSONL (one object per line with `text` and `label`), or a folder of them."),
    split: Optional[str] = typer.Option(None, help="With a folder holding split.json (models/real): training or evaluation."),
    model: Optional[Path] = typer.Option(None, help="A model directory (default: the bundled model)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    errors: bool = typer.Option(False, help="List the combined engine's mistakes."),
) -> None:
    """Precision, recall and F1 of the detectors on labelled sentences.

    Per category and for flag-vs-none: lexicons alone, classifier alone and combined."""
    import json as _json

    from bias_review.classifier.bundle import ModelError
    from bias_review.evaluate import format_report, load_examples
    from bias_review.evaluation_modes import evaluate_modes

    try:
        examples = load_examples(file, split=split)
        reports = evaluate_modes(examples, model_dir=model)
    except (ValueError, OSError, ModelError) as exc:
        _die(str(exc))
    if as_json:
        typer.echo(_json.dumps({k: v.as_dict() for k, v in reports.items()}, indent=2))
    else:
        typer.echo("\n\n".join(format_report(k, v) for k, v in reports.items()))
    if errors and "combined" in reports:
        for e in reports["combined"].errors:
            typer.echo(f"gold {e['gold']:22} pred {e['pred']:22} {e['text']}")


@lexicon_app.command("check")
def lexicon_check(
    lexicons: list[Path] = typer.Option([], "--lexicons", help="Also check this directory (repeatable)."),
    replace_lexicons: bool = typer.Option(False, help="Check only the --lexicons directories."),
) -> None:
    """Validate lexicon files; every problem is named with file, entry and field."""
    from bias_review.lexicon import LexiconError, load_lexicon

    try:
        lx = load_lexicon(lexicons, include_bundled=not replace_lexicons)
    except LexiconError as exc:
        _die(str(exc), code=1)
    counts = {c.value: len(v) for c, v in lx.by_category().items()}
    typer.echo(f"ok: {len(lx.entries)} entries in {len(lx.sources)} file(s), version {lx.version}")
    for cat, n in counts.items():
        typer.echo(f"  {cat}: {n}")


@lexicon_app.command("list")
def lexicon_list(
    category: Optional[str] = typer.Option(None, help="Only this category."),
) -> None:
    """List every entry: id, category, severity and its first patterns."""
    from bias_review.findings import Category
    from bias_review.lexicon import PhrasePattern, load_lexicon

    if category is not None:
        try:
            Category.parse(category)
        except ValueError as exc:
            _die(f"--category: {exc}")
    lx = load_lexicon()
    for e in sorted(lx.entries.values(), key=lambda e: (e.category.value, e.id)):
        if category and e.category.value != category:
            continue
        pats = [p.text if isinstance(p, PhrasePattern) else "<tokens>" for p in e.patterns[:3]]
        typer.echo(f"{e.id}\t{e.category.value}\t{e.severity.value}\t{'; '.join(pats)}")


# Click's exceptions, and those of the Click that newer Typer versions carry inside (typer._click,
# whose usage errors derive from typer.exceptions.TyperException, not from click's)
_TYPER_ERRORS = getattr(typer, "exceptions", None)
_EXITS = (click.exceptions.Exit, typer.Exit)
_ABORTS = (click.exceptions.Abort, getattr(typer, "Abort", click.exceptions.Abort))
_USAGE_ERRORS = (click.ClickException, getattr(_TYPER_ERRORS, "TyperException", click.ClickException))


def main() -> None:
    """Entry point of the `bias-review` console script. No traceback reaches the user: an
    unexpected error is one line and exit status 3 (set BIAS_REVIEW_DEBUG=1 to see it in full).

    Without standalone mode, newer Typer versions return an `Exit`'s code (and turn Ctrl-C
    into code 130) instead of raising; older ones raise. Both become the process's status."""
    try:
        code = app(standalone_mode=False, prog_name="bias-review")
    except KeyboardInterrupt:
        typer.echo("bias-review: interrupted", err=True)
        sys.exit(130)
    except _EXITS as exc:
        sys.exit(exc.exit_code)
    except _USAGE_ERRORS as exc:  # an unknown command or option, a bad value: usage, status 2
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.echo(f"bias-review: {exc}", err=True)
        sys.exit(EXIT_NOTHING)
    except _ABORTS:
        typer.echo("bias-review: aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the CLI boundary
        if os.environ.get("BIAS_REVIEW_DEBUG"):
            raise
        typer.echo(f"bias-review: internal error: {type(exc).__name__}: {exc} "
                   "(set BIAS_REVIEW_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(EXIT_INTERNAL)
    if isinstance(code, int) and not isinstance(code, bool) and code:
        if code == 130:
            typer.echo("bias-review: interrupted", err=True)
        sys.exit(code)


def run() -> None:
    """The `bias-review` console script: `main()`, then out of the process without tearing the
    interpreter down. By then every report, model and store is written and closed, and the exit
    handlers are run here; what is skipped is freeing the engine's objects one by one before the
    memory goes back anyway: about 0.15 s of a one-page scan's 1.0 s. `main()` itself still
    ends with SystemExit, for callers inside a process of their own (tests)."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`), or a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
