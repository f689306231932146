"""Broken executors, initializers and pickling: what happens when a worker cannot work.

An executor's workers run its ``initializer`` before their calls; when the
initializer raises, or a worker process dies, the executor is *broken*: its
pending calls fail with a ``BrokenExecutor`` and it takes no more.  Where calls
run in other processes, a call, its result or its exception that cannot cross
the boundary fails that call only.

Specs that end a worker process with ``os._exit`` need ``process_workers``
(and :func:`conformance.tasks.exit_worker` refuses to run in the test's own
process besides).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, Future
from concurrent.futures import as_completed as futures_as_completed
from concurrent.futures import wait as futures_wait
from contextlib import suppress
from typing import Any

import pytest

from conformance import tasks
from conformance.harness import PROMPT, SETTLE, Attempt, Blocked, Conformance, Outcome
from conformance.leftovers import KILL, live_descendants
from conformance.report import NOT_APPLICABLE
from conformance.specs import clause, requires

#: A failing initializer: ``tasks.fail`` raises the exception it is given.
FAILING: dict[str, Any] = {"initializer": tasks.fail,
                           "initargs": (LookupError("the initializer fails"),)}


def show(outcome: Outcome) -> str:
    """What a bounded submit() did, in a failure message's words."""
    if outcome.exception is None:
        return f"no exception: it returned {outcome.value!r}"
    return outcome.describe()


def failure_of(clause_id: str, conformance: Conformance, future: Future[Any], what: str,
               bound: float | None = None) -> BaseException | None:
    """The exception ``future`` finishes with (None when it returns), waiting for it within
    ``bound`` (by default, the time a call may take to finish)."""
    conformance.wait_until(
        future.done, f"{clause_id}: expected {what} to finish, got it unfinished", bound
    )
    return future.exception(0)


def submit_outcome(conformance: Conformance, executor: Executor, fn: Callable[..., Any],
                   *args: Any) -> Outcome:
    """``executor.submit(fn, *args)``, bounded: the future, or what submit() raised."""
    return conformance.call(executor.submit, fn, *args, what="submit()")


def expect_broken(clause_id: str, conformance: Conformance, outcome: Outcome,
                  what: str) -> None:
    """A submit() that raised a BrokenExecutor, or whose future failed with one."""
    if outcome.exception is not None:
        error: BaseException | None = outcome.exception
        how = "submit() to raise"
    else:
        error = failure_of(clause_id, conformance, outcome.value, what)
        how = f"{what} to fail"
    assert isinstance(error, BrokenExecutor), (
        f"{clause_id}: expected {how} with a BrokenExecutor, got {error!r}"
    )


def submit_gated(conformance: Conformance, executor: Executor, fn: Callable[..., Any],
                 *args: Any) -> Blocked:
    """Submit ``fn(*args)`` behind a start signal and a gate (``tasks.gated_call``)."""
    started, gate = conformance.signal(), conformance.event()
    future = executor.submit(tasks.gated_call, started, gate, conformance.clock(PROMPT * 6),
                             fn, *args)
    return Blocked(future, started, gate)


def submit_dying(conformance: Conformance, executor: Executor) -> Blocked:
    """Submit a call that announces its start, then ends its worker process when let go."""
    started, gate = conformance.signal(), conformance.event()
    future = executor.submit(tasks.exit_worker, os.getpid(), started, gate,
                             conformance.clock(PROMPT * 6))
    return Blocked(future, started, gate)


def cancel_one_before_the_last(clause_id: str, futures: list[Future[Any]]) -> int:
    """Cancel the last of ``futures`` but one that can be (so that a pending call follows
    it, and pending calls that an executor may already hold for its workers precede it);
    its index."""
    for index in reversed(range(len(futures) - 1)):
        if futures[index].cancel():
            return index
    raise AssertionError(
        f"{clause_id}: expected some pending call to be cancellable, got none (FUT-3)"
    )


# -- initializers --------------------------------------------------------------------------


