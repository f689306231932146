"""loky's process pools: ``loky.ProcessPoolExecutor`` and ``loky.get_reusable_executor``.

loky reimplements the standard library's ``ProcessPoolExecutor``: workers start with its own
``loky`` method (fork then exec), calls and arguments go through cloudpickle, and a worker that
dies breaks the pool with ``BrokenProcessPool`` instead of hanging it.  Both executors run calls
in worker processes of this host and take ``initializer=`` and ``initargs=``.

``loky`` is the class itself, the factory as loky ships it.

``loky-reusable`` is the executor ``get_reusable_executor()`` returns: one executor per thread,
handed out again by the next call while it is alive and its arguments are unchanged (the point
of it is to keep the worker processes between uses), and replaced by a new one once it has been
shut down or broken.  The suite asks its factory for a new executor each time, so the factory
passes ``reuse=False`` (a parameter of ``get_reusable_executor``; see loky's
``reusable_executor.py``): loky then shuts the thread's current executor down, waiting for its
calls, and builds a new one.  That is loky's own way of getting a fresh reusable executor, and
its consequence is part of what is under test: while a spec holds one ``loky-reusable``
executor, building a second in the same thread shuts the first down.  Nothing else is added.
"""

from __future__ import annotations

from typing import Any

import loky  # type: ignore[import-untyped]

from conformance import Implementation


def fresh_reusable_executor(max_workers: int | None = None, **options: Any) -> Any:
    """``get_reusable_executor(max_workers, reuse=False, **options)``: a new reusable executor.

    ``options`` (``initializer=``, ``initargs=``) go to loky unchanged.
    """
    return loky.get_reusable_executor(max_workers=max_workers, reuse=False, **options)


# Both run every call in a worker process of this host, started as loky documents.
process_pool = Implementation(
    name="loky", factory=loky.ProcessPoolExecutor,
    background=True, shares_memory=False, process_workers=True, initializer=True,
    package="loky",
)

reusable = Implementation(
    name="loky-reusable", factory=fresh_reusable_executor,
    background=True, shares_memory=False, process_workers=True, initializer=True,
    package="loky",
)
