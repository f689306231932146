"""Future states: what a future of the executor reports before, while and after its call runs.

A future is pending (waiting for a worker), running, cancelled or finished.
Each spec puts a future in one state with gates, then checks every query.
"""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, Future
from typing import Any

import pytest

from conformance import tasks
from conformance.harness import SETTLE, Conformance
from conformance.specs import clause, requires, states


def expect_states(clause_id: str, future: Future[Any], **expected: bool) -> None:
    got = states(future)
    assert got == expected, f"{clause_id}: expected {expected}, got {got}"


@clause("FUT-1")
@requires("background", "bounded_workers")
def test_queued_call_is_pending(conformance: Conformance) -> None:
    """A call waiting for a worker is neither running, nor done, nor cancelled."""
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        # The pending state is this clause's subject: the full watch, not one in
        # proportion to how fast calls start.
        (queued,) = conformance.submit_queued(executor, None, watch=conformance.clock(SETTLE))
        expect_states("FUT-1", queued.future, done=False, running=False, cancelled=False)


@clause("FUT-2")
@requires("background")
def test_executing_call_is_running(conformance: Conformance) -> None:
    """A call that has started and not finished is running."""
    with conformance.executor(1) as executor:
        (blocked,) = conformance.occupy_all_workers(executor, 1)
        expect_states("FUT-2", blocked.future, done=False, running=True, cancelled=False)


@clause("FUT-3")
@requires("background", "bounded_workers", "cancels_pending")
def test_cancel_of_queued_call_succeeds(conformance: Conformance) -> None:
    """cancel() of a call that has not started returns True and the future is cancelled."""
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        (queued,) = conformance.submit_queued(executor, None)
        returned = queued.future.cancel()
        assert returned is True, f"FUT-3: expected cancel() to return True, got {returned!r}"
        expect_states("FUT-3", queued.future, done=True, running=False, cancelled=True)


