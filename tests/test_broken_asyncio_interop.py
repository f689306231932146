"""The suite catches each broken executor of the asyncio interop area on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("CallbacksOnlyWhilePending", "AIO-1"),
    ("ExceptionsComeBackWrapped", "AIO-2"),
    ("CancelSkipsCallbacks", "AIO-3"),
    ("RunsCancelledCalls", "AIO-4"),
    ("CancelAbandonsRunningCalls", "AIO-5"),
    ("ExceptionsComeBackWrapped", "AIO-6"),
    ("RunsInTheLoopThread", "AIO-7"),
    ("DropsCallsWhenBusy", "AIO-8"),
    ("CompletesInTheSubmittersLoop", "AIO-9"),
    ("CallsBackThroughTheLoop", "AIO-9"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.asyncio_interop:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
