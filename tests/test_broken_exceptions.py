"""The suite catches each broken executor of the exception propagation area on its clauses."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("broken.exceptions:CopiesTheException", {"EXC-5"}),
    ("broken.exceptions:RaisesAFreshCopy", {"EXC-4", "EXC-5"}),
    ("broken.exceptions:HaltsAfterBaseException", {"EXC-8"}),
    ("broken.exceptions:CancelledErrorMeansCancelled", {"EXC-1", "EXC-7"}),
    ("broken.exceptions:RunsCallsInAGenerator", {"EXC-7"}),
    ("broken.exceptions:DropsTheTraceback", {"EXC-9"}),
    ("broken.exceptions:CutsTheTracebackInResult", {"EXC-9"}),
    ("broken.exceptions:RaisesReturnedExceptions", {"EXC-12"}),
    ("broken.exceptions:WrapsBaseExceptions", {"EXC-2", "EXC-3", "EXC-6"}),
    ("broken.exceptions:NotifiesOneWaiterOfAnException", {"EXC-6"}),
    pytest.param("broken.exceptions:FlattensGroups", {"EXC-10"},
                 marks=pytest.mark.skipif(sys.version_info < (3, 11),
                                          reason="exception groups exist from Python 3.11")),
]


@pytest.mark.parametrize(("executor", "clauses"), CASES)
def test_broken_executor_fails_its_clauses(suite: SuiteRun, executor: str,
                                           clauses: set[str]) -> None:
    failing = suite.failing(executor, "-m", " or ".join(sorted(clauses)))
    assert failing == clauses, suite.result.stdout.str()
