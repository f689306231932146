"""Done callbacks: what Future.add_done_callback promises, whoever finishes the future.

Callbacks run in the test's own process even when the calls run elsewhere, so
they are plain closures that record the calls they get and what they see.
Each spec adds them at one moment of the call's life (while it waits for a
worker or runs, held there by gates, or once the future is done) and waits,
bounded, for them to be called.  Whether a callback was called more often
than it should is read after the executor has been shut down.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Executor, Future
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pytest
from hypothesis import given

from conformance import tasks
from conformance.harness import PROMPT, Blocked, Conformance
from conformance.profiles import spec_settings
from conformance.report import NOT_APPLICABLE
from conformance.specs import clause, eventually, requires, states, still_pending
from conformance.strategies import CallbackSchedule, callback_schedules, exceptions, values

_T = TypeVar("_T")

#: What a spec that cancels a queued call needs.
CANCELS = ("background", "bounded_workers", "cancels_pending")


class CallbackFailed(Exception):
    """What the specs' raising callbacks raise."""


@dataclass(frozen=True)
class Called:
    """One call a callback got: what it was given, and in which thread."""

    name: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    thread: int


@dataclass
class Recorder:
    """Makes callbacks that record each call they get, all in one list, in order."""

    calls: list[Called] = field(default_factory=list)
    raised: list[CallbackFailed] = field(default_factory=list)

    def callback(self, name: Any, *, raises: bool = False) -> Callable[..., None]:
        def callback(*args: Any, **kwargs: Any) -> None:
            self.calls.append(Called(name, args, kwargs, threading.get_ident()))
            if raises:
                error = CallbackFailed(f"callback {name!r} raised on purpose ({id(self):#x})")
                self.raised.append(error)
                raise error

        return callback

    def of(self, name: Any) -> list[Called]:
        return [call for call in self.calls if call.name == name]

    @property
    def names(self) -> list[Any]:
        return [call.name for call in self.calls]


# -- futures in each state ----------------------------------------------------------


def finished(conformance: Conformance, executor: Executor, outcome: str) -> Future[Any]:
    """The done future of a call that returned 'value' or raised LookupError('raised')."""
    future = (executor.submit(tasks.identity, "value") if outcome == "returned"
              else executor.submit(tasks.fail, LookupError("raised")))
    conformance.call(future.exception, what="exception()")
    return future


def queued_calls(conformance: Conformance, executor: Executor) -> list[Blocked]:
    """Four calls queued behind the only worker of ``executor``, which is kept busy."""
    conformance.occupy_all_workers(executor, 1)
    return conformance.submit_queued(executor, *range(4))


def cancel_queued(clause_id: str, conformance: Conformance, executor: Executor,
                  prepare: Callable[[Future[Any]], _T]) -> tuple[Future[Any], _T]:
    """A future cancelled while its call waited for the only worker of ``executor``.

    Each candidate still pending, last queued first, is handed to ``prepare`` (say, to
    add callbacks) just before its cancel(); returns the first one cancelled, with what
    ``prepare`` returned for it.
    """
    for queued in reversed(still_pending(queued_calls(conformance, executor))):
        prepared = prepare(queued.future)
        outcome = conformance.call(queued.future.cancel, what="cancel()")
        assert outcome.exception is None, (
            f"{clause_id}: expected cancel() of a queued call to return, got"
            f" {outcome.describe()}"
        )
        if outcome.value:
            return queued.future, prepared
    raise AssertionError(f"{clause_id}: expected some queued call to be cancellable, got none"
                         " (FUT-3)")


def _nothing(future: Future[Any]) -> None:
    return None


def add_to_done_future(clause_id: str, conformance: Conformance, executor: Executor,
                       timing: str, recorder: Recorder) -> tuple[bool, int]:
    """Add ``recorder.callback("late")`` to a future done as ``timing`` says.

    Returns whether it had been called when add_done_callback() returned, and
    the thread that called add_done_callback().
    """
    if timing == "inside-a-callback":
        # A callback added by another callback, which the finishing thread calls.
        seen: list[tuple[bool, int]] = []

        def outer(future: Future[Any]) -> None:
            future.add_done_callback(recorder.callback("late"))
            seen.append((bool(recorder.of("late")), threading.get_ident()))

        blocked = conformance.submit_blocked(executor, "value")
        blocked.future.add_done_callback(outer)
        blocked.gate.set()
        assert eventually(conformance, lambda: bool(seen)), (
            f"{clause_id}: expected the outer callback to be called once the call finished,"
            " got no call"
        )
        return seen[0]
    future = (cancel_queued(clause_id, conformance, executor, _nothing)[0]
              if timing == "cancelled" else finished(conformance, executor, timing))

    def add() -> tuple[bool, int]:
        future.add_done_callback(recorder.callback("late"))
        return bool(recorder.of("late")), threading.get_ident()

    answer: tuple[bool, int] = conformance.call(add, what="add_done_callback()").unwrap()
    return answer