@clause("INIT-1")
@requires("initializer")
def test_initializer_runs_with_initargs_before_calls(conformance: Conformance) -> None:
    """The initializer is called with initargs before the executor runs a call."""
    log = conformance.log()
    initargs = ("token", None, 2)
    with conformance.executor(1, initializer=tasks.initialize,
                              initargs=(log, *initargs)) as executor:
        conformance.result(executor.submit(tasks.record, log, "call"))
    entries = list(log)
    expected = ("initializer", initargs)
    assert entries[:1] == [expected] and "call" in entries, (
        f"INIT-1: expected the log to start with {expected!r}, then 'call', got {entries!r}"
    )


@clause("INIT-2")
@requires("initializer", "background")
def test_every_worker_runs_the_initializer(conformance: Conformance) -> None:
    """Calls running at once in different workers each find the initializer run in their own."""
    token = uuid.uuid4().hex  # stale state from another spec never matches
    with conformance.executor(2, initializer=tasks.initialize,
                              initargs=(conformance.log(), token)) as executor:
        calls = [submit_gated(conformance, executor, tasks.initialized) for _ in range(2)]
        for call in calls:
            conformance.wait_started(call, "a call submitted to an idle executor")
        for call in calls:
            call.gate.set()
        seen = [conformance.result(call.future) for call in calls]
    # In a process, the initializer and the calls may run in different threads.
    where = 1 if conformance.capabilities["process_workers"] else 0
    found = [worker[where] for worker in seen]
    assert found == [(token,), (token,)], (
        f"INIT-2: expected both workers to have run the initializer with ({token!r},),"
        f" got {found!r}"
    )


@clause("INIT-7")
@requires("initializer")
def test_a_worker_runs_the_initializer_once(conformance: Conformance) -> None:
    """Calls run one after another by one worker find the initializer run once in it."""
    token = uuid.uuid4().hex  # counts of another spec's executor never match
    with conformance.executor(1, initializer=tasks.count_runs, initargs=(token,)) as executor:
        seen = [conformance.result(executor.submit(tasks.runs_counted, token))
                for _ in range(3)]
    # In a process, the initializer and the calls may run in different threads.
    where = 1 if conformance.capabilities["process_workers"] else 0
    counts = [worker[where] for worker in seen]
    assert counts == [1, 1, 1], (
        f"INIT-7: expected each of 3 calls in a row to find the initializer run once in its"
        f" worker, got it run {counts} times"
    )


@clause("INIT-3")
@requires("initializer")
# What the initializer raises may be any BaseException: a worker that lets SystemExit through
# ends quietly, and leaves the calls pending for ever.
@pytest.mark.parametrize("raises", ["LookupError", "SystemExit"])
def test_failing_initializer_fails_pending_calls(conformance: Conformance,
                                                 raises: str) -> None:
    """When the initializer raises, each pending call fails with a BrokenExecutor, unrun."""
    log = conformance.log()
    failing = FAILING if raises == "LookupError" else {
        "initializer": tasks.fail, "initargs": (SystemExit("the initializer exits"),)}
    with conformance.executor(2, **failing) as executor:
        outcomes = [submit_outcome(conformance, executor, tasks.record, log, i)
                    for i in range(4)]
        for i, outcome in enumerate(outcomes):
            expect_broken("INIT-3", conformance, outcome, f"call {i}")
    ran = list(log)
    assert not ran, f"INIT-3: expected no call to run, got {ran!r} run"


@clause("INIT-3")
@requires("initializer", "background")
def test_failing_initializer_calls_back_pending_futures(conformance: Conformance) -> None:
    """A pending call failed by the initializer's exception is done like any other: the done
    callbacks added to its future before then are called, once each."""
    started, gate = conformance.signal(), conformance.event()
    # tasks.gated announces its start, waits for the gate, then raises the exception.
    failing: dict[str, Any] = {"initializer": tasks.gated,
                               "initargs": (started, gate, conformance.clock(PROMPT * 6),
                                            LookupError("the initializer fails"))}
    called: list[Future[Any]] = []
    with conformance.executor(1, **failing) as executor:
        futures = [executor.submit(tasks.identity, i) for i in range(3)]
        for future in futures:
            future.add_done_callback(called.append)
        budget = conformance.clock(PROMPT)
        assert started.wait(budget), (
            f"INIT-3: expected the initializer to start within {budget:g}s of the first"
            " submit(), got no start"
        )
        gate.set()
        for i, future in enumerate(futures):
            error = failure_of("INIT-3", conformance, future, f"call {i}")
            assert isinstance(error, BrokenExecutor), (
                f"INIT-3: expected call {i} to fail with a BrokenExecutor, got {error!r}"
            )
        # The callbacks come just after each future is done, maybe in another thread.
        with suppress(AssertionError):
            conformance.wait_until(lambda: len(called) >= len(futures), "")
    assert sorted(map(id, called)) == sorted(map(id, futures)), (
        f"INIT-3: expected the done callback of each of the {len(futures)} futures that failed"
        f" with a BrokenExecutor to be called once, got {len(called)} calls"
    )


