"""Standalone reproductions: a failed schedule as a script that needs only the executor.

The replay script (:mod:`conformance.replay`) runs a failed spec again through the suite.  For
the specs that draw a whole schedule first and then run it, the failure can also be shown as a
plain Python script: it imports only the executor's factory and ``concurrent.futures`` (with
the standard library's ``threading`` and ``multiprocessing`` for its gates), runs the schedule
that failed (the example Hypothesis shrank to), and checks the clause, with no pytest and no
suite installed.  It is the script to attach to a bug report against the executor.

A spec offers one with :func:`reproducible`; the example is the one :mod:`conformance.examples`
kept.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.clauses import Clause
from conformance.harness import PROMPT, Conformance

#: How many times a script runs its example before it calls the promise kept.
RUNS = 5

#: The attribute on a spec that names its script builder.
_BUILDER = "_conformance_standalone"

#: ``builder(clause, example, target, shares_memory, scale)``: the script's text, where
#: ``example`` is the drawn arguments, ``target`` the executor as ``MODULE:ATTR``.
Builder = Callable[[Clause, dict[str, Any], str, bool, float], str]


def reproducible(builder: Builder) -> Callable[[Any], Any]:
    """Mark a Hypothesis spec as one whose failing example ``builder`` turns into a script."""

    def mark(spec: Any) -> Any:
        setattr(spec, _BUILDER, builder)
        return spec

    return mark


def script(test: Any, clause: Clause, conformance: Conformance, target: str) -> str | None:
    """The standalone script of a failed spec, or None if it offers none or has no example."""
    builder: Builder | None = getattr(test, _BUILDER, None)
    example = conformance.failing_example
    if builder is None or example is None:
        return None
    return builder(clause, example, target, conformance.capabilities["shares_memory"],
                   conformance.clock.scale)


def _header(clause: Clause, target: str, what: str) -> str:
    module, _, attr = target.partition(":")
    first, _, rest = attr.partition(".")
    doc = textwrap.fill(
        f"Standalone reproduction of {clause.id} ({clause.level}): {clause.promise} It runs"
        f" {what} against {target} and needs only that factory and concurrent.futures."
        f" Exit status 1 while the promise is broken, 0 once it is kept, 2 if this example"
        f" cannot be replayed on this executor. Promised at {clause.source}.",
        width=95, break_long_words=False, break_on_hyphens=False)
    attribute = f"target = target.{rest}\n" if rest else ""
    return (
        f'"""{doc}\n"""\n\n'
        "import multiprocessing\n"
        "import sys\n"
        "import threading\n"
        "import time\n"
        "from collections import Counter\n"
        "\n"
        f"from {module} import {first} as target\n"
        f"{attribute}"
        "\n"
        "# A factory, or an object that carries one (the suite's Implementation).\n"
        'FACTORY = getattr(target, "factory", target)\n'
    )


def literal(value: Any) -> str:
    """``value`` as Python source that evaluates to an equal value.

    ``repr`` does, but for floats that are not finite and for the builtin exceptions
    the specs make their calls raise.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, BaseException):
        return f"{type(value).__name__}({', '.join(literal(a) for a in value.args)})"
    return repr(value)


def _script(clause: Clause, target: str, what: str, shares_memory: bool, scale: float,
            constants: dict[str, Any], runner: str, check: str) -> str:
    """The script: the header, the example as constants, the helpers, the runner (its
    ``run(new_event, log)`` returns what happened) and the clause's check of that."""
    settings = {"CLAUSE": clause.id, "SHARES_MEMORY": shares_memory,
                "PROMPT": PROMPT * scale, "RUNS": RUNS, **constants}
    lines = "".join(f"{name} = {literal(value)}\n" for name, value in settings.items())
    lines = ("# SHARES_MEMORY: else the gates and the log live in a manager process.\n"
             "# PROMPT: seconds; only a broken executor takes longer to start or finish a call.\n"
             "# RUNS: how many times the example runs before the promise counts as kept.\n"
             + lines)
    checker = ("\n\ndef check(got):\n"
               '    """What the clause forbids that happened."""\n'
               "    broken = []\n"
               + textwrap.indent(textwrap.dedent(check).strip("\n"), "    ")
               + "\n    return broken\n")
    return (_header(clause, target, what) + "\n" + lines + _HELPERS
            + textwrap.dedent(runner).strip("\n") + "\n" + checker + _MAIN)


