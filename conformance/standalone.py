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

import textwrap
from collections.abc import Callable
from typing import Any

from conformance.clauses import Clause
from conformance.harness import PROMPT, Conformance

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
        f" Exit status 1 while the promise is broken, 0 once it is kept. Promised at"
        f" {clause.source}.",
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


# -- cancellation schedules (CAN-*) ---------------------------------------------------

#: The check of each clause, on ``calls``: each call's cancels (running() before, what
#: cancel() returned, the states after), final states, starts and outcome.
_CANCEL_CHECKS = {
    "CAN-1": '''
    for c in calls:
        for before, returned, after in c["cancels"]:
            if returned is True and after != CANCELLED:
                broken.append(f"call {c['index']}: cancel() returned True, then {after}")
        if c["cancelled_by_test"] and c["final"] != CANCELLED:
            broken.append(f"call {c['index']}: cancelled, but {c['final']} after shutdown")
''',
    "CAN-2": '''
    for c in calls:
        refused = [after for _, returned, after in c["cancels"] if returned is False]
        for after in refused:
            if after["cancelled"] or not (after["running"] or after["done"]):
                broken.append(f"call {c['index']}: cancel() returned False, then {after}")
        if refused and (c["final"] != FINISHED or not c["starts"] or not c["own_outcome"]):
            broken.append(f"call {c['index']}: cancel() returned False, yet {c['final']} after"
                          f" shutdown, {c['starts']} starts, outcome {c['outcome']}")
''',
    "CAN-3": '''
    for c in calls:
        if c["cancelled_by_test"] and c["starts"]:
            broken.append(f"call {c['index']}: cancel() returned True, yet it ran")
''',
    "CAN-4": '''
    for c in calls:
        if not c["cancels"] and (c["final"] != FINISHED or c["starts"] != 1
                                 or not c["own_outcome"]):
            broken.append(f"call {c['index']}: never cancelled, yet {c['final']} after"
                          f" shutdown, {c['starts']} starts, outcome {c['outcome']}")
''',
    "CAN-8": '''
    for c in calls:
        for before, returned, _ in c["cancels"]:
            if before and returned is not False:
                broken.append(f"call {c['index']}: running() said True, then cancel()"
                              f" returned {returned!r}")
''',
}

_CANCEL_RUNNER = '''
MAX_WORKERS = {max_workers!r}
# Call i is CALLS[i] = (raises, gate open from the start); it returns i, or raises LookupError(i).
CALLS = {calls!r}
# What the test does, in order: ("submit" | "cancel" | "open_gate" | "await_start", call).
STEPS = {steps!r}
SHARES_MEMORY = {shares_memory!r}  # else the gates and the log live in a manager process
PROMPT = {prompt!r}  # seconds: only a broken executor takes longer to start or finish a call
CANCELLED = {{"cancelled": True, "done": True, "running": False}}
FINISHED = {{"cancelled": False, "done": True, "running": False}}


def gated(index, raises, started, gate, log):
    """The call: log its start, say so, wait for its gate, then return or raise."""
    log.append(index)
    started.set()
    if not gate.wait(6 * PROMPT):
        raise RuntimeError(f"the gate of call {{index}} never opened")
    if raises:
        raise LookupError(index)
    return index


def states(future):
    done = future.done()
    return {{"cancelled": future.cancelled(), "done": done, "running": future.running()}}


def bounded(fn, what):
    """fn() in a daemon thread; exit 1 saying so if it does not return within PROMPT."""
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    thread.join(PROMPT)
    if thread.is_alive():
        sys.exit(f"{clause_id}: {{what}} did not return within {{PROMPT:g}}s")


def run(kit_event, log):
    executor = FACTORY(max_workers=MAX_WORKERS)
    calls = []
    for verb, index in STEPS:
        if verb == "submit":
            raises, free = CALLS[index]
            started, gate = kit_event(), kit_event()
            if free:
                gate.set()
            future = executor.submit(gated, index, raises, started, gate, log)
            calls.append({{"index": index, "raises": raises, "future": future,
                          "started": started, "gate": gate, "gate_open": free,
                          "cancels": []}})
        elif verb == "open_gate":
            calls[index]["gate"].set()
            calls[index]["gate_open"] = True
        elif verb == "cancel":
            future = calls[index]["future"]
            before = future.running()
            returned = future.cancel()
            running, done = future.running(), future.done()
            calls[index]["cancels"].append((before, returned, {{
                "cancelled": future.cancelled(), "done": done, "running": running}}))
        elif verb == "await_start":
            call = calls[index]
            holding = [c for c in calls if c is not call and not c["gate_open"]
                       and not any(r is True for _, r, _ in c["cancels"])]
            cancelled = any(r is True for _, r, _ in call["cancels"])
            if not cancelled and len(holding) < MAX_WORKERS:
                if not call["started"].wait(PROMPT):
                    sys.exit(f"{clause_id}: call {{index}} did not start, though no other call"
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


def check(calls):
    """What {clause_id} forbids that happened."""
    broken = []
{check}    return broken


def main():
    if SHARES_MEMORY:
        calls = run(threading.Event, [])
    else:
        with multiprocessing.get_context("spawn").Manager() as manager:
            calls = run(manager.Event, manager.list())
    broken = check(calls)
    for line in broken:
        print(f"{clause_id}: {{line}}")
    print(f"{clause_id}: {{'broken' if broken else 'kept'}} on this schedule")
    return 1 if broken else 0


# Guarded: the workers of a process pool that spawns them import this file again.
if __name__ == "__main__":
    sys.exit(main())
'''


def cancel_schedule_script(clause: Clause, example: dict[str, Any], target: str,
                           shares_memory: bool, scale: float) -> str:
    """The standalone script of a failed cancellation schedule."""
    schedule = example["schedule"]
    check = _CANCEL_CHECKS[clause.id]
    body = _CANCEL_RUNNER.format(
        max_workers=schedule.max_workers, calls=schedule.calls, steps=schedule.steps,
        shares_memory=shares_memory, prompt=PROMPT * scale, clause_id=clause.id,
        check=textwrap.indent(textwrap.dedent(check).lstrip("\n"), "    "),
    )
    return _header(clause, target, "the cancellation schedule that failed") + body
