"""asyncio interop: the executor's futures under asyncio.wrap_future and loop.run_in_executor.

Every event loop runs in a helper thread through ``conformance.call``, and
every await in it is bounded by ``asyncio.wait_for``, so a future that asyncio
never hears about costs a bounded wait and a failure.  Gates decide when calls
finish; a coroutine says where it has got to with a ``threading.Event``, and
the test thread acts on that, never on time.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from typing import Any

import pytest

from conformance import raisables, tasks
from conformance.harness import PROMPT, Blocked, Conformance, Outcome
from conformance.specs import clause, requires, still_pending

#: Calls queued behind the busy worker when one of them must be cancellable:
#: a process pool hands up to max_workers + 1 of them to its workers early.
QUEUED = 4

#: How many run_in_executor() calls are awaited together in AIO-8.
MANY = 40


# -- helpers ------------------------------------------------------------------------------


def _event_loop(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """asyncio.run(main()): the coroutine is made in the loop's own thread."""
    return asyncio.run(main())


def _in_loop(conformance: Conformance, main: Callable[[], Coroutine[Any, Any, Any]],
             what: str, when_waiting: Callable[[], object] | None = None) -> Outcome:
    """Run ``main()`` in a fresh event loop in a helper thread, bounded.

    The awaits inside are bounded by :func:`_bounded` at the usual budget; the
    loop as a whole gets twice that.
    """
    return conformance.call(_event_loop, main, bound=conformance.clock(2 * PROMPT),
                            what=what, when_waiting=when_waiting)


async def _bounded(conformance: Conformance, awaitable: Awaitable[Any]) -> Any:
    """``await awaitable``, giving up (asyncio's TimeoutError) after the usual budget."""
    return await asyncio.wait_for(awaitable, conformance.clock(PROMPT))


async def _poll(conformance: Conformance, predicate: Callable[[], bool]) -> bool:
    """Let the loop run until ``predicate()`` holds; False if it does not within the budget."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + conformance.clock(PROMPT)
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


async def _settle(awaitable: Awaitable[Any]) -> Outcome:
    """What awaiting gave: the value, or the exception it raised (cancellation included)."""
    try:
        return Outcome(value=await awaitable)
    except BaseException as exc:  # asyncio.CancelledError is a BaseException
        return Outcome(exception=exc)


def _fingerprint(value: Any) -> Any:
    """An exception as its type and args, nested exceptions (groups) included."""
    if isinstance(value, BaseException):
        return (type(value), _fingerprint(value.args))
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(item) for item in value)
    return value


def _told(outcome: Outcome) -> str:
    if isinstance(outcome.exception, asyncio.TimeoutError):
        return "no outcome: the await was still waiting when its time ran out"
    return outcome.describe()


def _cancellable(clause_id: str, conformance: Conformance, executor: Any,
                 log: Any = None) -> tuple[Blocked, Blocked]:
    """The busy worker of a one-worker executor, and a call queued behind it that is
    still pending: the last such of :data:`QUEUED` queued calls."""
    (blocker,) = conformance.occupy_all_workers(executor, 1)
    queued = conformance.submit_queued(executor, *range(QUEUED), log=log)
    return blocker, still_pending(queued)[-1]


EXCEPTIONS: dict[str, Callable[[], BaseException]] = {
    "builtin": lambda: LookupError("raised by the call", 1),
    "user-defined": lambda: raisables.Coded(7, "raised by the call"),
}
if sys.version_info >= (3, 11):
    EXCEPTIONS["group"] = lambda: ExceptionGroup(  # noqa: F821 (3.11+)
        "raised by the call", [KeyError("k"), raisables.Plain("p")])


# -- wrap_future: results and exceptions -------------------------------------------------


@clause("AIO-1")
def test_wrapped_future_of_finished_call_gives_result(conformance: Conformance) -> None:
    """Awaiting wrap_future() of a call that already finished gives its result."""
    with conformance.executor() as executor:
        future = executor.submit(tasks.identity, {"value": [1, 2]})
        conformance.wait_until(future.done, "AIO-1: the call did not finish")

        async def main() -> Outcome:
            return await _settle(_bounded(conformance, asyncio.wrap_future(future)))

        got = _in_loop(conformance, main, "the event loop").unwrap()
    assert got.exception is None and got.value == {"value": [1, 2]}, (
        f"AIO-1: expected {{'value': [1, 2]}} (finished before wrap_future()), got"
        f" {_told(got)}"
    )


@clause("AIO-1")
@requires("background")
@pytest.mark.parametrize("timing", ["finished-before-await", "finished-while-awaited"])
def test_wrapped_future_gives_result_when_call_finishes(conformance: Conformance,
                                                        timing: str) -> None:
    """Awaiting wrap_future() gives the call's result when it finishes after wrapping."""
    _check_wrapped_outcome("AIO-1", conformance, timing, "value")