_HELPERS = '''

def bounded(fn, what):
    """(value, None) or (None, exception) of fn(), called in a daemon thread; exit 1 saying
    so if it does not return within PROMPT."""
    box = {}

    def call():
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["raised"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(PROMPT)
    if thread.is_alive():
        sys.exit(f"{CLAUSE}: {what} did not return within {PROMPT:g}s")
    return box.get("value"), box.get("raised")


def wait_until(condition, what):
    """Poll condition() for PROMPT; exit 1 saying ``what`` if it stays false."""
    deadline = time.monotonic() + PROMPT
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"{CLAUSE}: {what}")
        time.sleep(0.001)


def cannot_replay(why):
    print(f"{CLAUSE}: cannot replay this example: {why}", file=sys.stderr)
    sys.exit(2)


'''

_MAIN = '''

def main():
    # A race may break the promise only some of the time: the example runs up to RUNS
    # times, each with a fresh executor, and stops at the first run that breaks it.
    for attempt in range(1, RUNS + 1):
        if SHARES_MEMORY:
            got = run(threading.Event, [])
        else:
            with multiprocessing.get_context("spawn").Manager() as manager:
                got = run(manager.Event, manager.list())
        broken = check(got)
        if broken:
            break
    for line in broken:
        print(f"{CLAUSE}: {line}")
    verdict = f"broken in run {attempt} of" if broken else "kept in all"
    print(f"{CLAUSE}: {verdict} {RUNS} runs of this example")
    return 1 if broken else 0


# Guarded: the workers of a process pool that spawns them import this file again.
if __name__ == "__main__":
    sys.exit(main())
'''


# -- cancellation schedules (CAN-*) ---------------------------------------------------

#: The check of each clause, on what ``run`` returns: each call's cancels (running()
#: before, what cancel() returned, the states after), final states, starts and outcome.
_CANCEL_CHECKS = {
    "CAN-1": """
    for c in got:
        for before, returned, after in c["cancels"]:
            if returned is True and after != CANCELLED:
                broken.append(f"call {c['index']}: cancel() returned True, then {after}")
        if c["cancelled_by_test"] and c["final"] != CANCELLED:
            broken.append(f"call {c['index']}: cancelled, but {c['final']} after shutdown")
""",
    "CAN-2": """
    for c in got:
        refused = [after for _, returned, after in c["cancels"] if returned is False]
        for after in refused:
            if after["cancelled"] or not (after["running"] or after["done"]):
                broken.append(f"call {c['index']}: cancel() returned False, then {after}")
        if refused and (c["final"] != FINISHED or not c["starts"] or not c["own_outcome"]):
            broken.append(f"call {c['index']}: cancel() returned False, yet {c['final']} after"
                          f" shutdown, {c['starts']} starts, outcome {c['outcome']}")
""",
    "CAN-3": """
    for c in got:
        if c["cancelled_by_test"] and c["starts"]:
            broken.append(f"call {c['index']}: cancel() returned True, yet it ran")
""",
    "CAN-4": """
    for c in got:
        if not c["cancels"] and (c["final"] != FINISHED or c["starts"] != 1
                                 or not c["own_outcome"]):
            broken.append(f"call {c['index']}: never cancelled, yet {c['final']} after"
                          f" shutdown, {c['starts']} starts, outcome {c['outcome']}")
""",
    "CAN-8": """
    for c in got:
        for before, returned, _ in c["cancels"]:
            if before and returned is not False:
                broken.append(f"call {c['index']}: running() said True, then cancel()"
                              f" returned {returned!r}")
""",
}

