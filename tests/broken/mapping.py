"""Broken executors for the Executor.map clauses (MAP-*).

Each replaces the inherited ``Executor.map`` with one that is wrong in one way
and otherwise behaves as CPython's does.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, TimeoutError, as_completed
from itertools import islice, zip_longest
from typing import Any

from implementations.reference import ReferenceExecutor


def _results(futures: list[Future[Any]], timeout: float | None,
             end_time: float | None = None,
             wait: Callable[[float], float] = lambda left: left) -> Iterator[Any]:
    """CPython's result iterator: each future's result in turn, within the time left
    until ``end_time`` (as ``wait`` turns it into a wait); the futures not yet yielded
    are cancelled when it stops."""
    if timeout is not None and end_time is None:
        end_time = time.monotonic() + timeout
    try:
        futures.reverse()
        while futures:
            future = futures.pop()
            try:
                if end_time is None:
                    yield future.result()
                else:
                    yield future.result(wait(end_time - time.monotonic()))
            finally:
                future.cancel()
    finally:
        for future in futures:
            future.cancel()


class _CPythonMap(ReferenceExecutor):
    """CPython's Executor.map, with the waiting of its iterator left to _wait."""

    def _wait(self, left: float) -> float:
        return left

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        end_time = None if timeout is None else time.monotonic() + timeout
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        return _results(futures, timeout, end_time, self._wait)


class CompletionOrder(ReferenceExecutor):
    """map() yields results in the order the calls finish, not the input order.
    Caught by MAP-1 (and by the other specs that compare results in order)."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        end_time = None if timeout is None else time.monotonic() + timeout

        def results() -> Iterator[Any]:
            try:
                left = None if end_time is None else end_time - time.monotonic()
                for future in as_completed(list(futures), left):
                    futures.remove(future)
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()

        return results()


class TimeoutFromNext(ReferenceExecutor):
    """map()'s timeout counts afresh from each next(), not from the call to map().
    Caught by MAP-12."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        # Every wait gets the whole timeout, whatever is left of it.
        return _results(futures, timeout,
                        wait=lambda left: left if timeout is None else timeout)


class DeadlineFromFirstNext(ReferenceExecutor):
    """map()'s deadline is set inside its result generator, so it counts from the first
    next() rather than from the call to map(). Caught by MAP-12."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        # _results reads the clock only when the generator first runs.
        return _results(futures, timeout)


class SubmitsOnFirstNext(ReferenceExecutor):
    """map() collects its inputs at once but submits the calls only at the first next().
    Caught by MAP-7."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        calls = list(zip(*iterables))
        end_time = None if timeout is None else time.monotonic() + timeout

        def results() -> Iterator[Any]:
            futures = [self.submit(fn, *args) for args in calls]
            yield from _results(futures, timeout, end_time)

        return results()


class CollectsLazily(ReferenceExecutor):
    """map() reads its inputs as it goes (max_workers calls ahead), not all at once.
    Caught by MAP-5 and MAP-6."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        calls = zip(*iterables)
        end_time = None if timeout is None else time.monotonic() + timeout
        futures = deque(self.submit(fn, *args) for args in islice(calls, self._max_workers))

        def results() -> Iterator[Any]:
            try:
                while futures:
                    future = futures.popleft()
                    left = None if end_time is None else end_time - time.monotonic()
                    value = future.result(left)
                    futures.extend(self.submit(fn, *args) for args in islice(calls, 1))
                    yield value
            finally:
                for future in futures:
                    future.cancel()

        return results()


class LeavesCallsRunning(ReferenceExecutor):
    """map()'s iterator never cancels the calls it has not yielded when it stops
    (closed, or after an exception or a TimeoutError). Caught by MAP-14, MAP-15, MAP-16."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        end_time = None if timeout is None else time.monotonic() + timeout

        def results() -> Iterator[Any]:
            futures.reverse()
            while futures:
                future = futures.pop()
                if end_time is None:
                    yield future.result()
                else:
                    yield future.result(end_time - time.monotonic())

        return results()


class DeadlineBeforeResult(ReferenceExecutor):
    """map()'s iterator raises TimeoutError once the timeout has run out, even for a
    result that is already there. Caught by MAP-13."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        end_time = None if timeout is None else time.monotonic() + timeout

        def results() -> Iterator[Any]:
            try:
                futures.reverse()
                while futures:
                    future = futures.pop()
                    try:
                        if end_time is not None and time.monotonic() >= end_time:
                            raise TimeoutError()
                        left = None if end_time is None else end_time - time.monotonic()
                        yield future.result(left)
                    finally:
                        future.cancel()
            finally:
                for future in futures:
                    future.cancel()

        return results()


def _call_chunk(fn: Callable[..., Any], chunk: list[tuple[Any, ...]]) -> list[Any]:
    return [fn(*args) for args in chunk]


class ChunkFailsAsAWhole(ReferenceExecutor):
    """map() runs chunksize calls as one task, so a call's exception is raised in place
    of its whole chunk, before the results of the earlier calls in it. Caught by MAP-9."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        calls = list(zip(*iterables))
        chunks = [calls[i:i + chunksize] for i in range(0, len(calls), chunksize)]
        futures = [self.submit(_call_chunk, fn, chunk) for chunk in chunks]
        end_time = None if timeout is None else time.monotonic() + timeout

        def results() -> Iterator[Any]:
            for chunk_results in _results(futures, timeout, end_time):
                yield from chunk_results

        return results()


