"""Executor.submit: what it returns and how it calls the callable."""

from __future__ import annotations

import gc
from collections import Counter
from concurrent.futures import Future
from functools import partial
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from conformance import tasks
from conformance.harness import PROMPT, Conformance
from conformance.implementation import PROBED
from conformance.profiles import spec_settings
from conformance.specs import clause, eventually, requires
from conformance.standalone import plain_calls_script, reproducible
from conformance.strategies import values


@clause("SUB-1")
def test_submit_returns_a_future(conformance: Conformance) -> None:
    """submit() returns a concurrent.futures.Future."""
    with conformance.executor() as executor:
        future = executor.submit(tasks.identity, 1)
        assert isinstance(future, Future), (
            "SUB-1: expected a concurrent.futures.Future (an instance of that class or of a"
            f" subclass), got {type(future).__module__}.{type(future).__qualname__}"
        )


@reproducible(plain_calls_script)
@clause("SUB-2")
@spec_settings()
@given(args=st.lists(values(), max_size=4), kwargs=st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), values(), max_size=4))
def test_call_gets_exactly_the_arguments(conformance: Conformance, args: list[Any],
                                         kwargs: dict[str, Any]) -> None:
    """The call runs as fn(*args, **kwargs)."""
    with conformance.executor(keep=True) as executor:
        got = conformance.result(executor.submit(tasks.echo, *args, **kwargs))
    assert got == (tuple(args), kwargs), (
        f"SUB-2: expected the call to receive {(tuple(args), kwargs)!r}, got {got!r}"
    )


#: Keywords that executors with options of their own tend to take for themselves, and the
#: parameter names of the wrappers they run calls through.
OPTION_LIKE = {"key": 1, "pure": 2, "priority": 3, "timeout": 4, "retries": 5, "workers": 6,
               "callback": 7, "args": 8, "kwargs": 9, "func": 10, "function": 11, "self": 12,
               "cls": 13, "target": 14, "task": 15, "future": 16, "executor": 17}


@clause("SUB-2")
def test_option_like_keywords_reach_the_call(conformance: Conformance) -> None:
    """Keywords named like an executor's options (key, timeout, ...) go to the call too."""
    with conformance.executor() as executor:
        try:
            future = executor.submit(tasks.echo, 1, **OPTION_LIKE)
        except TypeError as exc:  # a keyword taken for one of submit()'s own parameters
            raise AssertionError(f"SUB-2: expected submit() to pass the keywords"
                                 f" {sorted(OPTION_LIKE)} to the call, got {exc!r}") from None
        got = conformance.result(future)
    assert got == ((1,), OPTION_LIKE), (
        f"SUB-2: expected the call to receive {((1,), OPTION_LIKE)!r}, got {got!r}"
    )


@clause("SUB-2")
def test_any_callable_is_called_with_the_arguments(conformance: Conformance) -> None:
    """fn may be any callable, not only a function: a partial, a builtin, a callable object
    or a bound method is called with the arguments given."""
    calls: dict[str, tuple[Any, Any]] = {
        "a functools.partial": (partial(tasks.echo, 1, k="p"), ((1, 2), {"k": "p"})),
        "the builtin pow": (pow, 81),
        "a callable object": (tasks.Tagged("object"), ("object", (2,), {})),
        "a bound method": (tasks.Tagged("method").method, ("method", (2,))),
    }
    with conformance.executor() as executor:
        futures = {name: executor.submit(fn, *((3, 4) if fn is pow else (2,)))
                   for name, (fn, _) in calls.items()}
        got = {name: conformance.call(future.result, what=f"result() of {name}")
               for name, future in futures.items()}
    wrong = {name: outcome.describe() for name, outcome in got.items()
             if outcome.exception is not None or outcome.value != calls[name][1]}
    assert not wrong, (
        f"SUB-2: expected each callable to be called with its arguments, got {wrong}"
        f" (expected {({name: expected for name, (_, expected) in calls.items()})})"
    )


@clause("SUB-3")
def test_keyword_named_fn_reaches_the_call(conformance: Conformance) -> None:
    """A keyword argument called fn goes to the call, not to submit()."""
    with conformance.executor() as executor:
        future = executor.submit(tasks.echo, 1, fn="keyword")
        got = conformance.result(future)
    assert got == ((1,), {"fn": "keyword"}), (
        f"SUB-3: expected the call to receive ((1,), {{'fn': 'keyword'}}), got {got!r}"
    )


@clause("SUB-4")
def test_each_submit_returns_a_new_future(conformance: Conformance) -> None:
    """Two submits of the same call give two futures."""
    with conformance.executor() as executor:
        first = executor.submit(tasks.identity, 1)
        second = executor.submit(tasks.identity, 1)
        assert first is not second, "SUB-4: expected two distinct futures, got the same one"
        assert conformance.result(first) == conformance.result(second) == 1


