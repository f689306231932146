"""wait() and as_completed(), the standard library's waiting functions, on the executor's futures.

Both functions are CPython's own; what they report rests on the futures the
implementation hands out: that a future wakes the threads waiting on it when it
finishes or is cancelled, at that moment and only then, and that futures are
told apart by identity.  Gates decide when each call finishes: the order of
completion is drawn (or fixed), then played out, and a future is looked at the
moment it is reported (it must be done() already).  Time appears only where it
is the subject, bounded both ways: the timeouts, and the waits with no limit,
which a timer makes last.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    Executor,
    Future,
    as_completed,
    wait,
)
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conformance import raisables, tasks
from conformance.harness import PROMPT, SETTLE, Attempt, Blocked, Conformance, Outcome
from conformance.profiles import spec_settings
from conformance.specs import clause, requires, still_pending

#: How long, in unscaled seconds, a call that just finished may take to reach
#: wait() or as_completed() (from another process, on a loaded machine).
DELIVERY = 3.0

#: How long, in unscaled seconds, an answer that needs no waiting may take: the
#: futures had completed before the call, or a cancel was just made.
AT_ONCE = 1.0

#: How late, in unscaled seconds, a wait may give up after its timeout on a loaded machine.
SLACK = 1.0

#: How early a wait may give up: the resolution of the clock.  Never scaled: a
#: scale makes the suite more tolerant of slowness, never of impatience.
EARLY = max(0.001, 2 * time.get_clock_info("monotonic").resolution)

MODES = [ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION]

#: Each example builds a pool (a process pool is slow to build): a third of the profile's examples.
SCHEDULES = settings(spec_settings(), max_examples=max(5, spec_settings().max_examples // 3))


# -- helpers ------------------------------------------------------------------------------


def _running(conformance: Conformance, executor: Executor,
             outcomes: Sequence[Any]) -> list[Blocked]:
    """One gated call per outcome (an exception is raised), each known to have started."""
    calls = [conformance.submit_blocked(executor, value) for value in outcomes]
    for call in calls:
        conformance.wait_started(call)
    return calls


def _finished(conformance: Conformance, clause_id: str,
              futures: Iterable[Future[Any]]) -> None:
    """Wait (bounded) until each future is done."""
    for future in futures:
        conformance.wait_until(future.done, f"{clause_id}: expected a call whose gate is open"
                               " to finish, got it unfinished")


def _finish(conformance: Conformance, clause_id: str, *calls: Blocked) -> None:
    """Open each call's gate in turn, waiting until its future is done before the next."""
    for call in calls:
        call.gate.set()
        _finished(conformance, clause_id, [call.future])


def _positions(group: Iterable[Future[Any]], futures: Sequence[Future[Any]],
               ordered: bool = False) -> list[Any]:
    """Where each future of ``group`` stands in ``futures`` (by identity, never by
    equality), sorted unless ``ordered``; a future that is none of them shows as '?'."""
    index = {id(future): i for i, future in enumerate(futures)}
    found = [index.get(id(future), "?") for future in group]
    return found if ordered else sorted(found, key=str)


def _called(**kwargs: Any) -> str:
    """How a wait()/as_completed() call reads in messages (the futures left out)."""
    return ", ".join(["fs", *(f"{k}={v!r}" for k, v in kwargs.items())])


def _wait(conformance: Conformance, clause_id: str, fs: Sequence[Future[Any]], *,
          bound: float, when_waiting: Callable[[], object] | None = None,
          **kwargs: Any) -> tuple[str, Outcome]:
    """wait(fs, **kwargs), bounded by ``bound`` (counted once ``when_waiting`` is done)."""
    what = f"wait({_called(**kwargs)})"
    try:
        outcome = conformance.call(wait, list(fs), bound=bound, what=what,
                                   when_waiting=when_waiting, **kwargs)
    except AssertionError as exc:
        raise AssertionError(
            f"{clause_id}: expected {what} to return within {bound:.3g}s, got no return ({exc})"
        ) from None
    return what, outcome


def _expect_reported(clause_id: str, what: str, outcome: Outcome, futures: Sequence[Future[Any]],
                     done: Iterable[int], not_done: Iterable[int]) -> None:
    """wait()'s answer: a named 2-tuple of sets with exactly these futures (positions in
    ``futures``) in done and not_done, each future in done already done()."""
    result = outcome.value
    # Looked at first, the moment wait() has returned.
    unfinished = [] if outcome.exception is not None else [
        future for future in getattr(result, "done", ()) if not future.done()]
    assert outcome.exception is None, (
        f"{clause_id}: expected {what} to return, got {outcome.describe()}"
    )
    shaped = (isinstance(result, tuple) and len(result) == 2
              and getattr(result, "done", None) is result[0]
              and getattr(result, "not_done", None) is result[1]
              and all(isinstance(part, set) for part in result))
    assert shaped, (
        f"{clause_id}: expected {what} to return a named 2-tuple (done, not_done) of sets,"
        f" got {result!r}"
    )
    expected = (sorted(done), sorted(not_done))
    got = (_positions(result.done, futures), _positions(result.not_done, futures))
    assert got == expected, (
        f"{clause_id}: expected {what} to report calls {expected[0]} done and {expected[1]}"
        f" not done, got {got[0]} done and {got[1]} not done"
    )
    assert not unfinished, (
        f"{clause_id}: expected every future {what} reports done to be done(), got calls"
        f" {_positions(unfinished, futures)} not done() when it returned"
    )


