"""Broken executors for the result timeout clauses (TMO-*).

Each hands out futures whose result() and exception() go wrong in one way
when given a timeout; everything else is the reference executor's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from implementations.reference import ReferenceExecutor


class _TimedFuture(Future[Any]):
    """Routes result() and exception() through _wait(), which subclasses break."""

    def result(self, timeout: float | None = None) -> Any:
        return self._wait(super().result, timeout)

    def exception(self, timeout: float | None = None) -> Any:
        return self._wait(super().exception, timeout)

    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        return query(timeout)


class _Broken(ReferenceExecutor):
    future_class: type[_TimedFuture] = _TimedFuture

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        # The reference executor keeps driving the same object, so changing its
        # class changes only the behaviour the subclass overrides.
        future.__class__ = self.future_class
        return future


class _Early(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        if timeout is not None and timeout > 0:
            timeout = math.floor(timeout * 10) / 10
        return query(timeout)


class GivesUpEarly(_Broken):
    """Rounds a timeout down to whole tenths of a second, so waits end early. Caught by TMO-2."""

    future_class = _Early


class _Late(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        if timeout is not None and timeout > 0:
            timeout += 1.5
        return query(timeout)


class Overruns(_Broken):
    """Adds a 1.5 s grace to every positive timeout. Caught by TMO-3 and TMO-4."""

    future_class = _Late


class WaitTimedOut(Exception):
    """Not concurrent.futures.TimeoutError."""


class _OwnError(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        try:
            return query(timeout)
        except concurrent.futures.TimeoutError:
            raise WaitTimedOut("the wait ran out") from None


class RaisesItsOwnTimeout(_Broken):
    """Raises its own exception class when a wait runs out. Caught by TMO-1, TMO-5, TMO-6."""

    future_class = _OwnError


class _ZeroForever(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        return query(timeout or None)  # the classic slip: 0 is falsy


class ZeroMeansForever(_Broken):
    """Treats a timeout of 0 as no timeout at all. Caught by TMO-5."""

    future_class = _ZeroForever


class _NoneZero(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        return query(0 if timeout is None else timeout)


class NoneMeansZero(_Broken):
    """Treats no timeout (or None) as a timeout of 0. Caught by TMO-7."""

    future_class = _NoneZero


class _RejectsNegative(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        if timeout is not None and timeout < 0:
            raise ValueError("'timeout' must be a non-negative number")
        return query(timeout)


class RejectsNegative(_Broken):
    """Raises ValueError for a negative timeout, as queue.Queue.get does. Caught by TMO-6."""

    future_class = _RejectsNegative


class _Sleeper(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        if timeout is not None and timeout > 0 and not self.done():
            time.sleep(timeout)  # sleeps through the call's finish
            timeout = 0
        return query(timeout)


class WaitsOutTheTimeout(_Broken):
    """Sleeps the whole timeout before looking, even when the call finishes sooner.
    Caught by TMO-8."""

    future_class = _Sleeper


class _CancelOnTimeout(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        try:
            return query(timeout)
        except concurrent.futures.TimeoutError:
            self.cancel()
            raise


class CancelsOnTimeout(_Broken):
    """A wait that runs out cancels the call, which only takes on a queued call.
    Caught by TMO-9 (test_timed_out_wait_leaves_a_queued_call_queued)."""

    future_class = _CancelOnTimeout


class _FailOnTimeout(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        try:
            return query(timeout)
        except concurrent.futures.TimeoutError as exc:
            if not self.done():
                super().set_exception(exc)
            raise

    # The call's own outcome, arriving after the timeout, is dropped.
    def set_result(self, result: Any) -> None:
        if not self.done():
            super().set_result(result)

    def set_exception(self, exception: BaseException | None) -> None:
        if not self.done():
            super().set_exception(exception)


class FailsOnTimeout(_Broken):
    """A wait that runs out finishes the future with the TimeoutError.
    Caught by TMO-9 (test_timed_out_wait_leaves_the_call_running)."""

    future_class = _FailOnTimeout


class _RefusesToBlockTheLoop(_TimedFuture):
    def _wait(self, query: Callable[[float | None], Any], timeout: float | None) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return query(timeout)
        if not self.done():
            raise RuntimeError("result() would block the event loop")
        return query(timeout)


class RefusesToBlockTheLoop(_Broken):
    """result() and exception() of an unfinished call, asked in an event loop's thread,
    raise RuntimeError instead of waiting. Caught by TMO-1."""

    future_class = _RefusesToBlockTheLoop
