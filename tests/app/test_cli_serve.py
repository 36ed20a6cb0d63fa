"""`bias-review serve` runs the installed package's Streamlit entry with the app's settings."""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from bias_review.cli import app
from bias_review.webapp.server import app_script, serve_command


def test_serve_has_help():
    res = CliRunner().invoke(app, ["serve", "--help"])
    assert res.exit_code == 0 and "--port" in res.stdout and "--db" in res.stdout


def test_serve_command_line():
    cmd = serve_command(8600, "127.0.0.1")
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"] and cmd[4] == str(app_script())
    assert app_script().is_file() and app_script().name == "streamlit_app.py"
    flags = dict(zip(cmd[5::2], cmd[6::2]))
    assert flags["--server.port"] == "8600" and flags["--server.maxUploadSize"] == "100"
    assert flags["--server.headless"] == "true" and flags["--browser.gatherUsageStats"] == "false"


def test_serve_passes_the_database_to_streamlit(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr("bias_review.cli_app.subprocess.call", lambda cmd, env: calls.append((cmd, env)) or 0)
    res = CliRunner().invoke(app, ["serve", "--port", "8601", "--db", "sqlite:///x.sqlite", "--data", str(tmp_path)])
    assert res.exit_code == 0
    cmd, env = calls[0]
    assert env["BIAS_REVIEW_DB"] == "sqlite:///x.sqlite" and env["BIAS_REVIEW_DATA"] == str(tmp_path)
    assert "8601" in cmd


def test_repository_config_matches_serve():
    import tomllib
    from pathlib import Path

    from bias_review.webapp.server import STREAMLIT_SETTINGS

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    flat = {f"{section}.{key}": value for section, values in config.items() if isinstance(values, dict)
            for key, value in values.items()}
    for key, value in STREAMLIT_SETTINGS.items():
        assert str(flat[key]).lower() == value, key
