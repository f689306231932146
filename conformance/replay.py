"""Replaying a failed spec: the script that runs it again, and the example it replays.

When a spec fails, the plugin shows (and, with ``--conformance-replay-dir``,
writes) a short Python script that runs exactly that spec again: against the
same executor, with the profile, time scale and timeout of the failing run,
and, for a Hypothesis spec, with the failing example.  The script passes the
example as ``--conformance-replay``, the ``@reproduce_failure(...)`` decorator
that Hypothesis prints, which :func:`apply` attaches to the spec the way the
decorator would.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import platform
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis.stateful import RuleBasedStateMachine

from conformance.clauses import Clause

#: What ``hypothesis.reproduce_failure`` sets on a test: the ``@given`` wrapper
#: reads it each time it runs, and ``run_state_machine_as_test`` reads it from
#: the state machine class.
ATTRIBUTE = "_hypothesis_internal_use_reproduce_failure"

#: The distribution that ships the suite, for the version a script names.
DISTRIBUTION = "executor-conformance"

#: The package of the suite's spec modules: a spec there is selected by module name.
SPECS_PACKAGE = "conformance.specs."

#: The decorator as Hypothesis prints it (the leading ``@`` optional when given).
_DECORATOR = re.compile(r"@?reproduce_failure\((?P<args>.*)\)", re.DOTALL)
_PRINTED = re.compile(r"@reproduce_failure\('[^'\\]*', b'[A-Za-z0-9+/=]*'\)")

#: The example of the spec's failure, once known: a failure in teardown, or a
#: replayed failure (which Hypothesis does not print again), has none of its own.
_EXAMPLE = pytest.StashKey[str]()


def parse(text: str) -> tuple[str, bytes]:
    """The Hypothesis version and blob of ``@reproduce_failure('VERSION', b'...')``.

    Raises ValueError (which the option reports as a usage error) unless the
    blob decodes and this version of Hypothesis made it: another version cannot
    replay it.
    """
    match = _DECORATOR.fullmatch(text.strip())
    try:
        version, blob = ast.literal_eval(f"({match['args']})") if match else (None, None)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        version = blob = None
    if not isinstance(version, str) or not isinstance(blob, bytes):
        raise ValueError("expected @reproduce_failure('VERSION', b'...') as Hypothesis prints it")
    if version != hypothesis.__version__:
        raise ValueError(f"Hypothesis {version} made it, this is Hypothesis"
                         f" {hypothesis.__version__}, which cannot replay it")
    from hypothesis.core import decode_failure  # not public: the decorator's own check

    try:
        decode_failure(blob)
    except Exception as exc:
        raise ValueError(str(exc)) from None
    return version, blob


def decorator(example: tuple[str, bytes]) -> str:
    """The ``@reproduce_failure(...)`` text of a parsed example."""
    version, blob = example
    return f"@reproduce_failure({version!r}, {blob!r})"


def apply(item: pytest.Item, example: tuple[str, bytes]) -> None:
    """Make a Hypothesis spec run ``example`` as its one example (other specs: nothing).

    The attribute goes on the ``@given``-wrapped function, which every test of
    that function shares; a spec that runs a state machine instead gets it on
    the machine classes of its module, which the classes it builds inherit.
    """
    function = getattr(item, "obj", None)
    function = getattr(function, "__func__", function)  # a method: its function
    targets: list[Any] = []
    if getattr(function, "is_hypothesis_test", False):
        targets = [function]
    elif (module := getattr(item, "module", None)) is not None:
        targets = [
            value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, RuleBasedStateMachine)
            # Only the module's own: not a base class it imports, shared by all.
            and value.__module__ == module.__name__
        ]
    for target in targets:
        setattr(target, ATTRIBUTE, example)
    if targets:
        item.stash[_EXAMPLE] = decorator(example)


def failing_example(item: pytest.Item, error: BaseException | None, longrepr: object) -> str | None:
    """The ``@reproduce_failure(...)`` of the spec's failure, if Hypothesis printed one.

    Hypothesis adds it to the exception as a note (to each exception of a
    group when it found several failures: the first is taken); the report's
    text is the fallback, for an exception that was replaced on its way out.
    """
    texts = [note for exc in _chain(error) for note in getattr(exc, "__notes__", ())
             if isinstance(note, str)]
    for text in [*texts, str(longrepr)]:
        match = _PRINTED.search(text)
        if match is not None:
            item.stash[_EXAMPLE] = match[0]
            break
    return item.stash.get(_EXAMPLE, None)


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """``error``, the exceptions of its groups, and the exceptions it was raised from."""
    pending, seen = [error], set()
    while pending:
        exc = pending.pop(0)
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        pending += [*getattr(exc, "exceptions", ()), exc.__cause__, exc.__context__]


def selection(item: pytest.Item) -> str:
    """How to select exactly ``item`` again.

    A spec of the suite is named by module, ``conformance.specs.test_x::test_y[impl]``
    (with ``--pyargs``), which holds wherever the suite is installed; its node
    id names a path relative to the run's root directory.  A spec collected
    from a project's own test module keeps its node id.
    """
    module = getattr(getattr(item, "module", None), "__name__", "")
    _, separator, rest = item.nodeid.partition("::")
    if module.startswith(SPECS_PACKAGE) and separator:
        return f"{module}::{rest}"
    return item.nodeid


def file_name(test: str) -> str:
    """A file name for the script of ``test``: readable, safe on every platform, one per test."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", test).strip("._")[:150]
    # Tells apart the tests that the renaming makes alike.
    digest = hashlib.sha256(test.encode()).hexdigest()[:8]
    return f"{readable}-{digest}.py"


