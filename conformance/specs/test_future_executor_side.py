"""The executor side of Future: the methods an executor drives a future with.

These run on the future class the implementation returns from submit(): a
fresh, unsubmitted instance of it, driven by hand the way an executor would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, InvalidStateError, as_completed, wait
from typing import Any

import pytest

from conformance import tasks
from conformance.harness import PROMPT, Attempt, Conformance, Outcome
from conformance.report import NOT_APPLICABLE
from conformance.specs import clause, requires


@pytest.fixture
def new_future(conformance: Conformance) -> Any:
    """A factory of fresh futures of the class the implementation's submit() returns."""
    with conformance.executor(1) as executor:
        cls = type(executor.submit(tasks.identity, None))

    def make() -> Future[Any]:
        try:
            return cls()
        except TypeError as exc:
            # The documentation lets only submit() create futures ("should not be
            # created directly except for testing"), so a class that needs
            # arguments breaks no promise: its executor side cannot be driven.
            pytest.skip(f"{NOT_APPLICABLE}the implementation's future class"
                        f" {cls.__qualname__} cannot be created without arguments: {exc}")

    return make


@clause("SET-1")
def test_set_running_marks_a_pending_future_running(new_future: Any) -> None:
    """set_running_or_notify_cancel() on a pending future returns True; it is then running."""
    future = new_future()
    returned = future.set_running_or_notify_cancel()
    assert returned is True, f"SET-1: expected True, got {returned!r}"
    got = (future.running(), future.done(), future.cancelled())
    assert got == (True, False, False), (
        f"SET-1: expected (running, done, cancelled) == (True, False, False), got {got}"
    )


@clause("SET-2")
def test_set_running_reports_a_cancelled_future(conformance: Conformance,
                                                new_future: Any) -> None:
    """set_running_or_notify_cancel() on a cancelled future returns False and wakes waiters."""
    future = new_future()
    assert future.cancel() is True, "SET-2: expected cancel() of a new future to return True"
    budget = conformance.clock(10)
    reported: list[Any] = []
    yielded: list[Any] = []
    waiters = [
        threading.Thread(target=lambda: reported.append(wait([future])), daemon=True),
        threading.Thread(target=lambda: yielded.extend(as_completed([future], budget)),
                         daemon=True),
    ]
    for waiter in waiters:
        waiter.start()
    # Both threads waiting before the notification (wait() and as_completed() register a
    # waiter on a future that is cancelled but not yet notified), so that it must wake them;
    # a future whose cancel() told them already has let them return.
    conformance.wait_until(
        lambda: (len(getattr(future, "_waiters", "..")) + sum(not w.is_alive() for w in waiters)
                 >= len(waiters)),
        "SET-2: the threads calling wait() and as_completed() neither waited nor returned")
    returned = future.set_running_or_notify_cancel()
    assert returned is False, f"SET-2: expected False, got {returned!r}"
    assert future.cancelled() and future.done(), (
        f"SET-2: expected the future to stay cancelled and done, got cancelled()="
        f"{future.cancelled()}, done()={future.done()}"
    )
    for waiter in waiters:
        waiter.join(budget)
    assert reported and future in reported[0].done, (
        f"SET-2: expected a thread in wait() to be woken with the future done, got {reported}"
    )
    assert yielded == [future], (
        f"SET-2: expected a thread in as_completed() to be given the future, got {yielded}"
    )


@clause("SET-3")
@pytest.mark.parametrize("running", [False, True], ids=["from-pending", "from-running"])
def test_set_result_finishes_and_wakes_waiters(conformance: Conformance, new_future: Any,
                                               running: bool) -> None:
    """set_result() finishes the future with the value and wakes every waiting thread."""
    future = new_future()
    if running:
        future.set_running_or_notify_cancel()
    results: list[Any] = []
    waiting = [threading.Thread(target=lambda: results.append(future.result()), daemon=True)
               for _ in range(3)]
    for thread in waiting:
        thread.start()
    future.set_result({"value": 1})
    for thread in waiting:
        thread.join(conformance.clock(10))
    assert results == [{"value": 1}] * 3, (
        f"SET-3: expected each of 3 waiting threads to get {{'value': 1}}, got {results}"
    )
    got = (future.done(), future.running(), future.cancelled(), future.exception(0))
    assert got == (True, False, False, None), (
        f"SET-3: expected (done, running, cancelled, exception) == (True, False, False, None),"
        f" got {got}"
    )