def _identical_unfinished_calls(conformance: Conformance, times: int
                                ) -> tuple[list[Future[Any]], list[Any], list[Any]]:
    """Submit one gated call, with the very same arguments, ``times`` times, all before
    its gate opens (so every earlier one is unfinished); then open the gate. The futures,
    their results and the runs logged."""
    log = conformance.log()
    started, gate = conformance.signal(), conformance.event()
    bound = conformance.clock(PROMPT * 6)
    with conformance.executor() as executor:
        futures = [executor.submit(tasks.gated, started, gate, bound, "same", log)
                   for _ in range(times)]
        gate.set()
        results = [conformance.result(f) for f in futures]
    return futures, results, list(log)


@clause("SUB-4")
@requires("background")
def test_identical_unfinished_calls_get_futures_of_their_own(conformance: Conformance
                                                             ) -> None:
    """Submitting a call again while the same call (same function, same arguments) is still
    unfinished gives a new future, not the unfinished one's."""
    futures, _, _ = _identical_unfinished_calls(conformance, 3)
    distinct = len({id(future) for future in futures})
    assert distinct == 3, (
        "SUB-4: expected three submits of the same call, made while the first was"
        f" unfinished, to give three futures, got {distinct}"
    )


@clause("SUB-5")
@requires("background")
def test_identical_unfinished_calls_each_run(conformance: Conformance) -> None:
    """Submitting a call again while the same call is still unfinished runs it again: each
    submit is a call of its own, however alike they are."""
    _, results, ran = _identical_unfinished_calls(conformance, 3)
    assert results == ["same"] * 3, f"SUB-5: expected 'same' from each future, got {results!r}"
    assert ran == ["same"] * 3, (
        "SUB-5: expected three submits of the same call, made while the first was"
        f" unfinished, to run three times, got {len(ran)} run(s)"
    )


@reproducible(plain_calls_script)
@clause("SUB-5")
@spec_settings()
@given(items=st.lists(st.integers(), max_size=40), max_workers=st.integers(1, 4))
# Always tried, whatever the profile: a long queue, which drawn examples seldom build, and
# where an executor that drops, merges or sheds every n-th call shows it.
@example(items=list(range(40)), max_workers=1)
def test_every_call_runs_exactly_once(conformance: Conformance, items: list[int],
                                      max_workers: int) -> None:
    """Every submitted call runs once, and each future gives its own call's result."""
    log = conformance.log()
    with conformance.executor(max_workers, keep=True) as executor:
        futures = [executor.submit(tasks.record, log, (i, item)) for i, item in enumerate(items)]
        results = [conformance.result(f) for f in futures]
    expected = list(enumerate(items))
    wrong = [f"call {i} gave {got!r}" for i, got in enumerate(results) if got != expected[i]]
    assert not wrong, (
        f"SUB-5: expected each of {len(items)} futures to give its own call's (index, item),"
        f" got {'; '.join(wrong[:5])}" + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
    )
    runs = Counter(list(log))
    odd = [f"call {i} ran {runs[call]} times" for i, call in enumerate(expected) if runs[call] != 1]
    assert not odd, (
        f"SUB-5: expected each of {len(items)} calls to run once, got {'; '.join(odd[:5])}"
        + (f" and {len(odd) - 5} more" if len(odd) > 5 else "")
    )


@clause("SUB-5")
def test_identical_calls_each_run(conformance: Conformance) -> None:
    """Submitting the same call with the same arguments several times runs it each time."""
    log = conformance.log()
    with conformance.executor() as executor:
        futures = [executor.submit(tasks.record, log, "same") for _ in range(3)]
        results = [conformance.result(f) for f in futures]
    assert results == ["same"] * 3, f"SUB-5: expected 'same' from each future, got {results!r}"
    ran = list(log)
    assert ran == ["same"] * 3, (
        f"SUB-5: expected three identical submits to run three times, got {len(ran)} runs"
    )


@clause("SUB-5")
@requires("background")
def test_calls_run_though_their_futures_are_dropped(conformance: Conformance) -> None:
    """A call runs though its caller kept no reference to its future: submit() schedules the
    call, and nothing says that dropping the future unschedules it."""
    log = conformance.log()
    values = list(range(8))
    with conformance.executor(1) as executor:
        # Held running, so that the others wait in the executor while their futures go.
        blocker = conformance.submit_blocked(executor, "blocker")
        conformance.wait_started(blocker)
        for value in values:
            executor.submit(tasks.record, log, value)  # the future is dropped at once
        gc.collect()  # whatever only weak references held is gone now
        blocker.gate.set()
    eventually(conformance, lambda: len(list(log)) >= len(values))  # what ran is shown below
    ran = sorted(list(log))
    assert ran == values, (
        f"SUB-5: expected each of the calls {values}, whose futures the caller dropped at"
        f" once, to run once, got {ran} run"
    )


@clause("SUB-6")
def test_submit_returns_before_the_call_finishes(conformance: Conformance) -> None:
    """submit() returns while the call it schedules is still waiting for its gate."""
    gate = conformance.event()
    with conformance.executor(1) as executor:
        submitted = conformance.call(
            executor.submit, tasks.gated, conformance.signal(), gate,
            conformance.clock(PROMPT * 6), "value", what="submit() of a call waiting for a gate",
        )
        future = submitted.unwrap()
        assert not future.done(), (
            "SUB-6: expected the future of a call waiting for its gate not to be done, got done"
        )
        gate.set()
        got = conformance.result(future)
    assert got == "value", f"SUB-6: expected the call's result 'value', got {got!r}"


