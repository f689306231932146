"""futurist's executors (OpenStack): a thread pool, a process pool, a synchronous and a green one.

``futurist-thread`` is ``futurist.ThreadPoolExecutor``: its own thread pool (not the standard
library's), which starts a thread per ``submit()`` up to ``max_workers`` and keeps them.  It
takes no ``initializer``.

``futurist-process`` is ``futurist.ProcessPoolExecutor``: the standard library's process pool
(``concurrent.futures.ProcessPoolExecutor``, the platform's default start method) with
statistics gathered around ``submit()``.  It takes ``max_workers`` and ``mp_context`` only.

``futurist-synchronous`` is ``futurist.SynchronousExecutor``: it runs each call inside
``submit()``, in the caller's thread, and returns a finished future.  Its constructor takes no
``max_workers`` (it has no workers), so the factory builds one and ignores ``max_workers``;
calls submitted from several threads run in those threads at once, with nothing to bound them,
hence ``bounded_workers=False``.

``futurist-green`` is ``futurist.GreenThreadPoolExecutor``: calls run in eventlet green threads
(``eventlet.GreenPool``) of the hub of the thread that submits them, and its futures are
``futurist.GreenFuture`` (a ``concurrent.futures.Future`` whose condition is eventlet's).
futurist deprecates it with eventlet.  It is run here without monkey patching, as the suite
runs: its green threads then run only while the submitting thread waits in an eventlet
primitive (say, ``GreenFuture.result()``), never while it blocks in an ordinary one, and they
run in that very thread, so the probe finds no ``background``.  Nothing is added to any of the
four.
"""

from __future__ import annotations

import futurist

from conformance import Implementation


def synchronous_executor(max_workers: int | None = None) -> futurist.SynchronousExecutor:
    """A new ``SynchronousExecutor``; ``max_workers`` is ignored, as it has no workers."""
    return futurist.SynchronousExecutor()


thread = Implementation(
    name="futurist-thread", factory=futurist.ThreadPoolExecutor,
    background=True, shares_memory=True, process_workers=False, initializer=False,
    package="futurist",
)

process = Implementation(
    name="futurist-process", factory=futurist.ProcessPoolExecutor,
    background=True, shares_memory=False, process_workers=True, initializer=False,
    package="futurist",
)

synchronous = Implementation(
    name="futurist-synchronous", factory=synchronous_executor,
    background=False, shares_memory=True, process_workers=False, initializer=False,
    bounded_workers=False, package="futurist",
)

# Capabilities left to the probe: whether its green threads count as running "in the
# background" is exactly what running it unpatched is meant to show.
green = Implementation(name="futurist-green", factory=futurist.GreenThreadPoolExecutor,
                       package="futurist")
