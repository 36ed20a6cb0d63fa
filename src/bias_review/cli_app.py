"""Command line for the review app: `bias-review serve` starts it with Streamlit."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Optional

import typer

app_cli = typer.Typer(no_args_is_help=True)  # added to the main app without a name

# The settings of the repository's .streamlit/config.toml, given on the command line so they
# hold whatever folder the app is started from.
STREAMLIT_SETTINGS = {"server.headless": "true", "server.maxUploadSize": "100",
                      "browser.gatherUsageStats": "false", "client.toolbarMode": "viewer"}


def app_script() -> Path:
    """The installed package's Streamlit entry (the repository's app.py runs the same main)."""
    return Path(str(files("bias_review.webapp") / "streamlit_app.py"))


def serve_command(port: int, address: str) -> list[str]:
    """The `streamlit run` command line for the app."""
    settings = {**STREAMLIT_SETTINGS, "server.port": str(port), "server.address": address}
    flags = [item for key, value in settings.items() for item in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(app_script()), *flags]


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
    try:
        code = subprocess.call(serve_command(port, address), env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
