"""Deliberately broken executors, each wrong in exactly one way.

Each module holds the broken executors of one area of the contract; each
factory's docstring says what it gets wrong and which clause must catch it.
They are built on the reference executor, so that the one bug is the only
difference from an executor that passes every clause.
"""

from __future__ import annotations

from concurrent.futures import Future
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
