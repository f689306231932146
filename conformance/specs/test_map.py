"""Executor.map: results in input order, exceptions in place, the timeout, inputs, closing.

Every result comes through the executor's own map().  Gates decide when each
call finishes, so the order the calls finish in is drawn by Hypothesis and then
played out, never left to chance; a log confirms each call finished before the
next gate opens.  Time appears only in the timeout specs, bounded both ways.
"""

from __future__ import annotations

import gc
import inspect
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent import futures
from functools import partial
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import tasks
from conformance.harness import PROMPT, SETTLE, Conformance, open_later
from conformance.implementation import shutdown_within
from conformance.profiles import spec_settings
from conformance.report import NOT_APPLICABLE
from conformance.specs import clause, requires
from conformance.standalone import map_schedule_script, plain_calls_script, reproducible
from conformance.strategies import values

#: Calls queued behind a busy worker to find how many an executor commits ahead.
FILLERS = 6

#: Calls that must never run in the closing specs, beyond those allowed to.
NEVER = 3


# -- helpers ------------------------------------------------------------------------------


def _map(conformance: Conformance, executor: futures.Executor, fn: Callable[..., Any],
         *iterables: Iterable[Any], **kwargs: Any) -> Iterator[Any]:
    """executor.map(fn, *iterables, **kwargs), bounded: map() itself must not block."""
    iterator: Iterator[Any] = conformance.call(executor.map, fn, *iterables,
                                               what="map()", **kwargs).unwrap()
    return iterator


def _take(iterator: Iterator[Any]) -> Any:
    """next(iterator) in a frame of its own (so when_waiting can see it waiting)."""
    return next(iterator)


def _take_at(iterator: Iterator[Any]) -> tuple[Any, BaseException | None, float]:
    """next(iterator): the value or the exception, and the monotonic time it came."""
    try:
        value = next(iterator)
    except BaseException as exc:
        return None, exc, time.monotonic()
    return value, None, time.monotonic()


class _Consumer:
    """Iterates a map iterator in a thread of its own, so results can arrive while it waits."""

    def __init__(self, iterator: Iterator[Any]) -> None:
        self.values: list[Any] = []
        self.exception: BaseException | None = None
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(iterator,), daemon=True,
                         name="conformance-map-consumer").start()

    def _run(self, iterator: Iterator[Any]) -> None:
        try:
            for value in iterator:
                self.values.append(value)
        except BaseException as exc:
            self.exception = exc
        finally:
            self._done.set()

    def join(self, conformance: Conformance, clause_id: str) -> None:
        budget = conformance.clock(PROMPT)
        if not self._done.wait(budget):
            raise AssertionError(
                f"{clause_id}: expected the iteration to end once every call had finished,"
                f" got it still waiting after {budget:g}s"
            )


def _run_schedule(conformance: Conformance, clause_id: str, outcomes: list[Any],
                  order: list[int], consume_from: int) -> _Consumer:
    """Map over gated calls (one per outcome), finish them in ``order``, and consume.

    The consumer starts after ``consume_from`` calls have finished: the results
    before that are already there when it asks, the rest arrive while it waits.  The
    standalone script replays it (conformance/standalone.py): change the two together.
    """
    n = len(outcomes)
    log = conformance.log()
    started = [conformance.signal() for _ in range(n)]
    gates = [conformance.event() for _ in range(n)]
    bound = conformance.clock(PROMPT * 6)
    with conformance.executor(n, keep=True) as executor:
        iterator = _map(conformance, executor, tasks.finish_gated, started, gates,
                        [bound] * n, range(n), outcomes, [log] * n)
        _await_started(conformance, started)
        consumer = None
        for k, index in enumerate(order):
            if k == consume_from:
                consumer = _Consumer(iterator)
            gates[index].set()
            conformance.wait_until(
                lambda i=index: i in list(log),  # type: ignore[misc]
                f"{clause_id}: expected call {index} to finish once its gate opened, got it"
                " unfinished",
            )
        if consumer is None:
            consumer = _Consumer(iterator)
        del iterator
        consumer.join(conformance, clause_id)
    return consumer


def _await_started(conformance: Conformance, started: list[tasks.Event],
                   count: int | None = None) -> None:
    """Wait (bounded) for the first ``count`` calls (all by default) to start; not
    applicable if they wait for next(), or if a later call starts before them."""
    awaited, later = started[:count], started[len(started) if count is None else count:]
    # Generous: deciding "not applicable" too early on a loaded machine would
    # change the verdict from run to run, and only a lazy map() pays the wait.
    deadline = time.monotonic() + conformance.clock(PROMPT * 3)
    while not all(event.is_set() for event in awaited):
        if any(event.is_set() for event in later):
            pytest.skip(
                f"{NOT_APPLICABLE}a later call started before the first {len(awaited)}: the"
                " executor does not start calls in the order they were submitted (no order"
                " is promised), and this spec needs that order"
            )
        if time.monotonic() > deadline:
            pytest.skip(
                f"{NOT_APPLICABLE}the calls did not start before the first next() (MAP-7),"
                " and this spec needs them running before it iterates"
            )
        time.sleep(0.001)


