"""Shutdown and worker limits: shutdown(), the with statement, max_workers, submit() from threads.

Gates hold calls where a spec needs them: running, or queued behind busy
workers.  Whether shutdown() has returned is watched from a helper thread
(``conformance.call``); a shutdown that must not return yet is watched for
:data:`~conformance.harness.SETTLE` seconds while a gate stays closed, then
the gate opens.  Each shutdown that returns records, at that moment, which
calls had finished.  Hypothesis draws the whole schedule (workers, calls,
which gates open when) before anything runs.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import tasks
from conformance.harness import (
    PROMPT,
    SETTLE,
    Attempt,
    Blocked,
    Conformance,
    Outcome,
    switch_interval,
)
from conformance.leftovers import KILL, Census
from conformance.profiles import spec_settings
from conformance.report import NOT_APPLICABLE
from conformance.specs import clause, requires, states, still_pending
from conformance.tasks import Event

#: How long, in unscaled seconds, shutdown(wait=False) may take: it waits for nothing.
AT_ONCE = 2.0

#: How long, in unscaled seconds, a gated call of these specs waits for its gate.
GATE_BOUND = PROMPT * 6


def fewer_examples(divisor: int = 4) -> settings:
    """The profile's settings with fewer examples: each example builds an executor."""
    chosen = spec_settings()
    return settings(chosen, max_examples=max(2, chosen.max_examples // divisor))


# -- helpers ------------------------------------------------------------------------------


@dataclass
class Watched:
    """A shutdown (or with statement) run in a helper thread and watched from the test.

    ``early`` tells whether it returned during the watch, while a gate was
    still closed; ``ended``/``done`` are what had finished at the moment it
    returned: the calls that logged their end, and the futures that were done.
    """

    early: bool = False
    ended: list[Any] = field(default_factory=list)
    done: list[bool] = field(default_factory=list)
    returned: threading.Event = field(default_factory=threading.Event)


def watch_shutdown(conformance: Conformance, executor: Executor, futures: list[Future[Any]],
                   gates_then: Callable[[], object], last_gates: Callable[[], object],
                   log: Any = None, what: str = "shutdown(wait=True)", watch: float = SETTLE,
                   args: tuple[Any, ...] = (), **kwargs: Any) -> tuple[Watched, Outcome]:
    """Call ``executor.shutdown(*args, **kwargs)`` in a helper thread and watch it.

    Once the helper thread is inside, ``gates_then`` runs; then the shutdown is
    watched for ``watch`` seconds (it must not return while a gate is closed),
    and ``last_gates`` opens the rest.
    """
    watched = Watched()

    # Named like the method, so that conformance.call knows when it is entered.
    def shutdown() -> None:
        try:
            executor.shutdown(*args, **kwargs)
        finally:
            watched.done = [f.done() for f in futures]
            watched.ended = [] if log is None else ended(log)
            watched.returned.set()

    def during() -> None:
        gates_then()
        watched.early = watched.returned.wait(conformance.clock(watch))
        last_gates()

    outcome = conformance.call(shutdown, what=what, when_waiting=during)
    return watched, outcome


def ended(log: Any) -> list[Any]:
    """The values of the bracketed calls that logged their end."""
    return [value for kind, value in list(log) if kind == "end"]


def started_values(log: Any) -> list[Any]:
    """The values of the bracketed calls that logged their start, in order."""
    return [value for kind, value in list(log) if kind == "start"]


def submit_bracketed(conformance: Conformance, executor: Executor, value: Any,
                     log: Any) -> Blocked:
    """Submit a call that logs its start, waits for its gate, then logs its end."""
    started, gate = conformance.signal(), conformance.event()
    future = executor.submit(tasks.bracketed, started, gate, conformance.clock(GATE_BOUND),
                             value, log)
    return Blocked(future, started, gate, value)


def open_once_decided(conformance: Conformance, blocker: Blocked,
                      queued: list[Blocked]) -> Callable[[], None]:
    """Open the blocker's gate once the queued calls are decided (cancelled, or taken to run).

    An executor may take a moment to act on the shutdown it was given; until
    every queued call is done or running, the watch lasts SETTLE seconds at most.
    """

    def decided() -> bool:
        return all(q.future.done() or q.future.running() for q in queued)

    def act() -> None:
        deadline = time.monotonic() + conformance.clock(SETTLE)
        while not decided() and time.monotonic() < deadline:
            time.sleep(0.001)
        blocker.gate.set()

    return act


def shut_at_once(conformance: Conformance, clause_id: str, executor: Executor,
                 positional: bool = False, may_raise: bool = False, **kwargs: Any) -> None:
    """shutdown(wait=False, ...), or shutdown(False, ...) when ``positional``: it must
    return within AT_ONCE seconds, without raising (unless ``may_raise``: a second shutdown
    that raises breaks SHD-10, whose spec says so, and not necessarily the clause at hand)."""
    bound = conformance.clock(AT_ONCE)
    args: tuple[Any, ...] = (False,) if positional else ()
    if not positional:
        kwargs = {"wait": False, **kwargs}
    shown = [*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())]
    what = f"shutdown({', '.join(shown)})"
    try:
        outcome = conformance.call(executor.shutdown, *args, bound=bound, what=what, **kwargs)
    except AssertionError:
        raise AssertionError(
            f"{clause_id}: expected {what} to return within {bound:g}s while a call was"
            " blocked, got no return"
        ) from None
    assert may_raise or outcome.exception is None, (
        f"{clause_id}: expected {what} to return, got {outcome.describe()}"
    )


def opener(*gates: Event) -> Callable[[], None]:
    """A function that opens these gates."""

    def open_gates() -> None:
        for gate in gates:
            gate.set()

    return open_gates


def same_outcome(future: Future[Any], expected: Any) -> tuple[bool, str]:
    """Whether a done future gives ``expected`` (a value, or an exception of that type and args)."""
    error = future.exception(0)
    if isinstance(expected, BaseException):
        got = f"{type(error).__name__}{error.args!r}" if error is not None else "a value"
        return (type(error) is type(expected) and error.args == expected.args,
                got if error is not None else f"the value {future.result(0)!r}")
    if error is not None:
        return False, f"{type(error).__name__}: {error}"
    value = future.result(0)
    return value == expected, f"the value {value!r}"


def describe(expected: Any) -> str:
    if isinstance(expected, BaseException):
        return f"{type(expected).__name__}{expected.args!r}"
    return f"the value {expected!r}"


# -- submit() and map() after shutdown -------------------------------------------------------


def _expect_refused(outcome: Outcome, after: str, log: Any) -> None:
    """submit() after ``after`` raised RuntimeError, and its call never ran."""
    assert isinstance(outcome.exception, RuntimeError), (
        f"SHD-1: expected submit() after {after} to raise RuntimeError, got {outcome.describe()}"
    )
    _expect_never_ran(log)


def _expect_never_ran(log: Any) -> None:
    ran = list(log)
    assert not ran, f"SHD-1: expected the refused call never to run, got it run: {ran!r}"


@clause("SHD-1")
@pytest.mark.parametrize("wait", [True, False])
def test_submit_after_shutdown_raises_runtime_error(conformance: Conformance,
                                                    wait: bool) -> None:
    """submit() after shutdown() returned raises RuntimeError and the call never runs."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        conformance.call(executor.shutdown, wait=wait,
                         what=f"shutdown(wait={wait})").unwrap()
        outcome = conformance.call(executor.submit, tasks.record, log, "late",
                                   what="submit() after shutdown()")
    _expect_refused(outcome, f"shutdown(wait={wait})", log)


@clause("SHD-1")
@requires("background")
def test_submit_while_earlier_calls_run_raises_runtime_error(conformance: Conformance) -> None:
    """submit() after shutdown(wait=False), while an earlier call runs, raises RuntimeError."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "early")
        conformance.wait_started(blocked)
        shut_at_once(conformance, "SHD-1", executor)
        outcome = conformance.call(executor.submit, tasks.record, log, "late",
                                   what="submit() after shutdown()")
        blocked.gate.set()
        conformance.result(blocked.future)
    _expect_refused(outcome, "shutdown(wait=False), while an earlier call still ran,", log)


def begin_waiting_shutdown(conformance: Conformance, executor: Executor) -> Attempt:
    """Call shutdown(wait=True), in a thread of its own, while a call is held running, and
    return once a submit() from here is refused: the shutdown is then under way.

    A submit() may come before the shutdown does, and is then accepted; one that
    neither returns nor raises fails, as submit() must not wait for the shutdown.
    """
    shutting = Attempt(lambda: executor.shutdown(wait=True), "conformance-shutdown")
    conformance.wait_until(shutting.calling.is_set, "shutdown(wait=True) was not called")
    bound = conformance.clock(PROMPT)
    deadline = time.monotonic() + bound
    probe = 0
    while True:
        outcome = conformance.call(
            executor.submit, tasks.identity, f"probe {probe}",
            what="SHD-1: submit() from another thread while shutdown(wait=True) waited for a"
                 " running call")
        if isinstance(outcome.exception, RuntimeError):
            return shutting
        assert outcome.exception is None, (
            f"SHD-1: expected submit() while shutdown(wait=True) waited for a running call to"
            f" raise RuntimeError (or return, before the shutdown began), got"
            f" {outcome.describe()}"
        )
        assert time.monotonic() < deadline, (
            f"SHD-1: expected submit() to raise RuntimeError once shutdown(wait=True) had been"
            f" called, got {probe + 1} submits accepted over {bound:g}s while it waited for a"
            " running call"
        )
        probe += 1
        time.sleep(0.001)


@clause("SHD-1")
@requires("background")
def test_submit_while_shutdown_waits_raises_runtime_error(conformance: Conformance) -> None:
    """submit() while shutdown(wait=True) waits for a running call raises RuntimeError, at
    once: it does not wait for the shutdown."""
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "early")
        conformance.wait_started(blocked)
        shutting = begin_waiting_shutdown(conformance, executor)
        blocked.gate.set()
        assert shutting.finished.wait(conformance.clock(PROMPT)), (
            "SHD-1: expected shutdown(wait=True) to return once its running call was let"
            f" finish, got it stuck here:\n{shutting.stack()}"
        )