# The script's copy of ``run_schedule`` in specs/test_cancellation.py, in plain Python:
# change the two together.
_CANCEL_RUNNER = '''
CANCELLED = {"cancelled": True, "done": True, "running": False}
FINISHED = {"cancelled": False, "done": True, "running": False}


def gated(index, raises, started, gate, log):
    """The call: log its start, say so, wait for its gate, then return or raise."""
    log.append(index)
    started.set()
    if not gate.wait(6 * PROMPT):
        raise RuntimeError(f"the gate of call {index} never opened")
    if raises:
        raise LookupError(index)
    return index


def states(future):
    done = future.done()
    return {"cancelled": future.cancelled(), "done": done, "running": future.running()}


def run(new_event, log):
    executor = FACTORY(max_workers=MAX_WORKERS)
    calls = []
    for verb, index in STEPS:
        if verb == "submit":
            raises, free = CALLS[index]
            started, gate = new_event(), new_event()
            if free:
                gate.set()
            future = executor.submit(gated, index, raises, started, gate, log)
            calls.append({"index": index, "raises": raises, "future": future,
                          "started": started, "gate": gate, "gate_open": free,
                          "cancels": []})
        elif verb == "open_gate":
            calls[index]["gate"].set()
            calls[index]["gate_open"] = True
        elif verb == "cancel":
            future = calls[index]["future"]
            before = future.running()
            returned = future.cancel()
            running, done = future.running(), future.done()
            calls[index]["cancels"].append((before, returned, {
                "cancelled": future.cancelled(), "done": done, "running": running}))
        elif verb == "await_start":
            call = calls[index]
            holding = [c for c in calls if c is not call and not c["gate_open"]
                       and not any(r is True for _, r, _ in c["cancels"])]
            cancelled = any(r is True for _, r, _ in call["cancels"])
            if not cancelled and len(holding) < MAX_WORKERS:
                if not call["started"].wait(PROMPT):
                    sys.exit(f"{CLAUSE}: call {index} did not start, though no other call"
                             " could hold every worker")
    for call in calls:
        call["gate"].set()
    deadline = time.monotonic() + PROMPT
    while not all(c["future"].done() for c in calls) and time.monotonic() < deadline:
        time.sleep(0.01)
    bounded(executor.shutdown, "shutdown(wait=True)")
    starts = Counter(list(log))
    for call in calls:
        future = call["future"]
        call["final"] = states(future)
        call["starts"] = starts[call["index"]]
        call["cancelled_by_test"] = any(r is True for _, r, _ in call["cancels"])
        if not future.done():
            call["outcome"], call["own_outcome"] = "not done", False
        elif future.cancelled():
            call["outcome"], call["own_outcome"] = "cancelled", False
        elif future.exception() is not None:
            exc = future.exception()
            call["outcome"] = repr(exc)
            call["own_outcome"] = (call["raises"] and type(exc) is LookupError
                                   and exc.args == (call["index"],))
        else:
            call["outcome"] = repr(future.result())
            call["own_outcome"] = not call["raises"] and future.result() == call["index"]
    return calls
'''


def cancel_schedule_script(clause: Clause, example: dict[str, Any], target: str,
                           shares_memory: bool, scale: float) -> str:
    """The standalone script of a failed cancellation schedule."""
    schedule = example["schedule"]
    constants = {
        # Call i is CALLS[i] = (raises, gate open from the start); it returns i, or raises
        # LookupError(i).  STEPS: what the test does, in order, each a pair
        # ("submit" | "cancel" | "open_gate" | "await_start", i).
        "MAX_WORKERS": schedule.max_workers,
        "CALLS": schedule.calls,
        "STEPS": schedule.steps,
    }
    return _script(clause, target, "the cancellation schedule that failed", shares_memory,
                   scale, constants, _CANCEL_RUNNER, _CANCEL_CHECKS[clause.id])


# -- map() over calls finishing in a drawn order (MAP-1, MAP-2) ------------------------

