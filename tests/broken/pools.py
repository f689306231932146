"""Broken executors for initializers, dying workers and pickling (INIT-*, BRK-*, PKL-*).

The initializer ones are the reference executor with its initializer, or its
submit(), changed.  The others must run calls in worker processes, so they are
CPython's ``ProcessPoolExecutor`` (in a fixed start method) with one thing
changed; most hand out *relay* futures, fed from the pool's own, and drop the
outcomes the bug loses.  Whatever such a bug leaves hanging is bounded: the
suite's waits give up, and the pool underneath still shuts down.

Functions that run in the worker processes are module-level, so that they pickle
by name (the suite puts this directory on the workers' path).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import (
    BrokenExecutor,
    Executor,
    Future,
    InvalidStateError,
    ProcessPoolExecutor,
)
from functools import partial
from typing import Any

from implementations.reference import (
    ReferenceExecutor,
    _break,
    _broken_error,
    _drain,
    _live_workers,
    _run,
    _Shared,
    _worker,
)

#: How long the broken shutdown() waits for a worker that is dead: far beyond the
#: suite's bound, short enough to end with the test run.
DEAD_WORKER_WAIT = 60.0


# -- initializers (on the reference executor) -------------------------------------------


class IgnoresInitializer(ReferenceExecutor):
    """Accepts initializer= and initargs=, but never calls the initializer. Caught by
    INIT-1 (and INIT-2)."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "",
                 initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        super().__init__(max_workers, thread_name_prefix)


class _WrapsInitializer(ReferenceExecutor):
    """The reference executor, its initializer replaced by what ``_wrap()`` makes of it."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "",
                 initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        if initializer is not None:
            initializer = self._wrap(initializer)
        super().__init__(max_workers, thread_name_prefix, initializer, initargs)

    def _wrap(self, initializer: Any) -> Callable[..., object]:
        raise NotImplementedError


def _without_initargs(initializer: Callable[..., object], *initargs: Any) -> None:
    initializer()


class DropsInitargs(_WrapsInitializer):
    """Calls the initializer without its initargs. Caught by INIT-1 (the initializer specs
    apply although every probe call with an initializer fails)."""

    def _wrap(self, initializer: Any) -> Callable[..., object]:
        return partial(_without_initargs, initializer)


class RejectsEveryInitializer(ReferenceExecutor):
    """Names initializer= in its signature but raises TypeError for any initializer, callable
    or not. Caught by INIT-1 (the signature says it takes one)."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "",
                 initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        if initializer is not None:
            raise TypeError("initializer must be a callable")
        super().__init__(max_workers, thread_name_prefix)


class _FirstTimeOnly:
    """Calls the initializer the first time only."""

    def __init__(self, initializer: Callable[..., object]) -> None:
        self._initializer = initializer
        self._lock = threading.Lock()
        self._called = False

    def __call__(self, *initargs: Any) -> None:
        with self._lock:
            called, self._called = self._called, True
        if not called:
            self._initializer(*initargs)


class InitializesFirstWorkerOnly(_WrapsInitializer):
    """Calls the initializer in its first worker only; later workers run calls without it.
    Caught by INIT-2."""

    def _wrap(self, initializer: Any) -> Callable[..., object]:
        return _FirstTimeOnly(initializer)


def _suppressing(initializer: Callable[..., object], *initargs: Any) -> None:
    try:
        initializer(*initargs)
    except Exception:
        pass


class IgnoresFailingInitializer(_WrapsInitializer):
    """Swallows the initializer's exception: the worker goes on to run the calls as if the
    initializer had worked. Caught by INIT-3 (and INIT-4)."""

    def _wrap(self, initializer: Any) -> Callable[..., object]:
        return partial(_suppressing, initializer)


def _fail_quietly(failed: threading.Event, closing: threading.Event,
                  initializer: Callable[..., object], *initargs: Any) -> None:
    try:
        initializer(*initargs)
    except Exception:
        failed.set()
        closing.wait()  # the queue is left alone until shutdown
        raise


class LeavesCallsPendingWhenInitializerFails(ReferenceExecutor):
    """When the initializer fails, submit() raises from then on, but the calls already
    queued stay pending (until shutdown). Caught by INIT-3."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "",
                 initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        self._failed, self._closing = threading.Event(), threading.Event()
        if initializer is not None:
            initializer = partial(_fail_quietly, self._failed, self._closing, initializer)
        super().__init__(max_workers, thread_name_prefix, initializer, initargs)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._failed.is_set():
            raise BrokenExecutor("the initializer failed")
        return super().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closing.set()
        super().shutdown(wait, cancel_futures=cancel_futures)


class _FailsInsteadOfRaising(Executor):
    """submit() of a broken executor returns a future failed with the BrokenExecutor,
    instead of raising it."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        try:
            return super().submit(fn, *args, **kwargs)
        except BrokenExecutor as exc:
            future: Future[Any] = Future()
            future.set_exception(exc)
            return future


