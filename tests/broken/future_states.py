"""Broken executors for the Future clauses (FUT-*, SET-*) and SUB-1.

Most bugs live in the future: each executor here is the reference executor
handing out futures of a subclass that overrides one method wrongly.
"""

from __future__ import annotations

import copy
from concurrent.futures import Future
from typing import Any

from implementations.reference import ReferenceExecutor

from . import handing_out, handing_out_from_the_start


class _CancelAlwaysTrue(Future[Any]):
    def cancel(self) -> bool:
        super().cancel()
        return True


class _RunningWhenQueued(Future[Any]):
    def running(self) -> bool:
        return not self.done()


class _NeverRunning(Future[Any]):
    def running(self) -> bool:
        return False


class _CannotCancel(Future[Any]):
    def cancel(self) -> bool:
        return False


class _CancelsFinished(Future[Any]):
    def cancel(self) -> bool:
        return super().cancel() or self.done()


class _CancelsOnce(Future[Any]):
    def cancel(self) -> bool:
        return False if self.cancelled() else super().cancel()


class _CancelledGivesNone(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        return None if self.cancelled() else super().result(timeout)


class _RunningWhenDone(Future[Any]):
    def running(self) -> bool:
        return super().running() or (self.done() and not self.cancelled())


class _ResultDoesNotWait(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        return super().result(timeout) if self.done() or timeout is not None else None


class _ChecksThenWaits(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        # Whether the future is done is read before the lock is taken: a finish in
        # between notifies no one yet, and the wait then waits for a notice already given.
        if not self.done():
            with self._condition:  # type: ignore[attr-defined]
                self._condition.wait(timeout)  # type: ignore[attr-defined]
        return super().result(0)


class _ExceptionNeverTimesOut(Future[Any]):
    def exception(self, timeout: float | None = None) -> BaseException | None:
        return super().exception(timeout) if self.done() else None


class _ForgetfulResult(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        value = super().result(timeout)
        if getattr(self, "_asked", False):
            return None
        self._asked = True
        return value


class _OverwritableFuture(Future[Any]):
    def set_result(self, result: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if self.done():
                self._result = result  # type: ignore[attr-defined]
                return
        super().set_result(result)


class _RunsCancelled(Future[Any]):
    def set_running_or_notify_cancel(self) -> bool:
        if self.cancelled():
            super().set_running_or_notify_cancel()
            return True
        return super().set_running_or_notify_cancel()


class _SilentSetResult(Future[Any]):
    def set_result(self, result: Any) -> None:
        # Records the result without notifying the threads waiting for it.
        with self._condition:  # type: ignore[attr-defined]
            self._result = result  # type: ignore[attr-defined]
            self._state = "FINISHED"  # type: ignore[attr-defined]


class _ExceptionAsResult(Future[Any]):
    def set_exception(self, exception: BaseException | None) -> None:
        super().set_result(exception)


class _LosesFalseExceptions(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        error = self.exception(timeout)
        if error:  # truth instead of presence: a false exception is lost
            raise error
        return super().result(0) if error is None else None


class _DoneOnlyWithAValue(Future[Any]):
    def done(self) -> bool:
        # None doubles as "no outcome yet", so a call that returned None is never done.
        return self.cancelled() or self._result is not None \
            or self._exception is not None  # type: ignore[attr-defined]


class _CopiedResult(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        return copy.deepcopy(super().result(timeout))


CancelLies = handing_out(
    _CancelAlwaysTrue, "cancel() returns True even for a running call. Caught by FUT-5,"
    " SET-6 and FUT-13.")
RunningTooEarly = handing_out(
    _RunningWhenQueued, "running() is True for a call still waiting for a worker. Caught by"
    " FUT-1.")
NeverRunning = handing_out(
    _NeverRunning, "running() is always False. Caught by FUT-2 and SET-1.")
CannotCancel = handing_out(
    _CannotCancel, "cancel() refuses every call, though the executor does not declare"
    " cancels_pending=False. Caught by FUT-3.")
CancelsFinished = handing_out(
    _CancelsFinished, "cancel() of a finished call returns True. Caught by FUT-6.")
CancelsOnce = handing_out(
    _CancelsOnce, "a second cancel() of a cancelled future returns False. Caught by FUT-7.")
CancelledGivesNone = handing_out(
    _CancelledGivesNone, "result() of a cancelled future returns None. Caught by FUT-8.")
RunningWhenDone = handing_out(
    _RunningWhenDone, "a finished future still reports running(). Caught by FUT-9.")
ResultDoesNotWait = handing_out(
    _ResultDoesNotWait, "result() with no timeout returns None for an unfinished call."
    " Caught by FUT-10.")
MissesAFinishAsItWaits = handing_out_from_the_start(
    _ChecksThenWaits, "result() checks whether the future is done before it takes the lock"
    " to wait: a call finishing in between is missed, and the wait lasts for ever. Caught by"
    " FUT-10.")
ExceptionNeverTimesOut = handing_out(
    _ExceptionNeverTimesOut, "exception() of an unfinished call returns None instead of"
    " waiting. Caught by FUT-11.")
ForgetfulResult = handing_out(
    _ForgetfulResult, "result() gives the value once, then None. Caught by FUT-12.")
ResultsCanBeOverwritten = handing_out(
    _OverwritableFuture, "set_result() on a done future replaces the outcome silently."
    " Caught by SET-5.")
RunsCancelledCalls = handing_out(
    _RunsCancelled, "set_running_or_notify_cancel() returns True for a cancelled future, so"
    " cancelled calls run. Caught by SET-2 and FUT-4.")
SilentSetResult = handing_out(
    _SilentSetResult, "set_result() does not wake the threads waiting. Caught by SET-3.")
ExceptionAsResult = handing_out(
    _ExceptionAsResult, "set_exception() makes the exception the result. Caught by SET-4.")
LosesFalseExceptions = handing_out(
    _LosesFalseExceptions, "result() tests the exception's truth, not its presence, so it"
    " returns None for a false exception. Caught by EXC-11.")

DoneOnlyWithAValue = handing_out(
    _DoneOnlyWithAValue, "done() is False for a call that returned None. Caught by FUT-9.")
CopiesResults = handing_out(
    _CopiedResult, "result() returns a deep copy of what the call returned, though calls run"
    " in the caller's memory. Caught by FUT-14.")


class _FutureLike:
    """Has every method of a Future, but is not one."""

    def __init__(self, future: Future[Any]) -> None:
        self._future = future

    def __getattr__(self, name: str) -> Any:
        return getattr(self._future, name)


class ReturnsAFutureLike(ReferenceExecutor):
    """submit() returns an object that behaves like a Future but is not one. Caught by SUB-1."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        return _FutureLike(super().submit(fn, *args, **kwargs))


class _UnwrapsFutures(Future[Any]):
    def set_result(self, result: Any) -> None:
        if isinstance(result, Future):  # chained like a promise: the inner future's value wins
            result.add_done_callback(lambda inner: Future.set_result(self, inner.result()))
            return
        super().set_result(result)


UnwrapsReturnedFutures = handing_out_from_the_start(
    _UnwrapsFutures, "A call that returns a future finishes with that future's value, once it"
    " has one, instead of with the future. Caught by FUT-14.")


class _CallsBackOnEverySet(Future[Any]):
    def set_result(self, result: Any) -> None:
        try:
            super().set_result(result)
        finally:  # also when the future was done already and set_result() refused
            if self.done():
                self._invoke_callbacks()  # type: ignore[attr-defined]


CallsBackOnEverySet = handing_out(
    _CallsBackOnEverySet, "set_result() calls the done callbacks in a finally, so a refused"
    " second set_result() calls them all again. Caught by SET-5.")


class _NoFalseExceptions(Future[Any]):
    def exception(self, timeout: float | None = None) -> Any:
        return super().exception(timeout) or None


HidesFalseExceptions = handing_out(
    _NoFalseExceptions, "exception() returns None for an exception that is false, though"
    " result() raises it. Caught by EXC-11.")
