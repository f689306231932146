"""The suite catches each broken executor of the Future state areas (FUT-*, SET-*) on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("broken.future_states:CancelLies", "FUT-5"),
    ("broken.future_states:CancelLies", "FUT-13"),
    ("broken.future_states:RunningTooEarly", "FUT-1"),
    ("broken.future_states:ResultsCanBeOverwritten", "SET-5"),
    ("broken.future_states:RunsCancelledCalls", "SET-2"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(executor, "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
