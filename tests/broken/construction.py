"""Broken executors for the clauses of building an executor (EXE-*).

Each is the reference executor, or a thin factory around it, wrong in the one
way its docstring says.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, Future
from typing import Any

from implementations.reference import ReferenceExecutor


class NotAnExecutor:
    """Has submit(), map() and shutdown() and works, but is not a concurrent.futures.Executor.
    Caught by EXE-1."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        self._executor = ReferenceExecutor(max_workers, **options)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._executor.submit(fn, *args, **kwargs)

    def map(self, fn: Any, *iterables: Any, **kwargs: Any) -> Iterator[Any]:
        return self._executor.map(fn, *iterables, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait, cancel_futures=cancel_futures)

    def __enter__(self) -> NotAnExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


class RejectsNone(ReferenceExecutor):
    """max_workers=None raises TypeError instead of choosing a default. Caught by EXE-2."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        if max_workers is None:
            raise TypeError("max_workers must be an int, not NoneType")
        super().__init__(max_workers, **options)


class AcceptsZeroWorkers(ReferenceExecutor):
    """max_workers of 0 or less is taken as the default instead of raising ValueError.
    Caught by EXE-3."""

    def __init__(self, max_workers: int | None = None, **options: Any) -> None:
        super().__init__(max_workers if max_workers is None or max_workers > 0 else None,
                         **options)


class _Handle(Executor):
    """One caller's handle on the shared pool."""

    def __init__(self, pool: ReferenceExecutor) -> None:
        self._pool = pool

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait, cancel_futures=cancel_futures)


_shared: ReferenceExecutor | None = None


def SharedPool(max_workers: int | None = None, **options: Any) -> Executor:
    """Hands out handles on one process-wide pool (a new one once it is shut down), and a
    handle's shutdown() shuts the pool down for every handle. Caught by EXE-4."""
    global _shared
    if _shared is None or _shared._shutdown:
        _shared = ReferenceExecutor(max_workers, **options)
    return _Handle(_shared)
