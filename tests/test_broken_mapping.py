"""The suite catches each broken executor of the Executor.map area on its clauses."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("broken.mapping:CompletionOrder", {"MAP-1"}),
    ("broken.mapping:ExceptionsAtTheEnd", {"MAP-2"}),
    ("broken.mapping:TimeoutFromNext", {"MAP-12"}),
    ("broken.mapping:DeadlinePerResult", {"MAP-12"}),
    ("broken.mapping:DeadlineFromFirstNext", {"MAP-12"}),
    ("broken.mapping:ChunksIgnoreTheTimeout", {"MAP-11"}),
    ("broken.mapping:DrawsEveryIterable", {"MAP-3"}),
    ("broken.mapping:SubmitsOnFirstNext", {"MAP-7"}),
    ("broken.mapping:CollectsLazily", {"MAP-5", "MAP-6"}),
    ("broken.mapping:LeavesCallsRunning", {"MAP-14", "MAP-15", "MAP-16"}),
    ("broken.mapping:SparesTheAwaitedCall", {"MAP-16"}),
    ("broken.mapping:DeadlineBeforeResult", {"MAP-13"}),
    ("broken.mapping:ChunkFailsAsAWhole", {"MAP-9"}),
    ("broken.mapping:LongestInput", {"MAP-3", "MAP-4"}),
    ("broken.mapping:TimeoutEarly", {"MAP-10"}),
    ("broken.mapping:TimeoutOverruns", {"MAP-11"}),
    ("broken.mapping:RejectsChunksize", {"MAP-8", "MAP-9"}),
    ("broken.mapping:DefaultTimeout", {"MAP-21"}),
    # map(buffersize=) exists from Python 3.14: where it does not, the clauses
    # are not applicable and these cases cannot fail, so they do not run.
    *(pytest.param(executor, clauses, marks=pytest.mark.skipif(
        sys.version_info < (3, 14), reason="map(buffersize=) is Python 3.14+"))
      for executor, clauses in [
          ("broken.mapping:EagerBuffersize", {"MAP-19", "MAP-20"}),
          ("broken.mapping:UncheckedBuffersize", {"MAP-17"}),
          ("broken.mapping:CompletionOrderBuffered", {"MAP-18"}),
          ("broken.mapping:TwoAhead", {"MAP-19"}),
      ]),
]


@pytest.mark.parametrize(("executor", "clauses"), CASES)
def test_broken_executor_fails_its_clauses(suite: SuiteRun, executor: str,
                                           clauses: set[str]) -> None:
    failing = suite.failing(executor, "-m", " or ".join(sorted(clauses)))
    assert failing == clauses, suite.result.stdout.str()