class _Consumer:
    """Calls as_completed(fs, **kwargs) and iterates it in a thread of its own, noting
    each future yielded, whether it was done() then, and how the iteration ended."""

    def __init__(self, fs: Sequence[Future[Any]], **kwargs: Any) -> None:
        self.what = f"as_completed({_called(**kwargs)})"
        self.yielded: list[Future[Any]] = []
        self.unfinished: list[Future[Any]] = []
        self.exception: BaseException | None = None
        self.elapsed = 0.0  # seconds from the call to as_completed() to the end
        self._iterating = threading.Event()
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(list(fs), kwargs), daemon=True,
                                        name="conformance-as-completed")
        self._thread.start()

    def _run(self, fs: list[Future[Any]], kwargs: dict[str, Any]) -> None:
        start = time.monotonic()
        self._iterating.set()
        try:
            for future in as_completed(fs, **kwargs):
                if not future.done():
                    self.unfinished.append(future)
                self.yielded.append(future)
                del future
        except BaseException as exc:
            self.exception = exc
        finally:
            self.elapsed = time.monotonic() - start
            self._ended.set()

    def ended(self) -> bool:
        return self._ended.is_set()

    def await_waiting(self, conformance: Conformance) -> None:
        """Wait (bounded) until the thread has begun to iterate as_completed()."""
        conformance.wait_until(self._iterating.is_set, f"{self.what} was not called")

    def await_yields(self, conformance: Conformance, clause_id: str, count: int,
                     bound: float, after: str) -> None:
        """Wait until ``count`` futures have been yielded, failing in the clause's words."""
        deadline = time.monotonic() + bound
        while len(self.yielded) < count and not self.ended():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{clause_id}: expected {self.what} to yield {count} futures within"
                    f" {bound:.3g}s {after}, got {len(self.yielded)}"
                )
            time.sleep(0.001)

    def join(self, clause_id: str, bound: float, after: str) -> None:
        if not self._ended.wait(bound):
            raise AssertionError(
                f"{clause_id}: expected {self.what} to end within {bound:.3g}s {after}, got"
                f" it still waiting after {len(self.yielded)} futures"
            )

    def expect_ended(self, clause_id: str, futures: Sequence[Future[Any]],
                     exception: type[BaseException] | None = None) -> None:
        """The iteration ended as expected, and every future was done() when yielded."""
        if exception is None:
            assert self.exception is None, (
                f"{clause_id}: expected {self.what} to stop after yielding calls"
                f" {_positions(self.yielded, futures)}, got {self.exception!r}"
            )
        else:
            assert isinstance(self.exception, exception), (
                f"{clause_id}: expected {self.what} to raise {exception.__name__} after"
                f" yielding calls {_positions(self.yielded, futures)}, got"
                f" {self.exception!r}"
            )
        assert not self.unfinished, (
            f"{clause_id}: expected every future {self.what} yields to be done(), got calls"
            f" {_positions(self.unfinished, futures)} not done() when yielded"
        )


def _open_later(gate: tasks.Event, delay: float) -> None:
    """Open ``gate`` ``delay`` seconds from now: time is the subject (a wait with no limit
    must last), so a timer opens it."""
    timer = threading.Timer(delay, gate.set)
    timer.daemon = True
    timer.start()


def _queued(conformance: Conformance, executor: Executor,
            count: int) -> tuple[Blocked, list[Blocked]]:
    """A running call holding the only worker, and those of ``count`` calls queued behind
    it that are still pending: an executor may hand queued calls to a worker early, where
    cancel() fails (FUT-1).
    """
    (blocker,) = conformance.occupy_all_workers(executor, 1)
    return blocker, still_pending(conformance.submit_queued(executor, *range(count)))


def _cancel(clause_id: str, call: Blocked) -> None:
    returned = call.future.cancel()
    assert returned is True, (
        f"{clause_id}: expected cancel() of a call queued behind several others to return"
        f" True, got {returned!r} (FUT-3)"
    )


def _settle(conformance: Conformance, clause_id: str, calls: Iterable[Blocked]) -> None:
    """Let every call finish (open its gate, wait until done): the workers are free again."""
    calls = list(calls)
    for call in calls:
        call.gate.set()
    _finished(conformance, clause_id, (call.future for call in calls))


# -- wait(): what it returns --------------------------------------------------------------


@clause("WAIT-1")
@requires("background")
def test_wait_reports_each_future_once(conformance: Conformance) -> None:
    """wait() returns (done, not_done), two sets holding each future given exactly once."""
    with conformance.executor(2) as executor:
        # Three calls alike, so that futures which compare by their call are merged.
        finished = [executor.submit(tasks.identity, 0) for _ in range(3)]
        _finished(conformance, "WAIT-1", finished)
        (running,) = _running(conformance, executor, ["running"])
        futures = [*finished, running.future]
        for fs in (futures, [futures[i] for i in (0, 3, 1, 0, 2, 3, 1, 0)]):
            what, outcome = _wait(conformance, "WAIT-1", fs, timeout=0,
                                  bound=conformance.clock(AT_ONCE))
            what += " (some futures given twice)" if len(fs) > len(futures) else ""
            _expect_reported("WAIT-1", what, outcome, futures, done=[0, 1, 2], not_done=[3])


