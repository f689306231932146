"""The last resort against a hang that no Python code can end.

pytest-timeout ends a hung spec by raising in the main thread from a signal
handler.  An executor stuck in C code that holds the GIL, or that has blocked
the signal, never lets that handler run: the run would stall.  faulthandler's
watchdog is a C thread that needs neither, so each spec is also armed with
``faulthandler.dump_traceback_later(exit=True)``, set a margin after its time
limit: if the spec is still running then, every thread's stack is written to
the terminal and the process exits.  Under pytest-xdist that is a dead worker,
which the report counts as a failure of the spec's clause; without ``-n`` it
ends the run, as it would have stalled instead.

The same timer is armed once more as the interpreter begins to exit: an
executor whose workers never stop, or whose own exit handler waits for them,
would otherwise keep the finished run's process alive for ever.  It is armed
from ``threading``'s exit hooks, which run before the interpreter joins the
threads that are not daemons and before the ``atexit`` handlers, and only when
the interpreter really exits (not when pytest.main() returns to its caller).

A user who sets pytest's own ``faulthandler_timeout`` keeps it: faulthandler
has one such timer, and theirs is left alone.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from collections.abc import Generator

import pytest


class Backstop:
    """Arms faulthandler's exit timer around every spec that has a time limit."""

    def __init__(self, margin: float, marker: str) -> None:
        self.margin = margin
        self.marker = marker
        # A copy of the terminal's stderr, taken before any spec runs: during a
        # spec, descriptor 2 may be pytest's capture file, which no one reads
        # once the process has exited.
        self.stderr = os.dup(_stderr_fileno())

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        limit = item.get_closest_marker("timeout")
        if item.get_closest_marker(self.marker) is None or limit is None or not limit.args:
            return (yield)
        faulthandler.dump_traceback_later(float(limit.args[0]) + self.margin, exit=True,
                                          file=self.stderr)
        try:
            return (yield)
        finally:
            faulthandler.cancel_dump_traceback_later()

    def pytest_unconfigure(self) -> None:
        # threading's own exit hooks (private, but what CPython's thread pool uses
        # for the same moment); our hook, registered last, runs first.
        register = getattr(threading, "_register_atexit", None)
        try:
            if register is None:
                raise RuntimeError("no threading exit hooks")
            register(self._arm_for_exit)
        except RuntimeError:  # the interpreter is already exiting, or no such hooks
            os.close(self.stderr)

    def _arm_for_exit(self) -> None:
        """The process must be gone within the margin: every thread's stack, else."""
        faulthandler.dump_traceback_later(self.margin, exit=True, file=self.stderr)


def _stderr_fileno() -> int:
    """The descriptor of the terminal's stderr, as pytest's faulthandler plugin finds it."""
    try:
        fileno = sys.stderr.fileno()
        if fileno >= 0:
            return fileno
    except (AttributeError, ValueError, OSError):
        pass  # pytest-xdist's workers replace sys.stderr with an object without one
    assert sys.__stderr__ is not None
    return sys.__stderr__.fileno()


def wanted(config: pytest.Config) -> bool:
    """Whether to arm the backstop: not if the user set pytest's faulthandler_timeout."""
    try:
        return not float(config.getini("faulthandler_timeout") or 0)
    except ValueError:
        return False  # pytest reports its own bad ini value
