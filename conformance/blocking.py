"""submit() and map() bounded where a spec calls them itself.

submit() and map() schedule calls and return without waiting for any call to finish
(SUB-6, SUB-7).  An executor whose submit() waits for a free worker, or for room in a
bounded queue, blocks the spec's own thread while the calls it waits for wait on gates
that only that thread opens: a deadlock, which pytest-timeout would end only after the
spec's whole time limit, in every spec that queues calls behind busy workers.

So the harness replaces ``submit`` and ``map`` on each executor it makes, on the instance
(the class is untouched, and the calls still run in the caller's thread): called in the
main thread, each is watched, and one that has not returned within the bound is
interrupted by a signal whose handler raises :class:`CallBlocked` there, with the stack where
it was stuck.  A call made in another thread is left alone: the harness bounds those
threads from outside.
"""

from __future__ import annotations

import functools
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

#: The signal that interrupts a blocked call (Python's handlers run in the main thread).
_SIGNAL = getattr(signal, "SIGUSR2", None)

#: Marks the methods this module put on an executor, so they are put there once.
_GUARDED = "_conformance_guarded"


class CallBlocked(AssertionError):
    """A call the main thread made into the executor did not return within its bound."""


class Watch:
    """Bounds the executor calls the main thread makes while a spec runs.

    ``failure(what, bound, stack)`` builds the exception to raise in the blocked call.
    """

    def __init__(self, bound: float, failure: Callable[[str, float, str], CallBlocked]) -> None:
        self.bound = bound
        self._failure = failure
        self._lock = threading.Condition()
        self._current: tuple[int, float, str] | None = None  # (token, deadline, what)
        self._fired: int | None = None
        self._tokens = 0
        self._active = False
        self._watcher: threading.Thread | None = None

    @contextmanager
    def active(self) -> Iterator[None]:
        """Watch the main thread's calls for as long as the block lasts (there only)."""
        if _SIGNAL is None or threading.current_thread() is not threading.main_thread():
            yield
            return
        try:
            previous = signal.signal(_SIGNAL, self._interrupt)
        except (ValueError, OSError):
            yield
            return
        self._active = True
        self._watcher = threading.Thread(target=self._watch, daemon=True,
                                         name="conformance-blocking-watch")
        self._watcher.start()
        try:
            yield
        finally:
            with self._lock:
                self._active = False
                self._current = None
                self._lock.notify()
            self._watcher.join(timeout=5)
            with suppress(ValueError, OSError, TypeError):
                signal.signal(_SIGNAL, previous)

    def guard(self, executor: Any) -> None:
        """Put bounded ``submit`` and ``map`` on the instance (unless it refuses them)."""
        for name in ("submit", "map"):
            original = getattr(executor, name, None)
            if original is None or getattr(original, _GUARDED, False):
                continue
            bounded = self._bounded(original, f"{name}()")
            with suppress(AttributeError, TypeError):
                setattr(executor, name, bounded)

    def _bounded(self, original: Callable[..., Any], what: str) -> Callable[..., Any]:
        @functools.wraps(original)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            if not self._active or self._current is not None \
                    or threading.current_thread() is not threading.main_thread():
                return original(*args, **kwargs)  # not watched, or within a watched call
            with self._lock:
                self._tokens += 1
                self._current = (self._tokens, time.monotonic() + self.bound, what)
                self._lock.notify()
            try:
                return original(*args, **kwargs)
            finally:
                with self._lock:
                    self._current = None

        setattr(bounded, _GUARDED, True)
        return bounded

    def _watch(self) -> None:
        main = threading.main_thread().ident
        with self._lock:
            while self._active:
                if self._current is None:
                    self._lock.wait()
                    continue
                token, deadline, _ = self._current
                left = deadline - time.monotonic()
                if left > 0:
                    self._lock.wait(left)
                    continue
                if self._fired != token and main is not None and _SIGNAL is not None:
                    self._fired = token
                    signal.pthread_kill(main, _SIGNAL)
                self._lock.wait()

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        current = self._current
        if current is None or current[0] != self._fired:
            return  # the call returned as the signal came
        stack = "".join(traceback.format_stack(frame)[-12:]).rstrip() if frame else ""
        raise self._failure(current[2], self.bound, stack)