@clause("SET-3")
@requires("background")
def test_finishing_call_wakes_timed_and_untimed_waiters(conformance: Conformance) -> None:
    """A call's finish wakes every thread waiting in result(), with a timeout or without."""
    bound = conformance.clock(PROMPT)
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        conformance.wait_started(blocked)
        # The timed waiter first: it is the one a notify() of a single waiter would wake.
        waiters = {"result(timeout)": lambda: blocked.future.result(3 * bound),
                   "result()": blocked.future.result}
        attempts = {}
        for name, wait_for in waiters.items():
            attempts[name] = Attempt(wait_for, "conformance-waiter")
            conformance.wait_until(attempts[name].calling.is_set, f"{name} was not called")
        blocked.gate.set()
        stuck = [name for name, attempt in attempts.items() if not attempt.finished.wait(bound)]
    assert not stuck, (
        f"SET-3: expected every thread waiting in result() to be woken when the call finished,"
        f" got {stuck} still waiting after {bound:g}s"
    )
    got = {name: attempt.outcome.describe() for name, attempt in attempts.items()}
    assert all(attempt.outcome.value == "value" for attempt in attempts.values()), (
        f"SET-3: expected every waiting result() to give 'value', got {got}"
    )


@clause("SET-4")
def test_set_exception_finishes_with_the_exception(conformance: Conformance,
                                                   new_future: Any) -> None:
    """set_exception() finishes the future: result() raises it, exception() returns it."""
    future = new_future()
    future.set_running_or_notify_cancel()
    error = ValueError("set by the executor")
    future.set_exception(error)
    assert future.done() and not future.running(), (
        f"SET-4: expected a done, not running future, got done()={future.done()},"
        f" running()={future.running()}"
    )
    assert future.exception(0) is error, (
        f"SET-4: expected exception() to return {error!r}, got {future.exception(0)!r}"
    )
    raised = conformance.call(future.result, 0, what="result(0)").exception
    assert raised is error, f"SET-4: expected result() to raise {error!r}, got {raised!r}"


@clause("SET-5")
@pytest.mark.parametrize("first", ["result", "exception", "cancel"])
@pytest.mark.parametrize("second", ["set_result", "set_exception"])
def test_setting_a_done_future_raises_invalid_state(new_future: Any, first: str,
                                                    second: str) -> None:
    """set_result()/set_exception() on a done future raise InvalidStateError, changing nothing:
    not the outcome, and no done callback is called again."""
    future = new_future()
    calls: list[Any] = []
    future.add_done_callback(calls.append)
    if first == "result":
        future.set_result("first")
    elif first == "exception":
        future.set_exception(KeyError("first"))
    else:
        future.cancel()
    before = _outcome(future)
    done_by = {"result": "set_result()", "exception": "set_exception()"}.get(first, "cancel()")
    _expect_refusal(
        "SET-5", f"{second}() on a future done by {done_by}", InvalidStateError,
        lambda: getattr(future, second)(
            ValueError("second") if second == "set_exception" else "second"),
    )
    after = _outcome(future)
    assert after == before, f"SET-5: expected the outcome {before} unchanged, got {after}"
    assert len(calls) == 1, (
        f"SET-5: expected the done callback called once, when the future was first done, got"
        f" {len(calls)} calls once {second}() had been refused"
    )


@clause("SET-6")
def test_running_future_cannot_be_cancelled(new_future: Any) -> None:
    """cancel() of a future put in the running state returns False."""
    future = new_future()
    future.set_running_or_notify_cancel()
    returned = future.cancel()
    assert returned is False, f"SET-6: expected cancel() to return False, got {returned!r}"
    assert future.running() and not future.cancelled(), (
        f"SET-6: expected running and not cancelled, got running()={future.running()},"
        f" cancelled()={future.cancelled()}"
    )


@clause("SET-7")
@pytest.mark.parametrize("before", ["set_running_or_notify_cancel", "set_result",
                                    "set_exception"])
def test_set_running_twice_raises_runtime_error(new_future: Any, before: str) -> None:
    """set_running_or_notify_cancel() after itself, set_result() or set_exception() raises
    RuntimeError."""
    future = new_future()
    if before == "set_result":
        future.set_result(1)
    elif before == "set_exception":
        future.set_exception(LookupError("set before"))
    else:
        future.set_running_or_notify_cancel()
    _expect_refusal("SET-7", f"set_running_or_notify_cancel() after {before}()", RuntimeError,
                    future.set_running_or_notify_cancel)


def _expect_refusal(clause_id: str, what: str, expected: type[Exception],
                    call: Callable[[], object]) -> None:
    """``call()`` must raise ``expected``; fail naming the clause if it does anything else."""
    try:
        got = Outcome(value=call())
    except expected:
        return
    except Exception as exc:
        got = Outcome(exception=exc)
    raise AssertionError(
        f"{clause_id}: expected {what} to raise {expected.__name__}, got {got.describe()}"
    ) from got.exception


def _outcome(future: Future[Any]) -> tuple[str, Any]:
    if future.cancelled():
        return ("cancelled", None)
    try:
        return ("result", future.result(0))
    except CancelledError:
        return ("cancelled", None)
    except Exception as exc:
        return ("exception", repr(exc))
