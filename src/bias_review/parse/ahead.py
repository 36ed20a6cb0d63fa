"""Parsing ahead in helper processes, for a scan in one process.

Reading a PDF, Word or PowerPoint file is most of the time a scan of such files takes, and it
needs no engine. So before the engine is built (importing spaCy, compiling the lexicons), a
scan of several such files forks a few helper processes; they parse the files while the engine
is built and while it analyses what they parsed before. The scan takes the documents in the
files' order, so its report is the one a scan without helpers writes.

Helper k parses files k, k + n, k + 2n, ... of those it is given (n helpers), keeping at most
`AHEAD` parsed documents (and `AHEAD_BYTES` of them) waiting, so memory stays bounded whatever
the scan's length. Each
file is parsed under the scan's time budget (the same `deadline` a parse in the scan's own
process has); a helper still parsing past the budget and a grace period is killed and the file
reported as timed out, and a helper that dies (pdfium crashing on a hostile file, say) takes
only that file with it: the files it had left are parsed in the scan's own process. Text,
Markdown and HTML files (read as they are analysed) and files over `AHEAD_MAX_BYTES` are
always parsed in the scan's own process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Optional

from bias_review.parse.document import Document, ParseError, ParseTimeout
from bias_review.processes import cores as _cores
from bias_review.processes import become_helper, exit_reason

#: the formats worth parsing ahead: read whole, and slow to read
AHEAD_EXTENSIONS = frozenset({".pdf", ".docx", ".pptx"})
#: larger files are parsed in the scan's own process (a parsed document crosses a pipe)
AHEAD_MAX_BYTES = 64 * 1024 * 1024
#: parsed documents a helper keeps waiting for the scan to take them, and their size at most
#: (pickled; one document is always let through, however large)
AHEAD = 8
AHEAD_BYTES = 64 * 1024 * 1024
#: helpers at most (and never more than the cores this process may use)
MAX_HELPERS = 2
#: how long past a file's time budget a helper may take to report it before it is killed
GRACE_SECONDS = 5.0


class ParseFailed(Exception):
    """A parser raised something other than ParseError in a helper: its type and message."""


@dataclass
class Parsed:
    """A file parsed ahead: its document, or the error its parse ended in, and the seconds the
    parse took (counted against the file's time budget)."""

    document: Optional[Document] = None
    error: Optional[Exception] = None
    seconds: float = 0.0

    def get(self) -> Document:
        """The document, or the parse's error raised."""
        if self.error is not None:
            raise self.error
        assert self.document is not None
        return self.document


@dataclass
class _Helper:
    process: Any
    conn: Connection
    jobs: list[int]  # indices into the files, in the order this helper parses them
    current: Any  # shared with the helper: the index of the file it is parsing (-1: none yet)
    since: Any  # shared with the helper: when it started on it (time.monotonic(), the same clock)
    alive: bool = True

    def parsing(self, index: int) -> bool:
        return self.current.value == index


class ParseAhead:
    """`ParseAhead.start(files, ...)` forks the helpers (or returns None when parsing ahead would
    not help: fewer than two cores, no file worth it, or no `fork` on this system); `take(path)`
    gives the next file's `Parsed`, or None for a file the helpers do not parse. Use it as a
    context manager: the helpers are stopped when the scan ends, however it ends."""

    def __init__(self, helpers: list[_Helper], files: list[Path], timeout: Optional[float]) -> None:
        self._helpers, self._files, self._timeout = helpers, files, timeout
        self._owner: dict[int, _Helper] = {i: h for h in helpers for i in h.jobs}
        self._next = 0  # the next index of `files` the scan will take
        self._deaths: dict[int, str] = {}  # index -> how the helper parsing it died

    @classmethod
    def start(cls, files: Sequence[str | Path], *, ocr: bool, timeout: Optional[float],
              helpers: Optional[int] = None) -> Optional[ParseAhead]:
        """Helpers for `files` (in the order the scan takes them); `helpers`: how many at most
        (default MAX_HELPERS, never more than the cores)."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        paths = [Path(f) for f in files]
        worth = [i for i, p in enumerate(paths) if _worth_parsing_ahead(p)]
        n = min(MAX_HELPERS if helpers is None else helpers, _cores(), len(worth))
        if n < 1 or (helpers is None and _cores() < 2):
            return None
        ctx = multiprocessing.get_context("fork")
        started = []
        for k in range(n):
            jobs = worth[k::n]
            receive, send = ctx.Pipe(duplex=False)
            current, since = ctx.RawValue("q", -1), ctx.RawValue("d", 0.0)
            process = ctx.Process(target=_helper_main, args=(send, paths, jobs, current, since, ocr, timeout,
                                                             os.getpid()),
                                  name="bias-review parser", daemon=True)
            process.start()
            send.close()
            started.append(_Helper(process, receive, jobs, current, since))
        return cls(started, paths, timeout)

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every helper (finished ones exit on their own)."""
        for h in self._helpers:
            self._retire(h)
            h.conn.close()

    def take(self, path: str | Path) -> Optional[Parsed]:
        """The next file's parse, when a helper has it; None when the scan must parse `path`
        itself (not a file for helpers, or its helper is gone). `path` must be the next file."""
        index = self._next
        if index >= len(self._files) or Path(path) != self._files[index]:
            raise ValueError(f"{path} is not the next file of this scan")
        self._next += 1
        if index in self._deaths:  # never parse it here: it may crash this process too
            return self._death(index)
        helper = self._owner.get(index)
        if helper is None or not helper.alive:
            return None
        return self._wait_for(helper, index)

    def _wait_for(self, h: _Helper, index: int) -> Optional[Parsed]:
        while True:
            limit = self._limit(h, index)
            if not h.conn.poll(None if limit is None else max(0.0, limit - time.monotonic())):
                self._retire(h)  # past the budget and the grace: stuck (in pdfium, say)
                return Parsed(error=ParseTimeout(str(self._files[index])), seconds=self._timeout or 0.0)
            try:
                message = h.conn.recv_bytes()
            except (EOFError, OSError):
                h.process.join()
                crashed_on = h.current.value
                self._retire(h)
                if crashed_on >= index:  # it died on that file (maybe before sending this one's)
                    self._deaths[crashed_on] = exit_reason(h.process.exitcode)
                if crashed_on == index:
                    return self._death(index)
                return None  # this file's parse never came: the scan parses it
            at, payload = pickle.loads(message)
            if at != index:  # cannot happen: a helper reports its files in order
                raise RuntimeError(f"parse-ahead helper reported file {at}, expected {index}")
            return _parsed(str(self._files[index]), *payload)

    def _death(self, index: int) -> Parsed:
        reason = f"the parser died while reading this file ({self._deaths[index]})"
        return Parsed(error=ParseError(str(self._files[index]), reason))

    def _limit(self, h: _Helper, index: int) -> Optional[float]:
        """When to give up on `index`: its budget from the moment its helper started on it."""
        if self._timeout is None:
            return None
        begun = h.since.value if h.parsing(index) else time.monotonic()
        return begun + self._timeout + GRACE_SECONDS

    def _retire(self, h: _Helper) -> None:
        """A helper that will parse no more: the files it had left go to the scan itself."""
        h.alive = False
        if h.process.is_alive():
            h.process.kill()
        h.process.join()


def _parsed(path: str, outcome: str, value: Any, seconds: float) -> Optional[Parsed]:
    """A helper's report made a `Parsed` (exceptions cross the pipe as their text)."""
    if outcome == "document":
        return Parsed(document=value, seconds=seconds)
    if outcome == "timeout":
        return Parsed(error=ParseTimeout(path), seconds=seconds)
    if outcome == "error":
        return Parsed(error=ParseError(path, value), seconds=seconds)
    if outcome == "failed":
        return Parsed(error=ParseFailed(value), seconds=seconds)
    return None  # "yours": a document that cannot cross the pipe; the scan parses it itself


def _worth_parsing_ahead(path: Path) -> bool:
    try:
        return path.suffix.lower() in AHEAD_EXTENSIONS and 0 < path.stat().st_size <= AHEAD_MAX_BYTES
    except OSError:
        return False


class _Outbox:
    """A helper's reports waiting to be sent: at most AHEAD of them and AHEAD_BYTES in all (one
    is always let in, however large). `put` waits for room; `get` waits for a report."""

    def __init__(self) -> None:
        self._items: deque[Optional[bytes]] = deque()
        self._bytes = 0
        self._changed = threading.Condition()

    def put(self, message: Optional[bytes]) -> None:
        size = len(message or b"")
        with self._changed:
            while self._items and (len(self._items) >= AHEAD or self._bytes + size > AHEAD_BYTES):
                self._changed.wait()
            self._items.append(message)
            self._bytes += size
            self._changed.notify_all()

    def get(self) -> Optional[bytes]:
        with self._changed:
            while not self._items:
                self._changed.wait()
            message = self._items.popleft()
            self._bytes -= len(message or b"")
            self._changed.notify_all()
            return message


def _helper_main(conn: Connection, paths: list[Path], jobs: list[int], current: Any, since: Any, ocr: bool,
                 timeout: Optional[float], parent_pid: int) -> None:
    """A helper: parse its files in order, each reported as (index, (outcome, document or error
    text, seconds)), a bounded number waiting to be sent (`_Outbox`). Before each file it
    sets `since` and `current`, read by the scan without a message (a helper that crashes
    on a file has sent nothing about it)."""
    become_helper(parent_pid)
    from bias_review.parse import parse

    outbox = _Outbox()

    def send() -> None:
        while (message := outbox.get()) is not None:
            try:
                conn.send_bytes(message)
            except (BrokenPipeError, OSError):  # the scan is gone
                os._exit(0)

    sender = threading.Thread(target=send, name="send", daemon=True)
    sender.start()
    for index in jobs:
        path = paths[index]
        begun = time.monotonic()
        since.value = begun
        current.value = index
        deadline = None if timeout is None else begun + timeout
        try:
            outcome, value = "document", parse(path, ocr=ocr, deadline=deadline)
        except ParseTimeout:
            outcome, value = "timeout", None
        except ParseError as exc:
            outcome, value = "error", exc.reason
        except Exception as exc:  # noqa: BLE001 - reported as this file's error
            outcome, value = "failed", f"{type(exc).__name__}: {exc}"
        report = (index, (outcome, value, time.monotonic() - begun))
        try:
            message = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - e.g. a text file named .pdf, read as a stream
            message = pickle.dumps((index, ("yours", None, 0.0)))
        outbox.put(message)
    outbox.put(None)
    sender.join()
    conn.close()
    sys.exit(0)