@clause("SHD-1")
@requires("background", "shares_memory")
@pytest.mark.parametrize("wait", [False, True])
def test_submit_from_a_running_call_after_shutdown_raises(conformance: Conformance,
                                                          wait: bool) -> None:
    """A call still running after shutdown(wait=False), or that shutdown(wait=True) waits
    for, gets RuntimeError from submit() too."""
    log = conformance.log()
    started, gate = conformance.signal(), conformance.event()
    bound = conformance.clock(GATE_BOUND)
    with conformance.executor(1) as executor:

        def follow_up() -> str:
            started.set()
            if not gate.wait(bound):
                return "not asked: its gate stayed closed"
            try:
                executor.submit(tasks.record, log, "late")
            except RuntimeError:
                return "refused"
            return "accepted"

        future = executor.submit(follow_up)
        conformance.wait_until(started.is_set, "SHD-1: expected the call to start, got it"
                               " waiting")
        if wait:
            begin_waiting_shutdown(conformance, executor)
            how = "that shutdown(wait=True) waited for"
        else:
            shut_at_once(conformance, "SHD-1", executor)
            how = "still running after shutdown(wait=False)"
        gate.set()
        got = conformance.result(future)
    assert got == "refused", (
        f"SHD-1: expected submit() from a call {how} to raise RuntimeError, got the"
        f" submit {got}"
    )
    _expect_never_ran(log)


@clause("SHD-1")
@requires("background", "shares_memory")
def test_shutdown_from_a_running_call_takes_effect(conformance: Conformance) -> None:
    """shutdown(wait=False) called by a running call shuts the executor down all the same."""
    log = conformance.log()
    with conformance.executor(2) as executor:
        conformance.result(executor.submit(lambda: executor.shutdown(wait=False)),
                           what="result() of the call that called shutdown(wait=False)")
        outcome = conformance.call(executor.submit, tasks.record, log, "late",
                                   what="submit() after a call's shutdown()")
    _expect_refused(outcome, "a running call had called shutdown(wait=False)", log)


@clause("SHD-2")
def test_map_after_shutdown_raises_runtime_error(conformance: Conformance) -> None:
    """map() after shutdown() raises RuntimeError itself, and none of its calls runs."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        conformance.call(executor.shutdown, what="shutdown()").unwrap()
        outcome = conformance.call(executor.map, tasks.record, [log] * 3, ["a", "b", "c"],
                                   what="map() after shutdown()")
    assert isinstance(outcome.exception, RuntimeError), (
        f"SHD-2: expected map() after shutdown() to raise RuntimeError, got {outcome.describe()}"
    )
    ran = list(log)
    assert not ran, f"SHD-2: expected none of map()'s calls to run, got {ran!r} run"


# -- shutdown(wait=True) ---------------------------------------------------------------------

#: The ways to ask for a shutdown that waits: wait is True by default, and may be
#: passed by position as well as by keyword.
WAITING_FORMS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "shutdown()": ((), {}),
    "shutdown(wait=True)": ((), {"wait": True}),
    "shutdown(True)": ((True,), {}),
}


@clause("SHD-3")
@requires("background")
@fewer_examples(6)
@given(max_workers=st.integers(1, 3), opened_before=st.lists(st.booleans(), min_size=1,
                                                               max_size=6),
       last=st.integers(0, 5), form=st.sampled_from(list(WAITING_FORMS)))
def test_shutdown_waits_for_every_call(conformance: Conformance, max_workers: int,
                                       opened_before: list[bool], last: int,
                                       form: str) -> None:
    """shutdown(wait=True), shutdown(True) or shutdown() does not return while a call is
    unfinished, running or queued."""
    # Call i's gate opens before shutdown() when opened_before[i]; the others
    # open once shutdown() is entered, except the last one, which opens only
    # after a watch in which shutdown() must not return.
    last %= len(opened_before)
    args, kwargs = WAITING_FORMS[form]
    log = conformance.log()
    with conformance.executor(max_workers) as executor:
        calls = [submit_bracketed(conformance, executor, i, log)
                 for i in range(len(opened_before))]
        for i, call in enumerate(calls):
            if opened_before[i] and i != last:
                call.gate.set()
        watched, outcome = watch_shutdown(
            conformance, executor, [c.future for c in calls],
            gates_then=opener(*(c.gate for i, c in enumerate(calls) if i != last)),
            last_gates=calls[last].gate.set, log=log, what=form, args=args, **kwargs)
        outcome.unwrap()
    assert not watched.early, (
        f"SHD-3: expected {form} not to return while call {last} was blocked,"
        f" got its return (calls finished by then: {sorted(watched.ended)})"
    )
    unfinished = sorted(set(range(len(calls))) - set(watched.ended))
    assert not unfinished, (
        f"SHD-3: expected every call to have finished when {form} returned,"
        f" got calls {unfinished} unfinished"
    )


@clause("SHD-3")
@requires("background")
def test_shutdown_waits_for_queued_calls(conformance: Conformance) -> None:
    """shutdown(), whose wait is True by default, also waits for a call that was still
    queued when it was called, however long it takes."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        running = submit_bracketed(conformance, executor, "running", log)
        conformance.wait_started(running)
        queued = submit_bracketed(conformance, executor, "queued", log)
        # Watched longer than elsewhere: a shutdown that joins its workers with a timeout
        # of its own returns at that timeout.
        watched, outcome = watch_shutdown(
            conformance, executor, [running.future, queued.future],
            gates_then=opener(running.gate), last_gates=opener(queued.gate), log=log,
            what="shutdown()", watch=1.5)
        outcome.unwrap()
    assert not watched.early, (
        "SHD-3: expected shutdown() (wait=True by default) not to return while the call"
        " queued when it was called was unfinished, got its return (calls finished by then:"
        f" {watched.ended})"
    )
    assert sorted(watched.ended) == ["queued", "running"], (
        "SHD-3: expected both calls finished when shutdown() returned, got"
        f" {watched.ended} finished"
    )


