"""The harness itself: bounded waits fail with where they were stuck."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

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