@clause("SUB-6")
@requires("background", "bounded_workers")
def test_submit_does_not_wait_for_queued_calls(conformance: Conformance) -> None:
    """With its only worker busy, hundreds of submits all return: submit() does not wait for
    room in a queue, that is for calls ahead of it to finish."""
    calls = 500
    with conformance.executor(1) as executor:
        (blocker,) = conformance.occupy_all_workers(executor, 1)

        def submit_all() -> list[Future[Any]]:
            return [executor.submit(tasks.identity, i) for i in range(calls)]

        budget = conformance.clock(PROMPT)
        try:
            futures = conformance.call(submit_all, bound=budget,
                                       what=f"{calls} submits behind a busy worker").unwrap()
        except AssertionError as exc:
            raise AssertionError(
                f"SUB-6: expected {calls} submit() calls behind the only, busy, worker to return"
                f" within {budget:g}s, got them waiting: {exc}"
            ) from None
        blocker.gate.set()
        got = [conformance.result(f) for f in futures[-3:]]
    assert got == list(range(calls - 3, calls)), (
        f"SUB-6: expected the last calls queued to give their values, got {got!r}"
    )


@clause("SUB-8")
@requires("background", "shares_memory", "bounded_workers")
def test_a_call_may_submit_to_its_executor(conformance: Conformance) -> None:
    """A running call's submit() returns at once, and the new call runs on the free worker."""
    gate, submitted = conformance.event(), conformance.signal()
    bound = conformance.clock(PROMPT)
    with conformance.executor(2) as executor:

        def submit_and_wait() -> Any:
            child = executor.submit(tasks.gated, conformance.signal(), gate,
                                    conformance.clock(PROMPT * 6), "child")
            submitted.set()
            return child.result(bound)  # the other worker is free to run it

        outer = executor.submit(submit_and_wait)
        conformance.wait_until(submitted.is_set, "SUB-8: expected submit() from a running call"
                               " to return while the new call waited for its gate, got no"
                               " return")
        gate.set()
        got = conformance.call(outer.result, what="result() of the submitting call",
                               bound=2 * bound)
    assert got.exception is None and got.value == "child", (
        f"SUB-8: expected the call waiting for the call it submitted to get 'child', with a"
        f" worker free to run it, got {got.describe()}"
    )


@clause("SUB-8")
@requires("background")
def test_a_done_callback_may_submit_to_its_executor(conformance: Conformance) -> None:
    """A done callback's submit() returns a future, and the new call runs."""
    chained: list[Any] = []

    def chain(_: Future[Any]) -> None:
        try:
            chained.append(executor.submit(tasks.identity, "chained"))
        except BaseException as exc:
            chained.append(exc)

    with conformance.executor(2) as executor:
        first = conformance.submit_blocked(executor, "first")
        first.future.add_done_callback(chain)
        first.gate.set()
        conformance.wait_until(lambda: bool(chained), "SUB-8: expected the done callback to be"
                               " called, got no call (CB-1)")
        assert isinstance(chained[0], Future), (
            f"SUB-8: expected submit() in a done callback to return a future, got"
            f" {chained[0]!r}"
        )
        got = conformance.call(chained[0].result, what="result() of the chained call")
    assert got.exception is None and got.value == "chained", (
        f"SUB-8: expected the call submitted by a done callback to give 'chained', got"
        f" {got.describe()}"
    )


@clause("SUB-7")
def test_map_returns_before_the_calls_finish(conformance: Conformance) -> None:
    """map() returns while the calls it schedules are still waiting for their gates."""
    gates = [conformance.event() for _ in range(2)]
    with conformance.executor(2) as executor:
        mapped = conformance.call(
            executor.map, tasks.gated, [conformance.signal() for _ in gates], gates,
            [conformance.clock(PROMPT * 6)] * len(gates), ["first", "second"],
            what="map() of calls waiting for their gates",
        )
        results = mapped.unwrap()
        for gate in gates:
            gate.set()
        if not hasattr(results, "__iter__"):
            return  # map() returned in time; that it gave no iterator is MAP-1's to report
        got = conformance.call(list, results, what="list(map(...))").unwrap()
    assert got == ["first", "second"], (
        f"SUB-7: expected the results ['first', 'second'], got {got!r}"
    )


@clause("DECL-1")
def test_declared_capabilities_hold(conformance: Conformance,
                                    probed_capabilities: dict[str, bool]) -> None:
    """What the implementation declares about itself matches what a probe finds."""
    implementation = conformance.implementation
    wrong = {
        name: (implementation.declared(name), probed_capabilities[name])
        for name in PROBED
        if implementation.declared(name) not in (None, probed_capabilities[name])
    }
    assert not wrong, "DECL-1: " + "; ".join(
        f"expected {name}={probed}, as probed, got the declaration {name}={declared}"
        for name, (declared, probed) in wrong.items()
    )