#: How many fresh executors the spec below tries: on each, the cancel and the shutdown()
#: meet the executor's hand-over of the call most of the time, not always (CPython's
#: process pool before 3.10.11 hung on 26 to 30 of 30 tries, as the spec makes them).
HANDOVER_TRIES = 6


def _cancel_then_shut_down(executor: Executor, cancelled: list[bool],
                           told: threading.Event) -> None:
    """Submit a call, cancel it at once, then shut down with wait=True."""
    try:
        future = executor.submit(tasks.identity, "cancelled")
        cancelled.append(future.cancel())
    finally:
        told.set()  # the test's thread may switch threads as often as before again
    executor.shutdown(wait=True)


@clause("SHD-3")
def test_shutdown_returns_after_a_cancel_right_after_submit(conformance: Conformance) -> None:
    """shutdown(wait=True) returns once every call is done, also when the last call was
    cancelled right after its submit() and shutdown() called right after that, before the
    executor could hand the call to a worker: a cancelled call is done, and there is
    nothing left to wait for."""
    bound = conformance.clock(PROMPT)
    for attempt in range(1, HANDOVER_TRIES + 1):
        cancelled: list[bool] = []
        told = threading.Event()
        with conformance.executor(1) as executor:
            # The worker is up and idle: the next call would go straight to it.
            conformance.result(executor.submit(tasks.identity, "first"))
            # No switch to another thread of this process between submit(), cancel() and
            # shutdown(), unless one of them blocks; this thread, once told, runs again
            # only when the helper blocks, in shutdown() at the latest.
            with switch_interval(1.0):
                shutting = Attempt(partial(_cancel_then_shut_down, executor, cancelled, told),
                                   "conformance-shutdown")
                told.wait(bound)
            returned = shutting.finished.wait(bound)
            where = "" if returned else shutting.stack()
            # Leaving the block shuts the executor down again, which may wake a stuck one.
        assert returned, (
            f"SHD-3: expected shutdown(wait=True) to return within {bound:g}s, the only"
            f" other call having finished, when the last call was cancelled right after its"
            f" submit() (cancel() returned {cancelled[0] if cancelled else 'nothing'}) and"
            f" shutdown() called right after, got no return (try {attempt} of"
            f" {HANDOVER_TRIES}); it was stuck at:\n{where}"
        )
        assert shutting.outcome.exception is None, (
            f"SHD-3: expected shutdown(wait=True) to return, the call having been cancelled"
            f" right after its submit(), got {shutting.outcome.describe()}"
        )


@clause("SHD-4")
@fewer_examples()
@given(max_workers=st.integers(1, 3),
       plan=st.lists(st.tuples(st.integers(-5, 5) | st.builds(ValueError, st.integers(0, 9)),
                               st.booleans()), max_size=6))
def test_futures_are_done_when_shutdown_returns(conformance: Conformance, max_workers: int,
                                                plan: list[tuple[Any, bool]]) -> None:
    """When shutdown(wait=True) returns, every future is done with its call's outcome."""
    # plan: each call's outcome (a value, or an exception it raises), and
    # whether it waits for a gate that opens only once shutdown() is entered.
    gated = conformance.capabilities["background"]
    with conformance.executor(max_workers) as executor:
        futures: list[Future[Any]] = []
        gates = []
        for value, blocked in plan:
            if blocked and gated:
                call = conformance.submit_blocked(executor, value)
                futures.append(call.future)
                gates.append(call.gate)
            else:
                futures.append(executor.submit(tasks.outcome, value))
        watched, outcome = watch_shutdown(
            conformance, executor, futures,
            gates_then=opener(*gates), last_gates=opener())
        outcome.unwrap()
        not_done = [i for i, done in enumerate(watched.done) if not done]
        assert not not_done, (
            f"SHD-4: expected every future done when shutdown() (wait=True by default)"
            f" returned, got futures {not_done} not done"
        )
        for i, (future, (expected, _)) in enumerate(zip(futures, plan)):
            same, got = same_outcome(future, expected)
            assert same, f"SHD-4: expected call {i} to give {describe(expected)}, got {got}"


# -- shutdown(wait=False) and the queued calls --------------------------------------------------


@clause("SHD-5")
@requires("background")
@pytest.mark.parametrize("positional", [False, True], ids=["wait=False", "False"])
def test_shutdown_without_wait_returns_at_once(conformance: Conformance,
                                               positional: bool) -> None:
    """shutdown(wait=False), or shutdown(False), returns at once while a call runs and
    another waits."""
    with conformance.executor(1) as executor:
        blocked = conformance.submit_blocked(executor, "running")
        conformance.wait_started(blocked)
        queued = conformance.submit_blocked(executor, "queued")
        shut_at_once(conformance, "SHD-5", executor, positional=positional)
        running = states(blocked.future)
        assert not running["done"], (
            f"SHD-5: expected the blocked call still unfinished after shutdown(wait=False),"
            f" got {running}"
        )
        blocked.gate.set()
        queued.gate.set()


