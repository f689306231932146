"""The harness itself: bounded waits fail with where they were stuck."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import Implementation, examples
from conformance.harness import Clock, Conformance
from conformance.sync import Kit


def never_returns(gate: threading.Event) -> None:
    gate.wait()


def test_a_call_that_does_not_return_fails_saying_where_it_is_stuck() -> None:
    harness = Conformance(Implementation(name="thread", factory=ThreadPoolExecutor), {},
                          Clock(), Kit(shared_memory=True))
    gate = threading.Event()
    try:
        with pytest.raises(AssertionError) as raised:
            harness.call(never_returns, gate, bound=0.2, what="the stuck call")
    finally:
        gate.set()
    message = str(raised.value)
    assert message.startswith("the stuck call did not return within 0.2s; it is stuck here:")
    assert "in never_returns" in message and "gate.wait()" in message


def test_the_harness_names_the_clause_of_the_spec_first() -> None:
    harness = Conformance(Implementation(name="thread", factory=ThreadPoolExecutor), {},
                          Clock(), Kit(shared_memory=True), clause="WAIT-5")
    with pytest.raises(AssertionError) as raised:
        harness.wait_until(lambda: False, "the call did not finish", bound=0.05)
    assert str(raised.value) == "WAIT-5: the call did not finish within 0.05s"
    # A message that already names the clause is left as it is.
    with pytest.raises(AssertionError) as raised:
        harness.wait_until(lambda: False, "WAIT-5: it did not finish", bound=0.05)
    assert str(raised.value) == "WAIT-5: it did not finish within 0.05s"
    # Hypothesis shows it among the arguments of a failing example: briefly.
    assert repr(harness) == "<WAIT-5 harness of thread>"


def test_failing_example_of_an_expected_failure_is_not_shrunk() -> None:
    tried: list[int] = []

    @given(n=st.integers(0, 10_000))
    @settings(database=None, derandomize=True)
    def spec(conformance: Conformance, n: int) -> None:
        tried.append(n)
        assert n < 0, "every example fails"

    examples.watch(spec)
    harness = Conformance(Implementation(name="thread", factory=ThreadPoolExecutor), {},
                          Clock(), Kit(shared_memory=True), expected_to_fail=True)
    with pytest.raises(examples.KnownDeviation) as raised:
        spec(conformance=harness)
    assert len(tried) == 1, f"examples tried after the first failure: {tried[1:]}"
    assert "every example fails" in str(raised.value)
    assert f"not shrunk: n={tried[0]!r}" in str(raised.value)


class CountedPool(ThreadPoolExecutor):
    """A thread pool that records every pool made and whether each was shut down."""

    made: ClassVar[list[CountedPool]] = []

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers)
        self.max_workers = max_workers
        self.shut_down = False
        CountedPool.made.append(self)

    def shutdown(self, wait: bool = True, **kwargs: object) -> None:
        self.shut_down = True
        super().shutdown(wait, **kwargs)


def counted_harness() -> Conformance:
    CountedPool.made = []
    return Conformance(Implementation(name="counted", factory=CountedPool), {}, Clock(),
                       Kit(shared_memory=True))


def test_a_kept_executor_serves_the_next_examples_that_ask_alike() -> None:
    got: list[tuple[int, CountedPool]] = []
    alive: list[int] = []

    @given(max_workers=st.integers(1, 2))
    @settings(database=None, derandomize=True, max_examples=20)
    def spec(conformance: Conformance, max_workers: int) -> None:
        with conformance.executor(max_workers, keep=True) as executor:
            assert executor.submit(pow, 2, max_workers).result(5) == 2 ** max_workers
            assert isinstance(executor, CountedPool)
            got.append((max_workers, executor))
            alive.append(sum(not p.shut_down for p in CountedPool.made))

    examples.watch(spec)
    harness = counted_harness()
    spec(conformance=harness)
    assert {n for n, _ in got} == {1, 2}
    # The same pool while max_workers stays the same, a fresh one when it changes, and
    # never two running at once.
    for (n, pool), (m, then) in zip(got, got[1:]):
        assert (then is pool) == (m == n)
    assert len(CountedPool.made) == 1 + sum(m != n for (n, _), (m, _) in zip(got, got[1:]))
    assert all(p.max_workers == n for n, p in got)
    assert max(alive) == 1
    harness.close()
    assert all(p.shut_down for p in CountedPool.made)


def test_a_failing_example_shuts_the_kept_executor_down_and_says_it_ran_on_it() -> None:
    @given(n=st.integers())
    def spec(conformance: Conformance, n: int) -> None:
        with conformance.executor(1, keep=True) as executor:
            assert executor.submit(abs, n).result(5) == abs(n)
        assert n < 2, "example 2 fails"

    examples.watch(spec)
    run = spec.hypothesis.inner_test  # type: ignore[attr-defined]
    harness = counted_harness()
    run(conformance=harness, n=0)
    run(conformance=harness, n=1)
    assert len(CountedPool.made) == 1 and not CountedPool.made[0].shut_down
    with pytest.raises(AssertionError) as raised:
        run(conformance=harness, n=2)
    assert "example 2 fails" in str(raised.value)
    assert "kept running from 2 earlier example(s)" in str(raised.value)
    assert CountedPool.made[0].shut_down
    # The next example starts on a fresh executor, and its failure says nothing of one kept.
    with pytest.raises(AssertionError) as raised:
        run(conformance=harness, n=3)
    assert len(CountedPool.made) == 2
    assert "kept running" not in str(raised.value)
    harness.close()
    assert all(p.shut_down for p in CountedPool.made)