@st.composite
def _schedules(draw: st.DrawFn, failing: bool) -> tuple[list[Any], list[int], int]:
    """Outcomes of up to four calls (some exceptions when ``failing``), the order they
    finish in, and how many finish before the consumer starts."""
    outcomes: list[Any] = draw(st.lists(values(), min_size=1, max_size=4))
    if failing:
        fail = draw(st.sets(st.integers(0, len(outcomes) - 1), min_size=1))
        outcomes = [LookupError(f"call {i}") if i in fail else v for i, v in enumerate(outcomes)]
    order = draw(st.permutations(range(len(outcomes))))
    return outcomes, list(order), draw(st.integers(0, len(outcomes)))


def _expect_raised_in_place(clause_id: str, outcomes: list[Any], got: list[Any],
                            exception: BaseException | None) -> None:
    """The values before the first failing input, then that input's exception."""
    first = next(i for i, v in enumerate(outcomes) if isinstance(v, BaseException))
    expected = outcomes[first]
    assert got == outcomes[:first], (
        f"{clause_id}: expected the values {outcomes[:first]!r} before call {first}'s"
        f" exception, got {got!r}"
    )
    same = (exception is not None and type(exception) is type(expected)
            and exception.args == expected.args)
    assert same, (
        f"{clause_id}: expected {expected!r} to be raised at position {first}, got"
        f" {exception!r}"
    )


def _committed_ahead(clause_id: str, conformance: Conformance,
                     executor: futures.Executor) -> int:
    """How many calls queued behind the only busy worker this executor reports running.

    Such calls are already handed to a worker: cancel() fails for them, and they
    run even when the map iterator is closed.  Counted once the count has held
    still for a while, then every call is let through.
    """
    (blocker,) = conformance.occupy_all_workers(executor, 1)
    fillers = [conformance.submit_blocked(executor, i) for i in range(FILLERS)]
    count, since = -1, time.monotonic()
    deadline = since + conformance.clock(PROMPT)
    while time.monotonic() < deadline:
        now = sum(f.future.running() for f in fillers)
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= conformance.clock(2 * SETTLE):
            break
        time.sleep(0.001)
    running = [f.value for f in fillers if f.started.is_set()]
    assert not running, (
        f"{clause_id}: expected calls queued behind the only busy worker to wait, got calls"
        f" {running} started (more than max_workers calls at once)"
    )
    for blocked in (blocker, *fillers):
        blocked.gate.set()
    for blocked in (blocker, *fillers):
        conformance.result(blocked.future)
    if count >= FILLERS:
        raise AssertionError(
            f"{clause_id}: expected some of {FILLERS} calls queued behind a busy worker to"
            " stay pending (cancellable), got all reported running (see FUT-1)"
        )
    return count


def _gated_map(conformance: Conformance, executor: futures.Executor, outcomes: list[Any],
               log: Any, **kwargs: Any) -> tuple[Iterator[Any], list[Any], list[Any]]:
    """map() over calls that log their start and wait for their gates: the iterator,
    the start events and the gates."""
    n = len(outcomes)
    started = [conformance.signal() for _ in range(n)]
    gates = [conformance.event() for _ in range(n)]
    iterator = _map(conformance, executor, tasks.gated, started, gates,
                    [conformance.clock(PROMPT * 6)] * n, outcomes, [log] * n, **kwargs)
    return iterator, started, gates


def _started(started: list[Any]) -> set[int]:
    """The calls whose start signal is set (by their place in map()'s input)."""
    return {i for i, event in enumerate(started) if event.is_set()}


def _expect_never_ran(clause_id: str, log: Any, n: int, before: set[int], ahead: int) -> None:
    """Of the calls not started when the iterator stopped (all but ``before``), none ran but
    at most ``ahead``: those the executor hands to its workers ahead of time, which cancel()
    cannot stop, whichever they are (no order of starting is promised)."""
    ran = sorted({i for i in log if isinstance(i, int)} - before)
    assert len(ran) <= ahead, (
        f"{clause_id}: expected calls {sorted(set(range(n)) - before)} (not started when the"
        f" iterator stopped) never to run"
        + (f", but for the {ahead} the executor hands to a worker ahead of time," if ahead
           else ",")
        + f" got {ran} run"
    )


def _expect_exhausted(clause_id: str, conformance: Conformance,
                      iterator: Iterator[Any]) -> None:
    again = conformance.call(_take, iterator, what="next() after the iterator raised")
    assert isinstance(again.exception, StopIteration), (
        f"{clause_id}: expected the iterator to be exhausted (StopIteration), got"
        f" {again.describe()}"
    )


def _timeout(conformance: Conformance, kind: str, seconds: float) -> float:
    """A timeout of about ``seconds`` (scaled), as an int or a float; or 0."""
    if kind == "zero":
        return 0
    if kind == "int":
        return max(1, round(conformance.clock(seconds)))
    return conformance.clock(seconds)


