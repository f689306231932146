"""The suite catches each broken executor of the result timeout area on its clauses."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("GivesUpEarly", {"TMO-2"}, ()),
    ("Overruns", {"TMO-3", "TMO-4"}, ()),
    ("RaisesItsOwnTimeout", {"TMO-1", "TMO-5", "TMO-6"}, ()),
    ("RefusesToBlockTheLoop", {"TMO-1"}, ()),
    ("ZeroMeansForever", {"TMO-5"}, ()),
    ("RejectsNegative", {"TMO-6"}, ()),
    ("NoneMeansZero", {"TMO-7"}, ()),
    ("WaitsOutTheTimeout", {"TMO-8"}, ()),
    ("CancelsOnTimeout", {"TMO-9"}, ("-k", "queued")),
    ("FailsOnTimeout", {"TMO-9"}, ("-k", "running")),
]


@pytest.mark.parametrize(("executor", "clauses", "extra"), CASES,
                         ids=[name for name, _, _ in CASES])
def test_broken_executor_fails_its_clauses(suite: SuiteRun, executor: str, clauses: set[str],
                                           extra: tuple[str, ...]) -> None:
    failing = suite.failing(f"broken.timeouts:{executor}", "-m", " or ".join(sorted(clauses)),
                            *extra)
    assert failing == clauses, suite.result.stdout.str()
