"""Start-up without the garbage collector in the way.

Importing spaCy and building an engine make several hundred thousand objects that live as long
as the process, and hardly any garbage. Meanwhile Python's cyclic collector runs dozens of
times and walks them all again: 0.15-0.2 s of a one-page scan's 1.1-1.3 s on a 2-core
machine. `collector_paused` keeps it off while an engine is built; with `freeze`, what exists
then moves to the collector's permanent generation, so later collections (over hours of
scanning) do not walk the engine either. Reference counting frees objects as usual
throughout; only cycles made during the pause wait for the collector to come back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """The cyclic collector off for the block (when it was on), back on after it; `freeze`:
    first move every object alive then to the permanent generation (for a process that
    builds one engine and keeps it: a scan, a batch worker)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()