def _sleep_until(moment: float) -> None:
    while (left := moment - time.monotonic()) > 0:
        time.sleep(left)


RESOLUTION = time.get_clock_info("monotonic").resolution + 0.002


# -- order and exceptions -----------------------------------------------------------------


@reproducible(map_schedule_script)
@clause("MAP-1")
@requires("background")
@spec_settings()
@given(schedule=_schedules(failing=False))
def test_results_come_in_input_order(conformance: Conformance,
                                     schedule: tuple[list[Any], list[int], int]) -> None:
    """The iterator yields the results in input order, whatever order the calls finish in."""
    outcomes, order, consume_from = schedule
    consumer = _run_schedule(conformance, "MAP-1", outcomes, order, consume_from)
    assert consumer.exception is None and consumer.values == outcomes, (
        f"MAP-1: expected {outcomes!r} (calls finished in the order {order}), got"
        f" {consumer.values!r}" + (f" then {consumer.exception!r}" if consumer.exception
                                   else "")
    )


@reproducible(map_schedule_script)
@clause("MAP-2")
@requires("background")
@spec_settings()
@given(schedule=_schedules(failing=True))
def test_exception_is_raised_at_its_position(conformance: Conformance,
                                             schedule: tuple[list[Any], list[int], int]) -> None:
    """A call's exception is raised when its position is reached, after the earlier values."""
    outcomes, order, consume_from = schedule
    consumer = _run_schedule(conformance, "MAP-2", outcomes, order, consume_from)
    _expect_raised_in_place("MAP-2", outcomes, consumer.values, consumer.exception)


# -- inputs -------------------------------------------------------------------------------


def _as_kind(items: list[Any], kind: str) -> Iterable[Any]:
    if kind == "tuple":
        return tuple(items)
    if kind == "generator":
        return (item for item in items)
    return list(items)


KINDS = st.sampled_from(["list", "tuple", "generator"])


@reproducible(plain_calls_script)
@clause("MAP-3")
@spec_settings()
@given(inputs=st.lists(st.tuples(st.lists(st.integers(), max_size=5), KINDS),
                       min_size=1, max_size=3),
       max_workers=st.integers(1, 3))
def test_several_iterables_go_in_step(conformance: Conformance,
                                      inputs: list[tuple[list[int], str]],
                                      max_workers: int) -> None:
    """fn gets one item of each iterable, and the calls stop with the shortest one."""
    iterables = [_as_kind(items, kind) for items, kind in inputs]
    expected: list[Any] = [(args, {}) for args in zip(*(i for i, _ in inputs))]
    with conformance.executor(max_workers, keep=True) as executor:
        iterator = _map(conformance, executor, tasks.echo, *iterables)
        got = conformance.call(list, iterator, what="iterating map()").unwrap()
    assert got == expected, (
        f"MAP-3: expected the calls to get {[args for args, _ in expected]!r}, got"
        f" {got!r}"
    )


@clause("MAP-3")
@pytest.mark.parametrize("endless", ["first", "second"])
def test_endless_iterable_stops_with_the_shortest(conformance: Conformance,
                                                  endless: str) -> None:
    """Beside a short iterable, a very long one is drawn no further than the builtin map()
    draws it, and the calls stop with the short one."""
    drawn: list[int] = []

    def counting() -> Iterator[int]:
        # Endless as far as map() can tell; it ends, so that a map() that tries to draw it
        # all fails in this spec instead of filling the memory for as long as the run lasts.
        for n in range(10_000):
            drawn.append(n)
            yield n

    short = ["a", "b", "c"]
    iterables = [counting(), short] if endless == "first" else [short, counting()]
    expected: list[Any] = [((n, item) if endless == "first" else (item, n), {})
                          for n, item in enumerate(short)]
    with conformance.executor(2) as executor:
        iterator = conformance.call(executor.map, tasks.echo, *iterables,
                                    what=f"map() over a short and an endless iterable"
                                         f" (endless {endless})").unwrap()
        got = conformance.call(list, iterator, what="iterating map()").unwrap()
    assert got == expected, (
        f"MAP-3: expected the calls to get {[args for args, _ in expected]!r}, got {got!r}"
    )
    assert len(drawn) <= len(short) + 1, (
        f"MAP-3: expected the long iterable to be drawn at most {len(short) + 1} times,"
        f" as the builtin map() draws it, got {len(drawn)}"
    )


@clause("MAP-4")
@pytest.mark.parametrize("shape", ["list", "generator", "several", "several-one-empty"])
def test_empty_input_gives_empty_iterator(conformance: Conformance, shape: str) -> None:
    """An empty input gives an iterator that ends at once, and fn is never called."""
    log = conformance.log()
    with conformance.executor() as executor:
        if shape in ("list", "generator"):
            fn: Callable[..., Any] = partial(tasks.record, log)
            iterables: list[Iterable[Any]] = [_as_kind([], shape)]
        else:
            fn = tasks.record
            iterables = [[log, log], []] if shape == "several-one-empty" else [[], []]
        iterator = _map(conformance, executor, fn, *iterables)
        first = conformance.call(_take, iterator, what="next()")
    assert isinstance(first.exception, StopIteration), (
        f"MAP-4: expected StopIteration from the first next(), got {first.describe()}"
    )
    ran = list(log)
    assert not ran, f"MAP-4: expected fn never to be called, got calls for {ran!r}"