# The script's copy of ``_run_schedule`` in specs/test_map.py: change the two together.
_MAP_SCHEDULE_RUNNER = '''
# Call i waits for its gate, then returns OUTCOMES[i], or raises it if it is an exception.
# The gates open in ORDER, each call finishing before the next gate opens; the iteration
# starts once CONSUME_FROM calls have finished.


def finish_gated(index, outcome, started, gate, log):
    started.set()
    if not gate.wait(6 * PROMPT):
        raise RuntimeError(f"the gate of call {index} never opened")
    log.append(index)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def run(new_event, log):
    n = len(OUTCOMES)
    started = [new_event() for _ in range(n)]
    gates = [new_event() for _ in range(n)]
    executor = FACTORY(max_workers=n)
    iterator, raised = bounded(lambda: executor.map(
        finish_gated, range(n), OUTCOMES, started, gates, [log] * n), "map()")
    if raised is not None:
        sys.exit(f"{CLAUSE}: map() raised {raised!r}")
    for i, event in enumerate(started):
        if not event.wait(3 * PROMPT):
            cannot_replay(f"call {i} did not start before the first next() (see MAP-7)")
    got = {"values": [], "raised": None}

    def consume():
        try:
            for value in iterator:
                got["values"].append(value)
        except BaseException as exc:
            got["raised"] = exc

    consumer = threading.Thread(target=consume, daemon=True)
    for k, index in enumerate(ORDER):
        if k == CONSUME_FROM:
            consumer.start()
        gates[index].set()
        wait_until(lambda: index in list(log),
                   f"call {index} did not finish once its gate opened")
    if CONSUME_FROM == n:
        consumer.start()
    consumer.join(PROMPT)
    got["ended"] = not consumer.is_alive()
    bounded(executor.shutdown, "shutdown(wait=True)")
    return got
'''

_MAP_SCHEDULE_CHECKS = {
    "MAP-1": """
    if not got["ended"]:
        broken.append("the iteration did not end once every call had finished")
    elif got["raised"] is not None or got["values"] != OUTCOMES:
        broken.append(f"expected {OUTCOMES!r} (calls finished in the order {ORDER}), got"
                      f" {got['values']!r}, then {got['raised']!r}")
""",
    "MAP-2": """
    first = next(i for i, o in enumerate(OUTCOMES) if isinstance(o, BaseException))
    expected, raised = OUTCOMES[first], got["raised"]
    if not got["ended"]:
        broken.append("the iteration did not end once every call had finished")
    elif got["values"] != OUTCOMES[:first]:
        broken.append(f"expected the values {OUTCOMES[:first]!r} before call {first}'s"
                      f" exception, got {got['values']!r}")
    elif type(raised) is not type(expected) or raised.args != expected.args:
        broken.append(f"expected {expected!r} to be raised at position {first}, got"
                      f" {raised!r}")
""",
}


def map_schedule_script(clause: Clause, example: dict[str, Any], target: str,
                        shares_memory: bool, scale: float) -> str:
    """The standalone script of a failed map() whose calls finish in a drawn order."""
    outcomes, order, consume_from = example["schedule"]
    constants = {"OUTCOMES": outcomes, "ORDER": order, "CONSUME_FROM": consume_from}
    return _script(clause, target, "the map() schedule that failed", shares_memory, scale,
                   constants, _MAP_SCHEDULE_RUNNER, _MAP_SCHEDULE_CHECKS[clause.id])


# -- calls that give back their arguments (SUB-2, SUB-5, MAP-3, MAP-8) ----------------

_ECHO = '''
def echo(*args, **kwargs):
    return args, kwargs


def record(log, value):
    log.append(value)
    return value

'''

@dataclass(frozen=True)
class _Plain:
    """A clause's script: its constants (each named after the drawn argument it comes from),
    its copy of the spec's body (specs/test_submit.py, specs/test_map.py) and its check."""

    constants: dict[str, str]
    runner: str
    check: str


