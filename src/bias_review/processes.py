"""What every helper process of a scan shares: how many cores there are, dying with the parent,
and naming how one ended."""

from __future__ import annotations

import os
import signal
import sys
from typing import Optional


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def die_with_parent(parent_pid: int) -> None:
    """On Linux, ask the kernel to kill this process when the parent dies, however it dies
    (SIGKILL included), so no helper outlives an interrupted scan."""
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
