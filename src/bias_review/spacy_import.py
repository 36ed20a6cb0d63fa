"""Import spaCy without its command-line package.

`import spacy` runs `from .cli.info import info`, which imports all of spaCy's CLI (typer
commands, weasel, requests, httpx): about a third of spaCy's import time, for a function
bias-review never calls. While spaCy's own `__init__` runs, `spacy.cli.info` is a small
stand-in whose `info` imports the real one when called; afterwards the stand-in is gone, so
`import spacy.cli` (or `python -m spacy`) later in the process gets the real package.
Installed once by `bias_review/__init__`; a no-op when spaCy is already imported.
"""

from __future__ import annotations

import importlib.util
import sys
import types

_CLI_INFO = "spacy.cli.info"


def _info(*args, **kwargs):
    """spaCy's `spacy.info`, imported on first use."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


class _Loader:
    """spaCy's own loader, with the stand-in in place while the package body runs."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        stand_in = types.ModuleType(_CLI_INFO)
        stand_in.info = _info
        sys.modules.setdefault(_CLI_INFO, stand_in)
        try:
            self.inner.exec_module(module)
        finally:
            if sys.modules.get(_CLI_INFO) is stand_in:
                del sys.modules[_CLI_INFO]

    def __getattr__(self, name):  # resource readers and the like: spaCy's loader answers
        return getattr(self.inner, name)


class _Finder:
    def find_spec(self, name, path=None, target=None):
        if name != "spacy":
            return None
        uninstall()
        spec = importlib.util.find_spec("spacy")
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


_FINDER = _Finder()


def install() -> None:
    """Make the next `import spacy` skip spaCy's CLI (nothing if spaCy is imported)."""
    if "spacy" not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