@clause("SHD-6")
@requires("background")
@pytest.mark.parametrize("wait", [True, False])
def test_calls_submitted_before_shutdown_still_run(conformance: Conformance,
                                                   wait: bool) -> None:
    """Calls running or queued at shutdown() all run and give their results."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        queued = [conformance.submit_blocked(executor, i, log) for i in range(3)]
        calls = [blocker, *queued]
        if wait:
            conformance.call(executor.shutdown, wait=True, what="shutdown(wait=True)",
                             when_waiting=opener(*(c.gate for c in calls))).unwrap()
        else:
            shut_at_once(conformance, "SHD-6", executor)
            for call in calls:
                call.gate.set()
        got = [conformance.call(c.future.result, what="result()").value_or_error()
               for c in calls]
    expected = [c.value for c in calls]
    assert got == expected, (
        f"SHD-6: expected the calls submitted before shutdown(wait={wait}) to give"
        f" {expected}, got {got}"
    )
    ran = sorted(list(log))
    assert ran == [0, 1, 2], f"SHD-6: expected the queued calls 0-2 to run, got {ran} run"


@clause("SHD-6")
@requires("background", "bounded_workers", "cancels_pending")
def test_calls_queued_behind_a_cancelled_one_still_run(conformance: Conformance) -> None:
    """After shutdown(wait=False), the calls queued behind one cancelled with cancel() still
    run: a worker that meets the cancelled call drops it and goes on."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        queued = conformance.submit_queued(executor, *range(4), log=log)
        # The last but one still pending (a pool may hand queued calls to a worker early, as
        # CPython's process pool does): a call still pending is queued with it.
        target = still_pending(queued, 2)[-2]
        cancelled = target.future.cancel()
        shut_at_once(conformance, "SHD-6", executor)
        opener(blocker.gate, *(q.gate for q in queued))()
        others = [q for q in queued if q is not target or not cancelled]
        got = [conformance.call(q.future.result, what="result()").value_or_error()
               for q in others]
    expected = [q.value for q in others]
    assert got == expected, (
        f"SHD-6: expected the calls queued behind a cancelled one (cancel() returned"
        f" {cancelled}) to give {expected} after shutdown(wait=False), got {got}"
    )
    ran = sorted(list(log))
    assert ran == expected, f"SHD-6: expected the queued calls {expected} to run, got {ran} run"


# -- cancel_futures ------------------------------------------------------------------------


@clause("SHD-7")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("wait", [True, False])
def test_cancel_futures_cancels_the_calls_not_started(conformance: Conformance,
                                                      wait: bool) -> None:
    """shutdown(cancel_futures=True) cancels each queued call, which then never runs."""
    _expect_queued_calls_cancelled(conformance, "SHD-7", wait, begun=False)


@clause("SHD-23")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("wait", [True, False])
def test_cancel_futures_after_shutdown_without_wait_cancels(conformance: Conformance,
                                                            wait: bool) -> None:
    """shutdown(cancel_futures=True) after shutdown(wait=False) cancels each queued call."""
    _expect_queued_calls_cancelled(conformance, "SHD-23", wait, begun=True)


def _expect_queued_calls_cancelled(conformance: Conformance, clause_id: str, wait: bool,
                                   begun: bool) -> None:
    """Calls queued behind a busy worker are cancelled by shutdown(wait=wait,
    cancel_futures=True), after a shutdown(wait=False) when ``begun``, and never run."""
    what = f"shutdown(wait={wait}, cancel_futures=True)"
    if begun:
        what += " after shutdown(wait=False)"
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        queued = conformance.submit_queued(executor, *range(3))
        # A queued call that (wrongly) runs then finishes at once: its start signal tells.
        opener(*(q.gate for q in queued))()
        if begun:
            shut_at_once(conformance, clause_id, executor)
        release = open_once_decided(conformance, blocker, queued)
        if wait:
            conformance.call(executor.shutdown, wait=True, cancel_futures=True, what=what,
                             when_waiting=release).unwrap()
        else:
            shut_at_once(conformance, clause_id, executor, cancel_futures=True)
            release()
        conformance.result(blocker.future)
        # Each queued call is cancelled, or (wrongly) runs: wait until one or the other.
        conformance.wait_until(
            lambda: all(q.future.done() or q.started.is_set() for q in queued),
            f"{clause_id}: expected each queued call to be cancelled by {what}, got one"
            " neither cancelled nor started")
        got = {q.value: states(q.future) for q in queued if not q.future.cancelled()}
        assert not got, (
            f"{clause_id}: expected every queued call cancelled by {what}, got these not"
            f" cancelled: {got}"
        )
    ran = [q.value for q in queued if q.started.is_set()]
    assert not ran, f"{clause_id}: expected the cancelled calls never to run, got {ran} run"


@clause("SHD-8")
@requires("background")
@pytest.mark.parametrize("wait", [True, False])
def test_cancel_futures_spares_running_and_finished_calls(conformance: Conformance,
                                                          wait: bool) -> None:
    """shutdown(cancel_futures=True) lets running calls finish and leaves finished ones alone."""
    with conformance.executor(2) as executor:
        finished = executor.submit(tasks.identity, "finished")
        conformance.result(finished)
        (running,) = conformance.occupy_all_workers(executor, 1)
        if wait:
            watched, outcome = watch_shutdown(
                conformance, executor, [running.future], gates_then=opener(),
                last_gates=running.gate.set, what="shutdown(wait=True, cancel_futures=True)",
                wait=True, cancel_futures=True)
            outcome.unwrap()
            assert not watched.early and watched.done == [True], (
                "SHD-8: expected shutdown(wait=True, cancel_futures=True) to return only once"
                " the running call finished, got its return while the call was"
                f" {'blocked' if watched.early else 'unfinished'}"
            )
        else:
            shut_at_once(conformance, "SHD-8", executor, cancel_futures=True)
            got = states(running.future)
            assert not got["cancelled"], (
                f"SHD-8: expected the running call not cancelled, got {got}"
            )
            running.gate.set()
        outcomes = {name: conformance.call(f.result, what=f"result() of the {name} call")
                    for name, f in (("running", running.future), ("finished", finished))}
    got_values = {name: o.value_or_error() for name, o in outcomes.items()}
    expected = {"running": 0, "finished": "finished"}
    assert got_values == expected, (
        f"SHD-8: expected shutdown(wait={wait}, cancel_futures=True) to spare the running"
        f" and finished calls, {expected}, got {got_values}"
    )


@clause("SHD-9")
@requires("background", "bounded_workers", "cancels_pending")
def test_futures_cancelled_by_shutdown_are_complete_for_waiters(
        conformance: Conformance) -> None:
    """wait() and as_completed() see the futures cancelled by shutdown(cancel_futures=True)."""
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        queued = conformance.submit_queued(executor, *range(4))
        opener(*(q.gate for q in queued))()  # a call not cancelled then finishes at once
        conformance.call(executor.shutdown, wait=True, cancel_futures=True,
                         what="shutdown(wait=True, cancel_futures=True)",
                         when_waiting=open_once_decided(conformance, blocker, queued)).unwrap()
        cancelled = [q.future for q in queued if q.future.cancelled()]
        assert cancelled, (
            "SHD-9: expected shutdown(cancel_futures=True) to cancel some queued call, got"
            " none cancelled (SHD-7)"
        )
        bound = conformance.clock(SETTLE)
        waited = conformance.call(concurrent.futures.wait, cancelled, timeout=bound,
                                  what="wait()").unwrap()
        yielded = conformance.call(_as_completed, cancelled, bound,
                                   what="as_completed()").unwrap()
    assert not waited.not_done, (
        f"SHD-9: expected wait() to put all {len(cancelled)} cancelled futures in done, got"
        f" {len(waited.not_done)} in not_done after {bound:g}s"
    )
    assert yielded == len(cancelled), (
        f"SHD-9: expected as_completed() to yield all {len(cancelled)} cancelled futures,"
        f" got {yielded} in {bound:g}s"
    )


