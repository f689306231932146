"""Pebble's pools: ``pebble.ThreadPool`` and ``pebble.ProcessPool``, run as they are.

Pebble's pools are not ``concurrent.futures.Executor`` subclasses.  They schedule calls with
``schedule(function, args, kwargs)``, and offer ``submit()`` for ``run_in_executor``: the
thread pool's is ``submit(function, *args, **kwargs)``, the process pool's is
``submit(function, timeout, *args, **kwargs)``, its second parameter a per-call timeout.
``map()`` returns a future of the results, not an iterator.  They end with ``close()`` or
``stop()`` then ``join()``, and have no ``shutdown()``.  The factories are the classes
themselves (both take ``max_workers=``, ``initializer=`` and ``initargs=``), unwrapped: the
suite is to say where that interface departs from the contract.  Without ``shutdown()``, the
suite closes a pool the way its ``with`` statement does, and the specs that call
``shutdown()`` fail.
"""

from __future__ import annotations

import pebble

from conformance import Implementation

thread_pool = Implementation(
    name="pebble-thread", factory=pebble.ThreadPool,
    background=True, shares_memory=True, process_workers=False, initializer=True,
    package="pebble",
)

# Workers are started with multiprocessing's default method, pebble's default context.
process_pool = Implementation(
    name="pebble-process", factory=pebble.ProcessPool,
    background=True, shares_memory=False, process_workers=True, initializer=True,
    package="pebble",
)
