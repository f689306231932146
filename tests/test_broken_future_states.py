"""The suite catches each broken executor of the Future areas (FUT-*, SET-*) on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("RunningTooEarly", "FUT-1"),
    ("NeverRunning", "FUT-2"),
    ("CannotCancel", "FUT-3"),
    ("RunsCancelledCalls", "FUT-4"),
    ("CancelLies", "FUT-5"),
    ("CancelsFinished", "FUT-6"),
    ("CancelsOnce", "FUT-7"),
    ("CancelledGivesNone", "FUT-8"),
    ("RunningWhenDone", "FUT-9"),
    ("DoneOnlyWithAValue", "FUT-9"),
    ("ResultDoesNotWait", "FUT-10"),
    ("MissesAFinishAsItWaits", "FUT-10"),
    ("ExceptionNeverTimesOut", "FUT-11"),
    ("ForgetfulResult", "FUT-12"),
    ("CancelLies", "FUT-13"),
    ("CopiesResults", "FUT-14"),
    ("UnwrapsReturnedFutures", "FUT-14"),
    ("CallsBackOnEverySet", "SET-5"),
    ("NeverRunning", "SET-1"),
    ("RunsCancelledCalls", "SET-2"),
    ("SilentSetResult", "SET-3"),
    ("ExceptionAsResult", "SET-4"),
    ("ResultsCanBeOverwritten", "SET-5"),
    ("CancelLies", "SET-6"),
    ("ReturnsAFutureLike", "SUB-1"),
    ("LosesFalseExceptions", "EXC-11"),
    ("HidesFalseExceptions", "EXC-11"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.future_states:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
