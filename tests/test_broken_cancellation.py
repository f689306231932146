"""The suite catches each broken executor of the Cancellation area (CAN-*) on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("CancelOnlyAsks", "CAN-1"),
    ("AbandonsRunningCalls", "CAN-2"),
    ("RunsCancelledCallsAnyway", "CAN-3"),
    ("DiesOnCancelledCall", "CAN-4"),
    ("StaleCancel", "CAN-5"),
    ("CancelGivesUpOnContention", "CAN-6"),
    ("SilentCancel", "CAN-7"),
    ("RunningFromSubmit", "CAN-8"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.cancellation:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