@clause("SHD-9")
@requires("background", "bounded_workers", "cancels_pending")
def test_shutdown_cancels_end_waits_in_progress(conformance: Conformance) -> None:
    """A wait() already waiting when shutdown(cancel_futures=True) cancels its future returns."""
    bound = conformance.clock(4 * SETTLE)
    with conformance.executor(1) as executor:
        conformance.occupy_all_workers(executor, 1)
        # One still pending: an executor may hand queued calls to a worker early (FUT-1).
        last = still_pending(conformance.submit_queued(executor, *range(4)))[-1].future
        waited = conformance.call(
            concurrent.futures.wait, [last], timeout=bound, what="wait()",
            when_waiting=lambda: executor.shutdown(wait=False, cancel_futures=True),
        ).unwrap()
        assert last.cancelled(), (
            "SHD-9: expected shutdown(cancel_futures=True) to cancel the last queued call, got"
            " it not cancelled (SHD-7)"
        )
    assert last in waited.done, (
        f"SHD-9: expected a wait() in progress to return with the future that"
        f" shutdown(cancel_futures=True) cancelled in done, got it in not_done after its"
        f" {bound:g}s timeout"
    )


def _as_completed(futures: list[Future[Any]], timeout: float) -> int:
    """How many futures as_completed() yields before its timeout."""
    count = 0
    try:
        for _ in concurrent.futures.as_completed(futures, timeout=timeout):
            count += 1
    except concurrent.futures.TimeoutError:
        pass
    return count


# -- calling shutdown() again ----------------------------------------------------------------

AGAIN = [{}, {"wait": False}, {"cancel_futures": True}, {"wait": False, "cancel_futures": True}]


@clause("SHD-10")
@pytest.mark.parametrize("again", AGAIN, ids=["default", "no-wait", "cancel", "no-wait-cancel"])
def test_second_shutdown_is_harmless(conformance: Conformance, again: dict[str, bool]) -> None:
    """A second shutdown(), with any arguments, returns and changes no future."""
    error = LookupError("raised")
    with conformance.executor(1) as executor:
        returned = executor.submit(tasks.identity, "value")
        raised = executor.submit(tasks.fail, error)
        conformance.call(executor.shutdown, what="shutdown()").unwrap()
        before = [states(returned), states(raised)]
        what = "shutdown(" + ", ".join(f"{k}={v}" for k, v in again.items()) + ") again"
        outcome = conformance.call(partial(executor.shutdown, **again), what=what)
        assert outcome.exception is None, f"SHD-10: expected {what} to return, got" \
                                          f" {outcome.describe()}"
        after = [states(returned), states(raised)]
        assert after == before, f"SHD-10: expected {what} to change no future, {before}," \
                                f" got {after}"
        for future, expected in ((returned, "value"), (raised, error)):
            same, got = same_outcome(future, expected)
            assert same, f"SHD-10: expected {describe(expected)} after {what}, got {got}"


