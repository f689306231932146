"""Cancellation: what cancel() returned, and everything that follows from it, under generated
schedules.

FUT-3..FUT-8 put one call in one state and cancel it.  The specs here draw a
whole schedule first (how many workers, which calls, which gates open when,
which calls are cancelled and in which order), then run it and hold the
executor to what each cancel() *returned*: an executor may refuse to cancel a
call it has already handed to a worker, but never contradict its own answer.
Races are started from several threads at a barrier, never ordered by sleeping.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conformance import tasks
from conformance.harness import PROMPT, Blocked, Conformance, Outcome
from conformance.profiles import spec_settings
from conformance.specs import clause, requires, states, still_pending
from conformance.standalone import cancel_schedule_script, reproducible
from conformance.strategies import CancelSchedule, cancel_schedules

#: Each example builds an executor (a process pool costs a fraction of a second), so the
#: specs here try a third of the profile's examples, plus the explicit ones.
SCHEDULES = settings(spec_settings(), max_examples=max(5, spec_settings().max_examples // 3))

#: How long, in unscaled seconds, a thread waiting on a future may take to wake once the
#: future is cancelled (on a loaded machine).
WAKE = 3.0

#: One worker: call 0 is running when it is cancelled (the answer must be False), calls 1
#: and 2 are queued behind it when they are (True, unless handed to the worker early), and
#: call 3, never cancelled, must still run once call 0's gate opens.
QUEUE_BEHIND_A_RUNNING_CALL = CancelSchedule(
    max_workers=1,
    calls=((False, False), (False, False), (True, False), (True, False)),
    steps=(("submit", 0), ("await_start", 0), ("cancel", 0), ("submit", 1), ("submit", 2),
           ("cancel", 1), ("submit", 3), ("cancel", 2), ("cancel", 1), ("open_gate", 0)),
)


# -- running a schedule ------------------------------------------------------------------


@dataclass
class Cancel:
    """One cancel() of a call: the running() read just before it, its answer, the states after."""

    running_before: bool
    returned: Any
    after: dict[str, bool]


@dataclass
class Call:
    """One call of a schedule, what the test did to it and, once the schedule ran, what it did."""

    index: int
    blocked: Blocked
    gate_open: bool
    cancels: list[Cancel] = field(default_factory=list)
    starts: int = 0  # how many times the call began, from the log
    final: dict[str, bool] = field(default_factory=dict)  # its states after shutdown
    outcome: Outcome = field(default_factory=Outcome)  # result(0) after shutdown

    @property
    def future(self) -> Future[Any]:
        return self.blocked.future

    @property
    def cancelled_by_test(self) -> bool:
        """Whether some cancel() of it returned True."""
        return any(c.returned is True for c in self.cancels)

    def gave_its_own_outcome(self) -> bool:
        value, got = self.blocked.value, self.outcome
        if isinstance(value, BaseException):
            return type(got.exception) is type(value) and got.exception.args == value.args
        return got.exception is None and got.value == value

    def describe(self) -> str:
        value = self.blocked.value
        own = f"raise {value!r}" if isinstance(value, BaseException) else f"return {value!r}"
        return f"call {self.index} (which would {own})"


def cancel(future: Future[Any]) -> Cancel:
    """cancel() the future, reading running() just before and the states just after."""
    running_before = future.running()
    returned = future.cancel()
    # running() before done(): a future that finishes between the two reads is seen done.
    running = future.running()
    done = future.done()
    return Cancel(running_before, returned,
                  {"cancelled": future.cancelled(), "done": done, "running": running})


def sure_to_start(calls: list[Call], call: Call, max_workers: int) -> bool:
    """Whether nothing can hold ``call`` back: it is not cancelled, and the other calls that
    could still block a worker forever are fewer than the workers."""
    if call.cancelled_by_test:
        return False
    holding = [c for c in calls if c is not call and not c.gate_open and not c.cancelled_by_test]
    return len(holding) < max_workers


def run_schedule(conformance: Conformance, schedule: CancelSchedule, clause_id: str) -> list[Call]:
    """Run ``schedule`` on a fresh executor, then open every gate, wait for every call and shut
    the executor down; what each call went through.  Fails in ``clause_id``'s words when the
    executor stalls.  The standalone script replays it (conformance/standalone.py): change the
    two together."""
    log = conformance.log()
    executor = conformance.new_executor(schedule.max_workers)
    calls: list[Call] = []
    for verb, index in schedule.steps:
        if verb == "submit":
            raises, free = schedule.calls[index]
            value: Any = LookupError(index) if raises else index
            blocked = conformance.submit_blocked(executor, value, log)
            if free:
                blocked.gate.set()
            calls.append(Call(index, blocked, gate_open=free))
        elif verb == "open_gate":
            calls[index].blocked.gate.set()
            calls[index].gate_open = True
        elif verb == "cancel":
            calls[index].cancels.append(cancel(calls[index].future))
        elif verb == "await_start" and sure_to_start(calls, calls[index], schedule.max_workers):
            try:
                conformance.wait_started(calls[index].blocked)
            except AssertionError as exc:
                raise AssertionError(
                    f"{clause_id}: expected {calls[index].describe()} to start, as no other"
                    f" call could hold every worker, got {exc}"
                ) from None
    finish(conformance, executor, calls, clause_id)
    ran = Counter(entry if isinstance(entry, int) else entry.args[0] for entry in list(log))
    for call in calls:
        call.starts = ran[call.index]
        call.final = states(call.future)
        call.outcome = conformance.call(call.future.result, 0, what=f"result(0) of call"
                                        f" {call.index}")
    return calls


def finish(conformance: Conformance, executor: Executor, calls: list[Call],
           clause_id: str) -> None:
    """Open every gate; wait for every call while the executor still runs, then shut it down."""
    conformance.open_all_gates()
    for call in calls:
        call.gate_open = True

    def unfinished() -> list[str]:
        return [c.describe() for c in calls if not c.future.done()]

    try:
        conformance.wait_until(lambda: not unfinished(), "")
    except AssertionError:
        raise AssertionError(
            f"{clause_id}: expected every call to be done once every gate was open and every"
            f" worker free, got {', '.join(unfinished())} not done"
        ) from None
    try:
        conformance.release(executor)
    except AssertionError as exc:
        raise AssertionError(
            f"{clause_id}: expected shutdown(wait=True) to return once every call was done,"
            f" got {exc}"
        ) from None


def trace(calls: list[Call]) -> str:
    """What cancel() answered for each call, for failure messages."""
    return "; ".join(f"call {c.index}: cancel() -> {[x.returned for x in c.cancels]}"
                     for c in calls if c.cancels)


# -- what cancel() answered --------------------------------------------------------------


@reproducible(cancel_schedule_script)
@clause("CAN-1")
@requires("background")
@SCHEDULES
@given(schedule=cancel_schedules())
@example(schedule=QUEUE_BEHIND_A_RUNNING_CALL)
def test_cancel_true_means_cancelled(conformance: Conformance, schedule: CancelSchedule) -> None:
    """A future whose cancel() returned True is cancelled, done and not running, for good."""
    calls = run_schedule(conformance, schedule, "CAN-1")
    expected = {"cancelled": True, "done": True, "running": False}
    for call in calls:
        for c in call.cancels:
            if c.returned is True:
                assert c.after == expected, (
                    f"CAN-1: expected {expected} right after cancel() of {call.describe()}"
                    f" returned True, got {c.after} ({trace(calls)})"
                )
        if call.cancelled_by_test:
            assert call.final == expected, (
                f"CAN-1: expected {call.describe()}, cancelled, to stay {expected} after"
                f" shutdown, got {call.final}"
            )


@reproducible(cancel_schedule_script)
@clause("CAN-2")
@requires("background", "cancels_pending")
@SCHEDULES
@given(schedule=cancel_schedules())
@example(schedule=QUEUE_BEHIND_A_RUNNING_CALL)
def test_cancel_false_means_the_call_completes(conformance: Conformance,
                                               schedule: CancelSchedule) -> None:
    """A future whose cancel() returned False is running or done, and its call completes."""
    calls = run_schedule(conformance, schedule, "CAN-2")
    for call in calls:
        refused = [c for c in call.cancels if c.returned is False]
        for c in refused:
            after = c.after
            assert not after["cancelled"] and (after["running"] or after["done"]), (
                f"CAN-2: expected {call.describe()} running or done, and not cancelled, right"
                f" after cancel() returned False, got {after}"
            )
        if not refused:
            continue
        finished = {"cancelled": False, "done": True, "running": False}
        assert call.final == finished and call.starts >= 1, (
            f"CAN-2: expected {call.describe()}, whose cancel() returned False, to run and"
            f" finish, got {call.final} after shutdown and {call.starts} starts ({trace(calls)})"
        )
        assert call.gave_its_own_outcome(), (
            f"CAN-2: expected {call.describe()}, whose cancel() returned False, to give its own"
            f" outcome, got {call.outcome.describe()}"
        )


@reproducible(cancel_schedule_script)
@clause("CAN-3")
@requires("background")
@SCHEDULES
@given(schedule=cancel_schedules())
@example(schedule=QUEUE_BEHIND_A_RUNNING_CALL)
def test_cancelled_call_never_runs(conformance: Conformance, schedule: CancelSchedule) -> None:
    """A call whose cancel() returned True never runs, even once the executor is shut down."""
    calls = run_schedule(conformance, schedule, "CAN-3")
    ran = [c.describe() for c in calls if c.cancelled_by_test and c.starts]
    assert not ran, (
        f"CAN-3: expected no call whose cancel() returned True to run, got {', '.join(ran)}"
        f" run ({trace(calls)})"
    )


@reproducible(cancel_schedule_script)
@clause("CAN-4")
@requires("background")
@SCHEDULES
@given(schedule=cancel_schedules())
@example(schedule=QUEUE_BEHIND_A_RUNNING_CALL)
def test_cancels_neither_stall_nor_lose_other_calls(conformance: Conformance,
                                                    schedule: CancelSchedule) -> None:
    """Every call never cancelled runs once and gives its outcome, whatever else was cancelled."""
    calls = run_schedule(conformance, schedule, "CAN-4")
    finished = {"cancelled": False, "done": True, "running": False}
    for call in calls:
        if call.cancels:
            continue
        assert call.final == finished and call.starts == 1, (
            f"CAN-4: expected {call.describe()}, never cancelled, to run once and finish, got"
            f" {call.final} after shutdown and {call.starts} starts ({trace(calls)})"
        )
        assert call.gave_its_own_outcome(), (
            f"CAN-4: expected {call.describe()}, never cancelled, to give its own outcome, got"
            f" {call.outcome.describe()} ({trace(calls)})"
        )


@reproducible(cancel_schedule_script)
@clause("CAN-8")
@requires("background")
@SCHEDULES
@given(schedule=cancel_schedules())
@example(schedule=QUEUE_BEHIND_A_RUNNING_CALL)
def test_cancel_after_running_was_reported_fails(conformance: Conformance,
                                                 schedule: CancelSchedule) -> None:
    """cancel() of a future that has just reported running() returns False."""
    calls = run_schedule(conformance, schedule, "CAN-8")
    for call in calls:
        for c in call.cancels:
            if c.running_before:
                assert c.returned is False, (
                    f"CAN-8: expected cancel() of {call.describe()}, which running() had just"
                    f" reported running, to return False, got {c.returned!r}"
                )


# -- races -------------------------------------------------------------------------------


def race(conformance: Conformance, clause_id: str, actions: list[Callable[[], Any]]) -> list[Any]:
    """Run each action in a thread of its own, all let go at once; what each returned."""
    budget = conformance.clock(PROMPT)
    barrier = threading.Barrier(len(actions), timeout=budget)
    results: list[Any] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = actions[i]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), name="conformance-race", daemon=True)
               for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(budget)
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, (
        f"{clause_id}: expected every racing cancel() to return within {budget:g}s, got {stuck}"
        f" threads still inside"
    )
    if errors:
        raise errors[0]
    return results


@clause("CAN-5")
@requires("background")
@SCHEDULES
@given(max_workers=st.integers(1, 3), targets=st.integers(1, 4),
       orders=st.lists(st.permutations(range(4)), min_size=1, max_size=3))
@example(max_workers=1, targets=3, orders=[[0, 1, 2, 3], [2, 1, 0, 3]])
def test_cancel_racing_a_worker_has_one_winner(conformance: Conformance, max_workers: int,
                                               targets: int, orders: list[list[int]]) -> None:
    """cancel() racing a worker for a call: either every cancel() wins, or the call runs."""
    log = conformance.log()
    with conformance.executor(max_workers) as executor:
        blockers = conformance.occupy_all_workers(executor, max_workers)
        futures = [executor.submit(tasks.record, log, i) for i in range(targets)]

        def canceller(order: list[int]) -> list[tuple[int, Any]]:
            return [(i, futures[i].cancel()) for i in order if i < targets]

        def free_the_workers() -> list[tuple[int, Any]]:
            for blocker in blockers:
                blocker.gate.set()
            return []

        answers = race(conformance, "CAN-5",
                       [free_the_workers, *(partial(canceller, order) for order in orders)])
        # One more call, submitted after every cancel and waited for: handing it over has
        # the pool drop the cancelled calls first, so shutdown never meets a pool left with
        # cancelled calls only (CPython's process pool before 3.10.11 then hangs in
        # shutdown, python/cpython#94440; SHD-3's spec provokes that hang on purpose).
        conformance.result(executor.submit(tasks.identity, None),
                           what="result() of a call submitted after the race")
    # Shut down with wait=True: every call not cancelled has run.
    ran = Counter(list(log))
    said: dict[int, set[Any]] = {i: set() for i in range(targets)}
    for i, returned in (pair for pairs in answers for pair in pairs):
        said[i].add(returned)
    for i, future in enumerate(futures):
        assert len(said[i]) <= 1, (
            f"CAN-5: expected every cancel() of call {i} to give the same answer, got"
            f" {sorted(map(repr, said[i]))}"
        )
        if said[i] == {True}:
            assert ran[i] == 0 and future.cancelled(), (
                f"CAN-5: expected call {i}, whose cancel() won the race, never to run and to be"
                f" cancelled, got {ran[i]} starts and cancelled() {future.cancelled()}"
            )
        else:
            outcome = conformance.call(future.result, 0, what=f"result(0) of call {i}")
            assert ran[i] == 1 and outcome.exception is None and outcome.value == i, (
                f"CAN-5: expected call {i}, whose cancel() returned {said[i] or 'nothing'}, to"
                f" run once and give {i}, got {ran[i]} starts and {outcome.describe()}"
            )


@clause("CAN-6")
@requires("background", "bounded_workers", "cancels_pending")
@SCHEDULES
@given(max_workers=st.integers(1, 2), cancellers=st.integers(2, 4),
       callbacks=st.integers(1, 2))
@example(max_workers=1, cancellers=4, callbacks=2)
def test_concurrent_cancels_all_succeed(conformance: Conformance, max_workers: int,
                                        cancellers: int, callbacks: int) -> None:
    """cancel() from several threads at once on a pending future returns True in each."""
    log = conformance.log()
    with conformance.executor(max_workers) as executor:
        conformance.occupy_all_workers(executor, max_workers)
        # One still pending: an executor may hand queued calls to its workers early and
        # refuse to cancel those (FUT-3).
        queued = conformance.submit_queued(executor, *range(max_workers + 3), log=log)
        target = still_pending(queued)[-1]
        called: list[list[Future[Any]]] = [[] for _ in range(callbacks)]
        for seen in called:
            target.future.add_done_callback(seen.append)
        answers = race(conformance, "CAN-6", [target.future.cancel] * cancellers)
        assert answers == [True] * cancellers, (
            f"CAN-6: expected cancel() to return True in each of {cancellers} threads, got"
            f" {answers}"
        )
        # A callback may be called from another thread, a little later.
        try:
            conformance.wait_until(lambda: all(called), "")
        except AssertionError:
            raise AssertionError(
                f"CAN-6: expected each done callback called once the future was cancelled, got"
                f" {[len(seen) for seen in called]} calls"
            ) from None
    counts = [len(seen) for seen in called]
    assert counts == [1] * callbacks, (
        f"CAN-6: expected each of {callbacks} done callbacks called once, got {counts} calls"
    )
    ran = list(log)
    assert target.value not in ran, (
        f"CAN-6: expected the cancelled call never to run, got it run (calls run: {ran})"
    )


# -- waiters -----------------------------------------------------------------------------


@clause("CAN-7")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("queries", [("result",), ("exception", "result", "exception")],
                         ids=["one-waiter", "three-waiters"])
def test_cancel_wakes_untimed_waiters(conformance: Conformance,
                                      queries: tuple[str, ...]) -> None:
    """Threads in result() or exception() with no timeout wake with CancelledError at a cancel."""
    bound = conformance.clock(WAKE)
    answers: list[Any] = []
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        # One still pending: an executor may hand queued calls on early.
        target = still_pending(conformance.submit_queued(executor, *range(4)))[-1]
        future = target.future

        def wait_in(rest: list[str]) -> list[Outcome]:
            """Each query of ``rest`` waits in a thread of its own; the last one in cancels."""
            if not rest:
                answers.append(future.cancel())
                return []
            later: list[Outcome] = []
            first = conformance.call(getattr(future, rest[0]), bound=bound,
                                     what=f"{rest[0]}()",
                                     when_waiting=lambda: later.extend(wait_in(rest[1:])))
            return [first, *later]

        try:
            outcomes = wait_in(list(queries))
        except AssertionError as exc:
            if answers == [False]:
                pytest.fail("CAN-7: expected cancel() of a queued call to return True, got False"
                            " (FUT-3)")
            raise AssertionError(
                f"CAN-7: expected every waiter to wake with CancelledError within {bound:g}s of"
                f" the cancel, got {exc}"
            ) from None
    assert answers == [True], (
        f"CAN-7: expected cancel() of a queued call to return True, got {answers} (FUT-3)"
    )
    for query, outcome in zip(queries, outcomes):
        assert isinstance(outcome.exception, CancelledError), (
            f"CAN-7: expected {query}() to raise CancelledError once the future was cancelled,"
            f" got {outcome.describe()}"
        )
