"""The reference executor: the ``concurrent.futures`` Executor contract as code.

Theory of operation
-------------------
There are four parts:

* the *executor*, which accepts calls (``submit``) until it is shut down;
* a FIFO *work queue* of work items ``(future, fn, args, kwargs)``;
* *worker* threads, each running one item at a time, started by ``submit()``
  only while none is idle and fewer than ``max_workers`` exist;
* ``concurrent.futures.Future`` objects, the caller's only view of a call (a
  subclass whose cancel() wakes ``wait()`` and ``as_completed()`` at once, and
  that mends result() for falsy exceptions on older CPythons).

One call flows like this: ``submit()`` makes a future, puts a work item on the
queue and returns the future.  A worker takes the item and calls
``future.set_running_or_notify_cancel()``; if that returns False the future
was cancelled while queued and the call is skipped.  Otherwise the worker calls
``fn(*args, **kwargs)`` and records the outcome with ``set_result()`` or
``set_exception()``.  A cancel does not wait for a worker to take the item: the
future's ``cancel()`` notifies the threads in ``wait()`` and ``as_completed()``
itself, and the worker that later takes the item is told False.

``map()`` submits one call per set of inputs (all at once, or ``buffersize``
ahead of the consumer) and returns a generator that gives their results in
input order, each within what is left of the timeout; when it ends early it
cancels the calls that have not started.

``shutdown()`` refuses new calls and puts a stop sentinel (``None``) behind the
queued work.  A worker that takes the sentinel puts it back for the next worker
and exits, so everything queued before shutdown still runs.  With
``cancel_futures`` the queue is first emptied and each future in it cancelled;
with ``wait`` shutdown then joins the workers.

If an ``initializer`` raises, the executor is *broken*: the failing worker
fails every queued future with ``BrokenReferenceExecutor``, stops the other
workers with the sentinel, and every later ``submit()`` raises.

Workers share a small ``_Shared`` record with the executor but never hold the
executor itself, so a forgotten executor can be garbage-collected; a finalizer
then stops its workers as ``shutdown(wait=False)`` would.  Workers are daemon
threads, and an ``atexit`` hook shuts down live executors and waits for every
worker, so a forgotten executor neither blocks exit nor loses queued work.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from itertools import islice
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any, TypeVar

__all__ = ["BrokenReferenceExecutor", "ReferenceExecutor"]

_T = TypeVar("_T")
if TYPE_CHECKING:  # typing has ParamSpec and TypeAlias from Python 3.10 on
    from typing import ParamSpec, TypeAlias

    _P = ParamSpec("_P")
    _WorkItem: TypeAlias = "tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]"
    _Queue: TypeAlias = "SimpleQueue[_WorkItem | None]"  # None is the stop sentinel


class BrokenReferenceExecutor(BrokenExecutor):
    """Raised, and set on every queued future, once an initializer has failed."""


class _Future(Future[_T]):
    """A Future whose cancel() wakes waiters at once, and whose result() raises the
    call's exception, however falsy."""

    def __init__(self) -> None:
        super().__init__()
        self._notify_lock = threading.Lock()
        self._notified = False  # waiters were told of a cancel (guarded by _notify_lock)

    def cancel(self) -> bool:
        if not super().cancel():
            return False
        # wait(): done holds "finished or cancelled futures", and as_completed()
        # yields cancelled ones; but Future tells those waiters of a cancel only
        # in set_running_or_notify_cancel(), which a worker calls when it takes
        # the item off the queue, maybe much later (python/cpython#92001).
        self.set_running_or_notify_cancel()
        return True

    def set_running_or_notify_cancel(self) -> bool:
        # Called by cancel() and again by the worker that takes the cancelled
        # item: the waiters hear of the cancel once, and both calls get False
        # ("the Future was cancelled") rather than Future's RuntimeError.
        with self._notify_lock:
            if self._notified:
                return False
            running = super().set_running_or_notify_cancel()
            self._notified = not running
            return running

    def result(self, timeout: float | None = None) -> _T:
        # Future.result: "If the call raised an exception, this method will raise
        # the same exception" -- also one whose __bool__ is False, which some
        # CPython versions' result() mistook for no exception (gh-132063).
        error = self.exception(timeout)
        if error is not None:
            try:
                raise error
            finally:
                del error  # no cycle through this frame
        return super().result(0)


class _Shared:
    """What the executor shares with its workers (never the executor itself)."""

    __slots__ = ("broken", "idle", "lock", "queue")

    def __init__(self) -> None:
        self.queue: _Queue = SimpleQueue()
        self.lock = threading.Lock()  # guards idle and broken
        self.idle = 0  # workers free for work that no submit() has claimed yet
        self.broken: BaseException | None = None  # the failed initializer's error


def _worker(
    shared: _Shared,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
) -> None:
    """Run work items in queue order until the stop sentinel comes."""
    # ThreadPoolExecutor: initializer "is called at the start of each worker thread".
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException as exc:
            _break(shared, exc)
            return
    get = shared.queue.get
    while (item := get()) is not None:
        _run(*item)
        del item  # don't keep the finished call's arguments alive while idle
        with shared.lock:
            shared.idle += 1  # free again: the next submit() need not start a thread
    shared.queue.put(None)  # pass the stop sentinel on to the next worker


