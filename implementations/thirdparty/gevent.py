"""gevent's ``gevent.threadpool.ThreadPoolExecutor``, run without monkey patching.

It subclasses the standard library's ``ThreadPoolExecutor`` but hands each call to a
``gevent.threadpool.ThreadPool`` of native threads, sized ``max_workers``; its futures are
gevent's ``_FutureProxy`` objects around a ``gevent.event.AsyncResult``, not
``concurrent.futures.Future``.  A result reaches the future through the gevent hub of the thread
that built the executor, so it arrives only while that thread runs its hub.  gevent documents
that, without monkey patching, ``wait()`` and ``as_completed()`` may not work on these futures,
and that the constructor accepts but ignores the standard library's other arguments
(``initializer`` among them).  The suite runs it as it is: nothing is patched or added.
"""

from __future__ import annotations

from gevent.threadpool import ThreadPoolExecutor  # type: ignore[import-untyped]

from conformance import Implementation

# Calls run in native threads of this process.  The initializer is left to the probe: the
# constructor takes the argument, whatever it then does with it.
thread = Implementation(
    name="gevent", factory=ThreadPoolExecutor,
    background=True, shares_memory=True, process_workers=False,
    package="gevent",
)