class BrokenSubmitGivesFailedFuture(_FailsInsteadOfRaising, ReferenceExecutor):
    """Once the initializer has failed, submit() returns a future that failed with a
    BrokenExecutor instead of raising it. Caught by INIT-4."""


def _call(initializer: Any, *initargs: Any) -> None:
    initializer(*initargs)


class AcceptsNonCallableInitializer(_WrapsInitializer):
    """Takes any initializer without checking it: one that is not callable only breaks the
    executor when a worker starts. Caught by INIT-6."""

    def _wrap(self, initializer: Any) -> Callable[..., object]:
        return partial(_call, initializer)


# -- relays: the caller's futures, fed from those of the executor underneath --------------


class _Relay(Future[Any]):
    """The future the caller gets; ``inner`` is the one the executor underneath drives."""

    def __init__(self, inner: Future[Any], index: int) -> None:
        super().__init__()
        self.inner = inner
        self.index = index  # submission order

    def cancel(self) -> bool:
        return self.inner.cancel() and super().cancel()


class _Relaying(Executor):
    """Hands out relays; :meth:`passes` decides which outcomes reach them (all, here)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._indices = itertools.count()
        self._relay_lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        inner = super().submit(fn, *args, **kwargs)
        with self._relay_lock:
            relay = _Relay(inner, next(self._indices))
        inner.add_done_callback(partial(self._relay, relay))
        return relay

    def passes(self, relay: _Relay, inner: Future[Any]) -> bool:
        """Whether the outcome of ``inner`` reaches ``relay``; otherwise it stays pending."""
        return True

    def _relay(self, relay: _Relay, inner: Future[Any]) -> None:
        if not self.passes(relay, inner):
            return
        try:
            if inner.cancelled():
                Future.cancel(relay)
                relay.set_running_or_notify_cancel()  # wakes wait() and as_completed()
            elif (error := inner.exception(0)) is not None:
                relay.set_exception(error)
            else:
                relay.set_result(inner.result(0))
        except InvalidStateError:
            pass


def _broke(inner: Future[Any]) -> bool:
    return not inner.cancelled() and isinstance(inner.exception(0), BrokenExecutor)


class _StopsAtCancelled(_Relaying):
    """When the executor breaks, fails the pending calls in submission order, but stops at
    the first one the caller had cancelled (as code that calls set_exception() on it, and
    dies of the InvalidStateError, would)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first_cancelled: int | None = None

    def passes(self, relay: _Relay, inner: Future[Any]) -> bool:
        with self._relay_lock:
            if inner.cancelled() and self._first_cancelled is None:
                self._first_cancelled = relay.index
            stopped = self._first_cancelled is not None and self._first_cancelled < relay.index
        return not (stopped and _broke(inner))


class StopsAtCancelledCall(_StopsAtCancelled, ReferenceExecutor):
    """When the initializer fails, the pending calls after one the caller cancelled are
    never failed: they stay pending. Caught by INIT-5."""


# -- worker processes (on CPython's ProcessPoolExecutor) ----------------------------------


class _ProcessPool(ProcessPoolExecutor):
    """CPython's process pool, always in the same start method."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, mp_context=multiprocessing.get_context("forkserver"),
                         **options)


class HangsWhenWorkerDies(_Relaying, _ProcessPool):
    """A call lost with a dead worker is never failed: its future stays pending, as with a
    pool that just replaces the dead worker. Caught by BRK-1 (and BRK-4)."""

    def passes(self, relay: _Relay, inner: Future[Any]) -> bool:
        return not _broke(inner)


class DeadPoolSubmitGivesFailedFuture(_FailsInsteadOfRaising, _ProcessPool):
    """Once a worker has died, submit() returns a future that failed with a BrokenExecutor
    instead of raising it. Caught by BRK-2."""


class ShutdownWaitsForDeadWorker(_ProcessPool):
    """Once a worker has died, the first shutdown(wait=True) also waits for every worker to
    say goodbye, which the dead one never does (for DEAD_WORKER_WAIT seconds). Caught by
    BRK-3."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._worker_died = threading.Event()
        self._waited = False

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._watch)
        return future

    def _watch(self, future: Future[Any]) -> None:
        if _broke(future):
            self._worker_died.set()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait, cancel_futures=cancel_futures)
        if wait and self._worker_died.is_set() and not self._waited:
            self._waited = True
            threading.Event().wait(DEAD_WORKER_WAIT)