@clause("WAIT-1")
def test_wait_for_no_futures_gives_two_empty_sets(conformance: Conformance) -> None:
    """wait() of no futures returns at once with done and not_done both empty."""
    what, outcome = _wait(conformance, "WAIT-1", [], bound=conformance.clock(AT_ONCE))
    _expect_reported("WAIT-1", what, outcome, [], done=[], not_done=[])


@clause("WAIT-2")
@requires("background", "bounded_workers")
def test_done_holds_the_completed_futures(conformance: Conformance) -> None:
    """done holds the finished futures; not_done the running and the pending ones."""
    with conformance.executor(1) as executor:
        finished = [executor.submit(tasks.identity, "value"),
                    executor.submit(tasks.fail, LookupError("raised"))]
        _finished(conformance, "WAIT-2", finished)
        (running,) = conformance.occupy_all_workers(executor, 1)
        (pending,) = conformance.submit_queued(executor, "pending")
        futures = [*finished, running.future, pending.future]
        for return_when in MODES:
            what, outcome = _wait(conformance, "WAIT-2", futures, timeout=0,
                                  return_when=return_when, bound=conformance.clock(AT_ONCE))
            _expect_reported("WAIT-2", what, outcome, futures, done=[0, 1], not_done=[2, 3])


@clause("WAIT-2")
@requires("background")
def test_futures_reported_done_are_done(conformance: Conformance) -> None:
    """A future wait() reports done is done() the moment wait() returns."""
    with conformance.executor(2) as executor:
        for return_when in MODES:
            first: Any = LookupError("raised") if return_when == FIRST_EXCEPTION else "value"
            calls = _running(conformance, executor, [first, "other"])
            futures = [c.future for c in calls]
            opened = calls if return_when == ALL_COMPLETED else calls[:1]

            def open_gates(opened: list[Blocked] = opened) -> None:
                for call in opened:
                    call.gate.set()

            # The gates are opened, never waited on: wait() is what sees the calls finish.
            what, outcome = _wait(conformance, "WAIT-2", futures, return_when=return_when,
                                  when_waiting=open_gates, bound=conformance.clock(DELIVERY))
            done = list(range(len(opened)))
            _expect_reported("WAIT-2", what, outcome, futures, done=done,
                             not_done=[i for i in range(2) if i not in done])
            _settle(conformance, "WAIT-2", calls)


# -- wait(): when it returns ----------------------------------------------------------------


@clause("WAIT-3")
@requires("background")
def test_all_completed_waits_for_every_future(conformance: Conformance) -> None:
    """ALL_COMPLETED (the default) returns once every call has finished, as the last does."""
    delay = conformance.clock(SETTLE)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("finished-before", {}),
        ("finished-during", {}),
        ("finished-during", {"return_when": ALL_COMPLETED}),
        ("finished-later", {"timeout": None, "return_when": ALL_COMPLETED}),
    ]
    with conformance.executor(3) as executor:
        for timing, how in cases:
            calls = _running(conformance, executor, ["a", LookupError("b"), "c"])
            futures = [c.future for c in calls]

            def finish_all(calls: list[Blocked] = calls) -> None:
                _finish(conformance, "WAIT-3", *calls)

            def finish_two_then_the_last_later(calls: list[Blocked] = calls) -> None:
                _finish(conformance, "WAIT-3", *calls[:2])
                _open_later(calls[2].gate, delay)

            opener: Callable[[], object] | None = None
            bound = conformance.clock(DELIVERY)
            if timing == "finished-before":
                finish_all()
                bound = conformance.clock(AT_ONCE)
            elif timing == "finished-during":
                opener = finish_all
            else:
                opener = finish_two_then_the_last_later
                bound += delay
            what, outcome = _wait(conformance, "WAIT-3", futures, when_waiting=opener,
                                  bound=bound, **how)
            _expect_reported("WAIT-3", f"{what} ({timing})", outcome, futures,
                             done=[0, 1, 2], not_done=[])


@clause("WAIT-3")
@requires("background")
def test_all_completed_counts_each_future_once(conformance: Conformance) -> None:
    """A wait() begun while a finished call's done callbacks still run counts that call once:
    it does not return before the other call finishes."""
    in_callback, callback_gate = threading.Event(), threading.Event()
    bound = conformance.clock(PROMPT)
    timeout = conformance.clock(2 * SETTLE)

    def hold(_: Future[Any]) -> None:
        in_callback.set()
        callback_gate.wait(bound)

    with conformance.executor(2) as executor:
        calls = _running(conformance, executor, ["finished", "running"])
        futures = [c.future for c in calls]
        futures[0].add_done_callback(hold)
        calls[0].gate.set()
        conformance.wait_until(in_callback.is_set, "WAIT-3: expected the done callback of the"
                               " finished call to be called, got no call (CB-1)")
        what, outcome = _wait(conformance, "WAIT-3", futures, timeout=timeout,
                              when_waiting=callback_gate.set,
                              bound=timeout + conformance.clock(SLACK))
        _expect_reported("WAIT-3", f"{what} (call 1 still running)", outcome, futures,
                         done=[0], not_done=[1])
        assert outcome.elapsed >= timeout / 2, (
            f"WAIT-3: expected {what} to wait out its timeout, call 1 still running, got it"
            f" returning after {outcome.elapsed:.3f}s (call 0 counted twice?)"
        )
        _settle(conformance, "WAIT-3", calls)