@clause("MAP-5")
@pytest.mark.parametrize("lengths", [(5,), (3, 5), (5, 3), (4, 4)])
def test_iterables_are_collected_before_map_returns(conformance: Conformance,
                                                    lengths: tuple[int, ...]) -> None:
    """map() draws every input item, up to the shortest iterable's end, before it returns."""
    drawn: list[list[int]] = [[] for _ in lengths]

    def source(k: int, length: int) -> Generator[int, None, None]:
        for item in range(length):
            drawn[k].append(item)
            yield item

    generators = [source(k, length) for k, length in enumerate(lengths)]
    shortest = min(lengths)
    with conformance.executor() as executor:
        iterator = _map(conformance, executor, tasks.echo, *generators)
        at_return = [len(items) for items in drawn]
        finished = [inspect.getgeneratorstate(g) == inspect.GEN_CLOSED for g in generators]
        conformance.call(list, iterator, what="iterating map()")
    assert all(count >= shortest for count in at_return) and any(finished), (
        f"MAP-5: expected map() to have drawn at least {shortest} items of each of its"
        f" generators, one of them to its end, before returning; got {at_return} drawn"
        f" (ended: {finished})"
    )


@clause("MAP-6")
def test_error_in_collecting_is_raised_by_map(conformance: Conformance) -> None:
    """An exception raised by an input iterable while map() collects it comes out of map()."""

    def failing_source() -> Iterator[int]:
        yield 1
        yield 2
        raise LookupError("input")

    with conformance.executor() as executor:
        outcome = conformance.call(executor.map, tasks.identity, failing_source(),
                                   what="map()")
        if outcome.exception is None:
            conformance.call(list, outcome.value, what="iterating map()")
    assert isinstance(outcome.exception, LookupError), (
        f"MAP-6: expected map() to raise the input's LookupError('input'), got"
        f" {outcome.describe()}"
    )


@clause("MAP-7")
@requires("background")
def test_calls_start_without_iterating(conformance: Conformance) -> None:
    """map() submits the calls: they start with no next() on the iterator."""
    log = conformance.log()
    with conformance.executor(3) as executor:
        iterator, started, _ = _gated_map(conformance, executor, [0, 1, 2], log)
        budget = conformance.clock(PROMPT)
        deadline = time.monotonic() + budget
        waiting = [i for i, event in enumerate(started)
                   if not event.wait(max(0.0, deadline - time.monotonic()))]
        assert not waiting, (
            f"MAP-7: expected all three calls to start with no next() on the iterator, got"
            f" calls {waiting} not started after {budget:g}s, three workers being free"
        )
        del iterator


# -- chunksize ----------------------------------------------------------------------------


@reproducible(plain_calls_script)
@clause("MAP-8")
@spec_settings()
@given(inputs=st.lists(st.lists(values(), max_size=7), min_size=1, max_size=2),
       chunksize=st.integers(1, 5), max_workers=st.integers(1, 2))
def test_chunksize_changes_no_values(conformance: Conformance, inputs: list[list[Any]],
                                     chunksize: int, max_workers: int) -> None:
    """Every executor accepts chunksize, and the values and their order stay the same."""
    expected: list[Any] = [(args, {}) for args in zip(*inputs)]
    with conformance.executor(max_workers, keep=True) as executor:
        outcome = conformance.call(executor.map, tasks.echo, *inputs, chunksize=chunksize,
                                   what=f"map(..., chunksize={chunksize})")
        assert outcome.exception is None, (
            f"MAP-8: expected map() to accept chunksize={chunksize}, got {outcome.describe()}"
        )
        got = conformance.call(list, outcome.value, what="iterating map()").unwrap()
    assert got == expected, (
        f"MAP-8: expected {expected!r} with chunksize={chunksize}, got {got!r}"
    )


@clause("MAP-9")
@spec_settings()
@given(data=st.data(), chunksize=st.integers(2, 4), max_workers=st.integers(1, 2))
def test_chunksize_keeps_exceptions_in_place(conformance: Conformance, data: st.DataObject,
                                             chunksize: int, max_workers: int) -> None:
    """With any chunksize, a call's exception comes at its position, after the earlier values."""
    items = data.draw(st.lists(st.integers(), min_size=2, max_size=8))
    fail = data.draw(st.sets(st.integers(0, len(items) - 1), min_size=1))
    outcomes = [LookupError(f"call {i}") if i in fail else v for i, v in enumerate(items)]
    with conformance.executor(max_workers, keep=True) as executor:
        _expect_chunks_raise_in_place(conformance, executor, outcomes, chunksize)