@clause("AIO-2")
@pytest.mark.parametrize("kind", list(EXCEPTIONS))
def test_wrapped_future_of_failed_call_raises(conformance: Conformance, kind: str) -> None:
    """Awaiting wrap_future() of a call that already raised raises its exception."""
    raised = EXCEPTIONS[kind]()
    with conformance.executor() as executor:
        future = executor.submit(tasks.fail, raised)
        conformance.wait_until(future.done, "AIO-2: the call did not finish")

        async def main() -> Outcome:
            return await _settle(_bounded(conformance, asyncio.wrap_future(future)))

        got = _in_loop(conformance, main, "the event loop").unwrap()
    assert _fingerprint(got.exception) == _fingerprint(raised), (
        f"AIO-2: expected the call's {raised!r} (raised before wrap_future()), got {_told(got)}"
    )


@clause("AIO-2")
@requires("background")
@pytest.mark.parametrize("kind", list(EXCEPTIONS))
def test_wrapped_future_raises_when_call_fails_while_awaited(conformance: Conformance,
                                                             kind: str) -> None:
    """Awaiting wrap_future() raises the call's exception when it raises while awaited."""
    _check_wrapped_outcome("AIO-2", conformance, "finished-while-awaited", EXCEPTIONS[kind]())


def _check_wrapped_outcome(clause_id: str, conformance: Conformance, timing: str,
                           value: Any) -> None:
    """Wrap a gated call's future, let the call finish at ``timing``, and await."""
    awaiting = threading.Event()
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, value)

        async def main() -> Outcome:
            wrapped = asyncio.wrap_future(blocked.future)
            if timing == "finished-before-await":
                blocked.gate.set()
                if not await _poll(conformance, blocked.future.done):
                    return Outcome(exception=AssertionError("the call did not finish"))
            awaiting.set()
            return await _settle(_bounded(conformance, wrapped))

        def finish_while_awaited() -> None:
            if awaiting.wait(conformance.clock(PROMPT)):
                blocked.gate.set()

        got = _in_loop(conformance, main, "the event loop",
                       when_waiting=(finish_while_awaited
                                     if timing == "finished-while-awaited" else None)).unwrap()
    if isinstance(value, BaseException):
        assert _fingerprint(got.exception) == _fingerprint(value), (
            f"{clause_id}: expected the call's {value!r} ({timing}), got {_told(got)}"
        )
    else:
        assert got.exception is None and got.value == value, (
            f"{clause_id}: expected {value!r} ({timing}), got {_told(got)}"
        )


# -- wrap_future: cancellation -------------------------------------------------------------


@clause("AIO-3")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("timing", ["cancelled-before-wrap", "cancelled-while-awaited"])
def test_cancelled_future_cancels_the_wrapper(conformance: Conformance, timing: str) -> None:
    """When the executor's future is cancelled, the asyncio future wrapping it is too."""
    awaiting = threading.Event()
    cancelled: list[bool] = []
    with conformance.executor(1) as executor:
        _, queued = _cancellable("AIO-3", conformance, executor)
        future = queued.future
        if timing == "cancelled-before-wrap":
            cancelled.append(future.cancel())

        async def main() -> Outcome:
            wrapped = asyncio.wrap_future(future)
            awaiting.set()
            return await _settle(_bounded(conformance, wrapped))

        def cancel_while_awaited() -> None:
            if awaiting.wait(conformance.clock(PROMPT)):
                cancelled.append(future.cancel())

        got = _in_loop(conformance, main, "the event loop",
                       when_waiting=(cancel_while_awaited
                                     if timing == "cancelled-while-awaited" else None)).unwrap()
    assert cancelled == [True], (
        f"AIO-3: expected cancel() of a call that has not started to return True, got"
        f" {cancelled} (see FUT-3)"
    )
    assert isinstance(got.exception, asyncio.CancelledError), (
        f"AIO-3: expected awaiting the wrapper of a cancelled future to raise"
        f" asyncio.CancelledError ({timing}), got {_told(got)}"
    )