class LongestInput(ReferenceExecutor):
    """map() goes on to the end of the longest iterable, filling in None, as
    itertools.zip_longest does. Caught by MAP-3 and MAP-4 (and MAP-8, which maps
    several iterables too)."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        end_time = None if timeout is None else time.monotonic() + timeout
        futures = [self.submit(fn, *args) for args in zip_longest(*iterables)]
        return _results(futures, timeout, end_time)


class TimeoutEarly(_CPythonMap):
    """map()'s iterator waits only half the time left, so TimeoutError comes early.
    Caught by MAP-10."""

    def _wait(self, left: float) -> float:
        return left / 2


class TimeoutOverruns(_CPythonMap):
    """map()'s iterator waits 3 s more than the time left, so TimeoutError comes late
    (though at once when the time has already run out). Caught by MAP-11."""

    def _wait(self, left: float) -> float:
        return left + 3 if left > 0 else left


class RejectsChunksize(_CPythonMap):
    """map() accepts no chunksize other than 1. Caught by MAP-8 and MAP-9."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        if chunksize != 1:
            raise TypeError("chunksize is not supported")
        return super().map(fn, *iterables, timeout=timeout)


class ExceptionsAtTheEnd(ReferenceExecutor):
    """map() yields every value first and raises the first call's exception only after them,
    not at its own position. Caught by MAP-2."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables)]

        def results() -> Iterator[Any]:
            errors = [e for f in futures if (e := f.exception(timeout)) is not None]
            yield from (f.result() for f in futures if f.exception() is None)
            if errors:
                raise errors[0]

        return results()



class DefaultTimeout(ReferenceExecutor):
    """Gives map() a tenth of a second when no timeout is given. Caught by MAP-21."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1) -> Iterator[Any]:
        return super().map(fn, *iterables, timeout=0.1 if timeout is None else timeout,
                           chunksize=chunksize)

# -- map(buffersize=), Python 3.14+: these run only where the clauses apply. ------


class EagerBuffersize(ReferenceExecutor):
    """Accepts buffersize but collects every input at once. Caught by MAP-19 and MAP-20."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1, buffersize: int | None = None) -> Iterator[Any]:
        return super().map(fn, *iterables, timeout=timeout, chunksize=chunksize)


class UncheckedBuffersize(ReferenceExecutor):
    """Takes a buffersize that is not a positive int as None. Caught by MAP-17."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1, buffersize: Any = None) -> Iterator[Any]:
        valid = isinstance(buffersize, int) and buffersize > 0
        return super().map(fn, *iterables, timeout=timeout,  # type: ignore[call-arg]
                           buffersize=buffersize if valid else None)


class CompletionOrderBuffered(ReferenceExecutor):
    """With a buffersize, yields the buffered calls' results as they finish. Caught by MAP-18."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1, buffersize: int | None = None) -> Iterator[Any]:
        if buffersize is None:
            return super().map(fn, *iterables, timeout=timeout)
        calls = zip(*iterables)
        pending = {self.submit(fn, *args) for args in islice(calls, buffersize)}

        def results() -> Iterator[Any]:
            while pending:
                done = next(as_completed(pending))
                pending.discard(done)
                pending.update(self.submit(fn, *args) for args in islice(calls, 1))
                yield done.result()

        return results()


class TwoAhead(ReferenceExecutor):
    """Submits two more calls for each result it yields: the buffer grows. Caught by MAP-19."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1, buffersize: int | None = None) -> Iterator[Any]:
        if buffersize is None:
            return super().map(fn, *iterables, timeout=timeout)
        calls = zip(*iterables)
        futures = deque(self.submit(fn, *args) for args in islice(calls, buffersize))

        def results() -> Iterator[Any]:
            while futures:
                value = futures.popleft().result()
                futures.extend(self.submit(fn, *args) for args in islice(calls, 2))
                yield value

        return results()


def _popping_first(futures: deque[Future[Any]], deadline: float | None) -> Iterator[Any]:
    try:
        while futures:
            future = futures.popleft()  # off the list before the wait, as in CPython 3.9
            yield future.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
    finally:
        for future in futures:
            future.cancel()


class SparesTheAwaitedCall(ReferenceExecutor):
    """When next() on map()'s iterator times out, the calls after the one it waited on are
    cancelled but that one is not, so it runs though the iterator is done (CPython before
    3.10). Caught by MAP-16."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        return _popping_first(deque(self.submit(fn, *args) for args in zip(*iterables)),
                              deadline)


class DeadlinePerResult(ReferenceExecutor):
    """map()'s iterator gives each result a deadline of its own, the n-th one n timeouts
    from the call to map(), so a later result outlasts the timeout. Caught by MAP-12."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        start = time.monotonic()
        futures = [self.submit(fn, *args) for args in zip(*iterables)]

        def results() -> Iterator[Any]:
            for n, future in enumerate(futures, 1):
                left = None if timeout is None else start + n * timeout - time.monotonic()
                yield future.result(left)

        return results()


class ChunksIgnoreTheTimeout(ReferenceExecutor):
    """With a chunksize above 1, map() takes another path, which forgets the timeout.
    Caught by MAP-11."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        return super().map(fn, *iterables, timeout=None if chunksize > 1 else timeout)


class DrawsEveryIterable(ReferenceExecutor):
    """map() makes a list of each iterable before it zips them, drawing a long one to its
    end instead of stopping with the shortest. Caught by MAP-3."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any],
            timeout: float | None = None, chunksize: int = 1) -> Iterator[Any]:
        lists = [list(iterable) for iterable in iterables]
        return super().map(fn, *lists, timeout=timeout)