@clause("WAIT-4")
@requires("background")
def test_first_completed_returns_on_the_first_finish(conformance: Conformance) -> None:
    """FIRST_COMPLETED returns as soon as one call finishes, with it alone in done."""
    with conformance.executor(3) as executor:
        for timing in ("finished-before", "finished-during"):
            for value in ("value", LookupError("raised")):
                calls = _running(conformance, executor, ["a", value, "c"])
                futures = [c.future for c in calls]
                if timing == "finished-before":
                    _finish(conformance, "WAIT-4", calls[1])
                    what, outcome = _wait(conformance, "WAIT-4", futures,
                                          return_when=FIRST_COMPLETED,
                                          bound=conformance.clock(AT_ONCE))
                else:
                    what, outcome = _wait(conformance, "WAIT-4", futures,
                                          return_when=FIRST_COMPLETED,
                                          when_waiting=calls[1].gate.set,
                                          bound=conformance.clock(DELIVERY))
                _expect_reported("WAIT-4", f"{what} (call 1 {timing}, giving {value!r})",
                                 outcome, futures, done=[1], not_done=[0, 2])
                _settle(conformance, "WAIT-4", calls)


@clause("WAIT-4")
@requires("background", "bounded_workers")
def test_first_completed_is_not_ended_by_a_start(conformance: Conformance) -> None:
    """A call that starts running during a FIRST_COMPLETED wait does not end it."""
    timeout = conformance.clock(2 * SETTLE)
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)
        (queued,) = conformance.submit_queued(executor, "queued")

        def start_the_queued_call() -> None:
            blocker.gate.set()
            conformance.wait_started(queued, "the queued call")

        what, outcome = _wait(conformance, "WAIT-4", [queued.future], timeout=timeout,
                              return_when=FIRST_COMPLETED, when_waiting=start_the_queued_call,
                              bound=timeout + conformance.clock(SLACK))
        _expect_reported("WAIT-4", f"{what} (the call started during it)", outcome,
                         [queued.future], done=[], not_done=[0])


@clause("WAIT-5")
@requires("background")
def test_first_exception_returns_on_the_first_raise(conformance: Conformance) -> None:
    """FIRST_EXCEPTION returns once a call raises, not when one returns a value."""
    # A false exception too: whether a call raised is told by presence, not truth; and
    # BaseExceptions that are not Exceptions, which are exceptions all the same.
    raising = [LookupError("raised"), raisables.FalseError("false"), SystemExit(3),
               raisables.Halt("halted")]
    with conformance.executor(3) as executor:
        for timing, raised in itertools.product(("raised-before", "raised-during"), raising):
            calls = _running(conformance, executor, ["value", raised, "c"])
            futures = [c.future for c in calls]

            def finish_two(calls: list[Blocked] = calls) -> None:
                _finish(conformance, "WAIT-5", *calls[:2])

            if timing == "raised-before":
                finish_two()
                what, outcome = _wait(conformance, "WAIT-5", futures,
                                      return_when=FIRST_EXCEPTION,
                                      bound=conformance.clock(AT_ONCE))
            else:
                what, outcome = _wait(conformance, "WAIT-5", futures,
                                      return_when=FIRST_EXCEPTION, when_waiting=finish_two,
                                      bound=conformance.clock(DELIVERY))
            _expect_reported("WAIT-5", f"{what} (call 0 returned, then call 1 {timing}:"
                             f" {raised!r})", outcome, futures, done=[0, 1], not_done=[2])
            _settle(conformance, "WAIT-5", calls)


@st.composite
def _raising_schedules(draw: st.DrawFn) -> tuple[list[bool], list[int], int]:
    """Which of up to four calls raise (one at least), the order they finish in, and how
    many finish before the wait begins."""
    raises = draw(st.lists(st.booleans(), min_size=1, max_size=4).filter(any))
    order = list(draw(st.permutations(range(len(raises)))))
    return raises, order, draw(st.integers(0, len(raises)))


@clause("WAIT-5")
@requires("background")
@SCHEDULES
@given(schedule=_raising_schedules())
@example(schedule=([True, False], [0, 1], 0))  # a raise during the wait, the other unfinished
def test_first_exception_returns_when_the_first_raise_comes(
        conformance: Conformance, schedule: tuple[list[bool], list[int], int]) -> None:
    """Whatever order the calls finish in, FIRST_EXCEPTION returns at the first that raised."""
    raises, order, before = schedule
    outcomes = [LookupError(f"call {i}") if r else f"value {i}" for i, r in enumerate(raises)]
    # The calls that finish: up to the first that raises, in the drawn order.
    first = next(k for k, i in enumerate(order) if raises[i])
    opened = order[:max(before, first + 1)]
    with conformance.executor(len(raises), keep=True) as executor:
        calls = _running(conformance, executor, outcomes)
        futures = [c.future for c in calls]
        _finish(conformance, "WAIT-5", *(calls[i] for i in order[:before]))
        if before > first:
            what, outcome = _wait(conformance, "WAIT-5", futures, return_when=FIRST_EXCEPTION,
                                  bound=conformance.clock(AT_ONCE))
        else:
            what, outcome = _wait(
                conformance, "WAIT-5", futures, return_when=FIRST_EXCEPTION,
                when_waiting=lambda: _finish(conformance, "WAIT-5",
                                             *(calls[i] for i in opened[before:])),
                bound=conformance.clock(DELIVERY))
        _expect_reported("WAIT-5", f"{what} (calls finishing in the order {opened})", outcome,
                         futures, done=opened,
                         not_done=[i for i in range(len(raises)) if i not in opened])