@clause("SHD-11")
@requires("background")
def test_shutdown_with_wait_after_shutdown_without_wait_still_waits(
        conformance: Conformance) -> None:
    """shutdown(wait=True) after shutdown(wait=False) still waits for the unfinished calls."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        running = submit_bracketed(conformance, executor, 0, log)
        conformance.wait_started(running)
        queued = submit_bracketed(conformance, executor, 1, log)
        shut_at_once(conformance, "SHD-11", executor)
        watched, outcome = watch_shutdown(
            conformance, executor, [running.future, queued.future], gates_then=opener(),
            last_gates=opener(running.gate, queued.gate), log=log)
        outcome.unwrap()
    assert not watched.early, (
        "SHD-11: expected shutdown(wait=True) after shutdown(wait=False) to wait while a call"
        " was blocked, got its return"
    )
    assert sorted(watched.ended) == [0, 1], (
        "SHD-11: expected both calls finished when shutdown(wait=True) returned, got"
        f" {sorted(watched.ended)} finished"
    )


# -- the with statement ---------------------------------------------------------------------


class RaisedInBlock(Exception):
    """Raised inside a with block by the specs."""


class HaltedInBlock(BaseException):
    """Raised inside a with block by the specs: not an Exception, like KeyboardInterrupt."""


def _enter(executor: Executor) -> Any:
    """What ``with executor as target`` binds to target (the with statement runs here)."""
    with executor as target:
        return target


@clause("SHD-12")
def test_with_gives_the_executor_itself(conformance: Conformance) -> None:
    """`with executor as target` binds target to the executor."""
    executor = conformance.new_executor(1)
    target = conformance.call(_enter, executor, what="the with statement").unwrap()
    assert target is executor, (
        f"SHD-12: expected the with statement to give the executor itself, got {target!r}"
    )


@clause("SHD-13")
@requires("background")
# A BaseException too: the with statement waits however the block is left.
@pytest.mark.parametrize("ending", ["normal", "exception", "base-exception"])
def test_leaving_with_waits_and_shuts_down(conformance: Conformance, ending: str) -> None:
    """Leaving a with block waits for the calls of the block, then submit() raises RuntimeError."""
    log = conformance.log()
    executor = conformance.new_executor(2)
    calls: list[Blocked] = []
    leaving = threading.Event()
    watched = Watched()

    def leave_block() -> None:
        try:
            with executor:
                calls.extend(submit_bracketed(conformance, executor, i, log) for i in range(3))
                leaving.set()
                if ending == "exception":
                    raise RaisedInBlock("raised in the block")
                if ending == "base-exception":
                    raise HaltedInBlock("raised in the block")
        finally:
            watched.ended = ended(log)
            watched.done = [c.future.done() for c in calls]
            watched.returned.set()

    def during() -> None:
        conformance.wait_until(leaving.is_set, "the with block did not submit its calls")
        watched.early = watched.returned.wait(conformance.clock(SETTLE))
        for call in calls:
            call.gate.set()

    outcome = conformance.call(leave_block, what="leaving the with block", when_waiting=during)
    raised = {"exception": RaisedInBlock, "base-exception": HaltedInBlock}.get(ending)
    if raised is None or not isinstance(outcome.exception, raised):
        outcome.unwrap()  # a failure of the with statement itself
    assert not watched.early, (
        f"SHD-13: expected leaving the with block ({ending}) to wait while its calls were"
        f" blocked, got it left (calls finished by then: {sorted(watched.ended)})"
    )
    assert sorted(watched.ended) == [0, 1, 2] and all(watched.done), (
        f"SHD-13: expected every call of the block finished and done when the with block"
        f" was left ({ending}), got calls {sorted(watched.ended)} finished and done"
        f" {watched.done}"
    )
    late = conformance.call(executor.submit, tasks.identity, "late",
                            what="submit() after the with block")
    assert isinstance(late.exception, RuntimeError), (
        f"SHD-13: expected submit() after the with block to raise RuntimeError, got"
        f" {late.describe()}"
    )


def _raise_in_block(executor: Executor, error: BaseException) -> list[Future[Any]]:
    submitted: list[Future[Any]] = []
    with executor:
        submitted.append(executor.submit(tasks.identity, "in the block"))
        raise error
    return submitted  # only if the with statement swallowed the exception


@clause("SHD-14")
@pytest.mark.parametrize("error", [RaisedInBlock("raised"), KeyboardInterrupt()],
                         ids=["Exception", "BaseException"])
def test_exception_in_with_block_propagates(conformance: Conformance,
                                            error: BaseException) -> None:
    """An exception raised in a with block comes out of the with statement, itself."""
    executor = conformance.new_executor(1)
    outcome = conformance.call(_raise_in_block, executor, error, what="the with statement")
    assert outcome.exception is error, (
        f"SHD-14: expected the with statement to raise the block's {type(error).__name__},"
        f" got {outcome.describe()}"
    )


# -- max_workers ----------------------------------------------------------------------------


@clause("SHD-15")
@requires("background", "bounded_workers")
@fewer_examples(5)
@given(max_workers=st.integers(1, 3), extra=st.integers(1, 4),
       picks=st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_at_most_max_workers_calls_run_at_once(conformance: Conformance, max_workers: int,
                                               extra: int, picks: list[int]) -> None:
    """However many calls wait and in whatever order they finish, at most max_workers run."""
    # picks[k % len(picks)] chooses which running call (by start order) finishes next.
    log = conformance.log()
    total = max_workers + extra
    with conformance.executor(max_workers) as executor:
        calls = [submit_bracketed(conformance, executor, i, log) for i in range(total)]
        conformance.wait_until(lambda: bool(started_values(log)),
                               "SHD-15: expected a call to start, got none started")
        # Every call is blocked: give an executor that runs too many the time to show it.
        deadline = time.monotonic() + conformance.clock(SETTLE)
        while time.monotonic() < deadline and len(started_values(log)) <= max_workers:
            time.sleep(0.001)
        released: list[int] = []

        def running() -> list[int]:
            return [v for v in started_values(log) if v not in released]

        for step in range(total):
            if concurrency(log) > max_workers:
                break
            conformance.wait_until(lambda: bool(running()),
                                   f"SHD-15: expected a call to start once {released} had"
                                   " finished, got none started")
            choices = running()
            pick = choices[picks[step % len(picks)] % len(choices)]
            calls[pick].gate.set()
            released.append(pick)
            conformance.result(calls[pick].future)
    most = concurrency(log)
    assert most <= max_workers, (
        f"SHD-15: expected at most max_workers={max_workers} calls running at once, got"
        f" {most} (log of starts and ends: {list(log)})"
    )


def concurrency(log: Any) -> int:
    """The most calls the log shows running at once (started and not yet ended)."""
    most = running = 0
    for kind, _ in list(log):
        running += 1 if kind == "start" else -1
        most = max(most, running)
    return most


@clause("SHD-16")
@requires("background")
@pytest.mark.parametrize("executor_was", ["fresh", "used"])
def test_max_workers_calls_can_run_at_once(conformance: Conformance, executor_was: str) -> None:
    """max_workers blocked calls all start, on a fresh executor and on one whose earlier
    calls have finished, and a call submitted once one of them finishes starts too."""
    max_workers = 3
    budget = conformance.clock(PROMPT)
    with conformance.executor(max_workers) as executor:
        if executor_was == "used":  # idle workers now, which new calls must all get to use
            for i in range(max_workers):
                conformance.result(executor.submit(tasks.identity, i))
        first = [conformance.submit_blocked(executor, i) for i in range(max_workers)]
        for call in first:
            assert call.started.wait(budget), (
                f"SHD-16: expected {max_workers} blocked calls all to start with"
                f" max_workers={max_workers} ({executor_was} executor), got only"
                f" {sum(c.started.is_set() for c in first)} started within {budget:g}s"
            )
        first[0].gate.set()
        conformance.result(first[0].future)
        later = conformance.submit_blocked(executor, "later")
        assert later.started.wait(budget), (
            f"SHD-16: expected a call submitted while {max_workers - 1} of"
            f" max_workers={max_workers} calls ran to start, got it not started within"
            f" {budget:g}s"
        )


# -- submit() from many threads --------------------------------------------------------------


@clause("SHD-17")
@fewer_examples()
@given(max_workers=st.integers(1, 2), threads=st.integers(2, 6), per_thread=st.integers(1, 8))
def test_submit_from_many_threads_at_once(conformance: Conformance, max_workers: int,
                                          threads: int, per_thread: int) -> None:
    """Threads submitting at once: every call runs once and each future gives its own result."""
    log = conformance.log()
    bound = conformance.clock(PROMPT)
    with conformance.executor(max_workers) as executor:
        submitted: list[tuple[Any, Future[Any]]] = []
        errors = submit_together(executor, threads, per_thread, bound,
                                 lambda t, k: (tasks.record, log, [t, k]), submitted)
        assert not errors, f"SHD-17: expected every submit() to succeed, got {errors}"
        wrong = {}
        for value, future in submitted:
            outcome = conformance.call(future.result, what=f"result() of call {value}")
            if outcome.exception is not None or outcome.value != value:
                wrong[str(value)] = outcome.describe()
        assert not wrong, (
            f"SHD-17: expected each future to give its own call's value, got {wrong}"
        )
    expected = sorted(value for value, _ in submitted)
    ran = sorted(list(log))
    assert ran == expected, (
        f"SHD-17: expected each of the {len(expected)} calls to run once, got {len(ran)} runs:"
        f" missing {[v for v in expected if v not in ran]},"
        f" twice {[v for v in ran if ran.count(v) > 1]}"
    )


@clause("SHD-17")
@requires("background", "bounded_workers")
@pytest.mark.parametrize("max_workers", [1, 2])
def test_submits_from_many_threads_start_at_most_max_workers(conformance: Conformance,
                                                             max_workers: int) -> None:
    """Threads submitting at once, with every call blocked, start at most max_workers of them."""
    log = conformance.log()
    threads, bound = 8, conformance.clock(PROMPT)
    with conformance.executor(max_workers) as executor:
        errors = run_together(threads, bound,
                              lambda t: submit_bracketed(conformance, executor, t, log))
        assert not errors, f"SHD-17: expected every submit() to succeed, got {errors}"
        conformance.wait_until(lambda: bool(started_values(log)),
                               "SHD-17: expected a call to start, got none started")
        # Every call is blocked: give an executor that started too many workers time to show it.
        deadline = time.monotonic() + conformance.clock(SETTLE)
        while time.monotonic() < deadline and len(started_values(log)) <= max_workers:
            time.sleep(0.001)
        started = started_values(log)
    assert len(started) <= max_workers, (
        f"SHD-17: expected at most max_workers={max_workers} of {threads} calls submitted at"
        f" once from {threads} threads to run at once, got calls {started} running"
    )


def submit_together(executor: Executor, threads: int, per_thread: int, bound: float,
                    call: Callable[[int, int], tuple[Any, ...]],
                    submitted: list[tuple[Any, Future[Any]]],
                    stop: threading.Event | None = None) -> list[str]:
    """Submit from ``threads`` threads released together (see :func:`run_together`).

    Thread t submits ``call(t, k)`` (a function, then its arguments, the last
    one being the value the call returns) for k in range(per_thread), or until
    a submit() raises RuntimeError once ``stop`` is set.  Appends each
    (value, future) to ``submitted``; returns the unexpected errors.
    """

    def submit_all(t: int) -> None:
        for k in range(per_thread):
            fn, *args = call(t, k)
            try:
                future = executor.submit(fn, *args)
            except RuntimeError:
                if stop is not None and stop.is_set():
                    return
                raise
            submitted.append((args[-1], future))

    return run_together(threads, bound, submit_all)


def run_together(threads: int, bound: float, body: Callable[[int], object]) -> list[str]:
    """Run ``body(t)`` in ``threads`` threads released together by a barrier.

    Returns what the threads raised, and an error for any thread still running
    once ``bound`` seconds have passed (one deadline for them all).
    """
    barrier = threading.Barrier(threads)
    errors: list[str] = []

    def run(t: int) -> None:
        try:
            barrier.wait(bound)
            body(t)
        except BaseException as exc:
            errors.append(f"thread {t}: {type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=run, args=(t,), daemon=True) for t in range(threads)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + bound
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    if any(worker.is_alive() for worker in workers):
        errors.append(f"a submitting thread was still submitting after {bound:g}s")
    return errors


@clause("SHD-18")
@requires("background")
@pytest.mark.parametrize("wait", [True, False])
def test_submit_racing_shutdown_runs_or_raises(conformance: Conformance, wait: bool) -> None:
    """Each submit() racing shutdown() raises RuntimeError or gives a future whose call runs."""
    threads, per_thread = 4, 2000
    bound = conformance.clock(PROMPT)
    stop = threading.Event()
    submitted: list[tuple[Any, Future[Any]]] = []
    errors: list[str] = []
    with conformance.executor(1) as executor:
        racer = threading.Thread(target=lambda: errors.extend(submit_together(
            executor, threads, per_thread, bound, lambda t, k: (tasks.identity, [t, k]),
            submitted, stop)), daemon=True)
        racer.start()
        # Shut down while the threads submit: their submit() calls must then raise.
        conformance.wait_until(lambda: len(submitted) >= 10 * threads or not racer.is_alive(),
                               "the submitting threads did not submit")
        stop.set()
        conformance.call(executor.shutdown, wait=wait, what=f"shutdown(wait={wait})").unwrap()
        racer.join(bound * 2)
        assert not racer.is_alive(), (
            "SHD-18: expected submit() to raise RuntimeError after shutdown(), got the"
            " submitting threads still submitting"
        )
        assert not errors, (
            f"SHD-18: expected submit() to succeed or raise RuntimeError, got {errors}"
        )
        deadline = time.monotonic() + bound
        while (pending := [v for v, f in submitted if not f.done()]) and (
                time.monotonic() < deadline):
            time.sleep(0.001)
        assert not pending, (
            f"SHD-18: expected the call of every submit() that returned to run, got"
            f" {len(pending)} of {len(submitted)} futures still pending after {bound:g}s,"
            f" e.g. {pending[:5]}"
        )
        wrong = [v for v, f in submitted
                 if f.cancelled() or f.exception(0) is not None or f.result(0) != v]
        assert not wrong, (
            f"SHD-18: expected each call to give its own value, got {len(wrong)} that did"
            f" not, e.g. {wrong[:5]}"
        )


# -- exit ------------------------------------------------------------------------------------

#: The program the exit specs run: a call blocked on a gate that opens only
#: once the main thread has finished this script (and SETTLE seconds more, in
#: which a program that does not wait would be gone), and a call queued behind it.
#: There are two such executors, so that an exit that waits for one only shows; they
#: are then shut down without waiting, dropped, or kept as they are.
_EXITING_PROGRAM = r"""
import base64, gc, json, pickle, sys, threading, time
payload = pickle.loads(base64.b64decode(sys.argv[1]))
sys.path[:0] = payload["path"]
from conformance import tasks
from conformance.sync import Kit

