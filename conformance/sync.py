"""Gates and logs that order events between the test and the calls it submits.

A spec never sleeps to order events: a call announces that it has started by
setting an event, and blocks on a gate (another event) until the test opens
it.  Which objects do that depends on where the calls run:

* in the test's own process (threads): ``threading.Event`` and a list;
* anywhere else on this host (processes): proxies to the same objects held by
  one ``multiprocessing`` manager process, started the first time it is
  needed and shared by the whole session.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.managers import SyncManager
from typing import Any

from conformance.tasks import Event


class Kit:
    """Makes events and logs usable from wherever the calls run."""

    def __init__(self, shared_memory: bool) -> None:
        self.shared_memory = shared_memory
        self._manager: SyncManager | None = None
        self._lock = threading.Lock()

    def event(self) -> Event:
        if self.shared_memory:
            return threading.Event()
        return self.manager().Event()

    def log(self) -> Any:
        """A list calls can append to; ``list(log)`` reads what they appended."""
        if self.shared_memory:
            return []
        return self.manager().list()

    def manager(self) -> SyncManager:
        with self._lock:
            if self._manager is None:
                # spawn: a fresh interpreter, safe to start from a process
                # that already runs many threads.
                self._manager = multiprocessing.get_context("spawn").Manager()
            return self._manager

    def close(self) -> None:
        with self._lock:
            if self._manager is not None:
                self._manager.shutdown()
                self._manager = None