def _expect_chunks_raise_in_place(conformance: Conformance, executor: futures.Executor,
                                  outcomes: list[Any], chunksize: int) -> None:
    """map() over calls giving ``outcomes``, in chunks, yields the values up to the first
    exception and then raises it (MAP-9)."""
    mapped = conformance.call(executor.map, tasks.outcome, outcomes, chunksize=chunksize,
                              what=f"map(..., chunksize={chunksize})")
    assert mapped.exception is None, (
        f"MAP-9: expected map() to accept chunksize={chunksize}, got {mapped.describe()}"
    )
    got: list[Any] = []
    exception = None
    for _ in outcomes:
        step = conformance.call(_take, mapped.value, what="next()")
        if step.exception is not None:
            exception = step.exception
            break
        got.append(step.value)
    _expect_raised_in_place("MAP-9", outcomes, got, exception)


@clause("MAP-9")
@pytest.mark.parametrize("chunksize", [2, 3])
def test_chunksize_keeps_base_exceptions_in_place(conformance: Conformance,
                                                  chunksize: int) -> None:
    """A call raising a BaseException that is not an Exception, inside a chunk, still comes
    at its position, after the values of the calls before it in that chunk."""
    # Second in the second chunk: an exception that opens its chunk shows nothing.
    outcomes: list[Any] = list(range(2 * chunksize))
    outcomes[chunksize + 1] = KeyboardInterrupt(f"call {chunksize + 1}")
    with conformance.executor(1) as executor:
        _expect_chunks_raise_in_place(conformance, executor, outcomes, chunksize)


# -- timeout ------------------------------------------------------------------------------

TIMEOUT_KINDS = ["int", "float"]


@clause("MAP-10")
@requires("background")
@pytest.mark.parametrize("kind", TIMEOUT_KINDS)
def test_timeout_is_not_early(conformance: Conformance, kind: str) -> None:
    """TimeoutError comes no sooner than timeout seconds after the call to map()."""
    timeout = _timeout(conformance, kind, 0.3)
    with conformance.executor(1) as executor:
        before_map = time.monotonic()
        iterator, _, _ = _gated_map(conformance, executor, ["value"], None, timeout=timeout)
        _, exception, when = conformance.call(_take_at, iterator, what="next()").unwrap()
    assert isinstance(exception, futures.TimeoutError), (
        f"MAP-10: expected TimeoutError for a call still running, got {exception!r}"
    )
    elapsed = when - before_map
    assert elapsed >= timeout - RESOLUTION, (
        f"MAP-10: expected TimeoutError no sooner than {timeout!r}s after map(), got it"
        f" after {elapsed:.3f}s"
    )


@clause("MAP-11")
@requires("background")
# timeout=0 is a timeout too: `timeout or None` would make it wait for ever; and a chunksize
# changes nothing about the timeout (MAP-8), though chunks often take a path of their own.
@pytest.mark.parametrize("kind", [*TIMEOUT_KINDS, "zero", "chunked"])
def test_timeout_does_not_overrun(conformance: Conformance, kind: str) -> None:
    """TimeoutError comes soon after timeout seconds from the call to map(), with or
    without a chunksize."""
    timeout = _timeout(conformance, kind, 0.3)
    slack = conformance.clock(2.0)
    options = {"chunksize": 2} if kind == "chunked" else {}
    with conformance.executor(1) as executor:
        iterator, _, _ = _gated_map(conformance, executor, ["value"], None, timeout=timeout,
                                    **options)
        after_map = time.monotonic()
        _, exception, when = conformance.call(_take_at, iterator, what="next()").unwrap()
    assert isinstance(exception, futures.TimeoutError), (
        f"MAP-11: expected TimeoutError for a call still running, got {exception!r}"
    )
    elapsed = when - after_map
    assert elapsed <= timeout + slack, (
        f"MAP-11: expected TimeoutError within {timeout + slack:g}s of map() (timeout"
        f" {timeout!r}), got it after {elapsed:.3f}s"
    )


@clause("MAP-12")
@pytest.mark.parametrize("late", ["first next()", "second next()"])
def test_timeout_counts_from_map(conformance: Conformance, late: str) -> None:
    """next() called once the timeout has run out since map() raises TimeoutError at once,
    for the first result as for a later one: one deadline for the whole iterator, counted
    from map(), not from the first next() nor afresh for each result."""
    # A float only: MAP-10 and MAP-11 hold an int timeout to seconds, and here an int
    # would cost a whole second of waiting more.
    timeout = _timeout(conformance, "float", 1.0)
    with conformance.executor(1) as executor:
        iterator, _, gates = _gated_map(conformance, executor, ["first", "second"], None,
                                        timeout=timeout)
        deadline = time.monotonic() + timeout
        if late == "second next()":
            # The first result comes well within the timeout, while next() waits for it.
            first = conformance.call(_take, iterator, what="next()",
                                     when_waiting=gates[0].set)
            assert first.exception is None and first.value == "first", (
                f"MAP-12: expected the first result, let finish at once, got"
                f" {first.describe()}"
            )
        _sleep_until(deadline)
        outcome = conformance.call(_take, iterator, what="next()")
    which = "the first result" if late == "first next()" else "the second result"
    assert isinstance(outcome.exception, futures.TimeoutError), (
        f"MAP-12: expected TimeoutError for {which}, still running, the timeout having run"
        f" out since map(), got {outcome.describe()}"
    )
    assert outcome.elapsed < timeout / 2, (
        f"MAP-12: expected TimeoutError for {which} at once, {timeout!r}s having passed"
        f" since map(), got it after {outcome.elapsed:.3f}s more (the timeout counted from"
        f" {'the first next()' if late == 'first next()' else 'next(), afresh for each result'}?)"
    )


