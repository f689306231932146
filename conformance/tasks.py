"""The calls the specs submit.

They are module-level functions of plain arguments so that every kind of
executor can run them: in a thread, in another process (they pickle by name),
or on a worker elsewhere on the same host.  Gates and logs passed to them are
the synchronisation objects of :mod:`conformance.sync`, which work across
processes when the implementation needs it.

This module imports nothing from pytest or Hypothesis: worker processes import
it to unpickle the calls.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol


class Event(Protocol):
    def set(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class Log(Protocol):
    def append(self, item: Any) -> None: ...


class GateNeverOpened(RuntimeError):
    """A gated call gave up waiting for its gate: the test that owns it is gone."""


def identity(value: Any) -> Any:
    """Return the argument: the simplest call with a result."""
    return value


def echo(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Return exactly the arguments the call received."""
    return args, kwargs


def fail(exception: BaseException) -> Any:
    """Raise the given exception."""
    raise exception


def where() -> tuple[int, int]:
    """The process id and thread id the call runs in."""
    return os.getpid(), threading.get_ident()


def append_to(items: list[Any], value: Any) -> None:
    """Mutate the caller's list: visible to the caller only when memory is shared."""
    items.append(value)


def record(log: Log, value: Any) -> Any:
    """Log the value, then return it: the log shows which calls ran, in order."""
    log.append(value)
    return value


def gated(started: Event, gate: Event, bound: float, value: Any,
          log: Log | None = None) -> Any:
    """Announce the start, wait for the gate, then return ``value`` or raise it.

    ``bound`` caps the wait, so that a call whose test has gone never blocks
    a worker forever.  An exception instance as ``value`` is raised instead of
    returned, so gated calls can fail as well as succeed.
    """
    if log is not None:
        log.append(value)
    started.set()
    if not gate.wait(bound):
        raise GateNeverOpened(f"the gate stayed closed for {bound:g}s")
    return outcome(value)


def outcome(value: Any) -> Any:
    """Return the value, or raise it when it is an exception instance."""
    if isinstance(value, BaseException):
        raise value
    return value


def finish_gated(started: Event, gate: Event, bound: float, index: int, value: Any,
                 log: Log) -> Any:
    """Announce the start, wait for the gate, log ``index`` as finished, then
    return ``value`` or raise it: the log shows the order the calls finished in."""
    started.set()
    if not gate.wait(bound):
        raise GateNeverOpened(f"the gate stayed closed for {bound:g}s")
    log.append(index)
    return outcome(value)
