"""Command line for the review app: `bias-review serve` starts it with Streamlit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

import typer

app_cli = typer.Typer(no_args_is_help=True)  # added to the main app without a name


@app_cli.command()
def serve(
    port: int = typer.Option(8501, help="Port to listen on."),
    address: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface; "
                                "configure login first, see docs/app.md)."),
    db: Optional[str] = typer.Option(None, "--db", help="Database URL (default: $BIAS_REVIEW_DB, else SQLite "
                                     "in the data folder)."),
    data: Optional[Path] = typer.Option(None, "--data", help="Data folder for uploads (default: "
                                        "$BIAS_REVIEW_DATA, else ./bias-review-data)."),
) -> None:
    """Start the review app (upload, review, lexicons, models) in Streamlit."""
    env = dict(os.environ)
    if db:
        env["BIAS_REVIEW_DB"] = db
    if data:
        env["BIAS_REVIEW_DATA"] = str(data.absolute())
    typer.echo(f"bias-review: serving on http://{address}:{port} (Ctrl+C to stop)", err=True)
    from bias_review.webapp.server import serve_command  # only here: other commands start faster

    try:
        code = subprocess.call(serve_command(port, address), env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