if payload["spec"] is not None:
    from conformance.implementation import load
    from implementations import BUNDLED
    factory = load(payload["spec"], BUNDLED).factory
else:
    factory = pickle.loads(payload["factory"])
kit = Kit(payload["shares_memory"])
# Two executors, each with its own blocked and queued call and its own gate.  The gates
# open one after the other (the one built last first), so that an exit that waits for one
# executor only is over before the other's calls could finish.
executors = [factory(max_workers=1) for _ in range(2)]
gates = [kit.event() for _ in executors]
finished = []
last_done = threading.Event()

lock = threading.Lock()

def say(record):
    # One write per line, under a lock: the two executors' calls finish at once.
    with lock:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

def report(future):
    error = future.exception()
    value = repr(error) if error else future.result()
    say(["finished", value])
    with lock:
        finished.append(value)
        if {"blocked 1", "queued 1"} <= set(finished):
            last_done.set()

for n, executor in enumerate(executors):
    started = kit.event()
    blocked = executor.submit(tasks.gated, started, gates[n], payload["bound"], f"blocked {n}")
    queued = executor.submit(tasks.identity, f"queued {n}")
    blocked.add_done_callback(report)
    queued.add_done_callback(report)
    if not started.wait(payload["bound"]):
        say(["not started"])
        sys.exit(3)
del executor
if payload["end"] == "drop":
    del executors
    gc.collect()
elif payload["end"] == "shutdown":
    for executor in executors:
        executor.shutdown(wait=False)
    del executor
# else "keep": the executors are still referenced, never shut down, when the program ends
SCRIPT = sys._getframe().f_code
MAIN = threading.main_thread().ident

def left_script():
    # No garbage collection inside sys._current_frames(): older CPythons
    # could deadlock there (python/cpython#106883).
    gc.disable()
    try:
        frame = sys._current_frames().get(MAIN)
    finally:
        gc.enable()
    while frame is not None:
        if frame.f_code is SCRIPT:
            return False
        frame = frame.f_back
    return True

def open_at_exit():
    while not left_script():
        time.sleep(0.001)
    say(["exiting"])
    time.sleep(payload["settle"])
    gates[1].set()
    last_done.wait(payload["bound"])
    time.sleep(payload["settle"])
    gates[0].set()

threading.Thread(target=open_at_exit, daemon=True).start()
say(["main thread ends"])
"""


@clause("SHD-19")
@requires("background")
def test_program_exit_waits_for_calls(conformance: Conformance) -> None:
    """After shutdown(wait=False), the program's exit waits for the blocked and queued calls."""
    _expect_exit_to_wait("SHD-19", conformance, "shutdown")


@clause("SHD-22")
@requires("background")
@pytest.mark.parametrize("end", ["drop", "keep"])
def test_program_exit_waits_for_the_calls_of_an_executor_never_shut_down(
        conformance: Conformance, end: str) -> None:
    """An executor never shut down, dropped or still held when the program ends: the
    program's exit waits for its calls, and then the program exits."""
    _expect_exit_to_wait("SHD-22", conformance, end)


#: What the exit program did with its executors before its main thread ended.
_ENDS = {"shutdown": "called shutdown(wait=False)", "drop": "dropped the executors",
         "keep": "still held the executors, never shut down"}

#: The calls of the exit program, all of which must finish.
_FINISHED = ["blocked 0", "blocked 1", "queued 0", "queued 1"]


