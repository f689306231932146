"""Future states under generated schedules: a model of the contract beside a real executor.

Hypothesis drives futures of a fresh executor through schedules of submits,
gate openings, cancels and timed polls.  The model knows only what the test
did (which gates are open, what cancel() returned), so every draw is
independent of thread timing; after every step the real futures must agree
with it.
"""

from __future__ import annotations

from concurrent.futures import CancelledError, Executor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from dataclasses import dataclass

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


@dataclass
class Call:
    """One submitted call and what the test knows of it."""

    blocked: Blocked
    gate_open: bool = False
    cancel_returned: bool | None = None  # what the first cancel() returned
    seen_done: bool = False
    seen_cancelled: bool = False

    @property
    def seen_finished(self) -> bool:
        return self.seen_done and not self.seen_cancelled

    @property
    def cancelled(self) -> bool:
        return self.cancel_returned is True


class FutureMachine(RuleBasedStateMachine):
    """Rules are what a caller may do; invariants are what a future must always report."""

    calls = Bundle("calls")

    #: Set on the subclass each spec run makes: the harness of that run.
    conformance: Conformance

    def __init__(self) -> None:
        super().__init__()
        self.executor: Executor | None = None
        self.max_workers = 0
        self.all_calls: list[Call] = []

    @initialize(max_workers=st.integers(1, 3))
    def start(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self.executor = self.conformance.new_executor(max_workers)

    def teardown(self) -> None:
        if self.executor is None:
            return
        self.conformance.release(self.executor)
        for call in self.all_calls:
            future = call.blocked.future
            if call.cancelled:
                assert not call.blocked.started.is_set(), (
                    f"{ID}: expected a call whose cancel() returned True never to run, got it run"
                )
                assert future.cancelled(), f"{ID}: expected cancelled() to stay True, got False"
            else:
                value = self.conformance.result(future)
                assert value == call.blocked.value, (
                    f"{ID}: expected result() {call.blocked.value!r} after shutdown, got {value!r}"
                )

    # -- rules ----------------------------------------------------------------

    @rule(target=calls, value=st.integers(0, 1000))
    def submit(self, value: int) -> Call:
        assert self.executor is not None
        call = Call(self.conformance.submit_blocked(self.executor, value))
        self.all_calls.append(call)
        return call

    @rule(call=calls)
    def open_gate(self, call: Call) -> None:
        call.blocked.gate.set()
        call.gate_open = True

    @rule(call=calls)
    def cancel(self, call: Call) -> None:
        started = call.blocked.started.is_set()  # read before cancel(): then it had started
        returned = call.blocked.future.cancel()
        if call.cancel_returned is None:
            call.cancel_returned = returned
        if call.cancelled:
            assert returned is True, f"{ID}: expected cancel() of a cancelled future to return" \
                                     f" True again, got {returned!r}"
        if started or call.seen_finished:
            assert returned is False, (
                f"{ID}: expected cancel() of a call that had "
                f"{'started' if started else 'finished'} to return False, got {returned!r}"
            )
        if returned:
            future = call.blocked.future
            got = (future.cancelled(), future.done())
            assert got == (True, True), (
                f"{ID}: expected (cancelled, done) == (True, True) after cancel() returned True,"
                f" got {got}"
            )

    @rule(call=calls, timeout=st.sampled_from([0, 0.01]))
    def poll(self, call: Call, timeout: float) -> None:
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
        assert ok, f"{ID}: expected result({timeout}) to give {expected}, got {got!r}"

    @precondition(lambda self: any(c.gate_open for c in self.all_calls)
                  and sum(not c.gate_open for c in self.all_calls) < self.max_workers)
    @rule(data=st.data())
    def await_result(self, data: st.DataObject) -> None:
        # Fewer closed gates than workers: a worker stays free, so every call
        # whose gate is open finishes.
        call = data.draw(st.sampled_from([c for c in self.all_calls if c.gate_open]))
        outcome = self.conformance.call(call.blocked.future.result, what="result()")
        if call.cancelled:
            assert isinstance(outcome.exception, CancelledError), (
                f"{ID}: expected CancelledError from a cancelled future, got {outcome}"
            )
        else:
            assert outcome.exception is None and outcome.value == call.blocked.value, (
                f"{ID}: expected result() {call.blocked.value!r}, got {outcome}"
            )

    # -- invariants -----------------------------------------------------------

    @invariant()
    def states_are_consistent(self) -> None:
        for call in self.all_calls:
            future = call.blocked.future
            cancelled = future.cancelled()
            done = future.done()
            running = future.running()
            label = f"call {call.blocked.value}"
            assert not cancelled or done, f"{ID}: expected a cancelled future done, got not done"
            assert not (done and running), (
                f"{ID}: expected a done future not running, got running ({label})"
            )
            assert cancelled or not call.seen_cancelled, (
                f"{ID}: expected cancelled() to stay True, got False ({label})"
            )
            assert done or not call.seen_done, (
                f"{ID}: expected done() to stay True, got False ({label})"
            )
            assert cancelled == call.cancelled or call.cancel_returned is None, (
                f"{ID}: expected cancelled() == {call.cancelled} as cancel() returned"
                f" {call.cancel_returned}, got {cancelled} ({label})"
            )
            if not call.gate_open:
                assert not done or cancelled, (
                    f"{ID}: expected a call blocked on a closed gate not to be finished, got"
                    f" done() True and cancelled() False ({label})"
                )
            call.seen_done |= done
            call.seen_cancelled |= cancelled


@clause(ID)
@requires("background")
def test_future_states_follow_the_model(conformance: Conformance) -> None:
    """Under any schedule of submits, openings, cancels and polls, futures agree with the model."""
    machine = type("FutureMachine", (FutureMachine,), {"conformance": conformance})
    run_state_machine_as_test(machine, settings=spec_settings())  # type: ignore[no-untyped-call]