DONE_TIMINGS = [
    "returned",
    "raised",
    pytest.param("cancelled", marks=requires(*CANCELS)),
    pytest.param("inside-a-callback", marks=requires("background")),
]


# -- called once, with the future -------------------------------------------------------


def expect_called_once(clause_id: str, future: Future[Any], calls: list[Called],
                       what: str) -> None:
    got = [(call.args, call.kwargs) for call in calls]
    # Compared with `is`: a stand-in such as a weakref.proxy compares equal to the future.
    once = len(calls) == 1 and not calls[0].kwargs and len(calls[0].args) == 1
    assert once and calls[0].args[0] is future, (
        f"{clause_id}: expected {what} to be called once with the future as its only"
        f" argument, got calls with (args, kwargs) {got}"
        + ("" if not once else f" (a {type(calls[0].args[0]).__name__}, not the future itself)")
    )


@clause("CB-1")
@requires("background")
@pytest.mark.parametrize("outcome", ["returned", "raised"])
def test_callback_is_called_once_with_the_future(conformance: Conformance,
                                                 outcome: str) -> None:
    """A callback added before the call finishes is called once, with the future only."""
    recorder = Recorder()
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(
            executor, "value" if outcome == "returned" else LookupError("raised"))
        blocked.future.add_done_callback(recorder.callback("callback"))
        blocked.gate.set()
        assert eventually(conformance, lambda: bool(recorder.calls)), (
            f"CB-1: expected the callback to be called once the call {outcome}, got no call"
        )
    expect_called_once("CB-1", blocked.future, recorder.calls, f"the callback (call {outcome})")


@clause("CB-1")
def test_callback_added_as_the_call_finishes_is_called_once(conformance: Conformance) -> None:
    """A callback added just after submit(), while the call may be finishing at that very
    moment, is called exactly once, with the future: never lost, never called twice."""
    def add_callback(future: Future[Any]) -> list[Future[Any]]:
        seen: list[Future[Any]] = []
        future.add_done_callback(seen.append)
        return seen

    with conformance.executor(2) as executor:
        raced = conformance.race(executor, add_callback, "add_done_callback() after submit()")
        eventually(conformance, lambda: all(seen for _, seen in raced))
    lost = [i for i, (_, seen) in enumerate(raced) if not seen]
    twice = [i for i, (_, seen) in enumerate(raced) if len(seen) > 1]
    other = [i for i, (future, seen) in enumerate(raced) if any(f is not future for f in seen)]
    assert not (lost or twice or other), (
        f"CB-1: expected each of {len(raced)} callbacks, added just after submit() as the call"
        f" finished, to be called once with its future, got {len(lost)} never called (calls"
        f" {lost[:5]}), {len(twice)} called more than once (calls {twice[:5]}) and"
        f" {len(other)} called with something else (calls {other[:5]})"
    )