@clause("MAP-13")
@pytest.mark.parametrize("kind", TIMEOUT_KINDS)
def test_results_already_there_beat_the_timeout(conformance: Conformance, kind: str) -> None:
    """Results already there are yielded even once the timeout has run out."""
    timeout = 0 if kind == "int" else conformance.clock(0.05)
    log = conformance.log()
    expected = ["a", "b", "c"]
    executor = conformance.implementation.factory(max_workers=2)
    try:
        iterator = _map(conformance, executor, tasks.record, [log] * 3, expected,
                        timeout=timeout)
        after_map = time.monotonic()
        try:
            conformance.wait_until(lambda: len(list(log)) == 3, "")
        except AssertionError:
            pytest.skip(f"{NOT_APPLICABLE}the calls did not run before the first next()"
                        " (MAP-7), and this spec lets them finish before it iterates")
    finally:
        # shutdown(wait=True) returns once every call is done: the results are there.
        stopped = shutdown_within(executor, conformance.clock(PROMPT), wait=True)
    assert stopped, "shutdown(wait=True) did not return: the executor is stuck"
    _sleep_until(after_map + timeout)
    got = conformance.call(list, iterator, what="iterating map()")
    assert got.exception is None and got.value == expected, (
        f"MAP-13: expected {expected!r} (all finished, timeout {timeout!r} run out), got"
        f" {got.describe()}"
    )


@clause("MAP-13")
@requires("background")
@pytest.mark.parametrize("kind", TIMEOUT_KINDS)
def test_result_arriving_within_timeout_is_yielded(conformance: Conformance,
                                                    kind: str) -> None:
    """A result that arrives while next() waits, within the timeout, is yielded."""
    timeout = _timeout(conformance, kind, PROMPT)
    with conformance.executor(1) as executor:
        iterator, _, gates = _gated_map(conformance, executor, ["value"], None,
                                        timeout=timeout)
        outcome = conformance.call(_take, iterator, what="next()", when_waiting=gates[0].set)
    assert outcome.exception is None and outcome.value == "value", (
        f"MAP-13: expected 'value' (arriving within timeout {timeout!r}), got"
        f" {outcome.describe()}"
    )


# -- what becomes of the other calls ------------------------------------------------------

STOPS = ["close", "drop"]


@clause("MAP-14")
@requires("background", "bounded_workers", "cancels_pending")
@pytest.mark.parametrize("how", STOPS)
def test_closing_cancels_calls_not_started(conformance: Conformance, how: str) -> None:
    """Closing the iterator after a result cancels the calls that have not started."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        ahead = _committed_ahead("MAP-14", conformance, executor)
        n = 2 + ahead + NEVER
        iterator, started, gates = _gated_map(conformance, executor, list(range(n)), log)
        gates[0].set()
        _await_started(conformance, started, 2)
        first = conformance.call(_take, iterator, what="next()").unwrap()
        assert first == 0, f"MAP-14: expected the first result 0, got {first!r}"
        if how == "close":
            close = getattr(iterator, "close", None)
            if close is None:
                pytest.skip(f"{NOT_APPLICABLE}the iterator map() returns has no close()")
            conformance.call(close, what="close()")
        else:
            del iterator
            gc.collect()
        before = _started(started)
    # Every gate is open and the executor shut down: whatever was not cancelled has run.
    _expect_never_ran("MAP-14", log, n, before, ahead)


@clause("MAP-15")
@requires("background", "bounded_workers", "cancels_pending")
def test_exception_ends_the_iterator(conformance: Conformance) -> None:
    """After a call's exception is raised, the iterator is exhausted and the calls not
    started never run."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        ahead = _committed_ahead("MAP-15", conformance, executor)
        n = 2 + ahead + NEVER
        outcomes: list[Any] = [LookupError("call 0"), *range(1, n)]
        iterator, started, gates = _gated_map(conformance, executor, outcomes, log)
        gates[0].set()
        _await_started(conformance, started, 2)
        raised = conformance.call(_take, iterator, what="next()")
        before = _started(started)
        assert isinstance(raised.exception, LookupError), (
            f"MAP-15: expected call 0's LookupError, got {raised.describe()}"
        )
        _expect_exhausted("MAP-15", conformance, iterator)
    _expect_never_ran("MAP-15", log, n, before, ahead)