@clause("FUT-4")
@requires("background", "bounded_workers", "cancels_pending")
def test_cancelled_call_never_runs(conformance: Conformance) -> None:
    """Calls cancelled while queued never run, even after the workers free up."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        queued = conformance.submit_queued(executor, *range(4), log=log)
        cancelled = [q.value for q in queued if q.future.cancel()]
        assert cancelled, "FUT-4: expected some queued call to be cancellable, got none (FUT-3)"
        blocker.gate.set()
        for q in queued:
            q.gate.set()
        for q in queued:
            if q.value not in cancelled:
                conformance.result(q.future)
    ran = sorted(v for v in log if v in cancelled)
    assert not ran, f"FUT-4: expected cancelled calls {cancelled} never to run, got {ran} run"


@clause("FUT-5")
@requires("background")
def test_cancel_of_running_call_fails(conformance: Conformance) -> None:
    """cancel() of a running call returns False; the call then finishes normally."""
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        conformance.wait_started(blocked)
        returned = blocked.future.cancel()
        assert returned is False, f"FUT-5: expected cancel() to return False, got {returned!r}"
        expect_states("FUT-5", blocked.future, done=False, running=True, cancelled=False)
        blocked.gate.set()
        got = conformance.result(blocked.future)
        assert got == "value", f"FUT-5: expected the call's result 'value', got {got!r}"
        expect_states("FUT-5", blocked.future, done=True, running=False, cancelled=False)


@clause("FUT-5")
@requires("background")
def test_cancel_of_running_call_leaves_waiters_waiting(conformance: Conformance) -> None:
    """A thread waiting in result() when cancel() of the running call fails waits on for the
    value: the failed cancel() does not wake it."""
    returned: list[bool] = []
    woke: list[bool] = []
    finished = threading.Event()
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        conformance.wait_started(blocked)

        def wait_for_the_value() -> Any:
            try:
                return blocked.future.result()
            finally:
                finished.set()

        def cancel_then_watch() -> None:
            returned.append(blocked.future.cancel())
            # A waiter woken by the failed cancel() comes back within this watch.
            woke.append(finished.wait(conformance.clock(SETTLE)))
            blocked.gate.set()

        outcome = conformance.call(wait_for_the_value, what="result()",
                                   when_waiting=cancel_then_watch)
    assert returned == [False], f"FUT-5: expected cancel() to return False, got {returned}"
    assert not woke[0] and outcome.exception is None and outcome.value == "value", (
        f"FUT-5: expected a result() waiting while cancel() of the running call failed to"
        f" wait on and give 'value', got {outcome.describe()}"
        + (" before the call finished" if woke[0] else "")
    )


@clause("FUT-6")
@pytest.mark.parametrize("outcome", ["returned", "raised"])
def test_cancel_of_finished_call_fails(conformance: Conformance, outcome: str) -> None:
    """cancel() of a finished call returns False and leaves it finished."""
    with conformance.executor() as executor:
        future = (executor.submit(tasks.identity, "value") if outcome == "returned"
                  else executor.submit(tasks.fail, LookupError("raised")))
        conformance.call(future.exception, what="exception()")
        returned = future.cancel()
        assert returned is False, f"FUT-6: expected cancel() to return False, got {returned!r}"
        expect_states("FUT-6", future, done=True, running=False, cancelled=False)


@clause("FUT-7")
@requires("background", "bounded_workers", "cancels_pending")
def test_cancel_twice_returns_true_twice(conformance: Conformance) -> None:
    """A second cancel() of a cancelled future also returns True."""
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        queued = conformance.submit_queued(executor, *range(4))
        cancelled = [q.future for q in queued if q.future.cancel()]
        assert cancelled, "FUT-7: expected some queued call to be cancellable, got none (FUT-3)"
        again = [f.cancel() for f in cancelled]
        assert all(again), f"FUT-7: expected the second cancel() to return True, got {again}"
        expect_states("FUT-7", cancelled[-1], done=True, running=False, cancelled=True)


@clause("FUT-8")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("query", ["result", "exception"])
@pytest.mark.parametrize("timeout", [None, 0, 5])
def test_cancelled_future_raises_cancelled_error(conformance: Conformance, query: str,
                                                 timeout: float | None) -> None:
    """result() and exception() of a cancelled future raise CancelledError at once."""
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        queued = conformance.submit_queued(executor, *range(4))
        cancelled = [q.future for q in queued if q.future.cancel()]
        assert cancelled, "FUT-8: expected some queued call to be cancellable, got none (FUT-3)"
        method = getattr(cancelled[-1], query)
        outcome = conformance.call(method, timeout, what=f"{query}({timeout})")
    assert isinstance(outcome.exception, CancelledError), (
        f"FUT-8: expected {query}({timeout}) to raise CancelledError, got "
        f"{outcome.describe()}"
    )
    # "At once": well before the timeout it was given, whatever the scale.
    assert outcome.elapsed < 1.0 * conformance.clock.scale, (
        f"FUT-8: expected CancelledError at once, got it after {outcome.elapsed:.3f}s"
    )


@clause("FUT-9")
# Values that are false, or None, tell a finished future from one that only looks for a value.
@pytest.mark.parametrize("value", [{"value": [1, 2]}, None, 0, False, ""],
                         ids=["dict", "None", "0", "False", "empty-str"])
def test_finished_call_reports_its_value(conformance: Conformance, value: Any) -> None:
    """A finished future is done, with the value and no exception."""
    with conformance.executor() as executor:
        future = executor.submit(tasks.identity, value)
        got = conformance.result(future)
        assert type(got) is type(value) and got == value, (
            f"FUT-9: expected {value!r}, got {got!r}"
        )
        expect_states("FUT-9", future, done=True, running=False, cancelled=False)
        exception = conformance.call(future.exception, what="exception()").unwrap()
        assert exception is None, f"FUT-9: expected exception() to be None, got {exception!r}"


TIMINGS = ["finished-before", "finished-during", "finished-after"]


@clause("FUT-10")
@requires("background")
@pytest.mark.parametrize("timing", TIMINGS)
def test_result_waits_for_the_value(conformance: Conformance, timing: str) -> None:
    """result() returns the call's value, whether it finished before, during or after the wait."""
    _check_wait("FUT-10", conformance, timing, "result", "value", "value")


