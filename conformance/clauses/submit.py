"""Clauses of ``Executor.submit`` and of the implementation description."""

from conformance.clauses import Clause, doc

AREA = "Submitting calls"
SUBMIT = doc("concurrent.futures.Executor.submit")

CLAUSES = [
    Clause("SUB-1", AREA, "submit() returns a concurrent.futures.Future for the call.", SUBMIT),
    Clause("SUB-2", AREA,
           "The call runs as fn(*args, **kwargs) with exactly the arguments given to submit().",
           SUBMIT),
    Clause("SUB-3", AREA,
           "Keyword arguments named like submit()'s own parameter (fn) are passed to the"
           " call, since fn is positional-only.", SUBMIT, since=(3, 9)),
    Clause("SUB-4", AREA, "Each submit() returns a new future of its own.", SUBMIT),
    Clause("SUB-5", AREA, "Every submitted call runs exactly once, and its future gives that"
           " call's own result.", SUBMIT),
    Clause("SUB-6", AREA, "submit() schedules the call and returns without waiting for it, or"
           " for any other call, to finish: it returns while the call still waits, however"
           " many calls are queued before it.", doc("concurrent.futures.Executor")),
    Clause("SUB-7", AREA, "map() submits the calls and returns without waiting for them to"
           " finish: it returns while they still wait.", doc("concurrent.futures.Executor.map")),
    Clause("SUB-8", AREA, "Calls and done callbacks may submit to their own executor: submit()"
           " returns without waiting for the new call, which runs; with a worker free, it runs"
           " while the call that submitted it waits for it.",
           doc("concurrent.futures.ThreadPoolExecutor")),
    Clause("DECL-1", "The implementation under test",
           "Each capability an implementation declares is true of it, as far as the suite"
           " can probe.", doc(""),
           note="the suite's own rule: a false declaration would skip specs wrongly"),
]