@clause("MAP-16")
@requires("background", "bounded_workers", "cancels_pending")
# Call 0 queued: the call next() gave up on must be cancelled too, not only those after it.
@pytest.mark.parametrize("call_0", ["running", "queued"])
def test_timeout_ends_the_iterator(conformance: Conformance, call_0: str) -> None:
    """After TimeoutError, the iterator is exhausted and the calls not started never run."""
    log = conformance.log()
    with conformance.executor(1) as executor:
        ahead = _committed_ahead("MAP-16", conformance, executor)
        may_run = ahead + (1 if call_0 == "running" else 0)
        if call_0 == "queued":
            conformance.occupy_all_workers(executor, 1)  # a call of its own, not map()'s
        n = may_run + NEVER
        iterator, started, _ = _gated_map(conformance, executor, list(range(n)), log,
                                          timeout=conformance.clock(0.2))
        if call_0 == "running":
            _await_started(conformance, started, 1)
        raised = conformance.call(_take, iterator, what="next()")
        before = _started(started)
        assert isinstance(raised.exception, futures.TimeoutError), (
            f"MAP-16: expected TimeoutError, call 0 still {call_0}, got {raised.describe()}"
        )
        _expect_exhausted("MAP-16", conformance, iterator)
    _expect_never_ran("MAP-16", log, n, before, ahead)


# -- buffersize (Python 3.14) -------------------------------------------------------------

#: buffersize values that are neither None nor a positive int, and what map() raises.
BAD_BUFFERSIZES: list[tuple[Any, type[Exception]]] = [
    (0, ValueError), (-1, ValueError), (2.0, TypeError), ("2", TypeError),
]


def _counted(drawn: list[int], items: Iterable[Any]) -> Iterator[Any]:
    """Yield the items, appending to ``drawn`` as each one is drawn."""
    for item in items:
        drawn.append(len(drawn))
        yield item


@clause("MAP-21")
@requires("background")
@pytest.mark.parametrize("timeout", ["omitted", None])
def test_no_timeout_waits_for_the_result(conformance: Conformance, timeout: str | None) -> None:
    """Without a timeout, the iterator waits for a result however long the call takes."""
    delay = conformance.clock(SETTLE)
    gate = conformance.event()
    options: dict[str, Any] = {} if timeout == "omitted" else {"timeout": None}
    with conformance.executor(1) as executor:
        results = executor.map(tasks.gated, [conformance.signal()], [gate],
                               [conformance.clock(PROMPT * 6)], ["value"], **options)

        def take_next() -> Any:
            return next(results)

        outcome = conformance.call(take_next, what="next() of the map iterator",
                                   bound=delay + conformance.clock(PROMPT),
                                   when_waiting=open_later(gate, delay))
    assert outcome.exception is None and outcome.value == "value", (
        f"MAP-21: expected next() to wait for the call and give 'value', got"
        f" {outcome.describe()} after {outcome.elapsed:.3f}s"
    )


@clause("MAP-17")
@pytest.mark.parametrize(("buffersize", "error"), BAD_BUFFERSIZES,
                         ids=[repr(b) for b, _ in BAD_BUFFERSIZES])
def test_bad_buffersize_is_refused(conformance: Conformance, buffersize: Any,
                                   error: type[Exception]) -> None:
    """map() raises ValueError for a buffersize below 1 and TypeError for one that is not
    an int, and submits no call."""
    log = conformance.log()
    with conformance.executor() as executor:
        outcome = conformance.call(executor.map, tasks.record, [log] * 3, [0, 1, 2],
                                   buffersize=buffersize,
                                   what=f"map(..., buffersize={buffersize!r})")
        if outcome.exception is None:
            conformance.call(list, outcome.value, what="iterating map()")
    # The executor is shut down: every call map() submitted has run.
    ran = list(log)
    assert isinstance(outcome.exception, error), (
        f"MAP-17: expected map(..., buffersize={buffersize!r}) to raise {error.__name__},"
        f" got {'an iterator' if outcome.exception is None else outcome.describe()}"
    )
    assert not ran, (
        f"MAP-17: expected no call submitted by map(..., buffersize={buffersize!r}), got"
        f" calls for {ran!r} run"
    )


