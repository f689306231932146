"""Broken executors for the wait() and as_completed() clauses (WAIT-*, ASC-*).

wait() and as_completed() are the standard library's; they go wrong only
through the futures they are given.  Each executor here is the reference
executor handing out futures of a subclass of its own future class that tells
the waiting threads too little, too much, too early or too late, or that
compares futures by something other than identity.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import Future
from typing import Any

from implementations.reference import ReferenceExecutor, _Future

#: How long a future that reports its outcome before recording it takes in between:
#: far longer than a woken thread takes to look.
PAUSE = 0.5


class _Broken(ReferenceExecutor):
    future_class: type[_Future[Any]] = _Future

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        # The reference executor keeps driving the same object, so changing its
        # class changes only the behaviour the subclass overrides.
        future.__class__ = self.future_class
        return future


# -- what the waiters are told ------------------------------------------------------------


class _Silent(_Future[Any]):
    """Wakes the threads in result(), never those in wait() or as_completed()."""

    def set_result(self, result: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            waiters, self._waiters = self._waiters, []  # type: ignore[attr-defined]
            try:
                super().set_result(result)
            finally:
                self._waiters = waiters

    def set_exception(self, exception: BaseException | None) -> None:
        with self._condition:  # type: ignore[attr-defined]
            waiters, self._waiters = self._waiters, []  # type: ignore[attr-defined]
            try:
                super().set_exception(exception)
            finally:
                self._waiters = waiters


class SilentToWaiters(_Broken):
    """A finished call wakes result() but never wait() or as_completed(), which return
    only at their timeout. Caught by WAIT-3 and ASC-2."""

    future_class = _Silent


class _TellsTheFirstWaiter(_Future[Any]):
    """Tells the first thread in wait() or as_completed() that it finished, not the others."""

    def set_result(self, result: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            waiters, self._waiters = self._waiters, self._waiters[:1]  # type: ignore
            try:
                super().set_result(result)
            finally:
                self._waiters = waiters


class TellsOneWaiter(_Broken):
    """When a call finishes, only the first of the threads waiting on its future with wait()
    or as_completed() is woken; the others wait out their timeout. Caught by WAIT-10."""

    future_class = _TellsTheFirstWaiter


class _EarlyNews(_Future[Any]):
    def set_result(self, result: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            told = list(self._waiters)  # type: ignore[attr-defined]
        for waiter in told:
            waiter.add_result(self)
        time.sleep(PAUSE)  # say, while the result is stored somewhere first
        with self._condition:  # type: ignore[attr-defined]
            everyone = self._waiters  # type: ignore[attr-defined]
            self._waiters = [w for w in everyone if all(w is not t for t in told)]
            try:
                super().set_result(result)  # the waiters already told are not told twice
            finally:
                self._waiters = everyone


class NotifiesBeforeDone(_Broken):
    """set_result() tells wait() and as_completed() the call finished before it records
    the result, so they report a future that is not done(). Caught by WAIT-2."""

    future_class = _EarlyNews


class _NewsOfStart(_Future[Any]):
    def set_running_or_notify_cancel(self) -> bool:
        running = super().set_running_or_notify_cancel()
        if running:
            # Every change of state is news to the waiters: starting too.
            with self._condition:  # type: ignore[attr-defined]
                for waiter in self._waiters:  # type: ignore[attr-defined]
                    waiter.add_result(self)
        return running


class NotifiesWhenStarted(_Broken):
    """A call that starts tells the waiters it has completed, which ends a FIRST_COMPLETED
    wait with a running future in done. Caught by WAIT-4."""

    future_class = _NewsOfStart


class _ValueAsException(_Future[Any]):
    def set_result(self, result: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            waiters, self._waiters = self._waiters, []  # type: ignore[attr-defined]
            try:
                super().set_result(result)
            finally:
                self._waiters = waiters
            for waiter in waiters:
                waiter.add_exception(self)  # copied from set_exception()


class ValuesReportedAsExceptions(_Broken):
    """A call that returns a value tells the waiters it raised, so a FIRST_EXCEPTION wait
    ends at the first value. Caught by WAIT-6."""

    future_class = _ValueAsException


class _ExceptionAsValue(_Future[Any]):
    def set_exception(self, exception: BaseException | None) -> None:
        with self._condition:  # type: ignore[attr-defined]
            waiters, self._waiters = self._waiters, []  # type: ignore[attr-defined]
            try:
                super().set_exception(exception)
            finally:
                self._waiters = waiters
            for waiter in waiters:
                waiter.add_result(self)  # copied from set_result()


class ExceptionsReportedAsValues(_Broken):
    """A call that raises tells the waiters it returned a value, so a FIRST_EXCEPTION wait
    goes on past the first exception. Caught by WAIT-5."""

    future_class = _ExceptionAsValue


# -- cancels ------------------------------------------------------------------------------


class _QuietCancel(_Future[Any]):
    def cancel(self) -> bool:
        return Future.cancel(self)


class CancelWakesNoWaiters(_Broken):
    """cancel() does not tell wait() and as_completed(); only the worker that later takes
    the cancelled call off the queue does, as CPython's own pools do. Caught by WAIT-7
    and ASC-4."""

    future_class = _QuietCancel


class _SkippedQuietly(_QuietCancel):
    def set_running_or_notify_cancel(self) -> bool:
        if self.cancelled():
            return False  # the worker skips it, and no one tells the waiters
        return super().set_running_or_notify_cancel()


class SkipsCancelledSilently(_Broken):
    """Neither cancel() nor the worker, which skips cancelled calls after a look at
    cancelled(), ever tells wait() and as_completed() of a cancel. Caught by ASC-5 (and
    WAIT-7, ASC-4)."""

    future_class = _SkippedQuietly


# -- timeouts -----------------------------------------------------------------------------


class _LockedWhileRunning(_Future[Any]):
    """Holds its lock from the start of the call to its end, so no one sees it half-done."""

    def set_running_or_notify_cancel(self) -> bool:
        running = super().set_running_or_notify_cancel()
        if running:
            self._condition.acquire()  # type: ignore[attr-defined]
        return running

    def set_result(self, result: Any) -> None:
        try:
            super().set_result(result)
        finally:
            self._condition.release()  # type: ignore[attr-defined]

    def set_exception(self, exception: BaseException | None) -> None:
        try:
            super().set_exception(exception)
        finally:
            self._condition.release()  # type: ignore[attr-defined]


class HoldsLockWhileRunning(_Broken):
    """A running call holds its future's lock, which wait() and as_completed() take too:
    they cannot give up at their timeout while it runs. Caught by WAIT-8 and ASC-3."""

    future_class = _LockedWhileRunning


# -- identity -----------------------------------------------------------------------------


class _EqualByCall(_Future[Any]):
    key: Any = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _EqualByCall) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


class FuturesEqualByCall(_Broken):
    """Futures compare equal when their calls do (same function, same arguments), so
    wait() and as_completed() keep one of several such futures. Caught by WAIT-1 and
    ASC-1."""

    future_class = _EqualByCall

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.key = (fn, repr(args), repr(sorted(kwargs.items())))  # type: ignore[attr-defined]
        return future


class NumberedPerExecutor(_Broken):
    """Futures compare equal when they have the same submission number, counted from 0 in
    each executor, so futures of two executors are merged. Caught by WAIT-9 and ASC-6."""

    future_class = _EqualByCall

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._numbers = itertools.count()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.key = next(self._numbers)  # type: ignore[attr-defined]
        return future



class _BaseExceptionAsValue(_Future[Any]):
    def set_exception(self, exception: BaseException | None) -> None:
        if isinstance(exception, Exception):
            super().set_exception(exception)
            return
        with self._condition:  # type: ignore[attr-defined]
            waiters, self._waiters = self._waiters, []  # type: ignore[attr-defined]
            try:
                super().set_exception(exception)
            finally:
                self._waiters = waiters
            for waiter in waiters:
                waiter.add_result(self)  # only Exceptions count as raised


class BaseExceptionsReportedAsValues(_Broken):
    """A call that raises a BaseException that is not an Exception tells the waiters it
    returned, so a FIRST_EXCEPTION wait goes on past it. Caught by WAIT-5."""

    future_class = _BaseExceptionAsValue
