"""The suite catches each broken executor of initializers, dying workers and pickling
(INIT-*, BRK-*, PKL-*) on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("IgnoresInitializer", "INIT-1"),
    ("DropsInitargs", "INIT-1"),
    ("RejectsEveryInitializer", "INIT-1"),
    ("InitializesFirstWorkerOnly", "INIT-2"),
    ("IgnoresFailingInitializer", "INIT-3"),
    ("LeavesCallsPendingWhenInitializerFails", "INIT-3"),
    ("InitializerMayExit", "INIT-3"),
    ("BreaksWithoutCallbacks", "INIT-3"),
    ("BrokenSubmitGivesFailedFuture", "INIT-4"),
    ("MapIgnoresBreakage", "INIT-4"),
    ("StopsAtCancelledCall", "INIT-5"),
    ("AcceptsNonCallableInitializer", "INIT-6"),
    ("InitializesBeforeEachCall", "INIT-7"),
    ("HangsWhenWorkerDies", "BRK-1"),
    ("DeadPoolSubmitGivesFailedFuture", "BRK-2"),
    ("ShutdownWaitsForDeadWorker", "BRK-3"),
    ("ForgetsPendingCallsWhenWorkerDies", "BRK-4"),
    ("FailsQuietlyWhenWorkerDies", "BRK-4"),
    ("StopsAtCancelledCallWhenWorkerDies", "BRK-5"),
    ("NeverWatchesItsWorkers", "BRK-6"),
    ("LosesUnpicklableCalls", "PKL-1"),
    ("LosesUnpicklableOutcomes", "PKL-2"),
    ("LosesUnpicklableOutcomes", "PKL-3"),
    ("DiesOnUnpicklableResult", "PKL-4"),
    ("LosesUnrebuildableOutcomes", "PKL-5"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.pools:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
