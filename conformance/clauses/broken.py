"""Clauses of initializers, BrokenExecutor, dying workers, and calls or results that cannot cross a
process boundary.
"""

from conformance.clauses import Clause, doc

AREA = "Broken executors, initializers and pickling"

THREAD_POOL = doc("concurrent.futures.ThreadPoolExecutor")
PROCESS_POOL = doc("concurrent.futures.ProcessPoolExecutor")
BROKEN_EXECUTOR = doc("concurrent.futures.BrokenExecutor")
BROKEN_PROCESS_POOL = doc("concurrent.futures.process.BrokenProcessPool")
SHUTDOWN = doc("concurrent.futures.Executor.shutdown")
PICKLED = doc("processpoolexecutor")

_PICKLING = ("the documentation only says that calls and their results must be picklable;"
             " CPython's ProcessPoolExecutor")

CLAUSES = [
    Clause("INIT-1", AREA, "The initializer is called with initargs as its positional arguments"
           " before the executor runs any call.", THREAD_POOL),
    Clause("INIT-2", AREA, "Every worker runs the initializer before its calls: calls running at"
           " once, in different workers, each find the initializer's work done in their own"
           " worker (thread, or process when calls run in processes).", PROCESS_POOL),
    Clause("INIT-3", AREA, "When the initializer raises, every call pending then fails with a"
           " BrokenExecutor (submit() may raise it instead once the executor knows), and none"
           " of them runs.", THREAD_POOL),
    Clause("INIT-4", AREA, "Once a call has failed because the initializer raised, every later"
           " submit() raises a BrokenExecutor.", PROCESS_POOL),
    Clause("INIT-5", AREA, "A pending call cancelled while the initializer runs stays cancelled"
           " when the initializer then raises, and every other pending call, before or after"
           " it, still fails with a BrokenExecutor.", THREAD_POOL),
    Clause("INIT-6", AREA, "Building the executor with an initializer that is not callable"
           " raises TypeError.", THREAD_POOL, level="recommended",
           note="the documentation only calls initializer an optional callable; CPython's"
           " pools raise TypeError from the constructor"),
    Clause("INIT-7", AREA, "A worker runs the initializer once, at its start: a worker that"
           " runs one call after another does not run it again before each.", THREAD_POOL),
    Clause("BRK-1", AREA, "When a worker process dies abruptly while running a call, that call's"
           " future fails with a BrokenExecutor, promptly: it does not hang.",
           BROKEN_PROCESS_POOL),
    Clause("BRK-2", AREA, "Once a call has failed with a BrokenExecutor because its worker died,"
           " every later submit() raises a BrokenExecutor.", BROKEN_EXECUTOR),
    Clause("BRK-3", AREA, "shutdown(wait=True) returns promptly when a worker has died, whether"
           " it died before shutdown() was called or while shutdown() waited.", SHUTDOWN),
    Clause("BRK-4", AREA, "Calls pending when a worker dies do not hang: each one promptly gives"
           " its result or fails with a BrokenExecutor.", PROCESS_POOL),
    Clause("BRK-5", AREA, "A pending call cancelled before a worker dies stays cancelled, and"
           " every other pending call, before or after it, still gives its result or fails"
           " with a BrokenExecutor, promptly.", PROCESS_POOL),
    Clause("BRK-6", AREA, "When an idle worker process is killed from outside, the calls"
           " submitted afterwards do not hang: each gives its result or fails with a"
           " BrokenExecutor (submit() may raise it instead), promptly.",
           BROKEN_PROCESS_POOL),
    Clause("PKL-1", AREA, "A call whose function or an argument cannot be pickled fails with an"
           " exception, raised by submit() or set on its future, promptly.", PICKLED,
           level="recommended",
           note=_PICKLING + " sets the pickling error on the call's future"),
    Clause("PKL-2", AREA, "A call whose return value cannot be pickled fails its future with an"
           " exception, promptly.", PICKLED, level="recommended",
           note=_PICKLING + " sets the pickling error on the call's future"),
    Clause("PKL-3", AREA, "A call that raises an exception that cannot be pickled fails its"
           " future with an exception, promptly.", PICKLED, level="recommended",
           note=_PICKLING + " sets the pickling error on the call's future"),
    Clause("PKL-4", AREA, "After a call whose function, argument, return value or exception"
           " cannot be pickled, the executor still runs later calls and gives their results.",
           PICKLED, level="recommended",
           note=_PICKLING + " fails only that call's future"),
    Clause("PKL-5", AREA, "A call whose return value or exception pickles but cannot be unpickled"
           " in the caller's process fails its future with an exception, promptly.", PICKLED,
           level="recommended",
           note=_PICKLING + " then breaks: the call, and every other pending one, fails with"
           " BrokenProcessPool (python/cpython#75880, bpo-31699)"),
]
