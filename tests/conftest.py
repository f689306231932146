"""Helpers of the self-tests: run the suite in a subprocess and read its verdicts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent


class SuiteRun:
    """Runs the conformance suite in a fresh pytest process and reads its report."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def __call__(self, executor: str, *args: str) -> dict[str, Any]:
        """The report's summary of ``executor`` after running the specs selected by ``args``."""
        report = self.pytester.path / "report"
        self.result = self.pytester.runpytest_subprocess(
            "--pyargs", "conformance", "--executor", executor,
            "--conformance-report", str(report), "-p", "no:cacheprovider",
            "--conformance-profile", "ci", *args,
        )
        data = json.loads(report.with_name("report.json").read_text())
        (summary,) = data["implementations"].values()
        return summary  # type: ignore[no-any-return]

    def failing(self, executor: str, *args: str) -> set[str]:
        """The ids of the clauses that ``executor`` fails."""
        return set(self(executor, *args)["failed"])


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> SuiteRun:
    """Run the suite against an executor; the broken ones are importable as ``broken.*``."""
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)
    monkeypatch.setenv("PYTHONPATH", path)
    for name in list(os.environ):
        if name.startswith("CONFORMANCE_"):
            monkeypatch.delenv(name)
    return SuiteRun(pytester)
