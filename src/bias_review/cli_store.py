"""Command line for the review store: `bias-review annotations export`, `bias-review db upgrade` and
`bias-review report` (the archive report)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

store_app = typer.Typer(no_args_is_help=True)  # added to the main app without a name
annotations_app = typer.Typer(no_args_is_help=True, help="Reviewers' decisions in the review store.")
db_app = typer.Typer(no_args_is_help=True, help="The review store's database.")
store_app.add_typer(annotations_app, name="annotations")
store_app.add_typer(db_app, name="db")

DB_HELP = "Database URL (default: $BIAS_REVIEW_DB, else SQLite in $BIAS_REVIEW_DATA or ./bias-review-data)."


@contextmanager
def _library_errors() -> Iterator[None]:
    """Library and database errors become one line on stderr and exit status 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from bias_review.store.db import StoreError, describe_error

    try:
        yield
    except (StoreError, OSError) as exc:
        typer.echo(f"bias-review: {exc}", err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:
        typer.echo(f"bias-review: {describe_error(exc)}", err=True)
        raise typer.Exit(2) from None


def _with_store(db: Optional[str], work: Callable) -> None:
    from bias_review.store import open_store

    with _library_errors(), open_store(db) as store:
        work(store)


@annotations_app.command("export")
def export(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    verdicts: bool = typer.Option(False, "--verdicts", help="Only the latest verdict on each flag "
                                  "(accepted, dismissed, recategorised), as training reads them."),
) -> None:
    """Export reviewers' decisions, one a row, oldest first (the shape `train --with-annotations` reads)."""
    from bias_review.store.export import decision_rows, format_rows, verdict_rows

    def work(store) -> None:
        rows = verdict_rows(store) if verdicts else decision_rows(store)
        text = format_rows(rows, fmt)
        if out is None:
            typer.echo(text, nl=False)
            return
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}: {len(rows)} decision(s)", err=True)

    _with_store(db, work)


@store_app.command("report")
def report(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    fmt: str = typer.Option("html", "--format", "-f", help="html, json or csv."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    per_course: Optional[Path] = typer.Option(None, "--per-course", help="Also write one CSV and one DOCX "
                                              "report per course into this folder."),
) -> None:
    """The archive report from the review store.

    Flags per category, course and year, top lexicon entries, the share of documents with a
    high flag, decisions so far, and every flagged passage."""
    from bias_review.batch.archive import load_archive
    from bias_review.batch.archive_report import FORMATS, render_archive, write_per_course

    if fmt not in FORMATS:
        typer.echo(f"bias-review: --format must be one of {', '.join(FORMATS)}, not {fmt!r}", err=True)
        raise typer.Exit(2)

    def work(store) -> None:
        archive = load_archive(store)
        text = render_archive(archive, fmt)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {out}: {len(archive.documents)} document(s)", err=True)
        if per_course is not None:
            files = write_per_course(archive, per_course)
            typer.echo(f"wrote {len(files)} file(s) to {per_course}", err=True)

    _with_store(db, work)


@db_app.command("upgrade")
def upgrade(db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create the review store or migrate it to the newest schema revision."""
    from bias_review.store.migrate import head_revision

    def work(store) -> None:  # open_store has migrated it
        typer.echo(f"database at revision {head_revision()} (newest): {store.engine.url.render_as_string()}")

    _with_store(db, work)
