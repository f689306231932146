"""The suite catches each broken executor of the shutdown and worker-limit area on its clause."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("RunsAfterShutdown", "SHD-1"),
    ("AcceptsItsWorkersCalls", "SHD-1"),
    ("JoinsWorkersUnderItsLock", "SHD-1"),
    ("LazyMap", "SHD-2"),
    ("ShutdownNeverWaits", "SHD-3"),
    ("WaitsOnlyForRunningCalls", "SHD-3"),
    ("WaitsOnlyWhenAsked", "SHD-3"),
    ("ForgetsDroppedCallsInShutdown", "SHD-3"),
    ("ResultsDeliveredLate", "SHD-4"),
    ("ShutdownAlwaysWaits", "SHD-5"),
    ("WaitByKeywordOnly", "SHD-5"),
    ("ShutdownDropsQueuedCalls", "SHD-6"),
    ("IgnoresCancelFutures", "SHD-7"),
    ("IgnoresCancelFutures", "SHD-24"),
    ("CancelFuturesForgetsToWait", "SHD-8"),
    ("CancelsWithoutNotifying", "SHD-9"),
    ("SecondShutdownRaises", "SHD-10"),
    ("SecondShutdownReturnsAtOnce", "SHD-11"),
    ("SecondShutdownIgnoresCancelFutures", "SHD-23"),
    ("EnterReturnsNone", "SHD-12"),
    ("ExitDoesNotWait", "SHD-13"),
    ("ExitSwallowsExceptions", "SHD-14"),
    ("OneWorkerTooMany", "SHD-15"),
    ("OneWorkerOnly", "SHD-16"),
    ("NeverClaimsIdleWorkers", "SHD-16"),
    ("RacySubmit", "SHD-17"),
    ("StartsWorkersUnlocked", "SHD-17"),
    ("CancelsQueuedCallsWhenDropped", "SHD-22"),
    ("HangsAtExitUnlessShutDown", "SHD-22"),
    ("ChecksShutdownOutsideTheLock", "SHD-18"),
    ("AbandonedAtExit", "SHD-19"),
    ("JoinsTheLastExecutorAtExit", "SHD-19"),
    ("LeavesIdleWorkers", "SHD-20"),
    ("LeavesAProcessRunning", "SHD-20"),
    ("ForgetsWorkersWithoutWait", "SHD-21"),
    ("StopsItsWorkersOnce", "SHD-21"),
    ("StopsAtCancelledOnceShutDown", "SHD-6"),
    ("RunsAfterShutdown", "SHD-24"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.shutdown:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()


def test_a_raising_second_shutdown_fails_its_own_clause_only(suite: SuiteRun) -> None:
    """The harness shuts each executor down at a spec's end, a second shutdown() after the
    spec's own: one that raises there breaks SHD-10, not the clauses of the specs that shut
    the executor down (SHD-3, SHD-13 and SHD-21 do)."""
    failing = suite.failing("broken.shutdown:SecondShutdownRaises",
                            "-m", "SHD-3 or SHD-10 or SHD-13 or SHD-21")
    assert failing == {"SHD-10"}, suite.result.stdout.str()


def _running_with(mark: str) -> list[str]:
    """The live processes whose command line holds ``mark``."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmdline = Path("/proc", pid, "cmdline").read_bytes().decode(errors="replace")
            state = Path("/proc", pid, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if mark in cmdline and state != "Z":
            found.append(pid)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the processes in /proc")
@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_the_run_kills_the_processes_an_executor_left_running(
        suite: SuiteRun, monkeypatch: pytest.MonkeyPatch, xdist: tuple[str, ...]) -> None:
    mark = f"conformance-selftest-{uuid.uuid4().hex}"
    monkeypatch.setenv("CONFORMANCE_SELFTEST_MARK", mark)
    failing = suite.failing("broken.shutdown:LeavesAProcessRunning", "-m", "SHD-20", *xdist)
    output = suite.result.stdout.str()
    assert failing == {"SHD-20"}, output
    # The summary names them (their command lines, cut to a length the mark may not fit).
    assert "conformance: processes left running" in output and "were killed" in output, output
    assert not _running_with(mark), output