@clause("WAIT-6")
@requires("background")
def test_first_exception_without_one_waits_for_all(conformance: Conformance) -> None:
    """FIRST_EXCEPTION with no call raising returns once all have finished, not before."""
    with conformance.executor(3) as executor:
        for timing in ("finished-before", "finished-during"):
            calls = _running(conformance, executor, ["a", "b", "c"])
            futures = [c.future for c in calls]

            def finish_all(calls: list[Blocked] = calls) -> None:
                _finish(conformance, "WAIT-6", *calls)

            if timing == "finished-before":
                finish_all()
                what, outcome = _wait(conformance, "WAIT-6", futures,
                                      return_when=FIRST_EXCEPTION,
                                      bound=conformance.clock(AT_ONCE))
            else:
                what, outcome = _wait(conformance, "WAIT-6", futures,
                                      return_when=FIRST_EXCEPTION, when_waiting=finish_all,
                                      bound=conformance.clock(DELIVERY))
            _expect_reported("WAIT-6", f"{what} (every call returned a value, {timing})",
                             outcome, futures, done=[0, 1, 2], not_done=[])


@clause("WAIT-6")
@requires("background", "bounded_workers", "cancels_pending")
def test_first_exception_is_not_ended_by_a_cancel(conformance: Conformance) -> None:
    """A cancel during a FIRST_EXCEPTION wait does not end it: a cancelled call raised nothing."""
    timeout = conformance.clock(2 * SETTLE)
    with conformance.executor(1) as executor:
        blocker, queued = _queued(conformance, executor, 8)
        futures = [blocker.future, queued[-1].future]
        what, outcome = _wait(conformance, "WAIT-6", futures, timeout=timeout,
                              return_when=FIRST_EXCEPTION,
                              when_waiting=lambda: _cancel("WAIT-6", queued[-1]),
                              bound=timeout + conformance.clock(SLACK))
        assert outcome.exception is None and outcome.elapsed >= timeout / 2, (
            f"WAIT-6: expected {what} to wait out its timeout, no call having raised (one was"
            f" cancelled during the wait), got {outcome.describe()} after {outcome.elapsed:.3f}s"
        )


@clause("WAIT-7")
@requires("background", "bounded_workers", "cancels_pending")
def test_cancelled_future_counts_as_completed(conformance: Conformance) -> None:
    """A cancelled future is in done at once, and a cancel during a wait completes it."""
    with conformance.executor(1) as executor:
        blocker, queued = _queued(conformance, executor, 8)
        # Cancelled before the call: done at once, whatever the timeout.
        _cancel("WAIT-7", queued[-1])
        futures = [blocker.future, queued[-1].future]
        for return_when in MODES:
            what, outcome = _wait(conformance, "WAIT-7", futures, timeout=0,
                                  return_when=return_when, bound=conformance.clock(AT_ONCE))
            _expect_reported("WAIT-7", f"{what} (call 1 cancelled before)", outcome, futures,
                             done=[1], not_done=[0])
        # Cancelled during the call: the wait ends, or completes, with the cancel.
        for return_when, call in zip(MODES, queued[-2:-5:-1]):
            futures = [blocker.future, call.future] if return_when == FIRST_COMPLETED \
                else [call.future]
            cancelled: list[bool] = []

            def cancel(call: Blocked = call, cancelled: list[bool] = cancelled) -> None:
                cancelled.append(call.future.cancel())

            try:
                what, outcome = _wait(conformance, "WAIT-7", futures, return_when=return_when,
                                      when_waiting=cancel, bound=conformance.clock(AT_ONCE))
            except AssertionError:
                if cancelled == [False]:
                    _cancel("WAIT-7", call)
                raise
            _expect_reported("WAIT-7", f"{what} (call {len(futures) - 1} cancelled during)",
                             outcome, futures, done=[len(futures) - 1],
                             not_done=[0] if len(futures) == 2 else [])


@clause("WAIT-8")
@requires("background")
def test_wait_gives_up_at_its_timeout(conformance: Conformance) -> None:
    """wait(timeout) of unfinished calls returns after the timeout, no sooner, soon after."""
    cases = [(ALL_COMPLETED, 0), (ALL_COMPLETED, 0.1), (FIRST_COMPLETED, 0.05),
             (FIRST_EXCEPTION, 0.05)]
    with conformance.executor(3) as executor:
        finished = executor.submit(tasks.identity, "finished")
        _finished(conformance, "WAIT-8", [finished])
        calls = _running(conformance, executor, ["a", "b"])
        for return_when, timeout in cases:
            limit = timeout + conformance.clock(SLACK)
            # A finished call would end a FIRST_COMPLETED wait at once.
            before = [] if return_when == FIRST_COMPLETED else [finished]
            futures = [*before, *(c.future for c in calls)]
            what, outcome = _wait(conformance, "WAIT-8", futures, timeout=timeout,
                                  return_when=return_when, bound=limit)
            _expect_reported("WAIT-8", what, outcome, futures, done=range(len(before)),
                             not_done=range(len(before), len(futures)))
            assert timeout - EARLY <= outcome.elapsed <= limit, (
                f"WAIT-8: expected {what} to return after {timeout}s (within {limit:.3g}s),"
                f" got it after {outcome.elapsed:.4f}s"
            )