@clause("INIT-4")
@requires("initializer")
def test_submit_after_failed_initializer_raises(conformance: Conformance) -> None:
    """Once a call has failed because the initializer raised, submit() raises BrokenExecutor."""
    with conformance.executor(1, **FAILING) as executor:
        first = submit_outcome(conformance, executor, tasks.identity, 1)
        if first.exception is None:
            error = failure_of("INIT-4", conformance, first.value, "the first call")
            assert isinstance(error, BrokenExecutor), (
                f"INIT-4: expected the first call to fail with a BrokenExecutor (INIT-3),"
                f" got {error!r}"
            )
        for attempt in ("second", "third"):
            later = submit_outcome(conformance, executor, tasks.identity, 2)
            assert isinstance(later.exception, BrokenExecutor), (
                f"INIT-4: expected the {attempt} submit() to raise a BrokenExecutor, got"
                f" {show(later)}"
            )
        # map() is an attempt to submit too: it raises, or its first result does.
        mapped = conformance.call(executor.map, tasks.identity, [3, 4], what="map()")
        error = mapped.exception
        if error is None:
            error = conformance.call(next, mapped.value, what="next() on map()").exception
        assert isinstance(error, BrokenExecutor), (
            f"INIT-4: expected map() on the broken executor, or its first next(), to raise a"
            f" BrokenExecutor, got {show(mapped) if mapped.exception else repr(error)}"
        )


@clause("INIT-5")
@requires("initializer", "background", "cancels_pending")
def test_failing_initializer_spares_cancelled_call_only(conformance: Conformance) -> None:
    """A call cancelled while the initializer runs stays cancelled; the others still fail."""
    started, gate = conformance.signal(), conformance.event()
    # tasks.gated announces its start, waits for the gate, then raises the exception.
    failing: dict[str, Any] = {"initializer": tasks.gated,
                               "initargs": (started, gate, conformance.clock(PROMPT * 6),
                                            LookupError("the initializer fails"))}
    with conformance.executor(1, **failing) as executor:
        futures = [executor.submit(tasks.identity, 0)]
        budget = conformance.clock(PROMPT)
        assert started.wait(budget), (
            f"INIT-5: expected the initializer to start within {budget:g}s of the first"
            " submit(), got no start"
        )
        futures += [executor.submit(tasks.identity, i) for i in range(1, 6)]
        cancelled = cancel_one_before_the_last("INIT-5", futures)
        gate.set()
        opened = time.monotonic()
        bound: float | None = None
        for i, future in enumerate(futures):
            if i == cancelled:
                continue
            error = failure_of("INIT-5", conformance, future,
                               f"pending call {i} (call {cancelled} was cancelled)", bound)
            if bound is None:
                # Once the first call has failed the executor is broken, and the others
                # were pending with it: they have failed by then, or do within a short
                # bound, in proportion to how long the first took to fail.
                took = time.monotonic() - opened
                bound = min(conformance.clock(PROMPT / 5),
                            max(conformance.clock(SETTLE), 10 * took))
            assert isinstance(error, BrokenExecutor), (
                f"INIT-5: expected pending call {i} to fail with a BrokenExecutor (call"
                f" {cancelled} was cancelled), got {error!r}"
            )
        assert futures[cancelled].cancelled(), (
            f"INIT-5: expected the cancelled call {cancelled} to stay cancelled, got"
            f" {futures[cancelled]!r}"
        )


@clause("INIT-6")
@requires("initializer")
@pytest.mark.parametrize("initializer", [42, "tasks.initialize"], ids=["int", "str"])
def test_non_callable_initializer_is_rejected(conformance: Conformance,
                                              initializer: object) -> None:
    """Building the executor with a non-callable initializer raises TypeError."""
    outcome = conformance.call(conformance.new_executor, 1, initializer=initializer,
                               initargs=(), what="the factory")
    assert isinstance(outcome.exception, TypeError), (
        f"INIT-6: expected the factory to raise TypeError for initializer={initializer!r},"
        f" got {outcome.describe()}"
    )


