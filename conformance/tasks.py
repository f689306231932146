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
from collections import Counter
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


class Tagged:
    """A callable object: calling it returns its tag and the call's arguments."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return self.tag, args, kwargs

    def method(self, *args: Any) -> tuple[str, tuple[Any, ...]]:
        """A bound method as the call: returns the tag and the arguments."""
        return self.tag, args


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


def bracketed(started: Event, gate: Event, bound: float, value: Any, log: Log) -> Any:
    """Log ``("start", value)``, announce the start, wait for the gate, then log
    ``("end", value)`` and return ``value``: the log shows which calls overlapped."""
    log.append(("start", value))
    started.set()
    if not gate.wait(bound):
        raise GateNeverOpened(f"the gate stayed closed for {bound:g}s")
    log.append(("end", value))
    return value


# -- initializers, dying workers, and values that cannot cross a process boundary ---------


class _Initialized(threading.local):
    initargs: tuple[Any, ...] | None = None


_initialized_thread = _Initialized()
_initialized_process: tuple[Any, ...] | None = None


def initialize(log: Log, *initargs: Any) -> None:
    """An initializer: log ``("initializer", initargs)`` and remember ``initargs`` in the
    thread and the process it runs in (:func:`initialized` reads them back)."""
    global _initialized_process
    log.append(("initializer", initargs))
    _initialized_thread.initargs = initargs
    _initialized_process = initargs


def initialized() -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """What :func:`initialize` remembered where this call runs: (in this thread, in this
    process); ``None`` where it did not run."""
    return _initialized_thread.initargs, _initialized_process


class _Counted(threading.local):
    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()


_counted_thread = _Counted()
_counted_process: Counter[str] = Counter()


def count_runs(token: str) -> None:
    """An initializer that counts its runs under ``token``, in its thread and its process."""
    _counted_thread.runs[token] += 1
    _counted_process[token] += 1


def runs_counted(token: str) -> tuple[int, int]:
    """How many times :func:`count_runs` ran with ``token`` where this call runs: (in this
    thread, in this process)."""
    return _counted_thread.runs[token], _counted_process[token]


def gated_call(started: Event, gate: Event, bound: float, fn: Any, *args: Any) -> Any:
    """Announce the start, wait for the gate, then return ``fn(*args)``."""
    started.set()
    if not gate.wait(bound):
        raise GateNeverOpened(f"the gate stayed closed for {bound:g}s")
    return fn(*args)


def exit_worker(test_pid: int, started: Event | None = None, gate: Event | None = None,
                bound: float = 0.0) -> None:
    """End the worker process at once with ``os._exit``, as a crash would, without a word
    to the executor; first announce the start and wait for the gate, when given.

    Refuses (raises RuntimeError) in the process ``test_pid``: the test's own.
    """
    if os.getpid() == test_pid:
        raise RuntimeError("exit_worker() refuses to end the test's own process")
    if started is not None:
        started.set()
    if gate is not None:
        gate.wait(bound)  # a worker that gives up waiting still dies
    os._exit(70)


def exit_worker_once(test_pid: int, died: Event, log: Log) -> str:
    """Log a run, then end the worker process as :func:`exit_worker` does, the first time
    only: run again (by an executor that retries the calls of dead workers) it returns."""
    if os.getpid() == test_pid:
        raise RuntimeError("exit_worker_once() refuses to end the test's own process")
    log.append("run")
    if not died.is_set():
        died.set()
        os._exit(70)
    return "run again after its worker died"


class CannotBeRebuilt(Exception):
    """Raised by unpickling an object that pickles but refuses to be rebuilt."""


def _refuse_to_rebuild() -> Any:
    raise CannotBeRebuilt("this object pickles, but cannot be unpickled")


class Unrebuildable:
    """An object that pickles, but whose unpickling raises :class:`CannotBeRebuilt`."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_refuse_to_rebuild, ())


class UnrebuildableError(Exception):
    """An exception that pickles, but whose unpickling raises :class:`CannotBeRebuilt`."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_refuse_to_rebuild, ())


class UnpicklableCall:
    """A function (a callable object) that no pickler can send: pickling it raises.

    Not a lambda: picklers such as cloudpickle send lambdas by value.
    """

    def __call__(self) -> None:
        return None

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("this callable refuses to be pickled")


class UnpicklableError(Exception):
    """An exception that cannot be pickled: it holds a lock."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


def unpicklable_result() -> Any:
    """Return a lock, which cannot be pickled."""
    return threading.Lock()


def raise_unpicklable() -> None:
    """Raise an exception that cannot be pickled."""
    raise UnpicklableError("this exception holds a lock")


def unrebuildable_result() -> Unrebuildable:
    """Return an object that pickles but cannot be unpickled."""
    return Unrebuildable()


def raise_unrebuildable() -> None:
    """Raise an exception that pickles but cannot be unpickled."""
    raise UnrebuildableError("this exception cannot be unpickled")