@clause("WAIT-9")
@requires("background")
def test_wait_takes_futures_of_several_executors(conformance: Conformance) -> None:
    """Futures of two executors, waited on together, are each reported."""
    with conformance.executor(1) as first, conformance.executor(1) as second:
        finished = [first.submit(tasks.identity, "a"), second.submit(tasks.identity, "b")]
        _finished(conformance, "WAIT-9", finished)
        calls = [*_running(conformance, first, ["c"]), *_running(conformance, second, ["d"])]
        futures = [*finished, *(c.future for c in calls)]
        what, outcome = _wait(conformance, "WAIT-9", futures, timeout=0,
                              bound=conformance.clock(AT_ONCE))
        _expect_reported("WAIT-9", what, outcome, futures, done=[0, 1], not_done=[2, 3])
        what, outcome = _wait(conformance, "WAIT-9", futures,
                              when_waiting=lambda: _finish(conformance, "WAIT-9", *calls),
                              bound=conformance.clock(DELIVERY))
        _expect_reported("WAIT-9", what, outcome, futures, done=[0, 1, 2, 3], not_done=[])


@clause("WAIT-10")
@requires("background")
def test_every_waiting_thread_is_woken(conformance: Conformance) -> None:
    """wait() and as_completed() in several threads at once on one future all return."""
    bound = conformance.clock(PROMPT)  # the waits' own timeout: a waiter never woken ends
    with conformance.executor(1) as executor:
        (call,) = _running(conformance, executor, ["value"])
        fs = [call.future]
        waiters = {
            "wait(FIRST_COMPLETED)": lambda: wait(fs, timeout=bound, return_when=FIRST_COMPLETED),
            "wait(ALL_COMPLETED)": lambda: wait(fs, timeout=bound),
            "as_completed()": lambda: list(as_completed(fs, timeout=bound)),
        }
        attempts = {name: Attempt(fn, "conformance-waiter") for name, fn in waiters.items()}
        # wait() and as_completed() register a waiter on each future they wait for: once all
        # three have, the call finishes under all of them.
        conformance.wait_until(
            lambda: len(getattr(call.future, "_waiters", ())) >= len(attempts)
            or any(attempt.finished.is_set() for attempt in attempts.values()),
            "WAIT-10: expected the waiting threads to register with the future, got them not")
        call.gate.set()
        deadline = time.monotonic() + conformance.clock(DELIVERY)
        late = [name for name, attempt in attempts.items()
                if not attempt.finished.wait(max(0.0, deadline - time.monotonic()))]
        for attempt in attempts.values():  # each ends by its own timeout at the latest
            attempt.finished.wait(bound + conformance.clock(SLACK))
    assert not late, (
        f"WAIT-10: expected every thread waiting on the future to return once its call"
        f" finished, got {late} still waiting {conformance.clock(DELIVERY):g}s later"
    )
    for name, attempt in attempts.items():
        got = attempt.outcome
        value = got.value[0] if name.startswith("wait") and got.exception is None else got.value
        assert got.exception is None and call.future in value, (
            f"WAIT-10: expected {name} to report the finished future, got {got.describe()}"
        )


# -- as_completed() -------------------------------------------------------------------------


@clause("ASC-1")
@requires("background")
def test_as_completed_yields_each_future_once(conformance: Conformance) -> None:
    """as_completed() yields each future given exactly once, then stops."""
    with conformance.executor(2) as executor:
        # Three calls alike, so that futures which compare by their call are merged.
        finished = [executor.submit(tasks.identity, 0) for _ in range(3)]
        _finished(conformance, "ASC-1", finished)
        for twice in (False, True):
            (running,) = _running(conformance, executor, ["running"])
            futures = [*finished, running.future]
            fs = [futures[i] for i in (0, 3, 1, 0, 2, 3, 1, 0)] if twice else futures
            consumer = _Consumer(fs)
            consumer.await_yields(conformance, "ASC-1", 3, conformance.clock(DELIVERY),
                                  "of three finished calls")
            running.gate.set()
            consumer.join("ASC-1", conformance.clock(DELIVERY), "after the last call finished")
            consumer.expect_ended("ASC-1", futures)
            got = _positions(consumer.yielded, futures)
            assert got == [0, 1, 2, 3], (
                f"ASC-1: expected {consumer.what} to yield calls [0, 1, 2, 3] once each"
                f"{' (some given twice)' if twice else ''}, got {got}"
            )


@clause("ASC-1")
def test_as_completed_of_no_futures_stops_at_once(conformance: Conformance) -> None:
    """as_completed() of no futures yields nothing and stops at once."""
    consumer = _Consumer([])
    consumer.join("ASC-1", conformance.clock(AT_ONCE), "given no futures")
    consumer.expect_ended("ASC-1", [])
    assert consumer.yielded == [], (
        f"ASC-1: expected {consumer.what} of no futures to yield nothing, got"
        f" {consumer.yielded!r}"
    )


@st.composite
def _completion_schedules(draw: st.DrawFn) -> tuple[list[Any], list[int], int, dict[str, Any]]:
    """Outcomes of up to four calls, the order they finish in, how many finish before
    as_completed() is called, and a timeout that never runs out (or none)."""
    raises = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    outcomes = [LookupError(f"call {i}") if r else f"value {i}" for i, r in enumerate(raises)]
    order = list(draw(st.permutations(range(len(outcomes)))))
    before = draw(st.integers(0, len(outcomes)))
    how: dict[str, Any] = draw(st.sampled_from([{}, {"timeout": None},
                                                {"timeout": "long-float"},
                                                {"timeout": "long-int"}]))
    return outcomes, order, before, how