# -- dying workers ---------------------------------------------------------------------


@clause("BRK-1")
@requires("process_workers")
def test_dead_worker_fails_its_call(conformance: Conformance) -> None:
    """A call whose worker process dies fails with a BrokenExecutor, promptly, and is not
    run again."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        # The call dies the first time it runs only: run again, it would return.
        future = executor.submit(tasks.exit_worker_once, os.getpid(), conformance.signal(), log)
        error = failure_of("BRK-1", conformance, future, "the call whose worker died")
        assert isinstance(error, BrokenExecutor), (
            f"BRK-1: expected the call whose worker died to fail with a BrokenExecutor, got"
            f" {error!r}" + (f" (it ran {len(list(log))} times)" if error is None else "")
        )
    runs = len(list(log))
    assert runs == 1, (
        f"BRK-1: expected the call whose worker died to have run once, got {runs} runs"
    )


@clause("BRK-2")
@requires("process_workers")
def test_submit_after_dead_worker_raises(conformance: Conformance) -> None:
    """Once a call failed with a BrokenExecutor because its worker died, submit() raises."""
    with conformance.executor(1) as executor:
        future = executor.submit(tasks.exit_worker, os.getpid())
        error = failure_of("BRK-2", conformance, future, "the call whose worker died")
        assert isinstance(error, BrokenExecutor), (
            f"BRK-2: expected the call whose worker died to fail with a BrokenExecutor"
            f" (BRK-1), got {error!r}"
        )
        for attempt in ("first", "second"):
            later = submit_outcome(conformance, executor, tasks.identity, 1)
            assert isinstance(later.exception, BrokenExecutor), (
                f"BRK-2: expected the {attempt} submit() after the worker died to raise a"
                f" BrokenExecutor, got {show(later)}"
            )


@clause("BRK-3")
@requires("process_workers", "background")
@pytest.mark.parametrize("timing", ["died-before", "died-during"])
def test_shutdown_returns_after_dead_worker(conformance: Conformance, timing: str) -> None:
    """shutdown(wait=True) returns promptly when a worker died, before or while it waits."""
    executor = conformance.new_executor(1)
    dying = submit_dying(conformance, executor)
    conformance.wait_started(dying)
    if timing == "died-before":
        dying.gate.set()
        conformance.wait_until(dying.future.done, "BRK-3: expected the call whose worker died"
                               " to finish, got it unfinished")
    try:
        outcome = conformance.call(
            executor.shutdown, wait=True, what="shutdown(wait=True)",
            when_waiting=dying.gate.set if timing == "died-during" else None,
        )
    except AssertionError as exc:  # the bounded wait gave up
        raise AssertionError(f"BRK-3: expected shutdown(wait=True) to return ({timing}), got"
                             f" no return: {exc}") from None
    assert outcome.exception is None, (
        f"BRK-3: expected shutdown(wait=True) to return ({timing}), got {outcome.describe()}"
    )
    conformance.release(executor)


@clause("BRK-4")
@requires("process_workers", "background")
def test_pending_calls_finish_when_worker_dies(conformance: Conformance) -> None:
    """Calls pending when a worker dies each give their result or a BrokenExecutor, promptly."""
    with conformance.executor(1) as executor:
        dying = submit_dying(conformance, executor)
        conformance.wait_started(dying)
        pending = [executor.submit(tasks.identity, i) for i in range(3)]
        dying.gate.set()
        for i, future in enumerate(pending):
            _expect_result_or_broken("BRK-4", conformance, future, i)


@clause("BRK-4")
@requires("process_workers", "background")
def test_pending_calls_of_a_dead_worker_are_done_for_waiters(conformance: Conformance) -> None:
    """The calls pending when a worker dies are done for everyone: their done callbacks are
    called, a wait() already waiting for them returns, and as_completed() yields them."""
    bound = conformance.clock(PROMPT)
    called: list[Future[Any]] = []
    with conformance.executor(1) as executor:
        dying = submit_dying(conformance, executor)
        conformance.wait_started(dying)
        pending = [executor.submit(tasks.identity, i) for i in range(3)]
        for future in pending:
            future.add_done_callback(called.append)
        waiting = Attempt(lambda: futures_wait(pending, 3 * bound), "conformance-waiter")
        yielded = Attempt(lambda: list(futures_as_completed(pending, 3 * bound)),
                          "conformance-waiter")
        conformance.wait_until(lambda: waiting.calling.is_set() and yielded.calling.is_set(),
                               "wait() and as_completed() were not called")
        dying.gate.set()
        for i, future in enumerate(pending):
            _expect_result_or_broken("BRK-4", conformance, future, i)
        deadline = time.monotonic() + bound
        for name, attempt in (("wait()", waiting), ("as_completed()", yielded)):
            assert attempt.finished.wait(max(0.0, deadline - time.monotonic())), (
                f"BRK-4: expected {name}, waiting for the calls pending when the worker died, to"
                f" return once they were done, got it still waiting {bound:g}s later"
            )
        with suppress(AssertionError):  # the callbacks come just after each future is done
            conformance.wait_until(lambda: len(called) >= len(pending), "")
    done = waiting.outcome.unwrap().done
    assert done == set(pending), (
        f"BRK-4: expected wait() to report the {len(pending)} calls pending when the worker"
        f" died done, got {len(done)} of them"
    )
    assert set(yielded.outcome.unwrap()) == set(pending), (
        "BRK-4: expected as_completed() to yield every call pending when the worker died"
    )
    assert sorted(map(id, called)) == sorted(map(id, pending)), (
        f"BRK-4: expected the done callback of each of the {len(pending)} calls pending when"
        f" the worker died to be called once, got {len(called)} calls"
    )


@clause("BRK-5")
@requires("process_workers", "background", "cancels_pending")
def test_dead_worker_spares_cancelled_call_only(conformance: Conformance) -> None:
    """A call cancelled before a worker dies stays cancelled; the others still finish."""
    with conformance.executor(1) as executor:
        dying = submit_dying(conformance, executor)
        conformance.wait_started(dying)
        pending = [executor.submit(tasks.identity, i) for i in range(6)]
        cancelled = cancel_one_before_the_last("BRK-5", pending)
        dying.gate.set()
        broken = False
        for i, future in enumerate(pending):
            if i != cancelled:
                # Once a pending call has failed, the executor knows it is broken: the
                # others have failed by then, or do within a short bound.
                broken |= _expect_result_or_broken(
                    "BRK-5", conformance, future, i, f" (call {cancelled} was cancelled)",
                    conformance.clock(PROMPT / 5) if broken else None)
        assert pending[cancelled].cancelled(), (
            f"BRK-5: expected the cancelled call {cancelled} to stay cancelled, got"
            f" {pending[cancelled]!r}"
        )


@clause("BRK-6")
@requires("process_workers")
def test_worker_killed_while_idle_leaves_no_call_hanging(conformance: Conformance) -> None:
    """After an idle worker process is killed from outside, each later call gives its result
    or fails with a BrokenExecutor, promptly."""
    with conformance.executor(1) as executor:
        pid, _ = conformance.result(executor.submit(tasks.where))
        # Only a live process below the test's own is killed: never one the worker's pid
        # was handed on to, nor one the suite cannot tell is the executor's.
        if pid not in live_descendants():
            pytest.skip(f"{NOT_APPLICABLE}the worker process that ran a call is not a live"
                        " process below this one (it exited, or the suite cannot see it)")
        os.kill(pid, KILL)
        conformance.wait_until(lambda: pid not in live_descendants(),
                               f"the worker process {pid} did not die when killed")
        for i in range(3):
            outcome = submit_outcome(conformance, executor, tasks.identity, i)
            if outcome.exception is not None:
                assert isinstance(outcome.exception, BrokenExecutor), (
                    f"BRK-6: expected submit() after a worker was killed to return a future or"
                    f" raise a BrokenExecutor, got {outcome.describe()}"
                )
                continue
            _expect_result_or_broken("BRK-6", conformance, outcome.value, i,
                                     " (submitted after an idle worker was killed)")


def _expect_result_or_broken(clause_id: str, conformance: Conformance, future: Future[Any],
                             value: int, context: str = "", bound: float | None = None) -> bool:
    """Whether the call failed with a BrokenExecutor (else it gave its value), waiting for it
    within ``bound`` (by default, the time a call may take to finish)."""
    what = f"pending call {value}"
    failure_of(clause_id, conformance, future, what + context, bound)
    outcome = conformance.call(future.result, what=f"result() of {what}")
    assert outcome.value == value or isinstance(outcome.exception, BrokenExecutor), (
        f"{clause_id}: expected pending call {value} to give {value!r} or fail with a"
        f" BrokenExecutor{context}, got {outcome.describe()}"
    )
    return outcome.exception is not None


# -- values that cannot cross a process boundary ---------------------------------------


#: Calls that cannot be sent to a worker process, or whose outcome cannot come back.
CANNOT_CROSS: dict[str, Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]] = {
    "function": lambda: (tasks.UnpicklableCall(), ()),
    "argument": lambda: (tasks.identity, (threading.Lock(),)),
    "result": lambda: (tasks.unpicklable_result, ()),
    "exception": lambda: (tasks.raise_unpicklable, ()),
}


def _failure_of_call(clause_id: str, conformance: Conformance, executor: Executor,
                     kind: str) -> BaseException:
    """Submit the call of ``kind``; what it fails with, from submit() or its future."""
    fn, args = CANNOT_CROSS[kind]()
    submitted = submit_outcome(conformance, executor, fn, *args)
    if submitted.exception is not None:
        return submitted.exception
    error = failure_of(clause_id, conformance, submitted.value,
                       f"the call whose {kind} cannot be pickled")
    assert error is not None, (
        f"{clause_id}: expected the call whose {kind} cannot be pickled to fail, got"
        f" the value {submitted.value.result(0)!r}"
    )
    return error


@clause("PKL-1")
@requires("process_workers")
@pytest.mark.parametrize("kind", ["function", "argument"])
def test_unpicklable_call_fails(conformance: Conformance, kind: str) -> None:
    """A call whose function or argument cannot be pickled fails with an exception."""
    with conformance.executor(1) as executor:
        _failure_of_call("PKL-1", conformance, executor, kind)


@clause("PKL-2")
@requires("process_workers")
def test_unpicklable_result_fails_its_call(conformance: Conformance) -> None:
    """A call whose return value cannot be pickled fails its future with an exception."""
    with conformance.executor(1) as executor:
        _failure_of_call("PKL-2", conformance, executor, "result")


@clause("PKL-3")
@requires("process_workers")
def test_unpicklable_exception_fails_its_call(conformance: Conformance) -> None:
    """A call raising an exception that cannot be pickled fails its future with an exception."""
    with conformance.executor(1) as executor:
        _failure_of_call("PKL-3", conformance, executor, "exception")


@clause("PKL-4")
@requires("process_workers")
@pytest.mark.parametrize("kind", list(CANNOT_CROSS))
def test_executor_survives_unpicklable_call(conformance: Conformance, kind: str) -> None:
    """After a call that cannot be pickled there or back, later calls still run."""
    with conformance.executor(1) as executor:
        _failure_of_call("PKL-4", conformance, executor, kind)
        later = submit_outcome(conformance, executor, tasks.identity, "later")
        if later.exception is None:
            later = conformance.call(later.value.result, what="result() of a later call")
        assert later.exception is None and later.value == "later", (
            f"PKL-4: expected a call submitted after the one whose {kind} cannot be pickled"
            f" to give 'later', got {later.describe()}"
        )


@clause("PKL-5")
@requires("process_workers")
@pytest.mark.parametrize("kind", ["result", "exception"])
def test_unrebuildable_outcome_fails_its_call(conformance: Conformance, kind: str) -> None:
    """A call whose result or exception cannot be unpickled fails its future with an exception."""
    fn = tasks.unrebuildable_result if kind == "result" else tasks.raise_unrebuildable
    with conformance.executor(1) as executor:
        future = executor.submit(fn)
        error = failure_of("PKL-5", conformance, future,
                           f"the call whose {kind} cannot be unpickled")
        assert error is not None, (
            f"PKL-5: expected the call whose {kind} cannot be unpickled to fail, got the"
            f" value {future.result(0)!r}"
        )
