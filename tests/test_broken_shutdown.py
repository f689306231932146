"""The suite catches each broken executor of the shutdown and worker-limit area on its clause."""

from __future__ import annotations

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
    ("ForgetsWorkersWithoutWait", "SHD-21"),
    ("StopsItsWorkersOnce", "SHD-21"),
    ("StopsAtCancelledOnceShutDown", "SHD-6"),
    ("RunsAfterShutdown", "SHD-24"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.shutdown:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