def _run(
    future: Future[Any],
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    # Future.set_running_or_notify_cancel: False means the future "was cancelled".
    if not future.set_running_or_notify_cancel():
        return
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:  # whatever the call raises belongs to its future
        future.set_exception(exc)
        del future  # exc's traceback holds this frame: no future -> exc -> frame cycle
    else:
        future.set_result(result)


def _break(shared: _Shared, cause: BaseException) -> None:
    with shared.lock:
        shared.broken = cause
    # ThreadPoolExecutor: should initializer raise, "all currently pending jobs" fail.
    for future in _drain(shared.queue):
        # Skip futures the caller already cancelled (this also notifies waiters).
        if future.set_running_or_notify_cancel():
            future.set_exception(_broken_error(cause))
    shared.queue.put(None)  # a broken executor runs nothing more


def _broken_error(cause: BaseException) -> BrokenReferenceExecutor:
    error = BrokenReferenceExecutor("a worker's initializer failed, so the executor is broken")
    error.__cause__ = cause  # as `raise error from cause` would
    return error


def _drain(queue: _Queue) -> list[Future[Any]]:
    """Empty the queue, returning the futures of the work items it held."""
    futures: list[Future[Any]] = []
    while True:
        try:
            item = queue.get_nowait()
        except Empty:
            return futures
        if item is not None:
            futures.append(item[0])


class ReferenceExecutor(Executor):
    """An Executor that runs each call in one of a pool of worker threads."""

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        if max_workers is None:
            max_workers = min(32, (os.cpu_count() or 1) + 4)
        elif not isinstance(max_workers, int):
            raise TypeError(f"max_workers must be an int, not {type(max_workers).__name__}")
        elif max_workers <= 0:
            raise ValueError(f"max_workers must be greater than 0 (got {max_workers})")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max_workers = max_workers
        self._name_prefix = thread_name_prefix or "ReferenceExecutor"
        self._initializer = initializer
        self._initargs = initargs
        self._shared = _Shared()
        self._threads: list[threading.Thread] = []
        self._shutdown = False
        # A dropped executor stops its workers once they finish queued work.
        weakref.finalize(self, self._shared.queue.put, None).atexit = False
        _live_executors.add(self)

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        future: Future[_T] = _Future()
        shared = self._shared
        with shared.lock:
            # ThreadPoolExecutor: after a failed initializer, so does "any attempt to submit".
            if shared.broken is not None:
                raise _broken_error(shared.broken)
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            # ThreadPoolExecutor "reuses idle worker threads" before starting new ones.
            if shared.idle:
                shared.idle -= 1
            elif len(self._threads) < self._max_workers:
                self._start_worker()  # before put(): if this fails, nothing leaks
            shared.queue.put((future, fn, args, kwargs))
        return future

    def _start_worker(self) -> None:
        thread = threading.Thread(
            target=_worker,
            name=f"{self._name_prefix}_{len(self._threads)}",
            args=(self._shared, self._initializer, self._initargs),
            daemon=True,  # never keep the interpreter alive; _at_exit joins us
        )
        thread.start()
        self._threads.append(thread)
        _live_workers.add(thread)

    def map(
        self,
        fn: Callable[..., _T],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
        buffersize: int | None = None,
    ) -> Iterator[_T]:
        # Executor.map (3.14): buffersize must be None or a positive int.
        if buffersize is not None and not isinstance(buffersize, int):
            raise TypeError(f"buffersize must be an int or None, not {type(buffersize).__name__}")
        if buffersize is not None and buffersize < 1:
            raise ValueError(f"buffersize must be None or greater than 0 (got {buffersize})")
        # The timeout counts "from the original call to Executor.map()".
        deadline = None if timeout is None else time.monotonic() + timeout
        inputs = zip(*iterables)  # like map(): in step, to the shortest
        # "The iterables are collected immediately rather than lazily", unless a
        # buffersize asks to submit only that many calls ahead of the consumer.
        ahead = inputs if buffersize is None else islice(inputs, buffersize)
        futures = deque(self.submit(fn, *args) for args in ahead)
        # chunksize changes nothing for threads: each call is its own work item.
        return _results(self, fn, futures, inputs if buffersize else None, deadline)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        queue = self._shared.queue
        with self._shared.lock:
            self._shutdown = True
        # Futures are cancelled outside the lock: their callbacks may call us.
        if cancel_futures:
            # Executor.shutdown: cancel_futures cancels "all pending futures
            # that the executor has not started running".
            for future in _drain(queue):
                future.cancel()  # which wakes wait() and as_completed() (_Future.cancel)
                # A no-op for our own futures; it wakes the waiters of a future
                # whose cancel() does not (a subclass's).
                future.set_running_or_notify_cancel()
        # Resources go "when the currently pending futures are done executing".
        queue.put(None)  # so the sentinel goes behind the queued work
        if wait:
            for thread in self._threads:
                thread.join()


def _results(
    executor: Executor,
    fn: Callable[..., _T],
    futures: deque[Future[_T]],
    more: Iterator[tuple[Any, ...]] | None,
    deadline: float | None,
) -> Iterator[_T]:
    """The results of map(), in input order; ``more`` holds the inputs not yet submitted."""
    try:
        while futures:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            # A call's exception, or TimeoutError, comes out here, at its position.
            value = futures[0].result(remaining)
            futures.popleft()
            yield value
            # The consumer has taken a result: one more call may go ahead.
            if more is not None and (args := next(more, None)) is not None:
                futures.append(executor.submit(fn, *args))
    finally:
        # Ended early (an exception, a timeout, or the iterator dropped): the
        # calls that have not started are not wanted any more.
        for future in futures:
            future.cancel()


_live_executors: weakref.WeakSet[ReferenceExecutor] = weakref.WeakSet()
_live_workers: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@atexit.register
def _at_exit() -> None:
    # Executor.shutdown: the program "will not exit until all pending futures are
    # done executing", even those of executors never shut down, or dropped.
    for executor in list(_live_executors):
        executor.shutdown(wait=False)
    for thread in list(_live_workers):
        thread.join()
