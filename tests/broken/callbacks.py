"""Broken executors for the done callback clauses (CB-*).

Each is the reference executor handing out futures of a subclass of
``concurrent.futures.Future`` that gets one thing about callbacks wrong.  The
subclasses reach into CPython's Future (``_condition``, ``_state``,
``_done_callbacks``, ``_invoke_callbacks``), as a hand-written future might.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import weakref
from concurrent.futures import Future
from concurrent.futures._base import CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, LOGGER
from typing import Any

from . import handing_out_from_the_start

_DONE = (CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED)


def _call(callback: Any, future: Future[Any], *args: Any) -> None:
    try:
        callback(*args)
    except Exception:
        LOGGER.exception("exception calling callback for %r", future)


class _CallsTwice(Future[Any]):
    def _invoke_callbacks(self) -> None:
        super()._invoke_callbacks()  # type: ignore[misc]
        super()._invoke_callbacks()  # type: ignore[misc]


class _CallsWithResult(Future[Any]):
    def _invoke_callbacks(self) -> None:
        # Like a promise's then(): the callback gets the outcome, not the future.
        outcome = None if self.cancelled() else (self.exception(0) or self.result(0))
        for callback in self._done_callbacks:  # type: ignore[attr-defined]
            _call(callback, self, outcome)


class _CallsWithAProxy(Future[Any]):
    def _invoke_callbacks(self) -> None:
        # A weak proxy to avoid a cycle: it compares equal to the future, but is not it.
        proxy = weakref.proxy(self)
        for callback in self._done_callbacks:  # type: ignore[attr-defined]
            _call(callback, self, proxy)


class _Reversed(Future[Any]):
    def _invoke_callbacks(self) -> None:
        for callback in reversed(self._done_callbacks):  # type: ignore[attr-defined]
            _call(callback, self, self)


class _Deduplicated(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if fn in self._done_callbacks:  # type: ignore[attr-defined]
                return
            if self._state not in _DONE:  # type: ignore[attr-defined]
                self._done_callbacks.append(fn)  # type: ignore[attr-defined]
                return
            self._done_callbacks.append(fn)  # type: ignore[attr-defined]
        _call(fn, self, self)


class _DefersWhenDone(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        if not self.done():
            super().add_done_callback(fn)
            return
        # Later (on a timer thread), so as not to hold the caller up.
        timer = threading.Timer(0.1, _call, args=(fn, self, self))
        timer.daemon = True
        timer.start()


class _DoneInAHelperThread(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        if not self.done():
            super().add_done_callback(fn)
            return
        helper = threading.Thread(target=_call, args=(fn, self, self), daemon=True)
        helper.start()
        helper.join()


class _CallsBackInAChild(Future[Any]):
    def _invoke_callbacks(self) -> None:
        # Runs the callbacks in a forked child, "to isolate them", and waits for it.
        pid = os.fork()
        if pid == 0:
            # A lock another thread held at the fork could block the child for
            # good: the alarm's default action ends it all the same.
            signal.alarm(10)
            try:
                super()._invoke_callbacks()  # type: ignore[misc]
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


class _StopsAtFirstError(Future[Any]):
    def _invoke_callbacks(self) -> None:
        for callback in self._done_callbacks:  # type: ignore[attr-defined]
            callback(self)  # an exception ends the loop, and leaves set_result() or cancel()


class _RaisesWhenDone(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        # CPython before 3.8 (bpo-33110): a done future's callback ran unguarded.
        with self._condition:  # type: ignore[attr-defined]
            if self._state not in _DONE:  # type: ignore[attr-defined]
                self._done_callbacks.append(fn)  # type: ignore[attr-defined]
                return
        fn(self)


class _SilentErrors(Future[Any]):
    def _invoke_callbacks(self) -> None:
        for callback in self._done_callbacks:  # type: ignore[attr-defined]
            try:
                callback(self)
            except Exception:
                pass

    def add_done_callback(self, fn: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if self._state not in _DONE:  # type: ignore[attr-defined]
                self._done_callbacks.append(fn)  # type: ignore[attr-defined]
                return
        try:
            fn(self)
        except Exception:
            pass


_WARNINGS = logging.getLogger("broken.callbacks")


def _warn(callback: Any, future: Future[Any]) -> None:
    try:
        callback(future)
    except Exception as exc:
        _WARNINGS.warning("callback failed: %s", exc)


class _WarnsOnItsOwnLogger(Future[Any]):
    def _invoke_callbacks(self) -> None:
        for callback in self._done_callbacks:  # type: ignore[attr-defined]
            _warn(callback, self)

    def add_done_callback(self, fn: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if self._state not in _DONE:  # type: ignore[attr-defined]
                self._done_callbacks.append(fn)  # type: ignore[attr-defined]
                return
        _warn(fn, self)


class _CallsBackFirst(Future[Any]):
    # The callbacks go first, then the outcome is recorded.
    def set_result(self, result: Any) -> None:
        self._call_back_early()
        super().set_result(result)

    def set_exception(self, exception: BaseException | None) -> None:
        self._call_back_early()
        super().set_exception(exception)

    def _call_back_early(self) -> None:
        with self._condition:  # type: ignore[attr-defined]
            callbacks, self._done_callbacks = self._done_callbacks, []  # type: ignore[has-type]
        for callback in callbacks:
            _call(callback, self, self)


class _CallsBackOnStart(Future[Any]):
    def set_running_or_notify_cancel(self) -> bool:
        # Calls the callbacks as the call starts: a future "is done" with waiting.
        started = super().set_running_or_notify_cancel()
        if started:
            with self._condition:  # type: ignore[attr-defined]
                callbacks, self._done_callbacks = self._done_callbacks, []  # type: ignore[has-type]
            for callback in callbacks:
                _call(callback, self, self)
        return started


class _RunningCountsAsDone(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if self._state == "PENDING":  # type: ignore[attr-defined]
                self._done_callbacks.append(fn)  # type: ignore[attr-defined]
                return
        _call(fn, self, self)


CallsTwice = handing_out_from_the_start(
    _CallsTwice, "Calls each callback twice when the future finishes or is cancelled. Caught"
    " by CB-1.")
CallsWithResult = handing_out_from_the_start(
    _CallsWithResult, "Calls callbacks with the call's result (or exception) instead of the"
    " future. Caught by CB-1.")
CallsWithAProxy = handing_out_from_the_start(
    _CallsWithAProxy, "Calls callbacks with a weakref.proxy of the future, not the future"
    " itself. Caught by CB-1.")
CallsBackInReverse = handing_out_from_the_start(
    _Reversed, "Calls the callbacks in the reverse of the order they were added. Caught by"
    " CB-2.")
DropsRepeatedCallbacks = handing_out_from_the_start(
    _Deduplicated, "Ignores a callable added again to the same future. Caught by CB-3.")
DefersCallbacksOnDone = handing_out_from_the_start(
    _DefersWhenDone, "A callback added to a done future is called later, from a new thread."
    " Caught by CB-4.")
CallsBackInAHelperThread = handing_out_from_the_start(
    _DoneInAHelperThread, "A callback added to a done future is called in a new thread,"
    " awaited before add_done_callback() returns. Caught by CB-5.")
CallsBackInAChildProcess = handing_out_from_the_start(
    _CallsBackInAChild, "Calls the callbacks of a finishing or cancelled future in a forked"
    " child process. Caught by CB-6.")
StopsAtFirstError = handing_out_from_the_start(
    _StopsAtFirstError, "A callback's exception skips the callbacks after it and escapes"
    " from set_result() and cancel() (killing the worker). Caught by CB-7.")
RaisesFromDoneFuture = handing_out_from_the_start(
    _RaisesWhenDone, "add_done_callback() of a done future lets the callback's exception out"
    " (CPython before 3.8, bpo-33110). Caught by CB-7.")
SilencesCallbackErrors = handing_out_from_the_start(
    _SilentErrors, "A callback's exception is ignored without being logged. Caught by CB-8.")
WarnsOfCallbackErrors = handing_out_from_the_start(
    _WarnsOnItsOwnLogger, "A callback's exception is logged as a WARNING on a logger of its"
    " own, without exc_info. Caught by CB-9.")
CallsBackBeforeTheOutcome = handing_out_from_the_start(
    _CallsBackFirst, "Calls the callbacks before recording the outcome, so they see the future"
    " still running. Caught by CB-10.")
CallsBackOnStart = handing_out_from_the_start(
    _CallsBackOnStart, "Calls the callbacks added while the call waited as soon as it starts."
    " Caught by CB-11.")
CallsBackWhileRunning = handing_out_from_the_start(
    _RunningCountsAsDone, "A callback added while the call runs is called at once, as if the"
    " future were done. Caught by CB-11.")


class _ChecksThenAdds(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        # Whether the future is done is read before the lock is taken: a finish in
        # between calls the callbacks before this one is added, and never again.
        if self._state not in _DONE:  # type: ignore[attr-defined]
            with self._condition:  # type: ignore[attr-defined]
                self._done_callbacks.append(fn)  # type: ignore[attr-defined]
            return
        _call(fn, self, self)


AddsCallbacksOutsideTheLock = handing_out_from_the_start(
    _ChecksThenAdds, "add_done_callback() checks whether the future is done before it takes"
    " the lock to add the callback: a call finishing in between loses the callback. Caught by"
    " CB-1.")


class _CallsBackUnderTheLock(Future[Any]):
    def _invoke_callbacks(self) -> None:
        with self._condition:  # type: ignore[attr-defined]
            super()._invoke_callbacks()  # type: ignore[misc]


CallsBackUnderTheLock = handing_out_from_the_start(
    _CallsBackUnderTheLock, "Runs the done callbacks holding the future's lock, so while one"
    " runs, other threads' done() and result(timeout=0) wait for it. Caught by CB-10.")


class _HoldsCallbacksWeakly(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        if not hasattr(fn, "__self__"):
            return super().add_done_callback(fn)
        method = weakref.WeakMethod(fn)  # so that the future keeps no object alive

        def call(future: Future[Any]) -> None:
            if (bound := method()) is not None:
                bound(future)

        return super().add_done_callback(call)


HoldsCallbacksWeakly = handing_out_from_the_start(
    _HoldsCallbacksWeakly, "Holds bound-method callbacks through weak references: the"
    " callback of an object nothing else keeps is never called. Caught by CB-1.")


class _DefersToTheLoop(Future[Any]):
    def add_done_callback(self, fn: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return super().add_done_callback(fn)
        if self.done():  # in a coroutine: called later, from the loop, not at once
            loop.call_soon(fn, self)
            return None
        return super().add_done_callback(fn)


DefersToTheLoop = handing_out_from_the_start(
    _DefersToTheLoop, "add_done_callback() on a done future, called in an event loop's"
    " thread, has the loop call the callback later. Caught by CB-4.")
