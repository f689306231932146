"""Broken executors for the shutdown and worker-limit clauses (SHD-*).

Each is the reference executor with one thing done wrong: in shutdown(), in
the with statement, in how many workers it runs, or in submit() under threads.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures import wait as futures_wait
from queue import SimpleQueue
from typing import Any

from implementations.reference import (
    ReferenceExecutor,
    _drain,
    _Future,
    _live_executors,
    _live_workers,
    _worker,
)


class RunsAfterShutdown(ReferenceExecutor):
    """submit() after shutdown() runs the call in the caller's thread instead of refusing it.
    Caught by SHD-1 (and SHD-24)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self._shutdown:
            return super().submit(fn, *args, **kwargs)
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class LazyMap(ReferenceExecutor):
    """map() returns a generator that submits the calls on the first next(), so map() after
    shutdown() does not raise. Caught by SHD-2."""

    def map(self, fn: Callable[..., Any], *iterables: Any, timeout: float | None = None,
            chunksize: int = 1) -> Iterator[Any]:
        def results() -> Iterator[Any]:
            yield from Executor.map(self, fn, *iterables, timeout=timeout, chunksize=chunksize)

        return results()


class ShutdownNeverWaits(ReferenceExecutor):
    """shutdown(wait=True) returns at once, as if wait were False. Caught by SHD-3 (and SHD-4)."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=cancel_futures)


class _CountingQueue:
    """The work queue, with a count of the calls no worker has taken yet; a worker that
    takes a call says so, unless the call was cancelled."""

    def __init__(self) -> None:
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self.changed = threading.Condition()
        self.waiting = 0

    def put(self, item: Any) -> None:
        if item is not None:
            with self.changed:
                self.waiting += 1
        self._queue.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        item = self._queue.get(block, timeout)
        if item is not None:
            with self.changed:
                self.waiting -= 1
                if not item[0].cancelled():
                    self.changed.notify_all()
        return item

    def get_nowait(self) -> Any:
        return self.get(block=False)


class ForgetsDroppedCallsInShutdown(ReferenceExecutor):
    """shutdown(wait=True) first waits until workers have taken every queued call, but a
    worker that drops a cancelled call does not say so: a shutdown that starts while only
    a cancelled call is left waits for ever (as CPython's process pool before 3.10.11
    does). Caught by SHD-3."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers)
        self._shared.queue = _CountingQueue()  # type: ignore[assignment]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        queue = self._shared.queue
        if wait and isinstance(queue, _CountingQueue):
            with queue.changed:
                while queue.waiting:
                    queue.changed.wait()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class WaitsOnlyWhenAsked(ReferenceExecutor):
    """shutdown()'s wait is False unless given: shutdown() returns at once. Caught by SHD-3."""

    def shutdown(self, wait: bool = False, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class WaitByKeywordOnly(ReferenceExecutor):
    """shutdown() takes wait by keyword only: shutdown(False) raises TypeError. Caught by SHD-5."""

    def shutdown(self, *, wait: bool = True, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class WaitsOnlyForRunningCalls(ReferenceExecutor):
    """shutdown(wait=True) waits for the calls running when it is called, not for the queued
    ones. Caught by SHD-3."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._futures: list[Future[Any]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self._futures.append(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        running = [f for f in self._futures if f.running()]
        super().shutdown(wait=False, cancel_futures=cancel_futures)
        if wait:
            for future in running:
                future.exception()


class ResultsDeliveredLate(ReferenceExecutor):
    """Workers hand each outcome to a delivery thread, which completes the futures in batches
    20 ms later; shutdown(wait=True) joins the workers, not the delivery thread, so it returns
    before the last futures are done. Caught by SHD-4."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._outbox: SimpleQueue[tuple[Future[Any], bool, Any]] = SimpleQueue()
        threading.Thread(target=_deliver, args=(self._outbox,), daemon=True).start()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        super().submit(_run_then_post, future, self._outbox, fn, args, kwargs)
        return future


def _run_then_post(future: Future[Any], outbox: SimpleQueue[tuple[Future[Any], bool, Any]],
                   fn: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        outbox.put((future, True, fn(*args, **kwargs)))
    except BaseException as exc:
        outbox.put((future, False, exc))


def _deliver(outbox: SimpleQueue[tuple[Future[Any], bool, Any]]) -> None:
    while True:
        batch = [outbox.get()]
        time.sleep(0.02)
        while not outbox.empty():
            batch.append(outbox.get())
        for future, returned, value in batch:
            if returned:
                future.set_result(value)
            else:
                future.set_exception(value)


class ShutdownAlwaysWaits(ReferenceExecutor):
    """shutdown(wait=False) waits for the calls anyway. Caught by SHD-5."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=True, cancel_futures=cancel_futures)


class ShutdownDropsQueuedCalls(ReferenceExecutor):
    """shutdown() always cancels the calls still queued, as if cancel_futures were True.
    Caught by SHD-6."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=True)


class IgnoresCancelFutures(ReferenceExecutor):
    """shutdown() ignores cancel_futures: the queued calls run. Caught by SHD-7."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait)


class CancelFuturesForgetsToWait(ReferenceExecutor):
    """shutdown(wait=True, cancel_futures=True) cancels the queued calls, then returns without
    waiting for the running ones. Caught by SHD-8."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait and not cancel_futures, cancel_futures=cancel_futures)


class CancelsWithoutNotifying(ReferenceExecutor):
    """shutdown(cancel_futures=True) cancels the queued futures with Future.cancel() alone, as
    CPython's pools do, and drops them, so nothing wakes wait() or as_completed().
    Caught by SHD-9."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            for future in _drain(self._shared.queue):
                Future.cancel(future)  # not the reference future's cancel(), which notifies
        super().shutdown(wait=wait)


class SecondShutdownRaises(ReferenceExecutor):
    """A second shutdown() raises RuntimeError. Caught by SHD-10."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if getattr(self, "_shut_once", False):
            raise RuntimeError("the executor is already shut down")
        self._shut_once = True
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class SecondShutdownReturnsAtOnce(ReferenceExecutor):
    """shutdown() of an executor already shut down returns at once, even with wait=True.
    Caught by SHD-11."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._shutdown:
            return
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class SecondShutdownIgnoresCancelFutures(ReferenceExecutor):
    """Only the first shutdown() does the work: a later one waits when asked but drops
    cancel_futures, so the queued calls run. Caught by SHD-23."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._shutdown:
            cancel_futures = False
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class EnterReturnsNone(ReferenceExecutor):
    """__enter__ forgets to return the executor. Caught by SHD-12."""

    def __enter__(self) -> Any:
        return None


class ExitDoesNotWait(ReferenceExecutor):
    """Leaving a with block shuts down with wait=False. Caught by SHD-13."""

    def __exit__(self, *exc_info: object) -> bool:
        self.shutdown(wait=False)
        return False


class ExitSwallowsExceptions(ReferenceExecutor):
    """Leaving a with block returns True from __exit__, swallowing the block's exception.
    Caught by SHD-14."""

    def __exit__(self, *exc_info: object) -> bool:
        self.shutdown(wait=True)
        return True


class OneWorkerTooMany(ReferenceExecutor):
    """Starts up to max_workers + 1 workers. Caught by SHD-15."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._max_workers += 1


class OneWorkerOnly(ReferenceExecutor):
    """Runs every call in a single worker, whatever max_workers says. Caught by SHD-16."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._max_workers = 1


class RacySubmit(ReferenceExecutor):
    """submit() appends the future and the call to two lists without a lock, and a dispatcher
    pairs them by position: under threads a future gets another call's result.
    Caught by SHD-17."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._pending_futures: list[Future[Any]] = []
        self._pending_calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
        self._pending_calls = []
        self._pairing = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._pending_futures.append(future)
        time.sleep(0.0005)  # whatever submit() does in between; widens the race
        self._pending_calls.append((fn, args, kwargs))
        super().submit(self._dispatch)
        return future

    def _dispatch(self) -> None:
        with self._pairing:
            future = self._pending_futures.pop(0)
            fn, args, kwargs = self._pending_calls.pop(0)
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)


class ChecksShutdownOutsideTheLock(ReferenceExecutor):
    """submit() checks for shutdown, then enqueues the call later without checking again: a
    call enqueued behind the stop signal never runs and its future stays pending.
    Caught by SHD-18."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        time.sleep(0.001)  # whatever submit() does in between; widens the race
        future: Future[Any] = Future()
        shared = self._shared
        with shared.lock:
            if shared.idle:
                shared.idle -= 1
            elif len(self._threads) < self._max_workers:
                self._start_worker()
            shared.queue.put((future, fn, args, kwargs))
        return future


class AbandonedAtExit(ReferenceExecutor):
    """Nothing joins its daemon workers at exit: the program exits with calls unfinished.
    Caught by SHD-19."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        _live_executors.discard(self)

    def _start_worker(self) -> None:
        super()._start_worker()
        _live_workers.discard(self._threads[-1])


class LeavesIdleWorkers(ReferenceExecutor):
    """shutdown(wait=True) waits for every call, but never stops the workers: they stay
    blocked on the empty queue for good. Caught by SHD-20 (and SHD-21)."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._futures: list[Future[Any]] = []
        _live_executors.discard(self)  # nor does the program join them at exit

    def _start_worker(self) -> None:
        super()._start_worker()
        _live_workers.discard(self._threads[-1])

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self._futures.append(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._shared.lock:
            self._shutdown = True
        if wait:
            futures_wait(self._futures)


class ForgetsWorkersWithoutWait(ReferenceExecutor):
    """shutdown(wait=False) marks the executor shut down but never tells the workers to
    stop, so they outlive the calls; shutdown(wait=True) is right. Caught by SHD-21."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if wait:
            super().shutdown(wait=True, cancel_futures=cancel_futures)
            return
        with self._shared.lock:
            self._shutdown = True


class AcceptsItsWorkersCalls(ReferenceExecutor):
    """After shutdown(), submit() still accepts calls from the executor's own workers, as
    follow-up work, and queues them behind the stop sentinel, where they never run. Caught
    by SHD-1."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not (self._shutdown and threading.current_thread() in self._threads):
            return super().submit(fn, *args, **kwargs)
        future: Future[Any] = Future()
        self._shared.queue.put((future, fn, args, kwargs))
        return future


class StartsWorkersUnlocked(ReferenceExecutor):
    """submit() decides whether to start a worker before it takes the lock, so submits racing
    from several threads all start one, past max_workers. Caught by SHD-17."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        start = not self._shared.idle and len(self._threads) < self._max_workers
        time.sleep(0.0005)  # whatever submit() does in between; widens the race
        if start:
            with self._shared.lock:
                self._start_worker()
                self._shared.idle += 1  # the next submit() claims the new worker
        return super().submit(fn, *args, **kwargs)


class CancelsQueuedCallsWhenDropped(ReferenceExecutor):
    """An executor the program drops without shutting it down cancels its queued calls as it
    is collected, so they never run, though the program waits for its running ones. Caught
    by SHD-22."""

    def __del__(self) -> None:
        self.shutdown(wait=False, cancel_futures=True)


class HangsAtExitUnlessShutDown(ReferenceExecutor):
    """Its workers are not daemon threads and nothing tells them to stop at exit, so a program
    that still holds the executor, never shut down, waits for them for ever once its calls
    are done. Caught by SHD-22."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        _live_executors.discard(self)  # no shutdown at exit

    def _start_worker(self) -> None:
        thread = threading.Thread(target=_worker, daemon=False,
                                  args=(self._shared, self._initializer, self._initargs))
        thread.start()
        self._threads.append(thread)


class JoinsWorkersUnderItsLock(ReferenceExecutor):
    """shutdown(wait=True) holds the lock submit() takes while it joins the workers, so a
    submit() during that wait blocks instead of raising RuntimeError (for 12 s, after which
    it gives up, so that the run can end). Caught by SHD-1."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._gate = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self._gate.acquire(timeout=12):  # longer than the spec's bound
            raise RuntimeError("gave up waiting for shutdown(wait=True)")
        try:
            return super().submit(fn, *args, **kwargs)
        finally:
            self._gate.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._gate:
            super().shutdown(wait, cancel_futures=cancel_futures)


class NeverClaimsIdleWorkers(ReferenceExecutor):
    """submit() sees an idle worker and gives it the call, but never counts it busy again, so
    once one call has finished no new worker is ever started. Caught by SHD-16."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        shared = self._shared
        with shared.lock:
            idle = shared.idle
        if idle:  # the claim (shared.idle -= 1) is forgotten
            future: Future[Any] = _Future()
            shared.queue.put((future, fn, args, kwargs))
            return future
        return super().submit(fn, *args, **kwargs)


class StopsItsWorkersOnce(ReferenceExecutor):
    """Only the first shutdown() puts the stop sentinel on the queue; a later one with
    cancel_futures drains the queue, sentinel included, so the workers never stop.
    Caught by SHD-21."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not self._shutdown:
            super().shutdown(wait, cancel_futures=cancel_futures)
            return
        if cancel_futures:
            for future in _drain(self._shared.queue):
                future.cancel()

    def _start_worker(self) -> None:
        super()._start_worker()
        _live_workers.discard(self._threads[-1])  # so that the run can still exit


class JoinsTheLastExecutorAtExit(ReferenceExecutor):
    """At exit, waits for the calls of the executor built last only (a global, not a set),
    so the calls of any other executor are cut short. Caught by SHD-19 (and SHD-22)."""

    last: JoinsTheLastExecutorAtExit | None = None

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        _live_executors.discard(self)
        JoinsTheLastExecutorAtExit.last = self

    def _start_worker(self) -> None:
        super()._start_worker()
        _live_workers.discard(self._threads[-1])


@atexit.register
def _join_the_last() -> None:
    if JoinsTheLastExecutorAtExit.last is not None:
        JoinsTheLastExecutorAtExit.last.shutdown(wait=True)


class _QuitsAtCancelled(SimpleQueue):  # type: ignore[type-arg]
    """A work queue that, once ``stopping`` is set, gives a worker the stop sentinel in place
    of a cancelled call."""

    stopping = False

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        item = super().get(block, timeout)
        if self.stopping and item is not None and item[0].cancelled():
            return None
        return item


class StopsAtCancelledOnceShutDown(ReferenceExecutor):
    """Once shutdown(wait=False) has begun, a worker that takes a cancelled call from the queue
    stops there, as a worker loop that ends at the first call it may not run would: the calls
    queued behind it never run. Caught by SHD-6 (and by SHD-24 when its schedules meet it)."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers)
        self._shared.queue = _QuitsAtCancelled()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not wait and isinstance(self._shared.queue, _QuitsAtCancelled):
            self._shared.queue.stopping = True
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class LeavesAProcessRunning(ReferenceExecutor):
    """Starts a helper process with the executor and never stops it, so the helper outlives
    shutdown() and the run. Caught by SHD-20; the run kills the helper as it ends. The
    helper's command line ends with $CONFORMANCE_SELFTEST_MARK, for the test to find it."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        mark = os.environ.get("CONFORMANCE_SELFTEST_MARK", "leaked-helper")
        self._helper = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(600)", mark])
