"""The suite catches each broken executor of the area of building an executor on its clause."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("NotAnExecutor", "EXE-1"),
    ("RejectsNone", "EXE-2"),
    ("AcceptsZeroWorkers", "EXE-3"),
    ("SharedPool", "EXE-4"),
]


@pytest.mark.parametrize(("executor", "clause"), CASES)
def test_broken_executor_fails_its_clause(suite: SuiteRun, executor: str, clause: str) -> None:
    failing = suite.failing(f"broken.construction:{executor}", "-m", clause)
    assert failing == {clause}, suite.result.stdout.str()
