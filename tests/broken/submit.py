"""Broken executors for the submit clauses (SUB-*)."""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import Future
from queue import SimpleQueue
from typing import Any

from implementations.reference import ReferenceExecutor, _Future, _run


class DropsKeywords(ReferenceExecutor):
    """Calls fn(*args) and forgets the keyword arguments. Caught by SUB-2 (and SUB-3)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(fn, *args)


class FnNotPositionalOnly(ReferenceExecutor):
    """Declares submit(self, fn, *args, **kwargs): a keyword called fn clashes. Caught by SUB-3."""

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> Future[Any]:  # type: ignore[override]
        return super().submit(fn, *args, **kwargs)


class MemoizesCalls(ReferenceExecutor):
    """Returns the earlier future for a call it has seen before. Caught by SUB-4."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers)
        self._seen: dict[str, Future[Any]] = {}

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        key = repr((fn, args, kwargs))
        if key not in self._seen:
            self._seen[key] = super().submit(fn, *args, **kwargs)
        return self._seen[key]


class CoalescesUnfinishedCalls(ReferenceExecutor):
    """Hands out the unfinished future of an identical call (same function, same hashable
    arguments) instead of scheduling another: a cache of calls in flight. Caught by SUB-4
    and SUB-5."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers)
        self._in_flight: dict[Any, Future[Any]] = {}
        self._in_flight_lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        key = (fn, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return super().submit(fn, *args, **kwargs)
        with self._in_flight_lock:
            earlier = self._in_flight.get(key)
            if earlier is not None and not earlier.done():
                return earlier
            future = self._in_flight[key] = super().submit(fn, *args, **kwargs)
        return future


class TakesOptionKeywords(ReferenceExecutor):
    """Takes key= and priority= for itself, as options of submit(). Caught by SUB-2."""

    def submit(self, fn: Any, /, *args: Any, key: Any = None, priority: Any = 0,
               **kwargs: Any) -> Future[Any]:
        return super().submit(fn, *args, **kwargs)


class RunsIdenticalCallsOnce(MemoizesCalls):
    """A new future for each submit(), but a call identical to an earlier one is not run
    again: its future copies the earlier outcome (as a cache of pure tasks would). Caught by
    SUB-5."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        run = super().submit(fn, *args, **kwargs)  # the one run of identical calls
        future: Future[Any] = Future()

        def copy(run: Future[Any]) -> None:
            if future.set_running_or_notify_cancel():
                error = run.exception()
                if error is None:
                    future.set_result(run.result())
                else:
                    future.set_exception(error)

        run.add_done_callback(copy)
        return future


class RunsEveryCallTwice(ReferenceExecutor):
    """Runs each call a second time behind the caller's back. Caught by SUB-5."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        super().submit(fn, *args, **kwargs)
        return super().submit(fn, *args, **kwargs)


class WaitsInSubmit(ReferenceExecutor):
    """submit() returns only once the call has finished. Caught by SUB-6."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.exception()
        return future


class MapWaitsForResults(ReferenceExecutor):
    """map() collects every result before it returns an iterator over them. Caught by SUB-7."""

    def map(self, fn: Any, *iterables: Any, timeout: float | None = None,
            chunksize: int = 1) -> Any:
        return iter(list(super().map(fn, *iterables, timeout=timeout, chunksize=chunksize)))


class RunsNestedCallsInline(ReferenceExecutor):
    """submit() from one of the executor's own workers runs the call there and then, before
    it returns, so a call that submits work and waits for it blocks. Caught by SUB-8."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if threading.current_thread() not in self._threads:
            return super().submit(fn, *args, **kwargs)
        future: Future[Any] = _Future()
        _run(future, fn, args, kwargs)  # "no need to queue: this thread is a worker"
        return future


class WaitsForRoomInItsQueue(ReferenceExecutor):
    """At most 64 calls may be queued or running: submit() waits for room beyond that, that
    is for earlier calls to finish. Caught by SUB-6."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers, **options)
        self._room = threading.BoundedSemaphore(64)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self._room.acquire(timeout=60):  # long past the spec's bound, not for ever
            raise RuntimeError("no room in the queue")
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self._room.release())
        return future


class LabelsCallsByName(ReferenceExecutor):
    """submit() labels each call with its function's qualified name, which a partial or a
    callable object does not have: submit() raises AttributeError for them. Caught by SUB-2."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.last_label = f"{fn.__module__}.{fn.__qualname__}"
        return super().submit(fn, *args, **kwargs)


class _WeakQueue:
    """A work queue that holds each queued call's future weakly, and skips the calls whose
    future is gone when a worker comes for them."""

    def __init__(self) -> None:
        self._queue: SimpleQueue[Any] = SimpleQueue()

    def put(self, item: Any) -> None:
        self._queue.put(item if item is None else (weakref.ref(item[0]), *item[1:]))

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        while True:
            item = self._queue.get(block, timeout)
            if item is None:
                return None
            future = item[0]()
            if future is not None:
                return (future, *item[1:])

    def get_nowait(self) -> Any:
        return self.get(block=False)


class SkipsCallsWithDroppedFutures(ReferenceExecutor):
    """Queues each call with a weak reference to its future: a call whose future the caller
    dropped before a worker took it never runs. Caught by SUB-5."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers)
        self._shared.queue = _WeakQueue()  # type: ignore[assignment]
