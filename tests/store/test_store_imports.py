"""The store stands apart from the engine: importing and using it loads no spaCy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_store_never_imports_spacy_detect_or_the_engine(tmp_path: Path):
    code = (
        "import sys\n"
        "from bias_review.store import open_store, queue, export_decisions\n"
        "from bias_review.store.training import training_verdicts\n"
        "import bias_review.cli_store\n"
        f"s = open_store('sqlite:///{tmp_path}/s.sqlite', data={str(tmp_path)!r})\n"
        "queue(s); export_decisions(s); training_verdicts(s.url)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'spacy'"
        " or m.startswith(('bias_review.detect', 'bias_review.engine', 'bias_review.nlp'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_migrations_are_package_data():
    from importlib.resources import files

    migrations = files("bias_review.store") / "migrations"
    names = {p.name for p in (migrations / "versions").iterdir()}
    assert {"0001_core_tables.py", "0002_model_versions.py"} <= names
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
