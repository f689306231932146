"""Future states under generated schedules: a model of the contract beside a real executor.

Hypothesis drives futures of a fresh executor through schedules of submits,
gate openings, cancels and timed polls.  The model knows only what the test
did (which gates are open, what cancel() returned), so every draw is
independent of thread timing; after every step the real futures must agree
with it.

Hypothesis shrinks a failing run by replaying smaller ones, which can take it
minutes for a run of many steps; past ``SHRINK_BUDGET`` the spec stops and
reports the smallest failing run found so far, with its steps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import CancelledError, Executor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.harness import Blocked, Conformance
from conformance.profiles import spec_settings
from conformance.specs import clause, requires

ID = "FUT-13"

#: Seconds (times the time scale) that Hypothesis may spend shrinking a failing run.
SHRINK_BUDGET = 15.0


class ShrinkingStopped(BaseException):
    """The shrinking budget ran out.  A BaseException, as Hypothesis shrinks every Exception."""


@dataclass
class Failures:
    """The failing runs of one spec run: when the first failed, and the one with fewest steps."""

    budget: float
    first_at: float | None = None
    steps: list[str] = field(default_factory=list)
    message: str = ""

    def add(self, steps: list[str], message: str) -> None:
        if self.first_at is None:
            self.first_at = time.monotonic()
        elif len(steps) >= len(self.steps):
            return
        self.steps, self.message = list(steps), message

    def stop_if_spent(self) -> None:
        if self.first_at is None or time.monotonic() - self.first_at < self.budget:
            return
        shown = "\n".join(f"    {step}" for step in self.steps)
        raise ShrinkingStopped(
            f"{self.message}\n\nShrinking stopped after {self.budget:g} s; the smallest"
            f" failing run found has these steps:\n{shown}"
        ) from None


@dataclass
class Call:
    """One submitted call and what the test knows of it."""

    blocked: Blocked
    name: str
    gate_open: bool = False
    cancel_returned: bool | None = None  # what the first cancel() returned
    cancelled_by_shutdown: bool = False  # by shutdown(cancel_futures=True), not by cancel()
    seen_done: bool = False
    seen_cancelled: bool = False

    @property
    def seen_finished(self) -> bool:
        return self.seen_done and not self.seen_cancelled

    @property
    def cancelled(self) -> bool:
        return self.cancel_returned is True or self.cancelled_by_shutdown

    def why_cancelled_or_not(self) -> str:
        if self.cancelled_by_shutdown:
            return "shutdown(cancel_futures=True) cancelled it"
        if self.cancel_returned is None:
            return "cancel() was never called"
        return f"cancel() returned {self.cancel_returned}"


_Machine = TypeVar("_Machine", bound="FutureMachine")


class FutureMachine(RuleBasedStateMachine):
    """Rules are what a caller may do; invariants are what a future must always report."""

    calls = Bundle("calls")

    #: The clause that every failure message of the machine names.
    clause_id = ID

    #: Set on the subclass each spec run makes: the harness of that run, and its failures.
    conformance: Conformance
    failures: Failures

    def __init__(self) -> None:
        super().__init__()
        self.executor: Executor | None = None
        self.max_workers = 0
        self.all_calls: list[Call] = []
        self.steps: list[str] = []

    @classmethod
    def bound(cls: type[_Machine], conformance: Conformance) -> type[_Machine]:
        """The machine of one spec run on ``conformance``'s implementation, with shrinking
        bounded: Hypothesis runs it, or a spec drives one through a fixed schedule."""
        failures = Failures(budget=conformance.clock(SHRINK_BUDGET))
        return type(cls.__name__, (cls,), {"conformance": conformance, "failures": failures})

    @classmethod
    def run(cls, conformance: Conformance, schedules: settings) -> None:
        """Run the machine on ``conformance``'s implementation under drawn schedules."""
        run_state_machine_as_test(cls.bound(conformance),  # type: ignore[no-untyped-call]
                                  settings=schedules)

    @contextmanager
    def step(self, description: str | None) -> Iterator[None]:
        """Log a step of the run (None: a check between steps); keep the run if it fails."""
        if description is not None:
            self.steps.append(description)
        try:
            yield
        except Exception as failure:
            # pytest appends its own account of a failed assert; the clause's message comes first.
            message = str(failure).split("\nassert ", 1)[0]
            if not message.startswith(self.clause_id):
                message = f"{self.clause_id}: expected this step to go through, got {failure!r}"
            self.failures.add(self.steps, message)
            raise

    @initialize(max_workers=st.integers(1, 3))
    def start(self, max_workers: int) -> None:
        with self.step(f"executor = new_executor(max_workers={max_workers})"):
            self.max_workers = max_workers
            self.executor = self.conformance.new_executor(max_workers)

    def teardown(self) -> None:
        try:
            if self.executor is not None:
                with self.step("open every gate; executor.shutdown(); check every future"):
                    self.check_after_shutdown(self.executor)
        finally:
            # Here, not earlier: a run that stopped before drawing all its steps would look
            # to Hypothesis like a change in the strategies.
            self.failures.stop_if_spent()

    def check_after_shutdown(self, executor: Executor) -> None:
        self.conformance.release(executor)
        for call in self.all_calls:
            future = call.blocked.future
            if call.cancelled:
                assert not call.blocked.started.is_set(), (
                    f"{self.clause_id}: expected a cancelled call never to run ({call.name}:"
                    f" {call.why_cancelled_or_not()}), got it run"
                )
                assert future.cancelled(), (
                    f"{self.clause_id}: expected cancelled() to stay True, got False ({call.name})"
                )
            else:
                value = self.conformance.result(
                    future, f"{call.name}.result(), {call.why_cancelled_or_not()} and every"
                    " gate open, once shutdown(wait=True) had returned,")
                assert value == call.blocked.value, (
                    f"{self.clause_id}: expected result() {call.blocked.value!r} after shutdown,"
                    f" got {value!r} ({call.name})"
                )

    # -- rules ----------------------------------------------------------------

    @rule(target=calls, value=st.integers(0, 1000))
    def submit(self, value: int) -> Call:
        return self.add_call(value)

    def add_call(self, value: int) -> Call:
        assert self.executor is not None
        name = f"c{len(self.all_calls)}"
        with self.step(f"{name} = submit(a call gated, giving {value})"):
            call = Call(self.conformance.submit_blocked(self.executor, value), name)
        self.all_calls.append(call)
        return call

    @rule(call=calls)
    def open_gate(self, call: Call) -> None:
        with self.step(f"open the gate of {call.name}"):
            call.blocked.gate.set()
            call.gate_open = True

    @rule(call=calls)
    def cancel(self, call: Call) -> None:
        self.cancel_call(call)

    def cancel_call(self, call: Call) -> None:
        with self.step(f"{call.name}.cancel()"):
            started = call.blocked.started.is_set()  # read before cancel(): then it had started
            returned = call.blocked.future.cancel()
            if call.cancel_returned is None:
                call.cancel_returned = returned
            if call.cancelled:
                assert returned is True, (
                    f"{self.clause_id}: expected cancel() of a cancelled future to return True"
                    f" again, got {returned!r}"
                )
            if started or call.seen_finished:
                assert returned is False, (
                    f"{self.clause_id}: expected cancel() of a call that had "
                    f"{'started' if started else 'finished'} to return False, got {returned!r}"
                )
            if returned:
                future = call.blocked.future
                got = (future.cancelled(), future.done())
                assert got == (True, True), (
                    f"{self.clause_id}: expected (cancelled, done) == (True, True) after cancel()"
                    f" returned True, got {got}"
                )

    @rule(call=calls, timeout=st.sampled_from([0, 0.01]))
    def poll(self, call: Call, timeout: float) -> None:
        with self.step(f"{call.name}.result(timeout={timeout})"):
            outcome = self.conformance.call(call.blocked.future.result, timeout,
                                            what=f"result({timeout})")
            if call.cancelled:
                expected = "CancelledError"
                ok = isinstance(outcome.exception, CancelledError)
            elif not call.gate_open:
                expected = "TimeoutError (its gate is closed)"
                ok = isinstance(outcome.exception, FuturesTimeoutError)
            else:
                expected = f"{call.blocked.value!r} or TimeoutError"
                ok = isinstance(outcome.exception, FuturesTimeoutError) or (
                    outcome.exception is None and outcome.value == call.blocked.value
                )
            got = outcome.value if outcome.exception is None else repr(outcome.exception)
            assert ok, (
                f"{self.clause_id}: expected result({timeout}) to give {expected}, got {got!r}"
            )

    @precondition(lambda self: any(c.gate_open for c in self.all_calls)
                  and sum(not c.gate_open for c in self.all_calls) < self.max_workers)
    @rule(data=st.data())
    def await_result(self, data: st.DataObject) -> None:
        # Fewer closed gates than workers: a worker stays free, so every call
        # whose gate is open finishes.
        call = data.draw(st.sampled_from([c for c in self.all_calls if c.gate_open]))
        with self.step(f"{call.name}.result()"):
            outcome = self.conformance.call(call.blocked.future.result, what="result()")
            if call.cancelled:
                assert isinstance(outcome.exception, CancelledError), (
                    f"{self.clause_id}: expected CancelledError from a cancelled future, got"
                    f" {outcome}"
                )
            else:
                assert outcome.exception is None and outcome.value == call.blocked.value, (
                    f"{self.clause_id}: expected result() {call.blocked.value!r}, got {outcome}"
                )

    # -- invariants -----------------------------------------------------------

    @invariant()
    def states_are_consistent(self) -> None:
        with self.step(None):
            for call in self.all_calls:
                future = call.blocked.future
                cancelled = future.cancelled()
                done = future.done()
                running = future.running()
                label = call.name
                assert not cancelled or done, (
                    f"{self.clause_id}: expected a cancelled future done, got not done ({label})"
                )
                assert not (done and running), (
                    f"{self.clause_id}: expected a done future not running, got running ({label})"
                )
                assert cancelled or not call.seen_cancelled, (
                    f"{self.clause_id}: expected cancelled() to stay True, got False ({label})"
                )
                assert done or not call.seen_done, (
                    f"{self.clause_id}: expected done() to stay True, got False ({label})"
                )
                assert cancelled == call.cancelled, (
                    f"{self.clause_id}: expected cancelled() == {call.cancelled} as"
                    f" {call.why_cancelled_or_not()}, got {cancelled} ({label})"
                )
                if not call.gate_open:
                    assert not done or cancelled, (
                        f"{self.clause_id}: expected a call blocked on a closed gate not to be"
                        f" finished, got done() True and cancelled() False ({label})"
                    )
                call.seen_done |= done
                call.seen_cancelled |= cancelled


@clause(ID)
@requires("background")
def test_future_states_follow_the_model(conformance: Conformance) -> None:
    """Under any schedule of submits, openings, cancels and polls, futures agree with the model."""
    FutureMachine.run(conformance, spec_settings())