def _serve(calls: Any, outcomes: Any) -> None:
    """A worker of :class:`NeverWatchesItsWorkers`: runs each call it reads, sends back its
    outcome, until it reads None."""
    while (item := calls.get()) is not None:
        key, fn, args, kwargs = item
        try:
            outcomes.put((key, None, fn(*args, **kwargs)))
        except Exception as exc:
            outcomes.put((key, exc, None))


class NeverWatchesItsWorkers(Executor):
    """Worker processes that read calls from one queue and send outcomes back on another,
    and that nobody watches: a worker that dies, while idle too, goes unnoticed, and the
    calls it was to run stay pending for ever. Caught by BRK-6 (and BRK-1)."""

    def __init__(self, max_workers: int | None = None) -> None:
        context = multiprocessing.get_context("forkserver")
        self._calls, self._outcomes = context.SimpleQueue(), context.SimpleQueue()
        self._workers = [context.Process(target=_serve, args=(self._calls, self._outcomes))
                         for _ in range(max_workers or 1)]
        for worker in self._workers:
            worker.start()
        self._futures: dict[int, Future[Any]] = {}
        self._keys = itertools.count()
        self._lock = threading.Lock()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="naive-reader", daemon=True)
        self._reader.start()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            key, future = next(self._keys), Future[Any]()
            self._futures[key] = future
        future.set_running_or_notify_cancel()
        self._calls.put((key, fn, args, kwargs))
        return future

    def _read(self) -> None:
        while (item := self._outcomes.get()) is not None:
            key, error, value = item
            with self._lock:
                future = self._futures.pop(key)
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for _ in self._workers:
            self._calls.put(None)
        for worker in self._workers:
            worker.join()
        self._outcomes.put(None)
        self._reader.join()


class ForgetsPendingCallsWhenWorkerDies(_Relaying, _ProcessPool):
    """When a worker dies, only its own call fails; the calls still pending are forgotten
    and stay pending. Caught by BRK-4."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._told = False

    def passes(self, relay: _Relay, inner: Future[Any]) -> bool:
        if not _broke(inner):
            return True
        with self._relay_lock:
            first, self._told = not self._told, True
        return first


class StopsAtCancelledCallWhenWorkerDies(_StopsAtCancelled, _ProcessPool):
    """When a worker dies, the pending calls after one the caller cancelled are never failed:
    they stay pending (as CPython 3.10 and 3.11 do). Caught by BRK-5."""


class LosesUnpicklableCalls(_ProcessPool):
    """submit() of a call that cannot be pickled returns a future that nothing will ever
    finish, as a feeder thread that dies of the pickling error would. Caught by PKL-1."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        try:
            pickle.dumps((fn, args, kwargs))
        except Exception:
            return Future()
        return super().submit(fn, *args, **kwargs)


class _Lost:
    """Sent back in place of an outcome that the worker could not send."""


