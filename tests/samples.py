"""Executors and descriptions the self-tests plug into the suite (importable as ``samples``)."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from conformance import Implementation


class InlineExecutor(Executor):
    """Runs every call to completion inside submit(): correct, but with no background."""

    def __init__(self, max_workers: int | None = None) -> None:
        self._shutdown = False

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True


inline = Implementation(name="inline", factory=InlineExecutor)

#: A thread pool that claims its calls run elsewhere: a false declaration.
misdeclared = Implementation(name="misdeclared", factory=ThreadPoolExecutor,
                             shares_memory=False)


def raising_factory(max_workers: int) -> Executor:
    raise OSError("no workers today")


def not_an_executor(max_workers: int) -> object:
    return object()


class _LenientFuture(Future[Any]):
    def set_running_or_notify_cancel(self) -> bool:
        if self.running():
            return True  # CPython raises RuntimeError on a second call
        return super().set_running_or_notify_cancel()


class LenientExecutor(ThreadPoolExecutor):
    """Its futures accept set_running_or_notify_cancel() twice: a recommended clause only."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.__class__ = _LenientFuture
        return future


lenient = Implementation(name="lenient", factory=LenientExecutor)


class DeadlockedSubmit(ThreadPoolExecutor):
    """submit() never returns: a deadlocked executor."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        threading.Event().wait()
        raise AssertionError("unreachable")


class HangingShutdown(ThreadPoolExecutor):
    """Runs calls, but once it has run one, shutdown() never returns."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.used = True
        return super().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False)
        if wait and getattr(self, "used", False):
            threading.Event().wait()


class LosesTheThirdCall(ThreadPoolExecutor):
    """Runs two calls; from the third on, submit() returns a future that never finishes."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted = getattr(self, "submitted", 0) + 1
        if self.submitted > 2:
            return Future()
        return super().submit(fn, *args, **kwargs)


class KeepsItsProcessAlive(ThreadPoolExecutor):
    """Keeps every promise the specs check, but leaves behind a thread that is not a daemon
    and never ends, so the process it ran in cannot exit."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        threading.Thread(target=_wait_for_ever, name="stranded").start()


def _wait_for_ever() -> None:
    threading.Event().wait()


class NeverShutsDown(ThreadPoolExecutor):
    """shutdown() never returns, even on a new executor."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        threading.Event().wait()


class _DiesWhenACallRaises(ThreadPoolExecutor):
    """Its worker thread ends the whole process when a call raises, the way ``how`` says."""

    how: Callable[[], object]

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception:
                type(self).how()
                raise

        return super().submit(run)


class ExitsWhenACallRaises(_DiesWhenACallRaises):
    how = staticmethod(partial(os._exit, 3))


class CrashesWhenACallRaises(_DiesWhenACallRaises):
    how = staticmethod(partial(ctypes.string_at, 0))  # reads address 0: a segmentation fault


class ExitsWhenACallRaisesLeavingItsWorkers(ProcessPoolExecutor):
    """A process pool whose caller ends (``os._exit``) when a call's exception reaches it.
    Its worker processes, forked, outlive it, and hold open what it held: a pytest-xdist
    worker's pipe to the controller, which then never learns that the worker died."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, mp_context=multiprocessing.get_context("fork"),
                         **options)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(_exit_if_raised)
        return future


def _exit_if_raised(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        os._exit(3)


class WaitsForAFreeWorker(ThreadPoolExecutor):
    """submit() waits until fewer than max_workers calls are running or queued: while every
    worker is held by a gate, the next submit() blocks the thread that would open it."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._free = threading.Semaphore(self._max_workers)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self._free.acquire()
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self._free.release())
        return future


def _freeze() -> None:
    """Hang in C code that holds the GIL, with every signal blocked: no Python runs again."""
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    ctypes.PyDLL(None).pause()


class FreezesWhenACallRaises(_DiesWhenACallRaises):
    how = staticmethod(_freeze)


class InterruptsOnSubmit(ThreadPoolExecutor):
    """submit() raises KeyboardInterrupt, which pytest would take for the user's Ctrl-C."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise KeyboardInterrupt


class SubmitOnly:
    """Has submit() and a with statement, but neither map() nor shutdown(): not quite the
    Executor interface, so the specs that need the rest fail."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        self._pool = ThreadPoolExecutor(max_workers, **options)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._pool.submit(fn, *args, **kwargs)

    def __enter__(self) -> SubmitOnly:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown(wait=True)


EXPECTED = Path(__file__).with_name("expected")

#: A thread pool listed as deviating from clauses it keeps: stale entries.
stale_expectations = Implementation(name="stale", factory=ThreadPoolExecutor,
                                    expected_failures=EXPECTED / "stale.toml")

#: A thread pool whose expected-failures file has a misspelt key.
malformed_expectations = Implementation(name="malformed", factory=ThreadPoolExecutor,
                                        expected_failures=EXPECTED / "malformed.toml")