class _Notifier:
    """An object whose bound method is a callback; nothing but the future keeps it."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def notify(self, future: Future[Any]) -> None:
        self.calls.append("a bound method")


def _note(calls: list[str], name: str, future: Future[Any]) -> None:
    calls.append(name)


@clause("CB-1")
@requires("background")
def test_callbacks_only_the_future_holds_are_called(conformance: Conformance) -> None:
    """Callbacks that nothing but the future refers to (a bound method of an object no one
    else keeps, a partial, a lambda) are called all the same: the future holds them."""
    calls: list[str] = []
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        blocked.future.add_done_callback(_Notifier(calls).notify)
        blocked.future.add_done_callback(partial(_note, calls, "a partial"))
        blocked.future.add_done_callback(lambda future: calls.append("a lambda"))
        gc.collect()  # whatever only weak references held is gone now
        blocked.gate.set()
        expected = ["a bound method", "a partial", "a lambda"]
        eventually(conformance, lambda: len(calls) >= len(expected))
    assert calls == expected, (
        f"CB-1: expected each callback only the future referred to called once, in order,"
        f" {expected}, got {calls}"
    )


@clause("CB-1")
@requires(*CANCELS)
@pytest.mark.parametrize("by", ["cancel()", "shutdown(cancel_futures=True)"])
def test_callback_is_called_once_when_cancelled(conformance: Conformance, by: str) -> None:
    """A callback of a future cancelled while queued is called once, with the future only."""
    recorders: dict[int, Recorder] = {}
    with conformance.executor(1) as executor:
        queued = queued_calls(conformance, executor)
        for q in queued:
            recorders[q.value] = Recorder()
            q.future.add_done_callback(recorders[q.value].callback(q.value))
        if by == "cancel()":
            cancelled = [q for q in queued if q.future.cancel()]
            assert cancelled, (
                "CB-1: expected some queued call to be cancellable, got none (FUT-3)"
            )
        else:
            outcome = conformance.call(
                lambda: executor.shutdown(wait=False, cancel_futures=True),
                what="shutdown(wait=False, cancel_futures=True)")
            if isinstance(outcome.exception, (TypeError, AttributeError)):
                pytest.skip(f"{NOT_APPLICABLE}shutdown(cancel_futures=True) is not there to"
                            f" cancel with ({outcome.describe()}); SHD-7 reports that")
            outcome.unwrap()
            # Whether shutdown cancels them is the shutdown clauses' business.
            cancelled = [q for q in queued if q.future.cancelled()]
        assert eventually(conformance, lambda: all(recorders[q.value].calls for q in cancelled)), (
            f"CB-1: expected the callbacks of the futures cancelled by {by} to be called, got"
            f" calls of {[q.value for q in cancelled if recorders[q.value].calls]} of"
            f" {[q.value for q in cancelled]} only"
        )
    # The calls that were not cancelled have run by now: each callback once, all the same.
    assert eventually(conformance, lambda: all(r.calls for r in recorders.values())), (
        "CB-1: expected the callback of every queued call to be called, cancelled or not,"
        f" got calls of {[v for v, r in recorders.items() if r.calls]} only"
    )
    for q in queued:
        state = f"cancelled by {by}" if q in cancelled else "finished"
        expect_called_once("CB-1", q.future, recorders[q.value].calls,
                           f"the callback of a future {state}")


# -- order ---------------------------------------------------------------------------------


@clause("CB-2")
@requires("background")
@spec_settings()
@given(schedule=callback_schedules(),
       outcome=values() | exceptions(base=False, odd=False))
def test_callbacks_are_called_in_the_order_added(conformance: Conformance,
                                                 schedule: CallbackSchedule,
                                                 outcome: Any) -> None:
    """Callbacks are called in the order they were added, whenever they were added."""
    recorder = Recorder()
    callbacks = [recorder.callback(i, raises=raises) for i, raises in enumerate(schedule.raises)]
    with conformance.executor(1, keep=True) as executor:
        blocked = conformance.submit_blocked(executor, outcome)
        future = blocked.future
        for i in schedule.submitted:
            future.add_done_callback(callbacks[i])
        conformance.wait_started(blocked)
        for i in schedule.running:
            future.add_done_callback(callbacks[i])
        # The last one added before the future is done: once it has been called,
        # every one before it has.
        future.add_done_callback(recorder.callback("last before done"))
        blocked.gate.set()
        assert eventually(conformance, lambda: bool(recorder.of("last before done"))), (
            "CB-2: expected the callbacks added before the future was done to be called, got"
            f" only {recorder.names} called"
        )
        for i in schedule.done:
            future.add_done_callback(callbacks[i])
    expected = [*schedule.submitted, *schedule.running, "last before done", *schedule.done]
    assert recorder.names == expected, (
        f"CB-2: expected the callbacks to be called in the order added, {expected}, got"
        f" {recorder.names}"
    )


@clause("CB-2")
@requires(*CANCELS)
def test_callbacks_of_a_cancelled_future_are_called_in_the_order_added(
        conformance: Conformance) -> None:
    """The callbacks of a future cancelled while queued are called in the order they were
    added too, a raising one among them, and one added once it is cancelled comes last."""
    recorder = Recorder()

    def prepare(future: Future[Any]) -> Recorder:
        candidate = Recorder()
        future.add_done_callback(candidate.callback("a"))
        future.add_done_callback(candidate.callback("b", raises=True))
        future.add_done_callback(candidate.callback("c"))
        return candidate

    with conformance.executor(1) as executor:
        future, recorder = cancel_queued("CB-2", conformance, executor, prepare)
        conformance.call(future.add_done_callback, recorder.callback("d"),
                         what="add_done_callback()")
        eventually(conformance, lambda: len(recorder.names) >= 4)
    assert recorder.names == ["a", "b", "c", "d"], (
        f"CB-2: expected the callbacks of the cancelled future to be called in the order added,"
        f" ['a', 'b', 'c', 'd'], got {recorder.names}"
    )


@clause("CB-3")
@requires("background")
def test_callable_added_twice_is_called_twice(conformance: Conformance) -> None:
    """The same callable, added several times, is called once per addition."""
    recorder = Recorder()
    again, other = recorder.callback("again"), recorder.callback("other")
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        for callback in (again, again, other, again):
            blocked.future.add_done_callback(callback)
        blocked.future.add_done_callback(recorder.callback("last before done"))
        blocked.gate.set()
        assert eventually(conformance, lambda: bool(recorder.of("last before done"))), (
            f"CB-3: expected the callbacks to be called, got only {recorder.names} called"
        )
        blocked.future.add_done_callback(again)  # once more, after the future is done
    counts = {name: len(recorder.of(name)) for name in ("again", "other")}
    assert counts == {"again": 4, "other": 1}, (
        "CB-3: expected a callable added 4 times to be called 4 times (and another added once,"
        f" once), got {counts}"
    )


# -- added to a done future -----------------------------------------------------------------


@clause("CB-4")
@pytest.mark.parametrize("timing", DONE_TIMINGS)
def test_callback_on_done_future_is_called_at_once(conformance: Conformance,
                                                   timing: str) -> None:
    """A callback added to a done future is called before add_done_callback() returns."""
    recorder = Recorder()
    with conformance.executor(1) as executor:
        called, _ = add_to_done_future("CB-4", conformance, executor, timing, recorder)
    assert called, (
        f"CB-4: expected a callback added to a done future ({timing}) to be called before"
        " add_done_callback() returned, got no call by then"
    )


@clause("CB-4")
def test_callback_on_done_future_is_called_at_once_in_an_event_loop(
        conformance: Conformance) -> None:
    """Added from a coroutine, in an event loop's thread, a callback on a done future is
    called before add_done_callback() returns too, not later from the loop."""
    recorder = Recorder()

    async def add(future: Future[Any]) -> bool:
        future.add_done_callback(recorder.callback("late"))
        return bool(recorder.of("late"))

    with conformance.executor(1) as executor:
        future = finished(conformance, executor, "returned")
        called = conformance.call(asyncio.run, add(future),
                                  what="add_done_callback() in a coroutine").unwrap()
    assert called, (
        "CB-4: expected a callback added in a coroutine to a done future to be called before"
        " add_done_callback() returned, got no call by then"
    )


@clause("CB-5")
@pytest.mark.parametrize("timing", [
    "returned",
    pytest.param("cancelled", marks=requires(*CANCELS)),
    pytest.param("inside-a-callback", marks=requires("background")),
])
def test_callback_on_done_future_runs_in_adding_thread(conformance: Conformance,
                                                       timing: str) -> None:
    """A callback added to a done future is called in the thread that added it."""
    recorder = Recorder()
    with conformance.executor(1) as executor:
        _, adder = add_to_done_future("CB-5", conformance, executor, timing, recorder)
        assert eventually(conformance, lambda: bool(recorder.of("late"))), (
            f"CB-5: expected a callback added to a done future ({timing}) to be called, got"
            " no call"
        )
    threads = [call.thread for call in recorder.of("late")]
    assert threads == [adder], (
        f"CB-5: expected a callback added to a done future ({timing}) to be called in the"
        f" adding thread {adder}, got a call in thread(s) {threads}"
    )


# -- where --------------------------------------------------------------------------------


@contextmanager
def process_reports() -> Iterator[tuple[Callable[[str], Callable[[Future[Any]], None]],
                                        dict[str, list[int]]]]:
    """Callbacks that report the id of the process they run in, and the ids reported.

    ``reporter(tag)`` makes a callback; ``reports[tag]`` lists the process ids
    its calls reported.  Reports go through a pipe, so a call made in another
    process (say, a child forked to run the callbacks) still reports where it ran.
    """
    read_end, write_end = os.pipe()
    reports: dict[str, list[int]] = {}
    open_ = [True]

    def reporter(tag: str) -> Callable[[Future[Any]], None]:
        reports[tag] = []

        def report(future: Future[Any]) -> None:
            if open_[0]:
                os.write(write_end, f"{tag} {os.getpid()}\n".encode())

        return report

    def read() -> None:
        buffered = b""
        while chunk := os.read(read_end, 512):
            *lines, buffered = (buffered + chunk).split(b"\n")
            for line in lines:
                tag, _, pid = line.decode().rpartition(" ")
                reports[tag].append(int(pid))

    reader = threading.Thread(target=read, name="conformance-process-reports", daemon=True)
    reader.start()
    try:
        yield reporter, reports
    finally:
        open_[0] = False
        os.close(write_end)  # the reader sees the end once no process holds it open
        reader.join(5.0)
        if not reader.is_alive():
            os.close(read_end)


@clause("CB-6")
@pytest.mark.parametrize("timing", [
    pytest.param("finished", marks=requires("background")),
    pytest.param("cancelled", marks=requires(*CANCELS)),
])
def test_callbacks_run_in_the_adding_process(conformance: Conformance, timing: str) -> None:
    """Callbacks are called in the process that added them, never in a worker process."""
    with process_reports() as (reporter, reports), conformance.executor(1) as executor:
        if timing == "finished":
            blocked = conformance.submit_blocked(executor, "value")
            future = blocked.future
            future.add_done_callback(reporter(timing))  # called by what finishes the call
            blocked.gate.set()
            conformance.result(future)
        else:
            # Called by cancel(), or by what it sets off.
            future, _ = cancel_queued("CB-6", conformance, executor,
                                      lambda f: f.add_done_callback(reporter(timing)))
        future.add_done_callback(reporter("done"))  # called by add_done_callback()
        assert eventually(conformance, lambda: bool(reports[timing] and reports["done"])), (
            f"CB-6: expected both callbacks ({timing}, done) to report their process, got"
            f" reports {reports}"
        )
        got = {tag: reports[tag] for tag in (timing, "done")}
    expected = {tag: [os.getpid()] for tag in (timing, "done")}
    assert got == expected, (
        f"CB-6: expected the callbacks to be called in this process, {expected}, got {got}"
    )


# -- a callback that raises ---------------------------------------------------------------

#: Five callbacks, two of which raise.
RAISING = [("first", False), ("raises", True), ("middle", False), ("raises too", True),
           ("last", False)]


def add_raising(future: Future[Any], recorder: Recorder) -> Recorder:
    for name, raises in RAISING:
        future.add_done_callback(recorder.callback(name, raises=raises))
    return recorder


@clause("CB-7")
@pytest.mark.parametrize("timing", [
    pytest.param("finished", marks=requires("background")),
    "done",
    pytest.param("cancelled", marks=requires(*CANCELS)),
])
def test_raising_callback_is_ignored(conformance: Conformance, timing: str) -> None:
    """A callback's Exception stops neither the callbacks after it, the future nor the executor."""
    recorder = Recorder()
    names = [name for name, _ in RAISING]
    with conformance.executor(1) as executor:
        if timing == "finished":
            blocked = conformance.submit_blocked(executor, "value")
            future = blocked.future
            add_raising(future, recorder)
            blocked.gate.set()
        elif timing == "done":
            future = finished(conformance, executor, "returned")
            added = conformance.call(add_raising, future, recorder, what="add_done_callback()")
            assert added.exception is None, (
                "CB-7: expected add_done_callback() of a raising callback to a done future to"
                f" return, got {added.describe()}"
            )
        else:
            # cancel() must not raise either.
            future, recorder = cancel_queued("CB-7", conformance, executor,
                                             lambda f: add_raising(f, Recorder()))
        assert eventually(conformance, lambda: len(recorder.calls) >= len(names)), (
            f"CB-7: expected all of the callbacks {names} to be called, got only"
            f" {recorder.names} called"
        )
        outcome = conformance.call(future.result, what="result()")
        expected = "CancelledError" if timing == "cancelled" else "the value 'value'"
        got = ("CancelledError" if isinstance(outcome.exception, CancelledError)
               else outcome.describe())
        assert got == expected, (
            f"CB-7: expected the future's outcome to stay {expected} despite raising"
            f" callbacks, got {got}"
        )
        conformance.open_all_gates()
        after = conformance.call(executor.submit(tasks.identity, "next").result,
                                 what="result() of the next call")
        assert after.exception is None and after.value == "next", (
            "CB-7: expected the executor to keep running calls after a callback raised, got"
            f" {after.describe()} from the next call"
        )
    assert sorted(recorder.names) == sorted(names), (
        f"CB-7: expected each callback to be called once, {names}, got {recorder.names}"
    )


