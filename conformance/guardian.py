"""A watcher, outside the run's process, for when that process dies.

An executor under test may end the process that runs the specs (``os._exit``, a
segmentation fault), a hang may be ended by the backstop or by a CI job's own time
limit.  Under pytest-xdist the controller reports a dead worker; a run without ``-n``
just stops, and the worker processes of a process pool outlive it, holding open the
output that a CI job, or tox, reads until it ends.  So the run's process starts this
guardian (Linux only): it notes the processes below the run every quarter second and,
should the run's process die before saying it is done, kills the ones still alive
and writes which spec was running.

The run talks to it through its standard input, one line at a time: ``spec NODEID
CLAUSE`` as each spec starts, ``done`` once the run has cleaned up after itself.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from conformance import leftovers

#: How often the guardian looks at the run, in seconds.
INTERVAL = 0.25

_PROC = Path("/proc")

#: multiprocessing's helper processes, by what their command line runs.
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


class Guardian:
    """The run's side: starts the guardian, tells it what runs, and stops it."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parent.parent
        command = (f"import sys; sys.path.insert(0, {str(root)!r});"
                   " from conformance.guardian import main; main()")
        # stderr is inherited: the terminal's, as this starts before any capture of a spec.
        self._process = subprocess.Popen(
            [sys.executable, "-c", command, str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, close_fds=True)
        assert self._process.stdin is not None
        self._pipe: IO[bytes] = self._process.stdin

    @classmethod
    def start(cls) -> Guardian | None:
        """A guardian of this process, or None where the system does not allow one."""
        if not sys.platform.startswith("linux") or not _PROC.is_dir():
            return None
        try:
            return cls()
        except OSError:
            return None

    def spec(self, nodeid: str, clause: str) -> None:
        self._tell(f"spec {nodeid} {clause}")

    def stop(self) -> None:
        self._tell("done")
        with suppress(OSError):
            self._pipe.close()
        try:
            self._process.wait(timeout=10 * INTERVAL + 5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _tell(self, line: str) -> None:
        with suppress(OSError, ValueError):
            self._pipe.write(line.encode(errors="replace") + b"\n")
            self._pipe.flush()


def main() -> None:
    """The guardian's side: watch the process given on the command line."""
    run = int(sys.argv[1])
    me = os.getpid()
    spared = leftovers.live_descendants(run) | {me}
    alive: dict[int, int] = {}
    helpers: dict[tuple[int, int], bool] = {}  # whether each process is a helper
    running = ""
    pending = b""
    while True:
        ready, _, _ = select.select([0], [], [], INTERVAL)
        if ready:
            chunk = os.read(0, 65536)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode(errors="replace")
                if text == "done":
                    return
                if text.startswith("spec "):
                    running = text[5:]
            if not chunk and os.getppid() == run:
                # Every writer gone, this one's parent alive: nothing more will come.
                select.select([], [], [], INTERVAL)
        if os.getppid() != run:  # the run's process is gone: this one was handed on
            break
        alive = {}
        for pid in leftovers.live_descendants(run) - spared:
            started = _stat(pid)[2]
            if (pid, started) not in helpers:
                helpers[pid, started] = _helper(pid)
            if not helpers[pid, started]:
                alive[pid] = started
    killed = [str(pid) for pid in _kill(_left_by_the_run(alive, me))]
    where = (f" while running {running.rpartition(' ')[0]} (clause"
             f" {running.rpartition(' ')[2]})" if running else "")
    message = (f"\nconformance: the process running the specs ({run}) died{where}; under"
               " pytest-xdist (-n 1) an executor that ends its process fails that spec's"
               " clause, and the run goes on.")
    if killed:
        message += (f" Killed {len(killed)} process(es) the run had started:"
                    f" {' '.join(killed[:20])}{' ...' if len(killed) > 20 else ''}.")
    with suppress(OSError):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def _left_by_the_run(seen: dict[int, int], me: int) -> set[int]:
    """The processes the run left alive: those seen at the last look (unless their id
    went to another process since), and those it started after: handed on, as this one
    was, to the same adoptive parent, in the run's process group, and younger than this
    one (which the run started before any spec)."""
    left = {pid for pid, started in seen.items() if _stat(pid)[2] == started}
    _, group, born = _stat(me)
    adoptive = os.getppid()
    for entry in leftovers.listdir(_PROC):
        if entry.isdigit() and int(entry) != me:
            parent, its_group, started = _stat(int(entry))
            if parent == adoptive and its_group == group and started > born \
                    and not _helper(int(entry)):
                left.add(int(entry))
    return left


def _kill(pids: set[int]) -> list[int]:
    """Kill these processes and every process below them; the ones killed."""
    killed = []
    # A process and its child may both be among those seen: each is killed (and counted)
    # once.
    for pid in sorted(leftovers.process_trees(pids)):
        with suppress(OSError):
            os.kill(pid, leftovers.KILL)
            killed.append(pid)
    return killed


def _helper(pid: int) -> bool:
    """Whether the process is one of multiprocessing's helpers: they end by themselves once
    what they serve is gone, and the resource tracker then frees what the workers left."""
    command = leftovers.command_line(pid, 1000)
    return any(helper in command for helper in _HELPERS)


def _stat(pid: int) -> tuple[int, int, int]:
    """A process's parent, process group and start time (clock ticks since boot); zeros
    once it is gone."""
    fields = leftovers.stat_fields(pid)
    if fields is None:
        return 0, 0, 0
    return int(fields[1]), int(fields[2]), int(fields[19])