@dataclass(frozen=True)
class Replay:
    """A failed spec, and what running it again the same way takes."""

    clause: Clause
    implementation: str
    #: How ``--executor`` named the implementation; None when a conftest.py supplied it.
    executor: str | None
    test: str
    profile: str
    time_scale: float
    timeout: float
    #: ``@reproduce_failure(...)`` of a Hypothesis spec's failure.
    example: str | None
    #: The root directory of the failing run (where a conftest.py's project is).
    rootdir: Path

    @classmethod
    def of(cls, item: pytest.Item, error: BaseException | None, longrepr: object,
           clause: Clause, *, executor: str | None, profile: str, time_scale: float,
           timeout: float) -> Replay:
        """The replay of ``item``'s failure (``error``, reported as ``longrepr``) in this run."""
        properties = {str(k): str(v) for k, v in item.user_properties}
        callspec = getattr(item, "callspec", None)
        implementation = properties.get("conformance_implementation") or (
            callspec.id if callspec is not None else "unknown")
        return cls(clause=clause, implementation=implementation, executor=executor,
                   test=selection(item), profile=profile, time_scale=time_scale,
                   timeout=timeout, example=failing_example(item, error, longrepr),
                   rootdir=item.config.rootpath)

    @property
    def file_name(self) -> str:
        return file_name(self.test)

    def arguments(self) -> list[list[str]]:
        """The arguments of ``pytest.main``, grouped by option."""
        by_module = self.test.startswith(SPECS_PACKAGE)
        groups = [["--pyargs", self.test] if by_module else [self.test]]
        if self.executor is not None:
            groups.append(["--executor", self.executor])
        groups += [
            ["-p", "no:cacheprovider"],
            ["--conformance-profile", self.profile],
            ["--conformance-time-scale", repr(self.time_scale)],
            ["--conformance-timeout", repr(self.timeout)],
            # So that a recommended clause that fails again fails the script too.
            ["--conformance-strict"],
        ]
        if self.example is not None:
            # One argument: pytest reads an argument that starts with @ as a file of arguments.
            groups.append([f"--conformance-replay={self.example}"])
        return groups

    def script(self) -> str:
        """The Python script that runs the spec again and exits with pytest's status."""
        clause = self.clause
        if self.executor is None:
            executor = f"{self.implementation} (supplied by a conftest.py)"
            where = ("Run it from the directory of the project whose conftest.py supplies the"
                     f" executor (the failing run's root directory was {self.rootdir}).")
        else:
            executor = f"{self.implementation} (--executor {self.executor})"
            module, colon, _ = self.executor.partition(":")
            where = (f"Run it where the failing run ran, so that {module} imports the same way."
                     if colon else "")
        fields = [
            ("Clause", f"{clause.id} ({clause.level}): {clause.promise}"),
            ("Implementation", executor),
            ("Test", self.test),
            ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
            ("Suite", f"{DISTRIBUTION} {_suite_version()}, Hypothesis {hypothesis.__version__}"),
        ]
        if self.example is None:
            status = ("Exit status: pytest's, 1 while the spec fails (a recommended clause too),"
                      " 0 once it passes.")
        else:
            fields.append(("Example", self.example))
            status = ("Exit status: pytest's, 1 while the spec fails on this example; 1 too once"
                      " the example passes, as Hypothesis then raises DidNotReproduce. Without"
                      " the --conformance-replay line, the spec searches anew and 0 means it"
                      " passed.")
        doc = "\n".join([
            f"Replay of a failed conformance spec: {clause.id} against {self.implementation}.",
            "",
            *(_wrap(value, f"{label + ':':<16}") for label, value in fields),
            "",
            _wrap(" ".join(filter(None, ["Runs that one spec again, the same way.", where,
                                        status]))),
        ])
        arguments = "\n".join(
            "        " + " ".join(f"{argument!r}," for argument in group)
            for group in self.arguments()
        )
        return (
            f'"""{_docstring(doc)}\n"""\n'
            "\n"
            "import sys\n"
            "\n"
            "import pytest\n"
            "\n"
            "# Guarded: the workers of a process pool that spawns them import this file again.\n"
            'if __name__ == "__main__":\n'
            "    sys.exit(pytest.main([\n"
            f"{arguments}\n"
            "    ]))\n"
        )


def _wrap(text: str, label: str = "") -> str:
    """``text`` after ``label``, wrapped at 99 columns under itself, never inside a word."""
    return textwrap.fill(text, width=99, initial_indent=label,
                         subsequent_indent=" " * len(label),
                         break_long_words=False, break_on_hyphens=False)


def _docstring(text: str) -> str:
    """``text`` as the body of a triple-quoted string, read back as it is."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


@functools.cache  # read once per run, not once per failed spec
def _suite_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"