@clause("MAP-18")
def test_buffered_map_gives_values_and_exceptions_in_place(conformance: Conformance) -> None:
    """With any buffersize, the values come in input order, the calls stop with the
    shortest iterable, and a call's exception comes at its own position."""
    outcomes: list[Any] = [0, "one", [2], LookupError("call 3"), 4, LookupError("call 5")]
    with conformance.executor(2) as executor:
        for buffersize in (1, 2, 3, 10):
            iterator = _map(conformance, executor, tasks.echo, range(7), "abcde",
                            buffersize=buffersize)
            got = conformance.call(list, iterator, what="iterating map()")
            expected: list[Any] = [((i, c), {})
                                   for i, c in zip(range(7), "abcde")]
            assert got.exception is None and got.value == expected, (
                f"MAP-18: expected {expected!r} with buffersize={buffersize}, got"
                f" {got.describe()}"
            )
            iterator = _map(conformance, executor, tasks.outcome, outcomes,
                            buffersize=buffersize)
            values: list[Any] = []
            exception = None
            for _ in outcomes:
                step = conformance.call(_take, iterator, what="next()")
                if step.exception is not None:
                    exception = step.exception
                    break
                values.append(step.value)
            try:
                _expect_raised_in_place("MAP-18", outcomes, values, exception)
            except AssertionError as failure:
                raise AssertionError(f"{failure} (buffersize={buffersize})") from None


@clause("MAP-18")
@requires("background")
@pytest.mark.parametrize("buffersize", [2, 3])
def test_buffered_map_waits_for_a_late_first_call(conformance: Conformance,
                                                  buffersize: int) -> None:
    """With a buffersize, a first call that finishes after the later ones still gives the
    first value."""
    n = buffersize + 3
    log = conformance.log()
    started, late, opened = conformance.signal(), conformance.event(), conformance.event()
    opened.set()
    bound = conformance.clock(PROMPT * 6)
    with conformance.executor(2) as executor:
        iterator = _map(conformance, executor, tasks.finish_gated, [started] * n,
                        [late] + [opened] * (n - 1), [bound] * n, range(n),
                        [f"value {i}" for i in range(n)], [log] * n, buffersize=buffersize)
        # The calls submitted before the first next(), but the first, finish first.
        conformance.wait_until(
            lambda: set(range(1, buffersize)) <= set(log),
            f"MAP-18: expected calls 1 to {buffersize - 1} to finish while call 0 waited, got"
            " them unfinished",
        )
        late.set()
        got = conformance.call(list, iterator, what="iterating map()")
    expected = [f"value {i}" for i in range(n)]
    assert got.exception is None and got.value == expected, (
        f"MAP-18: expected {expected!r} (buffersize={buffersize}, call 0 finishing last of"
        f" the first {buffersize}), got {got.describe()}"
    )


@clause("MAP-19")
@pytest.mark.parametrize("buffersize", [1, 2, 5])
def test_buffersize_limits_the_items_drawn(conformance: Conformance, buffersize: int) -> None:
    """With buffersize=b, map() draws at most b items before returning, and at most b beyond
    the results yielded between two next() calls."""
    n = buffersize + 6
    drawn: list[int] = []
    ahead: list[int] = []
    values: list[Any] = []
    with conformance.executor(2) as executor:
        iterator = _map(conformance, executor, tasks.identity, _counted(drawn, range(n)),
                        buffersize=buffersize)
        ahead.append(len(drawn))
        for _ in range(n):
            step = conformance.call(_take, iterator, what="next()")
            if step.exception is not None:
                break
            values.append(step.value)
            ahead.append(len(drawn) - len(values))
    assert ahead[0] <= buffersize, (
        f"MAP-19: expected map(..., buffersize={buffersize}) to draw at most {buffersize}"
        f" items before returning, got {ahead[0]} drawn"
    )
    assert max(ahead) <= buffersize, (
        f"MAP-19: expected at most {buffersize} items drawn beyond the results yielded,"
        f" got {ahead} drawn ahead after 0, 1, 2... results"
    )
    assert values == list(range(n)), (
        f"MAP-19: expected every result {list(range(n))} in order, got {values}"
    )


@clause("MAP-20")
@requires("background")
@pytest.mark.parametrize("buffersize", [1, 2, 3])
def test_buffersize_holds_while_next_waits(conformance: Conformance, buffersize: int) -> None:
    """With buffersize=b, while next() waits for the first result, no more than b items
    have been drawn."""
    n = buffersize + 3
    drawn: list[int] = []
    seen: list[int] = []
    started, gate = conformance.signal(), conformance.event()
    bound = conformance.clock(PROMPT * 6)

    def watch_then_open() -> None:
        # next() has been entered: watch what it draws while call 0 cannot finish.
        deadline = time.monotonic() + conformance.clock(SETTLE)
        while time.monotonic() < deadline:
            seen.append(len(drawn))
            time.sleep(0.001)
        gate.set()

    with conformance.executor(1) as executor:
        iterator = _map(conformance, executor, tasks.gated, _counted(drawn, [started] * n),
                        [gate] * n, [bound] * n, range(n), buffersize=buffersize)
        first = conformance.call(_take, iterator, what="next()", when_waiting=watch_then_open)
        rest = conformance.call(list, iterator, what="iterating map()")
    assert max(seen, default=0) <= buffersize, (
        f"MAP-20: expected at most {buffersize} items drawn while next() waited for the"
        f" first result, got {max(seen)} drawn (buffersize={buffersize})"
    )
    got = [first.value, *(rest.value or [])] if first.exception is None else first.describe()
    assert got == list(range(n)), f"MAP-20: expected {list(range(n))}, got {got!r}"
