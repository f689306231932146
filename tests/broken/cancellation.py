"""Broken executors for the Cancellation clauses (CAN-*).

Each is the reference executor handing out futures of a subclass of
``concurrent.futures.Future`` that gets one thing about cancel() wrong.  The
races are real races; where a bug needs its check and its act apart to show,
:func:`_between_check_and_act` stands for whatever such an implementation does
there (a log line, a remote call), so that a run of the suite sees it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import CancelledError, Future
from concurrent.futures._base import (  # type: ignore[attr-defined]
    CANCELLED,
    CANCELLED_AND_NOTIFIED,
    FINISHED,
    PENDING,
    RUNNING,
)
from typing import Any

from . import handing_out


def _between_check_and_act() -> None:
    time.sleep(0.01)


class _LazyCancel(Future[Any]):
    """cancel() only asks; the future is cancelled when a worker takes the call."""

    def cancel(self) -> bool:
        with self._condition:  # type: ignore[attr-defined]
            if self._state == PENDING:  # type: ignore[attr-defined]
                self._cancel_asked = True
                return True
        return super().cancel()

    def set_running_or_notify_cancel(self) -> bool:
        if getattr(self, "_cancel_asked", False):
            super().cancel()
        return super().set_running_or_notify_cancel()


class _AbandonsRunningCall(Future[Any]):
    """cancel() of a running call says False, yet the call's outcome is then thrown away."""

    def cancel(self) -> bool:
        if self.running():
            self._abandoned = True
        return super().cancel()

    def set_result(self, result: Any) -> None:
        if getattr(self, "_abandoned", False):
            self._end_cancelled()
        else:
            super().set_result(result)

    def set_exception(self, exception: BaseException | None) -> None:
        if getattr(self, "_abandoned", False):
            self._end_cancelled()
        else:
            super().set_exception(exception)

    def _end_cancelled(self) -> None:
        with self._condition:  # type: ignore[attr-defined]
            self._state = CANCELLED_AND_NOTIFIED
            self._condition.notify_all()  # type: ignore[attr-defined]
        self._invoke_callbacks()  # type: ignore[attr-defined]


class _RunsAnyway(Future[Any]):
    """The worker is told to run a cancelled call; its outcome is dropped."""

    def set_running_or_notify_cancel(self) -> bool:
        super().set_running_or_notify_cancel()
        return True

    def set_result(self, result: Any) -> None:
        if not self.cancelled():
            super().set_result(result)

    def set_exception(self, exception: BaseException | None) -> None:
        if not self.cancelled():
            super().set_exception(exception)


class _RaisesForCancelled(Future[Any]):
    """set_running_or_notify_cancel() raises for a cancelled future instead of returning False."""

    def set_running_or_notify_cancel(self) -> bool:
        if not super().set_running_or_notify_cancel():
            raise CancelledError("the call was cancelled")
        return True


class _StaleCancel(Future[Any]):
    """cancel() decides on a state it read before taking the future's lock."""

    def cancel(self) -> bool:
        if self.running() or self.done():
            return super().cancel()
        _between_check_and_act()
        with self._condition:  # type: ignore[attr-defined]
            if self._state not in (CANCELLED, CANCELLED_AND_NOTIFIED):  # type: ignore[attr-defined]
                self._state = CANCELLED
                self._condition.notify_all()  # type: ignore[attr-defined]
        self._invoke_callbacks()  # type: ignore[attr-defined]
        return True


class _GivesUpOnContention(Future[Any]):
    """cancel() that finds another cancel() of the future under way returns False."""

    _cancelling_guard = threading.Lock()

    def cancel(self) -> bool:
        with self._cancelling_guard:
            lock = self.__dict__.setdefault("_cancelling", threading.Lock())
        if not lock.acquire(blocking=False):
            return False
        try:
            _between_check_and_act()
            return super().cancel()
        finally:
            lock.release()


class _SilentCancel(Future[Any]):
    """cancel() marks the future cancelled without waking the threads waiting on it."""

    def cancel(self) -> bool:
        with self._condition:  # type: ignore[attr-defined]
            if self._state in (RUNNING, FINISHED):  # type: ignore[attr-defined]
                return False
            if self._state in (CANCELLED, CANCELLED_AND_NOTIFIED):  # type: ignore[attr-defined]
                return True
            self._state = CANCELLED
        self._invoke_callbacks()  # type: ignore[attr-defined]
        return True


class _RunningFromSubmit(Future[Any]):
    """running() is True from submit() on, though cancel() still takes the call back."""

    def running(self) -> bool:
        return not self.done()


CancelOnlyAsks = handing_out(
    _LazyCancel, "cancel() of a pending call returns True but only asks for the cancel: the"
    " future reports cancelled() and done() only once a worker takes the call and skips it."
    " Caught by CAN-1.")
AbandonsRunningCalls = handing_out(
    _AbandonsRunningCall, "cancel() of a running call returns False, but the executor then"
    " throws the call's outcome away and ends the future cancelled. Caught by CAN-2.")
RunsCancelledCallsAnyway = handing_out(
    _RunsAnyway, "a worker runs a call whose cancel() returned True, dropping its outcome."
    " Caught by CAN-3.")
DiesOnCancelledCall = handing_out(
    _RaisesForCancelled, "set_running_or_notify_cancel() raises for a cancelled call instead"
    " of returning False, so the worker that takes one dies and the calls behind it never"
    " run. Caught by CAN-4.")
StaleCancel = handing_out(
    _StaleCancel, "cancel() checks that the call has not started, then cancels without"
    " holding the future's lock in between, so it can return True for a call a worker has"
    " just started. Caught by CAN-5.")
CancelGivesUpOnContention = handing_out(
    _GivesUpOnContention, "cancel() that finds another thread's cancel() of the same future"
    " under way returns False instead of waiting for it. Caught by CAN-6.")
SilentCancel = handing_out(
    _SilentCancel, "cancel() marks the future cancelled without waking the threads waiting"
    " in result() or exception(). Caught by CAN-7.")
RunningFromSubmit = handing_out(
    _RunningFromSubmit, "running() is True from submit() on, yet cancel() of a call still"
    " waiting for a worker returns True. Caught by CAN-8.")