@clause("FUT-10")
def test_result_called_as_the_call_finishes_returns(conformance: Conformance) -> None:
    """result() called just after submit(), while the call may be finishing at that very
    moment, returns the call's value: the wait never misses the finish."""
    with conformance.executor(2) as executor:
        raced = conformance.race(executor, lambda future: future.result(),
                                 "FUT-10: result() called just after submit()")
    wrong = [(i, value) for i, (_, value) in enumerate(raced) if value != i]
    assert not wrong, (
        f"FUT-10: expected result() of call i, called just after submit(), to return i, got"
        f" {len(wrong)} of {len(raced)} otherwise (call, value): {wrong[:5]}"
    )


@clause("FUT-11")
@requires("background")
@pytest.mark.parametrize("timing", TIMINGS)
def test_exception_waits_and_gives_none(conformance: Conformance, timing: str) -> None:
    """exception() returns None for a call that returned, whenever it finished."""
    _check_wait("FUT-11", conformance, timing, "exception", "value", None)


def _check_wait(clause_id: str, conformance: Conformance, timing: str, query: str,
                value: Any, expected: Any) -> None:
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, value)
        method = getattr(blocked.future, query)
        if timing == "finished-before":
            blocked.gate.set()
            conformance.wait_until(blocked.future.done, "the call did not finish")
            outcome = conformance.call(method, what=f"{query}()")
        elif timing == "finished-during":
            outcome = conformance.call(method, what=f"{query}()",
                                       when_waiting=blocked.gate.set)
        else:
            # The caller asks first and gives up; the call finishes later.
            early = conformance.call(method, 0, what=f"{query}(0)")
            assert early.exception is not None, (
                f"{clause_id}: expected {query}(0) of an unfinished call to raise"
                f" TimeoutError, got {early.value!r}"
            )
            blocked.gate.set()
            outcome = conformance.call(method, what=f"{query}()")
    got = outcome.describe()
    assert outcome.exception is None and outcome.value == expected, (
        f"{clause_id}: expected {query}() to give {expected!r} ({timing}), got {got}"
    )


@clause("FUT-14")
@requires("shares_memory")
def test_result_is_the_very_object(conformance: Conformance) -> None:
    """With shared memory, result() returns the object the call returned, not a copy."""
    # A coroutine, a generator and futures too: a value, however awaitable, iterable or
    # future-like, is not run or waited for; an unfinished future returned leaves the call
    # finished all the same.
    coroutine, generator = _a_coroutine(), iter(range(3))
    finished_future: Future[str] = Future()
    finished_future.set_result("the inner future's value")
    returned: list[Any] = [[], {"key": [1]}, object(), bytearray(b"12"), coroutine, generator,
                           finished_future, Future()]
    try:
        with conformance.executor() as executor:
            futures = [executor.submit(tasks.identity, value) for value in returned]
            for future, value in zip(futures, returned):
                for attempt in ("first", "second"):
                    got = conformance.result(future)
                    assert got is value, (
                        f"FUT-14: expected the {attempt} result() to return the very {value!r}"
                        f" the call returned, got "
                        + ("an equal copy" if got == value else repr(got))
                    )
    finally:
        coroutine.close()  # never awaited, on purpose


async def _a_coroutine() -> str:
    return "awaited"


@clause("FUT-12")
@pytest.mark.parametrize("outcome", ["returned", "raised"])
def test_done_future_never_changes(conformance: Conformance, outcome: str) -> None:
    """Repeated queries of a done future give the same outcome every time."""
    error = KeyError("k")
    with conformance.executor() as executor:
        future = (executor.submit(tasks.identity, [1]) if outcome == "returned"
                  else executor.submit(tasks.fail, error))
        first = conformance.call(future.result, what="result()")
        first_exc = conformance.call(future.exception, what="exception()").value
        for _ in range(3):
            again = conformance.call(future.result, what="result()")
            expect_states("FUT-12", future, done=True, running=False, cancelled=False)
            assert (again.value, type(again.exception)) == (first.value, type(first.exception)), (
                f"FUT-12: expected result() to give {first.describe()}"
                f" again, got {again.describe()}"
            )
            exc = conformance.call(future.exception, what="exception()").value
            assert exc is first_exc, (
                f"FUT-12: expected exception() to give the same {first_exc!r}, got {exc!r}"
            )
