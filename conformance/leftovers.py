"""What an executor leaves running: threads of this process and processes below it.

Shutdown frees the executor's resources; the ones that can be seen from outside
are the threads and processes it started.  A :class:`Census` taken before the
executor exists is compared with the threads and processes alive later: what is
new and still running is left over.

On Linux the census reads ``/proc``, so it sees every thread (those started by
C code too) and every descendant process (a forkserver's children too).
Elsewhere it sees Python's threads and ``multiprocessing``'s children only.
The suite's own threads are named ``conformance-...`` and are never counted.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

#: Threads whose names start so belong to the suite, not the executor under test.
SUITE_THREAD_PREFIX = "conformance-"

_PROC = Path("/proc")

#: The signal that ends a process whatever it is doing (Windows has no SIGKILL).
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


@dataclass(frozen=True)
class Census:
    """The ids of the threads and descendant processes alive at one moment."""

    threads: frozenset[int]
    processes: frozenset[int]

    @classmethod
    def take(cls) -> Census:
        return cls(frozenset(_threads()), frozenset(live_descendants()))

    def new_since(self, earlier: Census) -> list[str]:
        """What is alive now and was not then (the suite's threads aside), described."""
        suite = {t.native_id for t in threading.enumerate()
                 if t.name.startswith(SUITE_THREAD_PREFIX)}
        names = {t.native_id: t.name for t in threading.enumerate()}
        found = [f"thread {names.get(tid) or _comm(tid, task=True)!r} (id {tid})"
                 for tid in sorted(self.threads - earlier.threads - suite)]
        found += [f"process {pid} ({command_line(pid)})"
                  for pid in sorted(self.processes - earlier.processes)]
        return found


def _threads() -> set[int]:
    tasks = _PROC / "self" / "task"
    if tasks.is_dir():
        return {int(tid) for tid in listdir(tasks) if tid.isdigit()}
    return {t.native_id for t in threading.enumerate()
            if t.native_id is not None and not isinstance(t, threading._DummyThread)}


def live_descendants(root: int | None = None) -> set[int]:
    """Every live (not zombie) process below this one, or below ``root``."""
    if not _PROC.is_dir():
        if root is not None:
            return set()
        return {p.pid for p in multiprocessing.active_children() if p.pid is not None}
    return _below([os.getpid() if root is None else root])


def process_trees(pids: Iterable[int]) -> set[int]:
    """These processes and every live process below any of them (one look at /proc)."""
    roots = set(pids)
    return roots | (_below(roots) if _PROC.is_dir() else set())


def _below(roots: Iterable[int]) -> set[int]:
    """The live processes below any of ``roots``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in listdir(_PROC):
        if not entry.isdigit():
            continue
        stat = _stat(int(entry))
        if stat is not None and stat[0] != "Z":
            children.setdefault(stat[1], []).append(int(entry))
    found: set[int] = set()
    below = list(roots)
    while below:
        for child in children.get(below.pop(), []):
            if child not in found:
                found.add(child)
                below.append(child)
    return found


def stop_leftover_processes(grace: float, spared: frozenset[int]) -> list[str]:
    """At the end of the run: the processes below this one that are still alive, apart from
    ``spared`` (those alive when the run began, started by pytest's other plugins, say)
    and ``multiprocessing``'s own helpers, get ``grace`` seconds to end, then are killed.

    Only an executor under test leaves such a process (SHD-20 and SHD-21 report it on the
    spec that made it); left running, it would outlive the run, and keep open the output
    that a CI job, or tox, reads until it ends.  Returns the processes killed, described.
    """
    def left_running() -> set[int]:
        return live_descendants() - spared - multiprocessing_helpers()

    deadline = time.monotonic() + grace
    left = left_running()
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = left_running()
    killed = [f"{pid} ({command_line(pid)})" for pid in sorted(left)]
    # Twice: a process killed the first time may have started another meanwhile.
    for _ in range(2):
        for pid in left:
            with suppress(OSError):
                os.kill(pid, KILL)
        left = left_running() - left
    return killed


#: prctl(2)'s option that makes a process adopt its orphaned descendants (Linux 3.4+).
_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Make this process, not init, the parent of every process below it whose own parent
    ends (Linux's child subreaper), so a worker a pool process left behind, or one that
    outlived a dead pytest-xdist worker, is still below the run, where the census and the
    end-of-run cleanup see it.  True if the system does it; the setting is not inherited."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        return bool(prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


@dataclass
class OrphanWatch:
    """In pytest-xdist's controller: the processes of a worker that died.

    A worker that dies abruptly (an executor under test that ends its process, a hang
    ended after the time limit) leaves the processes its executors started, and they keep
    its end of the pipe to the controller open: pytest-xdist never learns that the worker
    died, and the run waits for ever.  The controller adopts them (:func:`adopt_orphans`;
    the workers adopt their own orphans, so a process the controller adopts is one whose
    worker is gone), and this watch kills them, with what they started, once a worker has
    died: the pipe closes, and pytest-xdist reports the spec that was running as failed.
    """

    #: The processes below the controller alive at the session's start: not orphans (nor
    #: are multiprocessing's helpers).
    spared: frozenset[int]
    interval: float = 0.25
    workers: set[int] = field(default_factory=set)
    #: The processes killed, described.
    killed: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"{SUITE_THREAD_PREFIX}orphan-watch")
        self._thread.start()

    def stop(self) -> list[str]:
        """Stop watching; the processes killed, described."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10 * self.interval)
        return self.killed

    def _run(self) -> None:
        seen: set[int] = set()
        killed: set[int] = set()
        while not self._stop.wait(self.interval):
            children, workers = _live_children(), set(self.workers)
            if workers <= children:  # every worker alive
                seen = set()
                continue
            # A process seen on two polls in a row: a worker xdist has just started is
            # registered by then.
            suspects = (children & seen) - workers - self.spared - multiprocessing_helpers()
            seen = children
            for doomed in sorted(process_trees(suspects)):
                self.killed.append(f"{doomed} ({command_line(doomed)})")
                with suppress(OSError):
                    os.kill(doomed, KILL)
            killed |= suspects
            # Adopted, so no one else waits for them: reap them, or they stay zombies.
            for pid in list(killed):
                with suppress(ChildProcessError):
                    if os.waitpid(pid, os.WNOHANG)[0] == 0:
                        continue
                killed.discard(pid)


def _live_children() -> set[int]:
    """The live (not zombie) processes whose parent is this one."""
    found = set()
    for task in listdir(_PROC / "self" / "task"):
        with suppress(OSError, ValueError):
            found |= {int(pid) for pid in
                      (_PROC / "self" / "task" / task / "children").read_text().split()}
    return {pid for pid in found if (_stat(pid) or ("Z",))[0] != "Z"}


def multiprocessing_helpers() -> set[int]:
    """The processes multiprocessing keeps for the whole run (its resource tracker and its
    forkserver): they end with this process, and the pools' workers are their children."""
    pids = set()
    for module, holder, attribute in (
            ("multiprocessing.resource_tracker", "_resource_tracker", "_pid"),
            ("multiprocessing.forkserver", "_forkserver", "_forkserver_pid")):
        pid = getattr(getattr(sys.modules.get(module), holder, None), attribute, None)
        if isinstance(pid, int):
            pids.add(pid)
    return pids


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name, from the state letter on
    (so field N of proc(5) is at N - 3), or None once the process is gone."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces and parentheses itself.
    return text[text.rfind(")") + 2:].split()


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent id, or None once it is gone."""
    fields = stat_fields(pid)
    return None if fields is None else (fields[0], int(fields[1]))


def command_line(pid: int, limit: int = 120) -> str:
    """A process's command line, cut at ``limit`` characters, to describe it."""
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "command unknown"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:limit] or _comm(pid)


def _comm(ident: int, task: bool = False) -> str:
    path = _PROC / "self" / "task" / str(ident) if task else _PROC / str(ident)
    try:
        return (path / "comm").read_text().strip()
    except OSError:
        return "name unknown"


def listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
