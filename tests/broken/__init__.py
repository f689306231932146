"""Deliberately broken executors, each wrong in exactly one way.

Each module holds the broken executors of one area of the contract; each
factory's docstring says what it gets wrong and which clause must catch it.
They are built on the reference executor, so that the one bug is the only
difference from an executor that passes every clause.
"""

from __future__ import annotations

from concurrent.futures import Future
from queue import SimpleQueue
from typing import Any

from implementations.reference import ReferenceExecutor


def handing_out(cls: type[Future[Any]], doc: str) -> type[ReferenceExecutor]:
    """The reference executor, with its futures turned into instances of ``cls``."""

    class Broken(ReferenceExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = super().submit(fn, *args, **kwargs)
            # The executor keeps driving the same object, so changing its class
            # changes only the behaviour the subclass overrides.
            future.__class__ = cls
            return future

    Broken.__doc__ = doc
    return Broken


class _GivesFutureClass(SimpleQueue):  # type: ignore[type-arg]
    """A work queue that turns each future put on it into an instance of ``future_class``.

    The class changes before a worker can take the work item, so even the
    worker's first set_running_or_notify_cancel() is the broken one's.
    """

    future_class: type[Future[Any]]

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is not None:
            item[0].__class__ = self.future_class
        super().put(item, block, timeout)


def handing_out_from_the_start(cls: type[Future[Any]], doc: str) -> type[ReferenceExecutor]:
    """The reference executor, with its futures instances of ``cls`` before any worker
    touches them (:func:`handing_out` changes the class once submit() has returned)."""

    class Broken(ReferenceExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            queue = _GivesFutureClass()
            queue.future_class = cls
            self._shared.queue = queue  # before any worker exists to read the old one

    Broken.__doc__ = doc
    return Broken
