"""What the processes of a scan share: how many cores there are, dying with the parent, naming
how a helper ended, and stopping on SIGTERM as on Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Optional

#: the signals that stop a scan between two steps (Ctrl-C, and SIGTERM under `sigterm_interrupts`)
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def become_helper(parent_pid: int) -> None:
    """Set up a helper process (a batch worker, a parse-ahead helper) forked by the scan:
    Ctrl-C is the scan's to handle, SIGTERM ends the helper at once (not the scan's handler,
    inherited through the fork, see `sigterm_interrupts`), and on Linux the kernel kills it
    when the scan dies, however it dies (SIGKILL included), so no helper outlives it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(0)


def exit_reason(exitcode: Optional[int]) -> str:
    """'signal SIGKILL' for a process killed by a signal, 'exit status N' otherwise."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a scheduler ending the job, `kill`) stops the scan like Ctrl-C: it raises
    KeyboardInterrupt, so what is finished is written or recorded before the process ends.
    Only in the main thread (elsewhere signal handlers cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (a line of a report written whole), then
    take effect as they would have. Their handlers are swapped for one that notes them (a
    blocked signal mask would not do: another thread may receive the signal). Only in the main
    thread, where handlers can be set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for sig in dict.fromkeys(caught):
            signal.raise_signal(sig)