@clause("ASC-2")
@requires("background")
@SCHEDULES
@given(schedule=_completion_schedules())
@example(schedule=(["value 0", LookupError("call 1")], [1, 0], 0, {}))
def test_as_completed_yields_in_completion_order(
        conformance: Conformance,
        schedule: tuple[list[Any], list[int], int, dict[str, Any]]) -> None:
    """The futures finished before the call come first, then each as it finishes."""
    outcomes, order, before, how = schedule
    if how.get("timeout") in ("long-float", "long-int"):
        long = conformance.clock(PROMPT * 6)  # never runs out while the spec lasts
        how = {"timeout": float(long) if how["timeout"] == "long-float" else int(long)}
    with conformance.executor(len(outcomes), keep=True) as executor:
        calls = _running(conformance, executor, outcomes)
        futures = [c.future for c in calls]
        _finish(conformance, "ASC-2", *(calls[i] for i in order[:before]))
        consumer = _Consumer(futures, **how)
        consumer.await_yields(conformance, "ASC-2", before, conformance.clock(DELIVERY),
                              "of calls finished before the call")
        for k, i in enumerate(order[before:], start=before):
            # Nothing else may come while no further call has finished.
            got = _positions(consumer.yielded, futures)
            assert got == sorted(order[:k]), (
                f"ASC-2: expected {consumer.what} to have yielded calls {sorted(order[:k])}"
                f" (those finished), got {got}"
            )
            _finish(conformance, "ASC-2", calls[i])
            consumer.await_yields(conformance, "ASC-2", k + 1, conformance.clock(DELIVERY),
                                  f"after call {i} finished")
        consumer.join("ASC-2", conformance.clock(DELIVERY), "after every call finished")
    consumer.expect_ended("ASC-2", futures)
    first = _positions(consumer.yielded[:before], futures)
    then = _positions(consumer.yielded[before:], futures, ordered=True)
    assert (first, then) == (sorted(order[:before]), order[before:]), (
        f"ASC-2: expected {consumer.what} to yield calls {sorted(order[:before])} (finished"
        f" before the call) first, then {order[before:]} as they finished, got {first} then"
        f" {then}"
    )


@clause("ASC-2")
@requires("background")
def test_as_completed_without_timeout_waits_however_long(conformance: Conformance) -> None:
    """With no timeout, as_completed() waits for a call that finishes much later."""
    delay = conformance.clock(SETTLE)
    with conformance.executor(2) as executor:
        for how in ({}, {"timeout": None}):
            calls = _running(conformance, executor, ["soon", "later"])
            futures = [c.future for c in calls]
            consumer = _Consumer(futures, **how)
            consumer.await_waiting(conformance)
            _finish(conformance, "ASC-2", calls[0])
            _open_later(calls[1].gate, delay)
            consumer.join("ASC-2", delay + conformance.clock(DELIVERY),
                          f"for a call finishing {delay:g}s later")
            consumer.expect_ended("ASC-2", futures)
            got = _positions(consumer.yielded, futures, ordered=True)
            assert got == [0, 1], (
                f"ASC-2: expected {consumer.what} to yield calls [0, 1] as they finished,"
                f" got {got}"
            )


@clause("WAIT-4")
def test_first_completed_called_as_the_call_finishes_returns(conformance: Conformance) -> None:
    """wait(FIRST_COMPLETED) called just after submit(), while the call may be finishing at
    that very moment, returns with the future in done: the wait never misses the finish."""
    with conformance.executor(2) as executor:
        raced = conformance.race(
            executor, lambda future: wait([future], return_when=FIRST_COMPLETED),
            "WAIT-4: wait(return_when=FIRST_COMPLETED) called just after submit()")
    wrong = [i for i, (future, waited) in enumerate(raced) if waited.done != {future}]
    assert not wrong, (
        f"WAIT-4: expected wait(FIRST_COMPLETED) for one call, called just after submit(), to"
        f" return with it in done, got {len(wrong)} of {len(raced)} otherwise (calls"
        f" {wrong[:5]})"
    )


@clause("ASC-2")
def test_as_completed_called_as_the_call_finishes_yields(conformance: Conformance) -> None:
    """as_completed() called just after submit(), while the call may be finishing at that
    very moment, yields the future and stops: it never misses the finish."""
    with conformance.executor(2) as executor:
        raced = conformance.race(executor, lambda future: list(as_completed([future])),
                                 "ASC-2: as_completed() called just after submit()")
    wrong = [i for i, (future, yielded) in enumerate(raced) if yielded != [future]]
    assert not wrong, (
        f"ASC-2: expected as_completed() for one call, called just after submit(), to yield"
        f" it once, got {len(wrong)} of {len(raced)} otherwise (calls {wrong[:5]})"
    )