_PLAIN = {
    "SUB-2": _Plain(
        {"ARGS": "args", "KWARGS": "kwargs"},
        runner="""
    def run(new_event, log):
        executor = FACTORY(max_workers=2)
        future = executor.submit(echo, *ARGS, **KWARGS)
        got = bounded(future.result, "result()")
        bounded(executor.shutdown, "shutdown(wait=True)")
        return got
    """,
        check="""
    value, raised = got
    if raised is not None or value != (tuple(ARGS), KWARGS):
        broken.append(f"expected the call to receive {(tuple(ARGS), KWARGS)!r}, got"
                      f" {value!r}" + (f" (result() raised {raised!r})" if raised else ""))
    """,
    ),
    "SUB-5": _Plain(
        {"ITEMS": "items", "MAX_WORKERS": "max_workers"},
        runner="""
    def run(new_event, log):
        executor = FACTORY(max_workers=MAX_WORKERS)
        futures = [executor.submit(record, log, (i, item)) for i, item in enumerate(ITEMS)]
        results = [bounded(f.result, f"result() of call {i}") for i, f in enumerate(futures)]
        bounded(executor.shutdown, "shutdown(wait=True)")
        return results, sorted(list(log))
    """,
        check="""
    results, ran = got
    expected = list(enumerate(ITEMS))
    if results != [(item, None) for item in expected]:
        broken.append(f"expected the results {expected!r}, got (value, raised) {results!r}")
    if ran != expected:
        broken.append(f"expected each call to run once, {expected!r}, got {ran!r}")
    """,
    ),
    "MAP-3": _Plain(
        {"INPUTS": "inputs", "MAX_WORKERS": "max_workers"},
        runner="""
    def run(new_event, log):
        shape = {"list": list, "tuple": tuple, "generator": lambda items: iter(list(items))}
        iterables = [shape[kind](items) for items, kind in INPUTS]
        executor = FACTORY(max_workers=MAX_WORKERS)
        iterator, raised = bounded(lambda: executor.map(echo, *iterables), "map()")
        got = (None, raised) if raised else bounded(lambda: list(iterator), "iterating map()")
        bounded(executor.shutdown, "shutdown(wait=True)")
        return got
    """,
        check="""
    value, raised = got
    expected = [(args, {}) for args in zip(*(items for items, _ in INPUTS))]
    if raised is not None or value != expected:
        broken.append(f"expected the calls to get {[args for args, _ in expected]!r}, got"
                      f" {value!r}" + (f" (raised {raised!r})" if raised else ""))
    """,
    ),
    "MAP-8": _Plain(
        {"INPUTS": "inputs", "CHUNKSIZE": "chunksize", "MAX_WORKERS": "max_workers"},
        runner="""
    def run(new_event, log):
        executor = FACTORY(max_workers=MAX_WORKERS)
        iterator, raised = bounded(lambda: executor.map(echo, *INPUTS, chunksize=CHUNKSIZE),
                                   f"map(..., chunksize={CHUNKSIZE})")
        got = (None, raised) if raised else bounded(lambda: list(iterator), "iterating map()")
        bounded(executor.shutdown, "shutdown(wait=True)")
        return got
    """,
        check="""
    value, raised = got
    expected = [(args, {}) for args in zip(*INPUTS)]
    if raised is not None or value != expected:
        broken.append(f"expected {expected!r} with chunksize={CHUNKSIZE}, got {value!r}"
                      + (f" (raised {raised!r})" if raised else ""))
    """,
    ),
}


def plain_calls_script(clause: Clause, example: dict[str, Any], target: str,
                       shares_memory: bool, scale: float) -> str:
    """The standalone script of a failed example of calls that give back their arguments."""
    plain = _PLAIN[clause.id]
    constants = {name: example[drawn] for name, drawn in plain.constants.items()}
    return _script(clause, target, "the example that failed", shares_memory, scale,
                   constants, _ECHO + textwrap.dedent(plain.runner), plain.check)