def _pickles(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


def _unpickles(value: object) -> bool:
    try:
        data = pickle.dumps(value)
    except Exception:
        return True  # not this check's business
    try:
        pickle.loads(data)
    except Exception:
        return False
    return True


def _send_back_or_lose(check: Callable[[object], bool], fn: Callable[..., Any],
                       args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run the call in the worker; an outcome that fails ``check`` comes back as _Lost."""
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        if check(exc):
            raise
        return _Lost()
    return result if check(result) else _Lost()


class _LosesOutcomes(_Relaying, _ProcessPool):
    """Runs calls through _send_back_or_lose with :attr:`check`, and drops what is lost."""

    check: Callable[[object], bool] = staticmethod(_pickles)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_send_back_or_lose, type(self).check, fn, args, kwargs)

    def passes(self, relay: _Relay, inner: Future[Any]) -> bool:
        lost = (not inner.cancelled() and inner.exception(0) is None
                and isinstance(inner.result(0), _Lost))
        return not lost


class LosesUnpicklableOutcomes(_LosesOutcomes):
    """A return value or an exception that cannot be pickled is lost on the way back: the
    call's future stays pending. Caught by PKL-2 and PKL-3."""


class LosesUnrebuildableOutcomes(_LosesOutcomes):
    """A return value or an exception that pickles but cannot be unpickled is lost on the
    way back: the call's future stays pending. Caught by PKL-5."""

    check = staticmethod(_unpickles)


def _die_unless_picklable(fn: Callable[..., Any], args: tuple[Any, ...],
                          kwargs: dict[str, Any]) -> Any:
    result = fn(*args, **kwargs)
    if not _pickles(result) and multiprocessing.parent_process() is not None:
        os._exit(70)  # only ever in a worker process
    return result


class DiesOnUnpicklableResult(_ProcessPool):
    """A worker that cannot pickle a call's return value dies, which breaks the whole pool.
    Caught by PKL-4."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_die_unless_picklable, fn, args, kwargs)


def _initializing_each_call(shared: _Shared, initializer: Callable[..., object] | None,
                            initargs: tuple[Any, ...]) -> None:
    get = shared.queue.get
    while (item := get()) is not None:
        if initializer is not None:
            initializer(*initargs)  # in the loop, not before it
        _run(*item)
        with shared.lock:
            shared.idle += 1
    shared.queue.put(None)


class InitializesBeforeEachCall(ReferenceExecutor):
    """Each worker runs the initializer before every call it takes, not once at its start.
    Caught by INIT-7."""

    def _start_worker(self) -> None:
        thread = threading.Thread(target=_initializing_each_call, daemon=True,
                                  args=(self._shared, self._initializer, self._initargs))
        thread.start()
        self._threads.append(thread)
        _live_workers.add(thread)


def _breaks_on_exceptions_only(shared: _Shared, initializer: Callable[..., object] | None,
                               initargs: tuple[Any, ...]) -> None:
    """The reference's worker, but an initializer's BaseException that is not an Exception
    goes through, ending the worker thread quietly instead of breaking the executor."""
    if initializer is not None:
        try:
            initializer(*initargs)
        except Exception as exc:
            _break(shared, exc)
            return
    _worker(shared, None, ())


class InitializerMayExit(ReferenceExecutor):
    """A worker whose initializer raises SystemExit just ends: the calls stay pending for
    ever. Caught by INIT-3."""

    worker = staticmethod(_breaks_on_exceptions_only)

    def _start_worker(self) -> None:
        thread = threading.Thread(target=self.worker, daemon=True,
                                  args=(self._shared, self._initializer, self._initargs))
        thread.start()
        self._threads.append(thread)
        _live_workers.add(thread)


class MapIgnoresBreakage(ReferenceExecutor):
    """map() queues its calls without asking whether the executor is broken, so on a broken
    one it returns an iterator whose results never come. Caught by INIT-4."""

    def map(self, fn: Callable[..., Any], *iterables: Any, timeout: float | None = None,
            chunksize: int = 1, **options: Any) -> Any:
        if self._shared.broken is None:
            return super().map(fn, *iterables, timeout=timeout, chunksize=chunksize)
        futures: list[Future[Any]] = []
        for args in zip(*iterables):
            futures.append(Future())
            self._shared.queue.put((futures[-1], fn, args, {}))
        return (future.result(timeout) for future in futures)


class FailsQuietlyWhenWorkerDies(_Relaying, _ProcessPool):
    """When a worker dies, the futures of the calls pending then are failed by setting their
    state, not through set_exception(): done, but no done callback is called and no thread in
    wait() or as_completed() is woken. Caught by BRK-4."""

    def _relay(self, relay: _Relay, inner: Future[Any]) -> None:
        if not _broke(inner) or relay.index == 0:  # call 0 is the one whose worker died
            super()._relay(relay, inner)
            return
        with relay._condition:  # type: ignore[attr-defined]
            relay._exception = inner.exception(0)  # type: ignore[attr-defined]
            relay._state = "FINISHED"  # type: ignore[attr-defined]
            relay._condition.notify_all()  # type: ignore[attr-defined]


def _breaks_quietly(shared: _Shared, initializer: Callable[..., object] | None,
                    initargs: tuple[Any, ...]) -> None:
    """The reference's worker, but an initializer's failure fails the queued futures by
    setting their state: waiters are told, done callbacks are not called."""
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException as exc:
            with shared.lock:
                shared.broken = exc
            for future in _drain(shared.queue):
                with future._condition:  # type: ignore[attr-defined]
                    if future.done():
                        continue
                    future._exception = _broken_error(exc)  # type: ignore[attr-defined]
                    future._state = "FINISHED"  # type: ignore[attr-defined]
                    for waiter in future._waiters:  # type: ignore[attr-defined]
                        waiter.add_exception(future)
                    future._condition.notify_all()  # type: ignore[attr-defined]
            shared.queue.put(None)
            return
    _worker(shared, None, ())


class BreaksWithoutCallbacks(InitializerMayExit):
    """When the initializer fails, the pending futures are failed by setting their state,
    so their done callbacks are never called. Caught by INIT-3."""

    worker = staticmethod(_breaks_quietly)