def _expect_exit_to_wait(clause_id: str, conformance: Conformance, end: str) -> None:
    """Run a program whose executor has a blocked and a queued call when its main thread
    ends (see _ENDS): both must finish, and the program must then exit."""
    # A fresh interpreter loads the implementation as --executor named it, or
    # else unpickles its factory.
    factory = b""
    if conformance.spec is None:
        try:
            factory = pickle.dumps(conformance.implementation.factory)
        except Exception as exc:
            pytest.skip(f"{NOT_APPLICABLE}the implementation came from an overridden seam and"
                        f" its factory does not pickle ({type(exc).__name__}: {exc}), so no"
                        " fresh interpreter can build it")
    bound = conformance.clock(PROMPT)
    payload = {"spec": conformance.spec, "factory": factory, "path": sys.path,
               "shares_memory": conformance.capabilities["shares_memory"],
               "bound": bound * 3, "settle": conformance.clock(SETTLE), "end": end}
    program = base64.b64encode(pickle.dumps(payload)).decode()
    how = _ENDS[end]
    run = _ExitingProgram([sys.executable, "-c", _EXITING_PROGRAM, program])
    # The calls may take until the gate opens at exit; once both have finished, a program
    # that still has not exited PROMPT seconds later is stuck in its exit.
    exited = run.wait(bound * 3, bound)
    lines = run.lines()
    assert exited, (
        f"{clause_id}: expected the program, which {how}, to exit once its calls finished,"
        f" got it still running {bound:g}s after that (output {lines})"
    )
    assert ["not started"] not in lines, (
        f"{clause_id}: the blocked call did not start within {bound * 3:g}s; stderr:"
        f" {run.stderr}"
    )
    finished = sorted(str(line[1]) for line in lines if line[0] == "finished")
    assert finished == _FINISHED, (
        f"{clause_id}: expected the program, which {how}, to exit only after the blocked and"
        f" the queued call of each of its two executors finished, got {finished or 'none'}"
        " finished (exit status"
        f" {run.returncode}, output {lines}, stderr {run.stderr.strip()[-500:]!r})"
    )


class _ExitingProgram:
    """The exit program, run in a fresh interpreter whose output is read as it comes."""

    def __init__(self, args: list[str]) -> None:
        # In a session of its own: see _end_its_process_group().
        self._process = subprocess.Popen(args, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True,
                                         start_new_session=True)
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        # Set once both calls have finished, or the program has closed its output.
        self._calls_over = threading.Event()
        readers = [threading.Thread(target=self._read, args=(pipe, lines), daemon=True)
                   for pipe, lines in ((self._process.stdout, self._stdout),
                                       (self._process.stderr, self._stderr))]
        for reader in readers:
            reader.start()
        self._readers = readers

    def _read(self, pipe: Any, lines: list[str]) -> None:
        for line in pipe:
            lines.append(line)
            if sum(seen.startswith('["finished"') for seen in lines) == len(_FINISHED):
                self._calls_over.set()
        if lines is self._stdout:
            self._calls_over.set()

    def wait(self, calls_bound: float, exit_bound: float) -> bool:
        """Whether the program exits within ``exit_bound`` seconds of its two calls
        finishing (or of ``calls_bound`` seconds, if they do not); it is killed if not."""
        self._calls_over.wait(calls_bound)
        try:
            self._process.wait(exit_bound)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            exited = False
        else:
            exited = True
        self._end_its_process_group()
        for reader in self._readers:
            reader.join(exit_bound)
        return exited

    def _end_its_process_group(self) -> None:
        """Kill what the program left running: the processes its executor started (a
        forked worker stays in the program's process group) would outlive the spec, and
        the run, holding the program's output open."""
        killpg = getattr(os, "killpg", None)
        if killpg is not None:
            with suppress(OSError):
                killpg(self._process.pid, KILL)

    @property
    def returncode(self) -> int | None:
        return self._process.returncode

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def lines(self) -> list[list[Any]]:
        return list(_json_lines("".join(self._stdout)))


def _json_lines(text: str) -> Iterator[list[Any]]:
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, list) and value:
            yield value


# -- resources ---------------------------------------------------------------------------


def _census_of_a_warm_process(conformance: Conformance) -> Census:
    """What runs once one executor has been used and shut down.

    What a first executor starts that outlives it by design (a forkserver, a
    resource tracker, the suite's own process of shared gates) is then already
    running, and is not counted against the executor that follows.
    """
    conformance.event()  # starts the process that holds the gates, when calls need one
    with conformance.executor(2) as warm:
        conformance.result(warm.submit(tasks.identity, 0))
    return Census.take()


def _left_running(before: Census, bound: float) -> list[str]:
    """What is still running ``bound`` seconds on, of what was not running ``before``."""
    deadline = time.monotonic() + bound
    while True:
        left = Census.take().new_since(before)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.005)


@clause("SHD-20")
def test_shutdown_with_wait_leaves_nothing_running(conformance: Conformance) -> None:
    """Once shutdown(wait=True) has returned, the threads and processes the executor
    started have ended."""
    before = _census_of_a_warm_process(conformance)
    executor = conformance.new_executor(2)
    futures = [executor.submit(tasks.identity, i) for i in range(4)]
    got = [conformance.result(f) for f in futures]
    assert got == list(range(4)), f"SHD-20: expected the calls to give 0-3, got {got}"
    conformance.release(executor)
    # Threads that shutdown() joined may take a moment to leave the system's list.
    left = _left_running(before, conformance.clock(SETTLE))
    assert not left, (
        "SHD-20: expected no thread or process the executor started to be running once"
        f" shutdown(wait=True) had returned, got still running: {', '.join(left)}"
    )


@clause("SHD-21")
@requires("background")
@pytest.mark.parametrize("then", ["nothing", "shutdown(wait=False, cancel_futures=True)"])
def test_shutdown_without_wait_frees_once_calls_end(conformance: Conformance,
                                                    then: str) -> None:
    """After shutdown(wait=False), even followed by a second shutdown that cancels the queued
    calls, the executor's threads and processes end once its calls are done."""
    before = _census_of_a_warm_process(conformance)
    executor = conformance.new_executor(2)
    calls = [conformance.submit_blocked(executor, i) for i in range(2)]
    for call in calls:
        conformance.wait_started(call, "a call submitted to an idle executor")
    queued = executor.submit(tasks.identity, "queued")
    shut_at_once(conformance, "SHD-21", executor)
    if then != "nothing":
        shut_at_once(conformance, "SHD-21", executor, may_raise=True, cancel_futures=True)
    for call in calls:
        call.gate.set()
    got = [conformance.result(call.future) for call in calls]
    assert got == [0, 1], f"SHD-21: expected the calls to give [0, 1], got {got}"
    last = conformance.call(queued.result, what="result() of the call queued behind them")
    cancelled = isinstance(last.exception, concurrent.futures.CancelledError)
    assert last.value == "queued" or cancelled, (
        f"SHD-21: expected the queued call to give 'queued' or be cancelled, got"
        f" {last.describe()}"
    )
    bound = conformance.clock(PROMPT)
    left = _left_running(before, bound)
    assert not left, (
        "SHD-21: expected every thread and process the executor started to end once its"
        f" calls were done after shutdown(wait=False), got still running {bound:g}s later:"
        f" {', '.join(left)}"
    )
