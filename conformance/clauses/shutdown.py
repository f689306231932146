"""Clauses of Executor.shutdown, the context manager, max_workers and concurrent submit()."""

from conformance.clauses import PEP, Clause, doc

AREA = "Shutdown and worker limits"

SHUTDOWN = doc("concurrent.futures.Executor.shutdown")
WAIT = doc("concurrent.futures.wait")
THREAD_POOL = doc("concurrent.futures.ThreadPoolExecutor")

_CPYTHON_DOCSTRING = (
    "the documentation does not say; the docstring of CPython's Executor.shutdown says it is"
    " safe to call several times, and CPython's pools make a second call a no-op"
)
_THREADS = (
    "the documentation does not say that submit() may be called from several threads at"
    " once, though its examples submit from inside running calls; CPython's pools guard"
    " submit() and shutdown() with one lock"
)

CLAUSES = [
    Clause("SHD-1", AREA, "submit() after shutdown() raises RuntimeError, whether shutdown"
           " waited or not, while calls submitted before it still run, and from inside one of"
           " them; the call never runs.", SHUTDOWN),
    Clause("SHD-2", AREA, "map() after shutdown() raises RuntimeError from the map() call"
           " itself, and none of its calls runs.", SHUTDOWN),
    Clause("SHD-3", AREA, "shutdown(wait=True) does not return while a call submitted before"
           " it is unfinished, running or still waiting for a worker; it returns once they"
           " have all finished. wait is True by default and may be passed by position:"
           " shutdown() and shutdown(True) do the same.", SHUTDOWN),
    Clause("SHD-4", AREA, "When shutdown(wait=True) returns, the future of every call"
           " submitted before it is done and gives that call's value or exception.", SHUTDOWN),
    Clause("SHD-5", AREA, "shutdown(wait=False), or shutdown(False), returns at once, even"
           " while calls submitted before it are blocked.", SHUTDOWN),
    Clause("SHD-6", AREA, "Without cancel_futures, every call submitted before shutdown()"
           " still runs, queued ones included, also those queued behind a call cancelled"
           " with Future.cancel(), and its future gives its result, with wait=True or"
           " wait=False.", SHUTDOWN),
    Clause("SHD-7", AREA, "shutdown(cancel_futures=True) cancels every call that has not"
           " started: its future is cancelled and the call never runs, with wait=True or"
           " wait=False.", SHUTDOWN, since=(3, 9)),
    Clause("SHD-8", AREA, "shutdown(cancel_futures=True) cancels no running or finished call:"
           " each finishes with its own result; with wait=True it returns only once the"
           " running ones have finished.", SHUTDOWN, since=(3, 9)),
    Clause("SHD-9", AREA, "A future cancelled by shutdown(cancel_futures=True) is complete for"
           " concurrent.futures.wait() and as_completed(): wait() puts it in done and"
           " as_completed() yields it.", WAIT, since=(3, 9)),
    Clause("SHD-10", AREA, "shutdown() may be called again, with any arguments: it returns,"
           " raises nothing and changes no running or finished future.", SHUTDOWN,
           level="recommended",
           note=_CPYTHON_DOCSTRING),
    Clause("SHD-11", AREA, "shutdown(wait=True) waits for the calls submitted before it also"
           " when an earlier shutdown(wait=False) began the shutdown: it does not return"
           " while one of them is unfinished.", SHUTDOWN),
    Clause("SHD-12", AREA, "`with executor as target` binds target to the executor itself.",
           SHUTDOWN,
           note="the documentation has the executor used as a context manager, and its"
                " example of it submits to the target of the with statement; CPython's"
                " __enter__ returns the executor"),
    Clause("SHD-13", AREA, "Leaving a with block shuts the executor down as"
           " shutdown(wait=True) does: the exit waits for every call submitted in the block"
           " to finish, and submit() afterwards raises RuntimeError.", SHUTDOWN),
    Clause("SHD-14", AREA, "An exception raised in a with block propagates out of the with"
           " statement once the executor has shut down: the exit does not swallow it.",
           PEP + "#executor",
           note="the documentation and PEP 3148 say that leaving the with block shuts the"
                " executor down as shutdown(wait=True) would, and nothing more; CPython's"
                " __exit__ returns False, so the exception propagates"),
    Clause("SHD-15", AREA, "At most max_workers calls run at once, however many are submitted"
           " and in whatever order they finish.", THREAD_POOL),
    Clause("SHD-16", AREA, "max_workers calls can run at once: a call submitted while fewer"
           " than max_workers calls run starts without waiting for one of them to finish, on"
           " a fresh executor and on one whose earlier calls have finished.", THREAD_POOL,
           note="the documentation gives max_workers as the number of workers that overlap"
                " calls (ThreadPoolExecutor's default 'preserves at least 5 workers for I/O"
                " bound tasks'), and its deadlock examples hang only because every one of"
                " the max_workers calls is waiting"),
    Clause("SHD-17", AREA, "submit() may be called from many threads at once: every call"
           " runs exactly once, each future gives its own call's result, and still at most"
           " max_workers calls run at once.",
           doc("concurrent.futures.Executor.submit"), level="recommended", note=_THREADS),
    Clause("SHD-18", AREA, "A submit() racing with shutdown() either raises RuntimeError or"
           " returns a future whose call runs: no future is left pending.", SHUTDOWN,
           level="recommended", note=_THREADS + ", so each submit() comes wholly before or"
           " wholly after the shutdown"),
    Clause("SHD-19", AREA, "Whatever wait was given, the program does not exit until every"
           " call submitted before shutdown() has finished: a call still blocked when the"
           " main thread ends, and the calls queued behind it, run to completion.", SHUTDOWN),
    Clause("SHD-20", AREA, "shutdown(wait=True) frees the executor's resources before it"
           " returns: no thread or process the executor started is still running.", SHUTDOWN),
    Clause("SHD-21", AREA, "After shutdown(wait=False), the executor frees its resources once"
           " the pending calls are done: every thread and process it started ends.",
           SHUTDOWN),
    Clause("SHD-22", AREA, "An executor the program never shuts down, whether it drops the"
           " executor or still holds it at the end, runs its pending calls before the program"
           " exits, and the program then exits: a call still blocked when the main thread"
           " ends, and the calls queued behind it, run to completion.",
           doc("concurrent.futures.ThreadPoolExecutor"), level="recommended",
           note="documented for ThreadPoolExecutor, whose threads are all joined before the"
           " interpreter exits; CPython's process pool does the same"),
    Clause("SHD-23", AREA, "shutdown(cancel_futures=True) cancels every call that has not"
           " started also when an earlier shutdown(wait=False) began the shutdown: its future"
           " is cancelled and the call never runs.", SHUTDOWN, since=(3, 9),
           level="recommended",
           note="the documentation does not say what a second shutdown() does; CPython's"
                " pools act on cancel_futures whenever it is given"),
    Clause("SHD-24", AREA, "Under any schedule of submits, gate openings, cancels, timed"
           " polls and one shutdown(wait=False), with or without cancel_futures: every future"
           " keeps to FUT-13's model; submit() after the shutdown raises RuntimeError and its"
           " call never runs; cancel_futures cancels only calls still waiting for a worker,"
           " and each of those is cancelled or taken by a worker at once; every call not"
           " cancelled runs and gives its own value.", SHUTDOWN, since=(3, 9)),
]
