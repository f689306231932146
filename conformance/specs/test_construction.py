"""Building an executor: what the factory gives for each max_workers.

The factory is the implementation's seam, always called as
``factory(max_workers=N)``; a factory that returns an executor where it should
have raised has it released by the harness like any other.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

import pytest

from conformance import tasks
from conformance.harness import Conformance
from conformance.specs import clause


def _build(conformance: Conformance, max_workers: Any) -> Any:
    """``factory(max_workers=max_workers)``, bounded: the outcome, the executor or the error."""
    return conformance.call(conformance.new_executor, max_workers,
                            what=f"factory(max_workers={max_workers!r})")


@clause("EXE-1")
def test_factory_builds_an_executor(conformance: Conformance) -> None:
    """The factory builds an instance of concurrent.futures.Executor."""
    with conformance.executor(1) as executor:
        assert isinstance(executor, Executor), (
            f"EXE-1: expected an instance of concurrent.futures.Executor, got"
            f" {type(executor).__module__}.{type(executor).__qualname__}, which is not a"
            " subclass of it"
        )


@clause("EXE-2")
def test_max_workers_none_gives_a_working_executor(conformance: Conformance) -> None:
    """max_workers=None builds an executor that runs calls and shuts down."""
    built = _build(conformance, None)
    assert built.exception is None, (
        f"EXE-2: expected factory(max_workers=None) to build an executor with a default"
        f" number of workers, got {built.describe()}"
    )
    executor = built.value
    futures = [executor.submit(tasks.identity, i) for i in range(4)]
    got = conformance.call(lambda: [f.result() for f in futures], what="result()")
    mapped = conformance.call(lambda: list(executor.map(tasks.identity, "abc")),
                              what="map()")
    conformance.release(executor)
    assert got.exception is None and got.value == [0, 1, 2, 3], (
        f"EXE-2: expected the executor built with max_workers=None to run calls giving"
        f" [0, 1, 2, 3], got {got.describe()}"
    )
    assert mapped.exception is None and mapped.value == ["a", "b", "c"], (
        f"EXE-2: expected map() on the executor built with max_workers=None to give"
        f" ['a', 'b', 'c'], got {mapped.describe()}"
    )


@clause("EXE-3")
@pytest.mark.parametrize("max_workers", [0, -1])
def test_max_workers_below_one_is_refused(conformance: Conformance, max_workers: int) -> None:
    """max_workers of 0 or less makes the factory raise ValueError."""
    built = _build(conformance, max_workers)
    assert isinstance(built.exception, ValueError), (
        f"EXE-3: expected factory(max_workers={max_workers}) to raise ValueError, got"
        f" {'an executor' if built.exception is None else built.describe()}"
    )


@clause("EXE-4")
def test_shutting_one_executor_down_leaves_another(conformance: Conformance) -> None:
    """Shutting one executor down leaves another one accepting and running calls."""
    with conformance.executor(1) as kept:
        before = conformance.result(kept.submit(tasks.identity, "before"))
        stopped = conformance.new_executor(1)
        conformance.result(stopped.submit(tasks.identity, None))
        conformance.release(stopped)
        accepted = conformance.call(kept.submit, tasks.identity, "after", what="submit()")
        assert accepted.exception is None, (
            f"EXE-4: expected an executor never shut down to accept a call after another"
            f" was shut down, got {accepted.describe()}"
        )
        after = conformance.call(accepted.value.result, what="result()")
    assert before == "before" and after.exception is None and after.value == "after", (
        f"EXE-4: expected a call submitted after another executor was shut down to give"
        f" 'after', got {after.describe()}"
    )
