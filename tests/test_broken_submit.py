"""The suite catches each broken executor of the submit area on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("broken.submit:DropsKeywords", "SUB-2"),
    ("broken.submit:FnNotPositionalOnly", "SUB-3"),
    ("broken.submit:MemoizesCalls", "SUB-4"),
    ("broken.submit:CoalescesUnfinishedCalls", "SUB-4"),
    ("broken.submit:CoalescesUnfinishedCalls", "SUB-5"),
    ("broken.submit:TakesOptionKeywords", "SUB-2"),
    ("broken.submit:LabelsCallsByName", "SUB-2"),
    ("broken.submit:RunsEveryCallTwice", "SUB-5"),
    ("broken.submit:RunsIdenticalCallsOnce", "SUB-5"),
    ("broken.submit:SkipsCallsWithDroppedFutures", "SUB-5"),
    ("broken.submit:WaitsInSubmit", "SUB-6"),
    ("broken.submit:WaitsForRoomInItsQueue", "SUB-6"),
    ("broken.submit:MapWaitsForResults", "SUB-7"),
    ("broken.submit:RunsNestedCallsInline", "SUB-8"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    assert suite.failing(executor, "-m", clause) == {clause}, suite.result.stdout.str()
