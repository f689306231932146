"""The suite catches each broken executor of the done callback area (CB-*) on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("CallsTwice", "CB-1"),
    ("CallsWithResult", "CB-1"),
    ("CallsWithAProxy", "CB-1"),
    ("HoldsCallbacksWeakly", "CB-1"),
    ("AddsCallbacksOutsideTheLock", "CB-1"),
    ("CallsBackInReverse", "CB-2"),
    ("DropsRepeatedCallbacks", "CB-3"),
    ("DefersCallbacksOnDone", "CB-4"),
    ("DefersToTheLoop", "CB-4"),
    ("CallsBackInAHelperThread", "CB-5"),
    ("CallsBackInAChildProcess", "CB-6"),
    ("StopsAtFirstError", "CB-7"),
    ("RaisesFromDoneFuture", "CB-7"),
    ("SilencesCallbackErrors", "CB-8"),
    ("WarnsOfCallbackErrors", "CB-9"),
    ("CallsBackBeforeTheOutcome", "CB-10"),
    ("CallsBackUnderTheLock", "CB-10"),
    ("CallsBackOnStart", "CB-11"),
    ("CallsBackWhileRunning", "CB-11"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.callbacks:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
