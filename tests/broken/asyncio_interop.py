"""Broken executors for the asyncio interop clauses (AIO-*).

asyncio learns of an executor's call only through its future: done callbacks
and cancel().  Most executors here are the reference executor handing out
futures of a subclass that gets one of those wrong; the others route calls
wrongly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from implementations.reference import ReferenceExecutor

from . import handing_out, handing_out_from_the_start
from .cancellation import _RunsAnyway


class _NoLateCallbacks(Future[Any]):
    def add_done_callback(self, fn: Callable[[Future[Any]], object]) -> None:
        # Keeps the callback even when the future is already done, and so never calls it.
        with self._condition:  # type: ignore[attr-defined]
            self._done_callbacks.append(fn)  # type: ignore[attr-defined]


class RemoteError(RuntimeError):
    """What a call's exception comes back as from the broken executor below."""


class _WrapsExceptions(Future[Any]):
    def set_exception(self, exception: BaseException | None) -> None:
        # The call's exception comes back as a RemoteError carrying its text, as some
        # executors that run calls elsewhere report them.
        wrapped = RemoteError(f"{type(exception).__name__}: {exception}")
        wrapped.__cause__ = exception
        super().set_exception(wrapped)


class _CancelSkipsCallbacks(Future[Any]):
    def cancel(self) -> bool:
        # Cancels and wakes the threads waiting, but runs no callback.
        with self._condition:  # type: ignore[attr-defined]
            if self._state in ("RUNNING", "FINISHED"):  # type: ignore[attr-defined]
                return False
            if self._state == "PENDING":  # type: ignore[attr-defined]
                self._state = "CANCELLED"  # type: ignore[attr-defined]
                self._condition.notify_all()  # type: ignore[attr-defined]
        return True


class _CancelAbandonsRunning(Future[Any]):
    def cancel(self) -> bool:
        # A running call is abandoned: its future is cancelled and its outcome dropped.
        with self._condition:  # type: ignore[attr-defined]
            if self._state == "RUNNING":  # type: ignore[attr-defined]
                self._state = "PENDING"  # type: ignore[attr-defined]
            return super().cancel()

    def set_result(self, result: Any) -> None:
        if not self.cancelled():
            super().set_result(result)

    def set_exception(self, exception: BaseException | None) -> None:
        if not self.cancelled():
            super().set_exception(exception)


CallbacksOnlyWhilePending = handing_out(
    _NoLateCallbacks, "add_done_callback() on a future that is already done never calls the"
    " callback, so wrap_future() of a finished call never resolves. Caught by AIO-1.")
ExceptionsComeBackWrapped = handing_out(
    _WrapsExceptions, "a call's exception comes back wrapped in a RemoteError, so awaiting"
    " its asyncio future raises the wrong exception. Caught by AIO-2 and AIO-6.")
CancelSkipsCallbacks = handing_out(
    _CancelSkipsCallbacks, "cancel() of a pending call runs none of the future's done"
    " callbacks, so the asyncio future wrapping it is never cancelled. Caught by AIO-3.")
RunsCancelledCalls = handing_out(
    _RunsAnyway, "a cancelled call still runs (its outcome is dropped), so cancelling"
    " it through asyncio does not keep it from running. Caught by AIO-4.")
CancelAbandonsRunningCalls = handing_out(
    _CancelAbandonsRunning, "cancel() of a running call cancels its future and drops the"
    " outcome, so cancelling the asyncio future loses a result. Caught by AIO-5.")


class RunsInTheLoopThread(ReferenceExecutor):
    """submit() called from a thread running an event loop schedules the call on that loop
    instead of a worker, so run_in_executor() blocks the loop. Caught by AIO-7."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return super().submit(fn, *args, **kwargs)
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

        loop.call_soon_threadsafe(run)
        return future


class DropsCallsWhenBusy(ReferenceExecutor):
    """Sheds load: beyond 8 calls waiting for a worker, submit() returns a future whose call
    never runs. Caught by AIO-8."""

    LIMIT = 8

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._shared.queue.qsize() >= self.LIMIT:
            return Future()
        return super().submit(fn, *args, **kwargs)


def _copy_outcome(source: Future[Any], target: Future[Any]) -> None:
    exception = source.exception()
    if exception is not None:
        target.set_exception(exception)
    else:
        target.set_result(source.result())


class CompletesInTheSubmittersLoop(ReferenceExecutor):
    """A call submitted from a coroutine gets a future completed through that event loop, so
    its outcome is lost once the loop has closed and the future never finishes. Caught by
    AIO-9."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return super().submit(fn, *args, **kwargs)
        outer: Future[Any] = Future()
        outer.set_running_or_notify_cancel()

        def deliver(inner: Future[Any]) -> None:
            try:
                loop.call_soon_threadsafe(_copy_outcome, inner, outer)
            except RuntimeError:
                pass  # the loop has closed: nobody is left to tell

        super().submit(fn, *args, **kwargs).add_done_callback(deliver)
        return outer


class _CallsBackThroughTheLoop(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return super().add_done_callback(fn)

        def in_the_loop(future: Future[Any]) -> None:
            try:
                loop.call_soon_threadsafe(fn, future)
            except RuntimeError:
                pass  # the loop has closed: the callback is lost

        return super().add_done_callback(in_the_loop)


CallsBackThroughTheLoop = handing_out_from_the_start(
    _CallsBackThroughTheLoop, "A done callback added in an event loop's thread is called"
    " through that loop, so it is lost once the loop has closed. Caught by AIO-9.")