@clause("AIO-4")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("how", ["wrapper-cancelled", "awaiting-task-cancelled"])
def test_cancelling_the_wrapper_cancels_a_pending_call(conformance: Conformance,
                                                       how: str) -> None:
    """Cancelling the asyncio future (or a task awaiting it) of a queued call cancels the
    call: its future is cancelled and it never runs."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        blocker, queued = _cancellable("AIO-4", conformance, executor, log)
        future = queued.future

        async def main() -> bool:
            wrapped = asyncio.wrap_future(future)
            if how == "wrapper-cancelled":
                wrapped.cancel()
            else:
                entered = asyncio.Event()

                async def await_wrapped() -> Any:
                    entered.set()  # and, with no await in between, awaits the wrapper
                    return await _bounded(conformance, wrapped)

                waiting = asyncio.ensure_future(await_wrapped())
                await entered.wait()
                waiting.cancel()
                await _settle(waiting)
            return await _poll(conformance, future.done)

        settled = _in_loop(conformance, main, "the event loop").unwrap()
        state = {"done": future.done(), "cancelled": future.cancelled()}
        blocker.gate.set()
        queued.gate.set()
    # Every gate is open and the executor shut down: a call not cancelled has run.
    assert settled and state == {"done": True, "cancelled": True}, (
        f"AIO-4: expected the executor's future of a queued call to be cancelled once its"
        f" wrapper was ({how}), got {state}"
    )
    ran = [value for value in log if value == queued.value]
    assert not ran, (
        f"AIO-4: expected the queued call cancelled through asyncio ({how}) never to run, got"
        " it run"
    )


@clause("AIO-5")
@requires("background")
def test_cancelling_the_wrapper_leaves_a_running_call(conformance: Conformance) -> None:
    """Cancelling the asyncio future of a running call does not stop the call: it finishes
    and its future gives its result."""
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        conformance.wait_started(blocked)

        async def main() -> None:
            wrapped = asyncio.wrap_future(blocked.future)
            # asyncio runs a future's done callbacks in the order they were added, so once
            # this one has run, so has the one that passes the cancellation on.
            passed_on = asyncio.get_running_loop().create_future()
            wrapped.add_done_callback(lambda _: passed_on.set_result(None))
            wrapped.cancel()
            await _bounded(conformance, passed_on)

        _in_loop(conformance, main, "the event loop").unwrap()
        blocked.gate.set()
        got = conformance.call(blocked.future.result, what="result()")
    assert got.exception is None and got.value == "value", (
        f"AIO-5: expected the running call to finish and give 'value' although its asyncio"
        f" future was cancelled, got {_told(got)}"
    )


# -- run_in_executor ------------------------------------------------------------------------


@clause("AIO-6")
@pytest.mark.parametrize("outcome", ["returned", "raised"])
def test_run_in_executor_gives_the_outcome(conformance: Conformance, outcome: str) -> None:
    """run_in_executor(executor, fn, *args) calls fn(*args); awaiting gives its value or
    raises its exception."""
    raised = LookupError("raised by the call", 2)
    with conformance.executor() as executor:

        async def main() -> Outcome:
            loop = asyncio.get_running_loop()
            if outcome == "returned":
                call = loop.run_in_executor(executor, tasks.echo, 1, "two", [3.0])
            else:
                call = loop.run_in_executor(executor, tasks.fail, raised)
            return await _settle(_bounded(conformance, call))

        got = _in_loop(conformance, main, "the event loop").unwrap()
    if outcome == "returned":
        expected: Any = ((1, "two", [3.0]), {})
        assert got.exception is None and got.value == expected, (
            f"AIO-6: expected the call to receive and give back {expected!r}, got {_told(got)}"
        )
    else:
        assert _fingerprint(got.exception) == _fingerprint(raised), (
            f"AIO-6: expected the call's {raised!r}, got {_told(got)}"
        )


@clause("AIO-7")
@requires("background")
def test_run_in_executor_runs_outside_the_loop_thread(conformance: Conformance) -> None:
    """A call made with run_in_executor() runs outside the event loop's thread (and in
    another process, for process workers)."""
    with conformance.executor() as executor:

        async def main() -> tuple[tuple[int, int], tuple[int, int]]:
            loop = asyncio.get_running_loop()
            here = (os.getpid(), threading.get_ident())
            there = await _bounded(conformance, loop.run_in_executor(executor, tasks.where))
            return here, there

        loop_thread, call_thread = _in_loop(conformance, main, "the event loop").unwrap()
    assert call_thread != loop_thread, (
        f"AIO-7: expected the call to run outside the event loop's thread {loop_thread}"
        f" (process, thread), got it run there"
    )
    if conformance.capabilities["process_workers"]:
        assert call_thread[0] != loop_thread[0], (
            f"AIO-7: expected the call to run in a worker process, got it run in the loop's"
            f" process {loop_thread[0]}"
        )


@clause("AIO-7")
@requires("background")
def test_loop_runs_while_the_call_runs(conformance: Conformance) -> None:
    """While a call made with run_in_executor() runs, the event loop goes on running tasks."""
    holder: list[asyncio.AbstractEventLoop] = []
    looping = threading.Event()
    answered: list[Outcome] = []
    with conformance.executor(1) as executor:
        started, gate = conformance.signal(), conformance.event()

        async def main() -> Any:
            loop = asyncio.get_running_loop()
            call = loop.run_in_executor(executor, tasks.gated, started, gate,
                                        conformance.clock(PROMPT * 6), "value")
            holder.append(loop)
            looping.set()
            return await _bounded(conformance, call)

        async def other_task() -> str:
            return "answered"

        def ask_the_loop() -> None:
            # While the call runs, a coroutine sent to the loop from here is answered.
            budget = conformance.clock(PROMPT)
            if looping.wait(budget) and started.wait(budget):
                asked = asyncio.run_coroutine_threadsafe(other_task(), holder[0])
                try:
                    answered.append(Outcome(value=asked.result(budget)))
                except BaseException as exc:  # the loop did not answer in time
                    answered.append(Outcome(exception=exc))
            gate.set()

        got = _in_loop(conformance, main, "the event loop", when_waiting=ask_the_loop)
    if not answered and got.exception is not None:
        got_instead = f"the loop's main task ending before the call started: {_told(got)}"
    elif not answered:
        got_instead = "the call never starting"
    elif answered[0].exception is not None:
        got_instead = (f"no answer within {conformance.clock(PROMPT):g}s"
                       f" ({answered[0].describe()})")
    else:
        got_instead = answered[0].describe()
    assert answered and answered[0].value == "answered", (
        f"AIO-7: expected the event loop to run another task while the call ran, got"
        f" {got_instead}"
    )
    assert got.exception is None and got.value == "value", (
        f"AIO-7: expected the call's 'value' once it finished, got {_told(got)}"
    )


@clause("AIO-8")
@requires("background")
def test_many_calls_awaited_together_all_complete(conformance: Conformance) -> None:
    """Many run_in_executor() calls awaited together all complete with their own outcomes."""
    max_workers = 2
    outcomes: list[Any] = [LookupError(f"call {i}") if i % 7 == 3 else i for i in range(MANY)]
    submitted = threading.Event()
    with conformance.executor(max_workers) as executor:
        started, gate = conformance.signal(), conformance.event()
        bound = conformance.clock(PROMPT * 6)

        async def main() -> list[Any]:
            loop = asyncio.get_running_loop()
            calls = [loop.run_in_executor(executor, tasks.gated, started, gate, bound, value)
                     for value in outcomes]
            submitted.set()  # all of them queued behind the gate before any finishes
            gathered = asyncio.gather(*calls, return_exceptions=True)
            return list(await _bounded(conformance, gathered))

        def open_the_gate() -> None:
            submitted.wait(conformance.clock(PROMPT))
            gate.set()

        got = _in_loop(conformance, main, "the event loop", when_waiting=open_the_gate)
    assert got.exception is None, (
        f"AIO-8: expected all {MANY} calls to complete ({max_workers} workers), got"
        f" {_told(got)}"
    )
    wrong = [i for i, (value, expected) in enumerate(zip(got.value, outcomes))
             if _fingerprint(value) != _fingerprint(expected)]
    assert not wrong, (
        f"AIO-8: expected each call's own outcome, got calls {wrong} wrong: e.g."
        f" {got.value[wrong[0]]!r} for {outcomes[wrong[0]]!r}"
    )


@clause("AIO-9")
@requires("background")
def test_submit_from_a_coroutine_outlives_the_loop(conformance: Conformance) -> None:
    """A call submitted from a coroutine finishes, with its result, once the loop has closed,
    and the done callback added to it in the coroutine is called then."""
    called: list[Any] = []
    with conformance.executor(1) as executor:

        async def submit_blocked() -> Blocked:
            blocked = conformance.submit_blocked(executor, "value")
            blocked.future.add_done_callback(called.append)
            return blocked

        outcome = _in_loop(conformance, submit_blocked, "submit() in an event loop")
        blocked: Blocked = outcome.unwrap()  # asyncio.run() has closed the loop by now
        blocked.gate.set()
        got = conformance.call(blocked.future.result, what="result()")
        with suppress(AssertionError):  # the callback comes just after the result
            conformance.wait_until(lambda: bool(called), "")
    assert got.exception is None and got.value == "value", (
        f"AIO-9: expected result() 'value' from a call submitted in an event loop that has"
        f" closed since, got {got.describe()}"
    )
    assert len(called) == 1 and called[0] is blocked.future, (
        f"AIO-9: expected the done callback added in the event loop, which has closed since,"
        f" to be called once with the future, got {len(called)} calls"
    )
