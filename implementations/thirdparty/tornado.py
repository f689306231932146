"""Tornado's ``tornado.concurrent.DummyExecutor``: an executor that runs each call in submit().

Tornado 6 keeps ``DummyExecutor`` in ``tornado.concurrent`` (with a shared instance,
``dummy_executor``), an undocumented ``concurrent.futures.Executor`` subclass: ``submit()``
calls the function at once in the caller's thread and returns a finished
``concurrent.futures.Future``, and ``shutdown()`` does nothing.  Its constructor takes no
arguments, so the factory builds a new one and ignores ``max_workers``: nothing limits how many
calls run at once (each runs in the thread that submits it), hence ``bounded_workers=False``.
"""

from __future__ import annotations

from tornado.concurrent import DummyExecutor

from conformance import Implementation


def dummy_executor(max_workers: int | None = None) -> DummyExecutor:
    """A new ``DummyExecutor``; ``max_workers`` is ignored, as it has no workers to count."""
    return DummyExecutor()


dummy = Implementation(
    name="tornado-dummy", factory=dummy_executor,
    background=False, shares_memory=True, process_workers=False, bounded_workers=False,
    package="tornado",
)