class _Records(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(level=1)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def log_records() -> Iterator[list[logging.LogRecord]]:
    """Every log record, of any level, that reaches the root logger meanwhile."""
    records: list[logging.LogRecord] = []
    handler = _Records(records)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(1)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def carries(record: logging.LogRecord, error: BaseException) -> bool:
    """Whether the record is about ``error``: it has it as exc_info, or quotes its message."""
    if record.exc_info and record.exc_info[1] is error:
        return True
    try:
        return str(error) in record.getMessage()
    except Exception:
        return False


def raise_in_callback(clause_id: str, conformance: Conformance, executor: Executor,
                      timing: str, records: list[logging.LogRecord]) -> tuple[
                          CallbackFailed, list[logging.LogRecord]]:
    """Make a callback raise (``timing`` says when) and return its error and the records
    about it, once there is one."""
    recorder = Recorder()
    if timing == "finished":
        blocked = conformance.submit_blocked(executor, "value")
        blocked.future.add_done_callback(recorder.callback("raises", raises=True))
        blocked.gate.set()
    elif timing == "done":
        future = finished(conformance, executor, "returned")
        conformance.call(future.add_done_callback, recorder.callback("raises", raises=True),
                         what="add_done_callback()")
    else:
        def prepare(future: Future[Any]) -> Recorder:
            candidate = Recorder()
            future.add_done_callback(candidate.callback("raises", raises=True))
            return candidate

        _, recorder = cancel_queued(clause_id, conformance, executor, prepare)
    assert eventually(conformance, lambda: bool(recorder.raised)), (
        f"{clause_id}: expected the raising callback ({timing}) to be called, got no call"
    )
    error = recorder.raised[0]
    eventually(conformance, lambda: any(carries(r, error) for r in list(records)))
    return error, [r for r in list(records) if carries(r, error)]


@clause("CB-8")
@pytest.mark.parametrize("timing", [
    pytest.param("finished", marks=requires("background")),
    "done",
    pytest.param("cancelled", marks=requires(*CANCELS)),
])
def test_raising_callback_is_logged(conformance: Conformance, timing: str) -> None:
    """The Exception a callback raises is logged."""
    with log_records() as records, conformance.executor(1) as executor:
        error, about = raise_in_callback("CB-8", conformance, executor, timing, records)
    assert about, (
        f"CB-8: expected a log record carrying the callback's {error!r} ({timing}), got"
        f" none among {len(records)} record(s)"
    )


@clause("CB-9")
@pytest.mark.parametrize("timing", [pytest.param("finished", marks=requires("background")),
                                    "done"])
def test_raising_callback_is_logged_as_cpython_does(conformance: Conformance,
                                                    timing: str) -> None:
    """The Exception a callback raises is logged at ERROR on 'concurrent.futures', as exc_info."""
    with log_records() as records, conformance.executor(1) as executor:
        error, about = raise_in_callback("CB-9", conformance, executor, timing, records)
    seen = [(r.name, r.levelname, type(r.exc_info[1]).__name__ if r.exc_info else None)
            for r in about]
    assert any(r.name == "concurrent.futures" and r.levelno == logging.ERROR
               and r.exc_info and r.exc_info[1] is error for r in about), (
        f"CB-9: expected a record of level ERROR on the 'concurrent.futures' logger with the"
        f" callback's exception as exc_info ({timing}), got (logger, level, exc_info) {seen}"
    )


# -- when -----------------------------------------------------------------------------------


def final_state(future: Future[Any]) -> dict[str, Any]:
    """What the future's queries answer, result() and exception() without waiting."""
    answers: dict[str, Any] = dict(states(future))
    for query in ("result", "exception"):
        try:
            answer = f"returns {getattr(future, query)(timeout=0)!r}"
        except Exception as exc:
            answer = f"raises {type(exc).__name__}"
        answers[query] = answer
    return answers


FINAL = {
    "returned": {"done": True, "running": False, "cancelled": False,
                 "result": "returns 'value'", "exception": "returns None"},
    "raised": {"done": True, "running": False, "cancelled": False,
               "result": "raises LookupError", "exception": "returns LookupError('raised')"},
    "cancelled": {"done": True, "running": False, "cancelled": True,
                  "result": "raises CancelledError", "exception": "raises CancelledError"},
}


@clause("CB-10")
@pytest.mark.parametrize("outcome", [
    pytest.param("returned", marks=requires("background")),
    pytest.param("raised", marks=requires("background")),
    pytest.param("cancelled", marks=requires(*CANCELS)),
])
def test_callback_sees_the_final_state(conformance: Conformance, outcome: str) -> None:
    """When a callback runs, its future is done and gives its outcome without waiting."""
    seen: list[dict[str, Any]] = []
    with conformance.executor(1) as executor:
        if outcome == "cancelled":
            def prepare(future: Future[Any]) -> list[dict[str, Any]]:
                candidate: list[dict[str, Any]] = []
                future.add_done_callback(lambda f: candidate.append(final_state(f)))
                return candidate

            _, seen = cancel_queued("CB-10", conformance, executor, prepare)
        else:
            blocked = conformance.submit_blocked(
                executor, "value" if outcome == "returned" else LookupError("raised"))
            blocked.future.add_done_callback(lambda f: seen.append(final_state(f)))
            blocked.gate.set()
        assert eventually(conformance, lambda: bool(seen)), (
            f"CB-10: expected the callback to be called once the future {outcome}, got no"
            " call (or its queries never returned)"
        )
    assert seen[0] == FINAL[outcome], (
        f"CB-10: expected the callback to see the final state {FINAL[outcome]}, got {seen[0]}"
    )


@clause("CB-10")
@requires("background")
def test_future_answers_other_threads_while_a_callback_runs(conformance: Conformance) -> None:
    """While a done callback is still running, the future is final for every thread: another
    thread's queries, result(timeout=0) and wait(timeout=0) answer at once."""
    entered, release = threading.Event(), threading.Event()
    bound = conformance.clock(PROMPT)

    def slow_callback(future: Future[Any]) -> None:
        entered.set()
        release.wait(bound)

    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "value")
        blocked.future.add_done_callback(slow_callback)
        blocked.gate.set()
        try:
            assert entered.wait(bound), (
                "CB-10: expected the callback to be called once the call finished, got no call"
            )
            # The answers need no waiting: a second (scaled) is far more than enough.
            answers = conformance.call(
                lambda: (final_state(blocked.future),
                         blocked.future in futures_wait([blocked.future], timeout=0).done),
                bound=conformance.clock(1.0),
                what="CB-10: the future's queries from another thread while its callback ran")
        finally:
            release.set()
    state, in_done = answers.unwrap()
    assert state == FINAL["returned"] and in_done, (
        f"CB-10: expected another thread to see the final state {FINAL['returned']} and"
        f" wait() to count the future done while its callback ran, got {state}"
        f" ({'in' if in_done else 'not in'} done)"
    )


@clause("CB-11")
@requires("background")
@pytest.mark.parametrize("moment", [pytest.param("pending", marks=requires("bounded_workers")),
                                    "running"])
def test_callback_waits_for_the_call_to_finish(conformance: Conformance, moment: str) -> None:
    """A callback added while the call waits or runs is called only after it has finished."""
    gate_open: list[bool] = []  # at each call of the callback: had the call been let finish?
    with conformance.executor(1) as executor:
        if moment == "pending":
            (blocker,) = conformance.occupy_all_workers(executor, 1)
            (call,) = conformance.submit_queued(executor, "value")
        else:
            call = conformance.submit_blocked(executor, "value")
            conformance.wait_started(call)
        call.future.add_done_callback(lambda f: gate_open.append(call.gate.is_set()))
        if moment == "pending":
            blocker.gate.set()
            conformance.wait_started(call, "the queued call")
        call.gate.set()
        assert eventually(conformance, lambda: bool(gate_open)), (
            "CB-11: expected the callback to be called once the call finished, got no call"
        )
    assert all(gate_open), (
        f"CB-11: expected the callback added while the call was {moment} to be called only"
        f" after the call finished, got a call while the call was still held back"
    )
