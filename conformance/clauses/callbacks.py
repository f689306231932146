"""Clauses of Future.add_done_callback: when, where, how often and in what order done callbacks
run.
"""

from conformance.clauses import PEP, Clause, doc

AREA = "Done callbacks"

CALLBACK = doc("concurrent.futures.Future.add_done_callback")

CLAUSES: list[Clause] = [
    Clause("CB-1", AREA, "A callback added before the future is done is called exactly once, with"
           " the future as its only argument, whether the call returns, raises or is cancelled.",
           CALLBACK),
    Clause("CB-2", AREA, "Callbacks are called in the order they were added, whether added while"
           " the call waited or ran, or once the future was done and the earlier ones had been"
           " called.", CALLBACK),
    Clause("CB-3", AREA, "A callable added several times is called once for each time it was"
           " added.", PEP + "#rationale"),
    Clause("CB-4", AREA, "A callback added to a future that is already done (finished or"
           " cancelled), even from inside another callback, is called before"
           " add_done_callback() returns.", CALLBACK),
    Clause("CB-5", AREA, "A callback added to a future that is already done is called in the"
           " thread that added it.", CALLBACK, level="recommended",
           note="the documentation says only that it is called immediately; CPython calls it"
           " from within add_done_callback()"),
    Clause("CB-6", AREA, "Callbacks are called in the process that added them, never in a"
           " worker process, whichever thread finishes or cancels the future.", CALLBACK),
    Clause("CB-7", AREA, "A callback that raises an Exception is ignored: the callbacks after it"
           " are still called, add_done_callback() and cancel() do not raise, the future's"
           " outcome is unchanged and the executor keeps running calls.", CALLBACK),
    Clause("CB-8", AREA, "The Exception a callback raises is logged: a log record carrying it"
           " reaches the root logger.", CALLBACK),
    Clause("CB-9", AREA, "The Exception a callback raises is logged at ERROR level on the"
           " 'concurrent.futures' logger, with the exception attached as exc_info.", CALLBACK,
           level="recommended",
           note="the documentation does not say where or how; CPython calls"
           " logging.getLogger('concurrent.futures').exception()"),
    Clause("CB-10", AREA, "When a callback is called its future is in its final state: done()"
           " is True, running() is False, and result(timeout=0) and exception(timeout=0) give"
           " the final outcome at once.", CALLBACK),
    Clause("CB-11", AREA, "A callback added while the call waits for a worker or runs is not"
           " called until the call has finished.", CALLBACK),
]
