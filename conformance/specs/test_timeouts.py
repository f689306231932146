"""Result timeouts: how long result(timeout) and exception(timeout) wait, and what running out does.

The unfinished call of these specs is a gated call that has started (so that
nothing can cancel it), unless a spec says it waits for a worker.  Each wait is
timed from inside the waiting thread and bounded from outside.  Lower bounds
are the timeout itself, less the clock's resolution, and are never scaled;
upper bounds are the timeout plus a scaled slack.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import tasks
from conformance.harness import PROMPT, SETTLE, Attempt, Blocked, Conformance, Outcome, open_later
from conformance.profiles import spec_settings
from conformance.specs import clause, requires, states, still_pending

QUERIES = ("result", "exception")

#: How late, in unscaled seconds, a wait may give up after its timeout on a loaded machine.
SLACK = 1.0

#: How long, in unscaled seconds, an answer that needs no waiting may take.
AT_ONCE = 1.0

#: How long, in unscaled seconds, the outcome of a call that just finished may take
#: to reach a caller waiting for it (from another process, on a loaded machine).
DELIVERY = 3.0

#: How early a wait may give up: the resolution of the clock.  Never scaled: a
#: scale makes the suite more tolerant of slowness, never of impatience.
EARLY = max(0.001, 2 * time.get_clock_info("monotonic").resolution)

#: The timeout argument left out altogether.
OMITTED: Any = object()

#: Ways to ask without a limit: the query, the argument, and whether it is passed by keyword.
NO_LIMIT = {
    "result()": ("result", OMITTED, False),
    "result(None)": ("result", None, False),
    "exception()": ("exception", OMITTED, False),
    "exception(timeout=None)": ("exception", None, True),
}

TIMINGS = ["finished-before", "finished-during", "finished-later"]


# -- helpers -------------------------------------------------------------------


def ask(conformance: Conformance, clause_id: str, future: Future[Any], query: str,
        timeout: Any = OMITTED, *, keyword: bool = False, bound: float,
        when_waiting: Callable[[], object] | None = None) -> tuple[str, Outcome]:
    """Call ``future.result`` or ``future.exception`` with ``timeout``, bounded by ``bound``.

    Returns how the call reads (for messages) and its outcome; fails in the
    clause's words when it does not answer within ``bound``.
    """
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}
    if timeout is OMITTED:
        what = f"{query}()"
    elif keyword:
        what, kwargs = f"{query}(timeout={timeout!r})", {"timeout": timeout}
    else:
        what, args = f"{query}({timeout!r})", (timeout,)
    try:
        outcome = conformance.call(getattr(future, query), *args, bound=bound, what=what,
                                   when_waiting=when_waiting, **kwargs)
    except AssertionError as exc:
        raise AssertionError(
            f"{clause_id}: expected {what} to answer within {bound:.3g}s, got no answer ({exc})"
        ) from None
    return what, outcome


def ask_together(conformance: Conformance, clause_id: str, future: Future[Any],
                 timeout: Any, bound: float) -> list[tuple[str, Outcome]]:
    """:func:`ask` result(timeout) and exception(timeout) at the same time, each bounded."""
    answers: dict[str, tuple[str, Outcome] | AssertionError] = {}

    def run(query: str) -> None:
        try:
            answers[query] = ask(conformance, clause_id, future, query, timeout, bound=bound)
        except AssertionError as exc:
            answers[query] = exc

    threads = [threading.Thread(target=run, args=(query,), daemon=True) for query in QUERIES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(bound + conformance.clock(PROMPT))  # ask() itself returns within bound
    got = []
    for query in QUERIES:
        answer = answers.get(query, AssertionError(f"{clause_id}: {query}() was not asked"))
        if isinstance(answer, AssertionError):
            raise answer
        got.append(answer)
    return got


def unfinished(conformance: Conformance, executor: concurrent.futures.Executor,
               value: Any = "value") -> Blocked:
    """A call that has started and waits for its gate: nothing can cancel it."""
    blocked = conformance.submit_blocked(executor, value)
    conformance.wait_started(blocked)
    return blocked


def finished(conformance: Conformance, executor: concurrent.futures.Executor,
             value: Any = "value") -> Future[Any]:
    """A call that has finished, returning ``value``."""
    future = executor.submit(tasks.identity, value)
    conformance.wait_until(future.done, "the call did not finish")
    return future


def outcome_once_done(conformance: Conformance, future: Future[Any]) -> tuple[str, Outcome]:
    """result() of a call whose gate is open, asked once it is done (so no wait is involved)."""
    conformance.wait_until(future.done, "TMO-9: expected the call to finish once its gate"
                           " opened, got it unfinished")
    return ask(conformance, "TMO-9", future, "result", bound=conformance.clock(AT_ONCE))


def timed_out(outcome: Outcome) -> bool:
    """Whether the wait ended in concurrent.futures.TimeoutError."""
    return isinstance(outcome.exception, concurrent.futures.TimeoutError)


def gave_up(outcome: Outcome) -> bool:
    """Whether the wait ended in an exception other than CancelledError (any way to give up)."""
    return outcome.exception is not None and not isinstance(outcome.exception, CancelledError)


def polls(timeouts: st.SearchStrategy[Any], max_size: int) -> st.SearchStrategy[
        list[tuple[str, Any, bool]]]:
    """Timed waits: which query, which timeout, and whether it is passed by keyword."""
    return st.lists(st.tuples(st.sampled_from(QUERIES), timeouts, st.booleans()),
                    min_size=1, max_size=max_size)


# -- the exception -------------------------------------------------------------


@clause("TMO-1")
@requires("background")
@pytest.mark.parametrize(("timeout", "keyword"), [(0, False), (0.02, True)],
                         ids=["0", "timeout=0.02"])
@pytest.mark.parametrize("query", QUERIES)
def test_running_out_raises_timeout_error(conformance: Conformance, query: str,
                                          timeout: float, keyword: bool) -> None:
    """A wait that runs out raises concurrent.futures.TimeoutError."""
    with conformance.executor(1) as executor:
        blocked = unfinished(conformance, executor)
        what, outcome = ask(conformance, "TMO-1", blocked.future, query, timeout,
                            keyword=keyword, bound=timeout + conformance.clock(SLACK))
    assert timed_out(outcome), (
        f"TMO-1: expected {what} of an unfinished call to raise"
        f" concurrent.futures.TimeoutError, got {outcome.describe()}"
    )


@clause("TMO-1")
@requires("background")
@pytest.mark.parametrize("query", QUERIES)
def test_running_out_in_an_event_loop_raises_timeout_error(conformance: Conformance,
                                                           query: str) -> None:
    """Asked from a coroutine, in an event loop's thread, a timed wait that runs out raises
    TimeoutError too: a future may not refuse to wait there."""
    timeout = 0.05

    async def ask_in_the_loop(future: Future[Any]) -> Any:
        return getattr(future, query)(timeout)

    with conformance.executor(1) as executor:
        blocked = unfinished(conformance, executor)
        outcome = conformance.call(asyncio.run, ask_in_the_loop(blocked.future),
                                   bound=timeout + conformance.clock(SLACK),
                                   what=f"{query}({timeout}) in a coroutine")
    assert timed_out(outcome), (
        f"TMO-1: expected {query}({timeout}) of an unfinished call, asked in an event loop, to"
        f" raise concurrent.futures.TimeoutError, got {outcome.describe()}"
    )


# -- how long a timed wait lasts -----------------------------------------------


@clause("TMO-2")
@requires("background")
@spec_settings()
@given(waits=polls(st.floats(min_value=0.001, max_value=0.06), max_size=2))
def test_wait_does_not_give_up_early(conformance: Conformance,
                                     waits: list[tuple[str, float, bool]]) -> None:
    """A timed wait for an unfinished call lasts at least its timeout."""
    with conformance.executor(1, keep=True) as executor:
        blocked = unfinished(conformance, executor)
        for query, timeout, keyword in waits:
            what, outcome = ask(conformance, "TMO-2", blocked.future, query, timeout,
                                keyword=keyword, bound=timeout + conformance.clock(SLACK))
            assert outcome.elapsed >= timeout - EARLY, (
                f"TMO-2: expected {what} of an unfinished call to wait at least"
                f" {timeout!r}s, got {outcome.describe()} after {outcome.elapsed:.4f}s"
            )


@clause("TMO-3")
@requires("background")
@pytest.mark.parametrize("timeout", [0.01, 0.1])
@pytest.mark.parametrize("query", QUERIES)
def test_wait_does_not_overrun(conformance: Conformance, query: str, timeout: float) -> None:
    """A timed wait for an unfinished call gives up soon after its timeout."""
    limit = timeout + conformance.clock(SLACK)
    with conformance.executor(1) as executor:
        blocked = unfinished(conformance, executor)
        what, outcome = ask(conformance, "TMO-3", blocked.future, query, timeout, bound=limit)
    assert outcome.elapsed <= limit, (
        f"TMO-3: expected {what} of an unfinished call to give up within {limit:.3g}s,"
        f" got {outcome.describe()} after {outcome.elapsed:.3f}s"
    )


@clause("TMO-3")
@requires("background")
@pytest.mark.parametrize("query", QUERIES)
def test_wait_does_not_overrun_beside_an_untimed_one(conformance: Conformance,
                                                     query: str) -> None:
    """A timed wait gives up soon after its timeout though another thread then waits untimed."""
    timeout = 0.3
    limit = timeout + conformance.clock(SLACK)
    with conformance.executor(1) as executor:
        blocked = unfinished(conformance, executor)
        method = getattr(blocked.future, query)
        timed = Attempt(lambda: method(timeout), "conformance-waiter")
        conformance.wait_until(timed.calling.is_set, f"{query}({timeout}) was not called")
        untimed = Attempt(method, "conformance-waiter")  # a wait with no deadline joins it
        conformance.wait_until(untimed.calling.is_set, f"{query}() was not called")
        gave_up = timed.finished.wait(limit)
        outcome = timed.outcome
    assert gave_up and isinstance(outcome.exception, concurrent.futures.TimeoutError), (
        f"TMO-3: expected {query}({timeout}) of an unfinished call to raise TimeoutError within"
        f" {limit:.3g}s though another thread then waited in {query}() with no timeout, got "
        + (outcome.describe() if gave_up else "no answer")
    )


@clause("TMO-4")
@requires("background")
def test_int_timeout_is_seconds(conformance: Conformance) -> None:
    """result(1) and exception(1) of an unfinished call give up after one second."""
    timeout = 1
    limit = timeout + conformance.clock(SLACK)
    with conformance.executor(1) as executor:
        blocked = unfinished(conformance, executor)
        answers = ask_together(conformance, "TMO-4", blocked.future, timeout, limit)
    for what, outcome in answers:
        assert gave_up(outcome) and timeout - EARLY <= outcome.elapsed <= limit, (
            f"TMO-4: expected {what} of an unfinished call to give up after {timeout}s"
            f" (within {limit:.3g}s), got {outcome.describe()} after {outcome.elapsed:.3f}s"
        )


# -- zero, negative and no timeout ---------------------------------------------


def _check_immediate(clause_id: str, conformance: Conformance, query: str,
                     timeout: float) -> None:
    """``timeout`` answers at once: TimeoutError when unfinished, the outcome when finished."""
    bound = conformance.clock(AT_ONCE)
    with conformance.executor(1) as executor:
        done = finished(conformance, executor)
        blocked = unfinished(conformance, executor)
        what, outcome = ask(conformance, clause_id, blocked.future, query, timeout, bound=bound)
        assert timed_out(outcome), (
            f"{clause_id}: expected {what} of an unfinished call to raise"
            f" concurrent.futures.TimeoutError at once, got {outcome.describe()}"
        )
        what, outcome = ask(conformance, clause_id, done, query, timeout, bound=bound)
    expected = "value" if query == "result" else None
    assert outcome.exception is None and outcome.value == expected, (
        f"{clause_id}: expected {what} of a finished call to give {expected!r} at once,"
        f" got {outcome.describe()}"
    )


@clause("TMO-5")
@requires("background")
@pytest.mark.parametrize("zero", [0, 0.0], ids=["int", "float"])
@pytest.mark.parametrize("query", QUERIES)
def test_zero_timeout_answers_at_once(conformance: Conformance, query: str,
                                      zero: float) -> None:
    """A timeout of 0 gives TimeoutError for an unfinished call, the outcome of a finished one."""
    _check_immediate("TMO-5", conformance, query, zero)


@clause("TMO-6")
@requires("background")
@pytest.mark.parametrize("timeout", [-1, -0.01])
@pytest.mark.parametrize("query", QUERIES)
def test_negative_timeout_is_zero(conformance: Conformance, query: str, timeout: float) -> None:
    """A negative timeout answers at once, as 0 does."""
    _check_immediate("TMO-6", conformance, query, timeout)


@clause("TMO-7")
@requires("background")
@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("how", list(NO_LIMIT))
def test_no_timeout_waits_for_the_call(conformance: Conformance, how: str,
                                       timing: str) -> None:
    """Without a timeout, result() and exception() wait for the call however long it takes."""
    query, timeout, keyword = NO_LIMIT[how]
    delay = conformance.clock(SETTLE) if timing == "finished-later" else 0.0
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        opener: Callable[[], object] | None = None
        if timing == "finished-before":
            blocked.gate.set()
            conformance.wait_until(blocked.future.done, "the call did not finish")
        elif timing == "finished-during":
            opener = blocked.gate.set
        else:
            opener = open_later(blocked.gate, delay)
        what, outcome = ask(conformance, "TMO-7", blocked.future, query, timeout,
                            keyword=keyword, bound=delay + conformance.clock(PROMPT),
                            when_waiting=opener)
    expected = "value" if query == "result" else None
    assert outcome.exception is None and outcome.value == expected, (
        f"TMO-7: expected {what} to wait for the call and give {expected!r} ({timing}),"
        f" got {outcome.describe()} after {outcome.elapsed:.3f}s"
    )


# -- a call that finishes in time ----------------------------------------------


@clause("TMO-8")
@requires("background")
@pytest.mark.parametrize(("timeout", "returns"), [(60, True), (45.5, False)],
                         ids=["int-returned", "float-raised"])
@pytest.mark.parametrize("timing", ["finished-before", "finished-during"])
@pytest.mark.parametrize("query", QUERIES)
def test_outcome_comes_as_soon_as_the_call_finishes(conformance: Conformance, query: str,
                                                     timing: str, timeout: float,
                                                     returns: bool) -> None:
    """A call that finishes within the timeout gives its outcome at once, not at the timeout."""
    # Long enough for any call to finish first, whatever the scale (int stays int).
    timeout *= math.ceil(conformance.clock.scale)
    value: Any = "value" if returns else LookupError("raised")
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, value)
        opener: Callable[[], object] | None = None
        if timing == "finished-before":
            blocked.gate.set()
            conformance.wait_until(blocked.future.done, "the call did not finish")
            bound = conformance.clock(AT_ONCE)
        else:
            opener = blocked.gate.set
            bound = conformance.clock(DELIVERY)
        what, outcome = ask(conformance, "TMO-8", blocked.future, query, timeout, bound=bound,
                            when_waiting=opener)
    got = outcome.describe()
    if returns:
        expected = "value" if query == "result" else None
        ok = outcome.exception is None and outcome.value == expected
        want = f"the value {expected!r}"
    else:
        came = outcome.exception if query == "result" else outcome.value
        ok = isinstance(came, LookupError) and came.args == ("raised",)
        want = "LookupError('raised')" + (" raised" if query == "result" else " returned")
    assert ok and outcome.elapsed <= bound, (
        f"TMO-8: expected {what} to give {want} within {bound:.3g}s ({timing}),"
        f" got {got} after {outcome.elapsed:.3f}s"
    )


@clause("TMO-8")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("query", QUERIES)
def test_cancel_ends_a_timed_wait(conformance: Conformance, query: str) -> None:
    """A queued call cancelled during a timed wait for it ends the wait with CancelledError."""
    timeout = 60 * math.ceil(conformance.clock.scale)
    bound = conformance.clock(AT_ONCE)
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        # One still pending: an executor may move queued calls on early.
        queued = still_pending(conformance.submit_queued(executor, *range(4)))[-1]
        cancelled: list[bool] = []
        try:
            what, outcome = ask(conformance, "TMO-8", queued.future, query, timeout,
                                bound=bound,
                                when_waiting=lambda: cancelled.append(queued.future.cancel()))
        except AssertionError:
            if cancelled == [False]:
                pytest.fail("TMO-8: expected cancel() of a queued call to return True, got"
                            " False (FUT-3)")
            raise
    assert cancelled == [True], (
        f"TMO-8: expected cancel() of a queued call to return True, got {cancelled} (FUT-3)"
    )
    assert isinstance(outcome.exception, CancelledError) and outcome.elapsed <= bound, (
        f"TMO-8: expected {what} to raise CancelledError within {bound:.3g}s of the cancel,"
        f" got {outcome.describe()} after {outcome.elapsed:.3f}s"
    )


# -- what a timeout leaves behind ----------------------------------------------


@clause("TMO-9")
@requires("background")
@spec_settings()
@given(waits=polls(st.just(0) | st.floats(min_value=0.0, max_value=0.03), max_size=3))
def test_timed_out_wait_leaves_the_call_running(conformance: Conformance,
                                                waits: list[tuple[str, float, bool]]) -> None:
    """Timed-out waits leave a running call running; it then finishes and gives its value."""
    with conformance.executor(1, keep=True) as executor:
        blocked = unfinished(conformance, executor)
        for query, timeout, keyword in waits:
            what, outcome = ask(conformance, "TMO-9", blocked.future, query, timeout,
                                keyword=keyword, bound=timeout + conformance.clock(SLACK))
            assert gave_up(outcome), (
                f"TMO-9: expected {what} of an unfinished call to time out, got"
                f" {outcome.describe()}"
            )
            got = states(blocked.future)
            expected = {"done": False, "running": True, "cancelled": False}
            assert got == expected, (
                f"TMO-9: expected the call to be still running after {what} timed out,"
                f" {expected}, got {got}"
            )
        blocked.gate.set()
        what, outcome = outcome_once_done(conformance, blocked.future)
    assert outcome.exception is None and outcome.value == "value", (
        f"TMO-9: expected result() to give the call's value 'value' after timed-out waits,"
        f" got {outcome.describe()}"
    )


@clause("TMO-9")
@requires("background", "bounded_workers")
@pytest.mark.parametrize("query", QUERIES)
def test_timed_out_wait_leaves_a_queued_call_queued(conformance: Conformance,
                                                    query: str) -> None:
    """Timed-out waits for a call still waiting for a worker neither cancel nor drop it."""
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        (queued,) = conformance.submit_queued(executor, "queued")
        for timeout in (0, 0.02):
            what, outcome = ask(conformance, "TMO-9", queued.future, query, timeout,
                                bound=timeout + conformance.clock(SLACK))
            assert gave_up(outcome), (
                f"TMO-9: expected {what} of a queued call to time out, got {outcome.describe()}"
            )
            got = states(queued.future)
            assert not got["done"] and not got["cancelled"], (
                f"TMO-9: expected the queued call to be neither done nor cancelled after"
                f" {what} timed out, got {got}"
            )
        blocker.gate.set()
        queued.gate.set()
        what, outcome = outcome_once_done(conformance, queued.future)
    assert outcome.exception is None and outcome.value == "queued", (
        f"TMO-9: expected result() to give the queued call's value 'queued' once it ran,"
        f" got {outcome.describe()}"
    )