@clause("ASC-3")
@requires("background")
def test_as_completed_raises_timeout_error_at_its_timeout(conformance: Conformance) -> None:
    """A __next__() still waiting timeout seconds after the call raises TimeoutError."""
    with conformance.executor(3) as executor:
        finished = [executor.submit(tasks.identity, i) for i in range(2)]
        _finished(conformance, "ASC-3", finished)
        (running,) = _running(conformance, executor, ["running"])
        for timeout, count in [(0, 1), (0.05, 0), (0.2, 2)]:
            limit = timeout + conformance.clock(SLACK)
            futures = [*finished[:count], running.future]
            consumer = _Consumer(futures, timeout=timeout)
            consumer.join("ASC-3", limit, f"of its {timeout}s timeout")
            consumer.expect_ended("ASC-3", futures, concurrent.futures.TimeoutError)
            got = _positions(consumer.yielded, futures)
            assert got == list(range(count)), (
                f"ASC-3: expected {consumer.what} to yield the finished calls"
                f" {list(range(count))} before raising, got {got}"
            )
            assert timeout - EARLY <= consumer.elapsed <= limit, (
                f"ASC-3: expected {consumer.what} to raise TimeoutError {timeout}s after the"
                f" call (within {limit:.3g}s), got it after {consumer.elapsed:.4f}s"
            )


@clause("ASC-4")
@requires("background", "bounded_workers", "cancels_pending")
def test_as_completed_yields_cancelled_futures(conformance: Conformance) -> None:
    """A cancelled future is yielded first, or as soon as it is cancelled."""
    with conformance.executor(1) as executor:
        blocker, queued = _queued(conformance, executor, 6)
        # Cancelled before the call: yielded before the timeout (0) runs out.
        _cancel("ASC-4", queued[-1])
        futures = [blocker.future, queued[-1].future]
        consumer = _Consumer(futures, timeout=0)
        consumer.join("ASC-4", conformance.clock(AT_ONCE), "of its 0s timeout")
        consumer.expect_ended("ASC-4", futures, concurrent.futures.TimeoutError)
        got = _positions(consumer.yielded, futures)
        assert got == [1], (
            f"ASC-4: expected {consumer.what} to yield the cancelled call 1 before raising"
            f" TimeoutError for the running call 0, got calls {got} yielded"
        )
        # Cancelled during the iteration: yielded as soon as it is cancelled.
        futures = [queued[-2].future]
        consumer = _Consumer(futures)
        consumer.await_waiting(conformance)
        _cancel("ASC-4", queued[-2])
        consumer.join("ASC-4", conformance.clock(AT_ONCE), "of the cancel of its only future")
    consumer.expect_ended("ASC-4", futures)
    got = _positions(consumer.yielded, futures)
    assert got == [0], f"ASC-4: expected {consumer.what} to yield the cancelled call, got {got}"


@st.composite
def _cancel_schedules(draw: st.DrawFn) -> tuple[int, list[tuple[str, int]], int]:
    """How many calls queue behind a running one (call 0), the cancels (one at least) and
    gate openings in the order they are made, and how many come before as_completed()."""
    queued = draw(st.integers(1, 4))
    cancels = draw(st.sets(st.integers(1, queued), min_size=1))
    actions = [("cancel", i) for i in sorted(cancels)] + [("open", i) for i in range(queued + 1)]
    order = list(draw(st.permutations(actions)))
    return queued, order, draw(st.integers(0, len(order)))


@clause("ASC-5")
@requires("background")
@SCHEDULES
@given(schedule=_cancel_schedules())
@example(schedule=(1, [("cancel", 1), ("open", 0), ("open", 1)], 0))
def test_every_future_is_eventually_yielded(
        conformance: Conformance, schedule: tuple[int, list[tuple[str, int]], int]) -> None:
    """However cancels and finishes interleave, every future, cancelled or not, is yielded."""
    queued, actions, start = schedule
    with conformance.executor(1) as executor:
        calls = _running(conformance, executor, [0])
        calls += [conformance.submit_blocked(executor, i) for i in range(1, queued + 1)]
        futures = [c.future for c in calls]
        consumer = None
        for k, (action, i) in enumerate(actions):
            if k == start:
                consumer = _Consumer(futures)
            if action == "cancel":
                calls[i].future.cancel()
            else:
                calls[i].gate.set()
        if consumer is None:
            consumer = _Consumer(futures)
        consumer.join("ASC-5", conformance.clock(DELIVERY),
                      f"after every gate opened ({actions})")
    consumer.expect_ended("ASC-5", futures)
    got = _positions(consumer.yielded, futures)
    cancelled = [i for i, f in enumerate(futures) if f.cancelled()]
    assert got == list(range(queued + 1)), (
        f"ASC-5: expected {consumer.what} to yield every call once, {list(range(queued + 1))}"
        f" (calls {cancelled} cancelled), got {got}"
    )


@clause("ASC-6")
@requires("background")
def test_as_completed_takes_futures_of_several_executors(conformance: Conformance) -> None:
    """Futures of two executors, given together to as_completed(), are each yielded."""
    with conformance.executor(1) as first, conformance.executor(1) as second:
        finished = [first.submit(tasks.identity, "a"), second.submit(tasks.identity, "b")]
        _finished(conformance, "ASC-6", finished)
        calls = [*_running(conformance, first, ["c"]), *_running(conformance, second, ["d"])]
        futures = [*finished, *(c.future for c in calls)]
        consumer = _Consumer(futures)
        consumer.await_yields(conformance, "ASC-6", 2, conformance.clock(DELIVERY),
                              "of two finished calls")
        _finish(conformance, "ASC-6", *calls)
        consumer.join("ASC-6", conformance.clock(DELIVERY), "after every call finished")
    consumer.expect_ended("ASC-6", futures)
    got = _positions(consumer.yielded, futures)
    assert got == [0, 1, 2, 3], (
        f"ASC-6: expected {consumer.what} to yield calls [0, 1, 2, 3] once each, got {got}"
    )
