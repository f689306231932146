"""Dask's ``Client.get_executor()``, on a local cluster inside this process.

``get_executor()`` returns a ``distributed.cfexecutor.ClientExecutor``: ``submit()`` sends the
call to the cluster's scheduler as a task (with ``Client.submit``'s defaults, ``pure=True``
among them) and returns a ``concurrent.futures.Future`` that a coroutine on the client's event
loop completes when the task's own future does.  Calls, arguments and results are pickled even
in-process, so calls do not share the caller's objects.

Setup: each executor gets its own ``LocalCluster(processes=False, n_workers=1,
threads_per_worker=max_workers, dashboard_address=None)``, whose scheduler and one worker run in
this process and talk over dask's in-process transport (``inproc://``, no socket), and its own
``Client`` to it.  The one worker runs at most ``max_workers`` tasks at once, in its threads.
The worker's statistical profiler (``distributed.worker.profile.enabled``) is turned off: every
10 ms it calls ``sys._current_frames()`` from the worker's event loop, and on CPython 3.11 that
call can deadlock the whole process against a garbage-collector callback (Hypothesis installs
one): python/cpython#106883, for which distributed already turns its event-loop profiler off on
3.11 (``distributed/core.py``).  With it on, a run of the suite froze for good.  The profiler
only gathers diagnostics; no call sees the difference.

What the adapter adds: ``ClusterExecutor`` is the ``ClientExecutor`` that
``Client.get_executor()`` would build (that method is ``return ClientExecutor(self, **kwargs)``,
``distributed/client.py``), built by the adapter so that its ``shutdown()`` can also close the
client and the cluster once ``ClientExecutor.shutdown()`` has returned or raised: at once after
``wait=True`` (the calls are over), and in a daemon thread after ``wait=False``, which thus
returns as soon as ``ClientExecutor``'s does.  Everything else, ``shutdown()``'s signature
included, is ``ClientExecutor``'s.
"""

from __future__ import annotations

import threading

import dask
from distributed import Client, LocalCluster
from distributed.cfexecutor import ClientExecutor

from conformance import Implementation


class ClusterExecutor(ClientExecutor):  # type: ignore[misc]
    """A ``ClientExecutor`` on a cluster of its own, closed by its ``shutdown()``."""

    def __init__(self, max_workers: int) -> None:
        # The worker reads the setting when it is built, inside LocalCluster().
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                processes=False, n_workers=1, threads_per_worker=max_workers,
                dashboard_address=None,
            )
        try:
            # Not the default client: executors that a spec holds at once stay independent.
            client = Client(cluster, set_as_default=False)  # type: ignore[no-untyped-call]
        except BaseException:
            cluster.close()
            raise
        super().__init__(client)  # type: ignore[no-untyped-call]
        self._cluster = cluster
        self._closing = threading.Lock()
        self._closed = False

    # ClientExecutor.shutdown() takes no cancel_futures; the override keeps its signature.
    def shutdown(self, wait: bool = True) -> None:  # type: ignore[override]
        try:
            super().shutdown(wait)  # type: ignore[no-untyped-call]
        finally:
            # Also when ClientExecutor.shutdown() raises (it can, after a call raised a
            # BaseException): its exception propagates, and the cluster is closed all the same.
            self._release(wait)

    def _release(self, wait: bool) -> None:
        with self._closing:
            if self._closed:
                return
            self._closed = True
        if wait:
            self._close()
        else:
            threading.Thread(target=self._close, name="close-dask-cluster", daemon=True).start()

    def _close(self) -> None:
        try:
            self._client.close()
        finally:
            self._cluster.close()


executor = Implementation(
    name="distributed", factory=ClusterExecutor,
    background=True, shares_memory=False, process_workers=False, initializer=False,
    package="distributed",
)
