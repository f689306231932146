"""The harness itself: bounded waits fail with where they were stuck."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance import Implementation
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
