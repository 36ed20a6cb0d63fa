"""Starting the app as its own `streamlit run` process: the command line, a free port, and
waiting until it answers (for `bias-review serve`, the browser test and the benchmark)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import IO, Optional

# The settings of the repository's .streamlit/config.toml, given on the command line so they
# hold whatever folder the app is started from.
STREAMLIT_SETTINGS = {"server.headless": "true", "server.maxUploadSize": "100",
                      "browser.gatherUsageStats": "false", "client.toolbarMode": "viewer"}


def app_script() -> Path:
    """The installed package's Streamlit entry (the repository's app.py runs the same main)."""
    return Path(str(files("bias_review.webapp") / "streamlit_app.py"))


def serve_command(port: int, address: str, script: Optional[Path] = None) -> list[str]:
    """The `streamlit run` command line for the app."""
    settings = {**STREAMLIT_SETTINGS, "server.port": str(port), "server.address": address}
    flags = [item for key, value in settings.items() for item in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(script or app_script()), *flags]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 90) -> float:
    """Poll Streamlit's health endpoint until it answers; returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as res:
                if res.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@contextmanager
def running_app(env: Mapping[str, str], *, script: Optional[Path] = None, cwd: Optional[Path] = None,
                log: Optional[IO[bytes]] = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app served on a free local port with `env`; yields (its URL, the process) once it
    answers, and stops it afterwards."""
    port = free_port()
    server = subprocess.Popen(serve_command(port, "127.0.0.1", script), cwd=cwd, env=dict(env),
                              stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
