"""The suite catches each broken executor of the wait() and as_completed() area on its clauses."""

from __future__ import annotations

import pytest

from tests.conftest import SuiteRun

CASES = [
    ("FuturesEqualByCall", {"WAIT-1", "ASC-1"}, ()),
    ("NotifiesBeforeDone", {"WAIT-2"}, ()),
    ("SilentToWaiters", {"WAIT-3", "ASC-2"}, ()),
    ("NotifiesWhenStarted", {"WAIT-4"}, ()),
    ("ExceptionsReportedAsValues", {"WAIT-5"}, ()),
    ("BaseExceptionsReportedAsValues", {"WAIT-5"}, ()),
    ("ValuesReportedAsExceptions", {"WAIT-6"}, ()),
    ("CancelWakesNoWaiters", {"WAIT-7", "ASC-4"}, ()),
    ("HoldsLockWhileRunning", {"WAIT-8", "ASC-3"}, ()),
    ("NumberedPerExecutor", {"WAIT-9", "ASC-6"}, ()),
    ("SkipsCancelledSilently", {"ASC-5"}, ()),
    ("TellsOneWaiter", {"WAIT-10"}, ()),
]


@pytest.mark.parametrize(("executor", "clauses", "extra"), CASES,
                         ids=[name for name, _, _ in CASES])
def test_broken_executor_fails_its_clauses(suite: SuiteRun, executor: str, clauses: set[str],
                                           extra: tuple[str, ...]) -> None:
    failing = suite.failing(f"broken.waiting:{executor}", "-m", " or ".join(sorted(clauses)),
                            *extra)
    assert failing == clauses, suite.result.stdout.str()
