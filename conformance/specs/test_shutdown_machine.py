"""Shutdown under generated schedules: FUT-13's model, with shutdown(wait=False) among the steps.

SHD-1 to SHD-8 each put an executor in one chosen state and shut it down.  Here
Hypothesis draws the state: calls running, finished, queued, cancelled, when
shutdown(wait=False) comes, with or without cancel_futures, then more gate
openings, cancels, polls and submits after it.  The model of
:mod:`conformance.specs.test_future_machine` checks every future after every
step; what the shutdown adds to it is checked here.

A call that was waiting for a worker when shutdown(cancel_futures=True) came is
either cancelled or handed to a worker (an executor may cancel it a moment after
shutdown() returns, as CPython's process pool does): the step waits, bounded,
until each is one or the other, so the model knows which before the next step.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    MultipleResults,
    initialize,
    multiple,
    precondition,
    rule,
)

from conformance import tasks
from conformance.harness import PROMPT, Conformance
from conformance.profiles import spec_settings
from conformance.specs import clause, requires
from conformance.specs.test_future_machine import Call, FutureMachine
from conformance.specs.test_shutdown import AT_ONCE

ID = "SHD-24"

#: Each example is a handful of quick calls on a fresh executor (a process pool starts
#: its workers as calls come): twice the profile's examples cost a few seconds at most,
#: and a shutdown that goes wrong may need a run with calls queued and cancelled.
SCHEDULES = settings(spec_settings(), max_examples=2 * spec_settings().max_examples)


class ShutdownMachine(FutureMachine):
    """FUT-13's rules and invariants, and a shutdown(wait=False) that may come at any step."""

    clause_id = ID

    def __init__(self) -> None:
        super().__init__()
        self.shut_down = False
        self.refused: list[Any] = []  # the start signals of calls submitted after shutdown

    # Every schedule begins with every worker busy and a few calls queued behind them, some
    # cancelled (a cancel that cannot race a worker): where shutdown has most to get wrong.
    @initialize(target=FutureMachine.calls, max_workers=st.integers(1, 3),
                queued=st.lists(st.tuples(st.integers(0, 1000), st.booleans()), max_size=4))
    def start(  # type: ignore[override]
        self, max_workers: int, queued: list[tuple[int, bool]]
    ) -> MultipleResults[Call]:
        FutureMachine.start(self, max_workers)
        busy = [self.add_call(value) for value in range(max_workers)]
        with self.step(f"wait until {', '.join(call.name for call in busy)} started"):
            for call in busy:
                self.conformance.wait_started(call.blocked, f"{call.name}, on an idle executor,")
        added = [self.add_call(value) for value, _ in queued]
        for call, (_, cancel) in zip(added, queued):
            if cancel:
                self.cancel_call(call)
        return multiple(*busy, *added)

    @precondition(lambda self: not self.shut_down)
    @rule(target=FutureMachine.calls, value=st.integers(0, 1000))
    def submit(self, value: int) -> Call:
        return self.add_call(value)

    @precondition(lambda self: not self.shut_down)
    @rule(cancel_futures=st.booleans())
    def shutdown(self, cancel_futures: bool) -> None:
        assert self.executor is not None
        executor = self.executor
        what = f"executor.shutdown(wait=False, cancel_futures={cancel_futures})"
        with self.step(what):
            # Read before the shutdown: a call seen running or done then is not the
            # shutdown's to cancel; one seen waiting for a worker may be.
            waiting = [c for c in self.all_calls
                       if not c.cancelled and not c.blocked.left_the_queue()]
            bound = self.conformance.clock(AT_ONCE)
            kwargs: dict[str, Any] = {"cancel_futures": True} if cancel_futures else {}
            outcome = self.conformance.call(executor.shutdown, wait=False, bound=bound,
                                            what=what, **kwargs)
            if kwargs and isinstance(outcome.exception, TypeError):
                # A shutdown() without the keyword fails SHD-7; here the schedule goes on
                # without it, so that this clause reports only what is its own.
                self.steps.append("(cancel_futures refused with a TypeError:"
                                  " shutdown(wait=False) instead)")
                cancel_futures = False
                outcome = self.conformance.call(executor.shutdown, wait=False, bound=bound,
                                                what="executor.shutdown(wait=False)")
            assert outcome.exception is None, (
                f"{ID}: expected {what} to return, got {outcome.describe()}"
            )
            self.shut_down = True
            if not cancel_futures:
                return
            self.conformance.wait_until(
                # Cancelled is done, so a cancelled call has left the queue too.
                lambda: all(c.blocked.left_the_queue() for c in waiting),
                f"{ID}: expected each call waiting for a worker to be cancelled by {what}, or"
                " taken by a worker, got one neither",
            )
            for call in waiting:
                call.cancelled_by_shutdown = call.blocked.future.cancelled()

    @precondition(lambda self: self.shut_down)
    @rule()
    def submit_after_shutdown(self) -> None:
        assert self.executor is not None
        with self.step("submit(a call) after shutdown"):
            started, gate = self.conformance.signal(), self.conformance.event()
            gate.set()  # should the call run, it announces it and returns
            outcome = self.conformance.call(self.executor.submit, tasks.gated, started, gate,
                                            self.conformance.clock(PROMPT), None,
                                            what="submit() after shutdown()")
            self.refused.append(started)
            assert isinstance(outcome.exception, RuntimeError), (
                f"{ID}: expected submit() after shutdown() to raise RuntimeError, got"
                f" {outcome.describe()}"
            )

    def check_after_shutdown(self, executor: Any) -> None:
        super().check_after_shutdown(executor)
        ran = sum(started.is_set() for started in self.refused)
        assert not ran, (
            f"{ID}: expected no call whose submit() after shutdown() raised to run, got {ran} run"
        )


@clause(ID)
@requires("background")
def test_shutdown_follows_the_model(conformance: Conformance) -> None:
    """Under any schedule with a shutdown(wait=False) in it, futures agree with the model."""
    ShutdownMachine.run(conformance, SCHEDULES)


@clause(ID)
@requires("background", "bounded_workers")
@pytest.mark.parametrize("max_workers", [1, 2])
def test_cancel_futures_with_calls_queued_deep(conformance: Conformance,
                                               max_workers: int) -> None:
    """One schedule run every time, whatever Hypothesis draws: every worker busy, five calls
    waiting behind them (more than a pool hands to its workers ahead of time), then
    shutdown(wait=False, cancel_futures=True) and a submit() after it."""
    machine = ShutdownMachine.bound(conformance)()
    try:
        machine.start(max_workers, [(value, False) for value in range(5)])
        machine.states_are_consistent()
        machine.shutdown(cancel_futures=True)
        machine.states_are_consistent()
        machine.submit_after_shutdown()
        machine.teardown()
    except AssertionError as failure:
        steps = "\n".join(f"    {step}" for step in machine.steps)
        raise AssertionError(f"{failure}\n\nThe steps:\n{steps}") from None
