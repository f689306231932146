"""Expected failures: the deviations an implementation is known to have.

An implementation may ship a TOML file of entries like this one::

    [[expected-failure]]
    clause = "FUT-3"                  # or: test = "test_cancel_of_queued_call_succeeds"
    reason = "queued calls are marked running when they enter the call queue"
    link = "https://github.com/python/cpython/issues/..."   # optional
    python = "<3.14"                  # optional: the Pythons it applies to (PEP 440)
    implementation = "process*"       # optional: the implementation names it applies to

The specs an entry matches still run.  While they fail, the clause is reported
as an *expected failure* and the gate passes; once none of them fails any
more, the entry is *fixed* (it should be removed: strict mode fails the run);
an entry that names no spec of the suite is reported as *unmatched*.
"""

from __future__ import annotations

import fnmatch
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from conformance.clauses import CATALOG

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: The keys an entry may have.
KEYS = ("clause", "test", "reason", "link", "python", "implementation")


class BadExpectedFailures(ValueError):
    """An expected-failures file that cannot be read or has a malformed entry."""


@dataclass(frozen=True)
class ExpectedFailure:
    """One known deviation: the clause (or the spec) it breaks, and why."""

    reason: str
    clause: str = ""
    test: str = ""
    link: str = ""
    python: str = ""
    implementation: str = ""

    def __post_init__(self) -> None:
        if bool(self.clause) == bool(self.test):
            raise BadExpectedFailures(
                f"an expected failure names a clause or a test, not both nor neither"
                f" (got clause={self.clause!r}, test={self.test!r})"
            )
        if self.clause and self.clause not in CATALOG:
            raise BadExpectedFailures(f"no clause {self.clause!r} in the catalog")
        if not self.reason.strip():
            raise BadExpectedFailures(f"expected failure {self.label}: the reason is empty")
        try:
            SpecifierSet(self.python)
        except InvalidSpecifier:
            raise BadExpectedFailures(
                f"expected failure {self.label}: python must be a version specifier such as"
                f" '<3.14' (got {self.python!r})"
            ) from None

    @property
    def label(self) -> str:
        """How the report names the entry."""
        return self.clause or self.test

    @property
    def explanation(self) -> str:
        """The reason, with the link when there is one."""
        return f"{self.reason} ({self.link})" if self.link else self.reason

    def applies_to(self, implementation: str) -> bool:
        """Whether the entry is active for this implementation on the running Python."""
        python = platform.python_version()
        if self.python and not SpecifierSet(self.python).contains(python, prereleases=True):
            return False
        return not self.implementation or fnmatch.fnmatchcase(implementation,
                                                              self.implementation)

    def matches(self, clause_id: str | None, test_names: Iterable[str]) -> bool:
        """Whether a spec of this clause, known by these names, is one the entry covers."""
        if self.clause:
            return self.clause == clause_id
        return any(name == self.test or name.endswith("::" + self.test) for name in test_names)


def load(source: str | os.PathLike[str] | Sequence[ExpectedFailure] | None
         ) -> list[ExpectedFailure]:
    """The entries of an expected-failures file (or the given entries themselves)."""
    if source is None:
        return []
    if not isinstance(source, (str, os.PathLike)):
        return list(source)
    path = Path(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadExpectedFailures(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadExpectedFailures(f"{path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"expected-failure"}
    if unknown:
        raise BadExpectedFailures(
            f"{path}: unknown table {', '.join(sorted(unknown))}; entries go in"
            " [[expected-failure]] tables"
        )
    entries = data.get("expected-failure", [])
    if not isinstance(entries, list):
        raise BadExpectedFailures(f"{path}: expected-failure must be an array of tables"
                                  " ([[expected-failure]])")
    return [_entry(path, n, raw) for n, raw in enumerate(entries, start=1)]


def _entry(path: Path, number: int, raw: Any) -> ExpectedFailure:
    where = f"{path}, entry {number}"
    unknown = set(raw) - set(KEYS)
    if unknown:
        raise BadExpectedFailures(
            f"{where}: unknown key {', '.join(sorted(unknown))} (known: {', '.join(KEYS)})"
        )
    if not all(isinstance(value, str) for value in raw.values()):
        raise BadExpectedFailures(f"{where}: every value must be a string")
    try:
        return ExpectedFailure(**raw)
    except (BadExpectedFailures, TypeError) as exc:
        raise BadExpectedFailures(f"{where}: {exc}") from None
