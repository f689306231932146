"""The standard library's pools, as bundled implementations.

Each carries the expected failures of ``cpython.toml``: where CPython's own
pools deviate from the documentation, the suite reports it as a known
deviation rather than hiding it or failing the bundled run.  Run the suite with
``--executor concurrent.futures:ProcessPoolExecutor`` to see them as plain
failures.
"""

from __future__ import annotations

import concurrent.futures
import inspect
import multiprocessing
import platform
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from conformance import Implementation
from conformance.expected import load


def _loses_false_exceptions() -> bool:
    """Whether this Python's Future.result() returns None for an exception that is false.

    The fix of python/cpython issue 132063 went into 3.14 and a 3.13 bug-fix
    release, so the running Python is asked rather than its version.
    """

    class FalseError(Exception):
        def __bool__(self) -> bool:
            return False

    future: Future[None] = Future()
    future.set_exception(FalseError())
    try:
        future.result(0)
    except FalseError:
        return False
    return True


def _hangs_when_cancelled_before_shutdown() -> bool:
    """Whether this Python's ProcessPoolExecutor can hang in shutdown(wait=True) after a
    call cancelled right after its submit().

    The fix of python/cpython issue 94440 (3.10.11, 3.11 and 3.12) has the pool's
    manager thread drop cancelled calls once more when it sees the shutdown, before it
    waits again.  Running the case to find out could hang, so the source of that loop
    is read instead: before the fix it drops them at the top of the loop only.
    """
    try:
        from concurrent.futures.process import _ExecutorManagerThread
        source = inspect.getsource(_ExecutorManagerThread.run)
    except (ImportError, OSError, TypeError):
        return False  # not CPython's loop: no entry, any failure is reported as one
    return source.count("add_call_item_to_queue()") < 2


#: The issue of false exceptions, whose entries apply where its fix is missing.
FALSE_EXCEPTIONS = "https://github.com/python/cpython/issues/132063"

#: The issue of the shutdown that hangs after a cancel, likewise.
CANCEL_BEFORE_SHUTDOWN = "https://github.com/python/cpython/issues/94440"

#: The issues whose entries apply only where the running Python still has the bug,
#: with how to ask it.
STILL_THERE = {
    FALSE_EXCEPTIONS: _loses_false_exceptions,
    CANCEL_BEFORE_SHUTDOWN: _hangs_when_cancelled_before_shutdown,
}

#: CPython's deviations, for every pool (entries name the pools they apply to).
CPYTHON = [
    entry for entry in load(Path(__file__).with_name("cpython.toml"))
    if entry.link not in STILL_THERE or STILL_THERE[entry.link]()
]

thread = Implementation(name="thread", factory=ThreadPoolExecutor, expected_failures=CPYTHON)


def _process(method: str) -> Implementation:
    return Implementation(
        name=f"process-{method}",
        factory=partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context(method)),
        expected_failures=CPYTHON,
    )


#: The platform's default start method (fork on Linux before 3.14, then forkserver).
process = Implementation(name="process", factory=ProcessPoolExecutor, expected_failures=CPYTHON)

process_fork = _process("fork")
process_spawn = _process("spawn")
process_forkserver = _process("forkserver")


def _interpreter_pool(max_workers: int | None = None, **options: Any) -> Executor:
    """An InterpreterPoolExecutor (Python 3.14+): each worker runs its calls in a
    subinterpreter of its own."""
    pool = getattr(concurrent.futures, "InterpreterPoolExecutor", None)
    if pool is None:
        raise RuntimeError("InterpreterPoolExecutor is not available: it needs Python 3.14"
                           f" or later, and this is {platform.python_version()}")
    executor: Executor = pool(max_workers=max_workers, **options)
    return executor


#: Named, never run by default: it needs Python 3.14.
interpreter = Implementation(name="interpreter", factory=_interpreter_pool,
                             expected_failures=CPYTHON)
