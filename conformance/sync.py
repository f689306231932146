"""Gates and logs that order events between the test and the calls it submits.

A spec never sleeps to order events: a call announces that it has started by
setting an event, and blocks on a gate (another event) until the test opens
it.  Which objects do that depends on where the calls run:

* in the test's own process (threads): ``threading.Event`` and a list (one that
  hashes, as every other argument a spec passes does: an executor may key on a
  call's arguments, and a spec must be able to show what it does with them);
* anywhere else on this host (processes): files in a directory of the run's
  own.  An event is set once the file of its name exists; a log is a file
  that each append adds one line to.  They pickle as their paths, need no
  server process, and cost a worker no connection, which matters when every
  example of a property builds a fresh process pool.
"""

from __future__ import annotations

import base64
import itertools
import os
import pickle
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

from conformance.tasks import Event

#: How long a waiter sleeps between looks at its event's file, at most: a bound
#: on how late a call sees its gate open.
POLL = 0.002


class FileEvent:
    """An event that any process of this host can set and wait for: a file, once it exists."""

    def __init__(self, path: str) -> None:
        self.path = path

    def set(self) -> None:
        with open(self.path, "ab"):
            pass

    def is_set(self) -> bool:
        return os.path.exists(self.path)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = POLL / 8
        while not self.is_set():
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                pause = min(pause, left)
            time.sleep(pause)
            pause = min(pause * 2, POLL)
        return True

    def __repr__(self) -> str:
        return f"<FileEvent {'set' if self.is_set() else 'unset'} {self.path}>"


class MemoryLog(list):  # type: ignore[type-arg]
    """A list for calls in the test's own process, hashed by identity, as plain objects
    are."""

    __hash__ = object.__hash__  # type: ignore[assignment]


class FileLog:
    """A list that any process of this host can append to; ``list(log)`` reads it.

    Each append is one ``write()`` of one line to a file opened for appending,
    so appends from several processes never interleave, and they keep the order
    they were made in.  A line is read only once its newline is there.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def append(self, item: Any) -> None:
        line = base64.b64encode(pickle.dumps(item)) + b"\n"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)

    def __iter__(self) -> Iterator[Any]:
        try:
            with open(self.path, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            return iter(())
        lines = data.split(b"\n")[:-1]  # the last piece has no newline yet, or is empty
        return iter([pickle.loads(base64.b64decode(line)) for line in lines])

    def __repr__(self) -> str:
        return f"<FileLog {list(self)!r}>"


class Kit:
    """Makes events and logs usable from wherever the calls run."""

    def __init__(self, shared_memory: bool) -> None:
        self.shared_memory = shared_memory
        self._directory: str | None = None
        self._names = itertools.count()
        self._lock = threading.Lock()

    def event(self) -> Event:
        if self.shared_memory:
            return threading.Event()
        return FileEvent(self._path("event"))

    def log(self) -> Any:
        """A list calls can append to; ``list(log)`` reads what they appended."""
        if self.shared_memory:
            return MemoryLog()
        return FileLog(self._path("log"))

    def _path(self, kind: str) -> str:
        with self._lock:
            if self._directory is None:
                self._directory = tempfile.mkdtemp(prefix="conformance-")
                # Removed at exit too, should no one close the kit.
                self._finalizer = weakref.finalize(
                    self, shutil.rmtree, self._directory, ignore_errors=True)
            return os.path.join(self._directory, f"{kind}-{next(self._names)}")

    def close(self) -> None:
        with self._lock:
            if self._directory is not None:
                self._finalizer()
                self._directory = None
