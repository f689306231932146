"""Clauses of concurrent.futures.wait and as_completed with the implementation's futures."""

from conformance.clauses import Clause, doc

AREA = "wait() and as_completed()"

WAIT = doc("concurrent.futures.wait")
AS_COMPLETED = doc("concurrent.futures.as_completed")

CLAUSES = [
    Clause("WAIT-1", AREA, "wait() returns a named 2-tuple of sets, done and not_done, that"
           " between them hold each future given exactly once, however many times it was"
           " given; given no futures, both sets are empty.", WAIT),
    Clause("WAIT-2", AREA, "done holds only futures that had completed (finished or been"
           " cancelled) when wait() returned, so each is done(); not_done holds the pending"
           " and running ones.", WAIT),
    Clause("WAIT-3", AREA, "With return_when=ALL_COMPLETED, the default, wait() returns once"
           " every future has finished (returned or raised): at once when all had before the"
           " call, otherwise as soon as the last one does, however long that takes when there"
           " is no timeout (or timeout=None).", WAIT),
    Clause("WAIT-4", AREA, "With return_when=FIRST_COMPLETED, wait() returns as soon as any"
           " future finishes, at once when one had before the call, with the finished ones in"
           " done; a future that only starts running does not end the wait.", WAIT),
    Clause("WAIT-5", AREA, "With return_when=FIRST_EXCEPTION, wait() returns as soon as a"
           " future finishes by raising, at once when one had raised before the call; futures"
           " that return a value do not end the wait.", WAIT),
    Clause("WAIT-6", AREA, "With return_when=FIRST_EXCEPTION and no future raising, wait() is"
           " ALL_COMPLETED: it returns once every future has finished, not before.", WAIT),
    Clause("WAIT-7", AREA, "A future cancelled with Future.cancel() counts as completed at"
           " once: wait() puts one cancelled before the call in done, and a cancel during the"
           " wait ends a FIRST_COMPLETED wait, or completes an ALL_COMPLETED or FIRST_EXCEPTION"
           " one, as soon as it is made.", WAIT),
    Clause("WAIT-8", AREA, "Given a timeout (int or float seconds) that runs out, wait()"
           " returns, without raising, no sooner than the timeout (within the clock's"
           " resolution) and soon after it, with the unfinished futures in not_done.", WAIT),
    Clause("WAIT-9", AREA, "wait() takes futures of several executors at once and reports"
           " each of them.", WAIT),
    Clause("WAIT-10", AREA, "Threads waiting on the same future at once, with wait() and"
           " as_completed(), all return once it finishes: each waiter is woken, not only one.",
           WAIT),
    Clause("ASC-1", AREA, "as_completed() yields each future given exactly once, however many"
           " times it was given, then stops; given no futures it stops at once.",
           AS_COMPLETED),
    Clause("ASC-2", AREA, "as_completed() yields the futures as they complete: those finished"
           " before the call first, then each as soon as it finishes (returning or raising),"
           " in the order they finish; with no timeout (or timeout=None) it waits however"
           " long that takes.", AS_COMPLETED),
    Clause("ASC-3", AREA, "Given a timeout (int or float seconds), a __next__() whose future"
           " is not there timeout seconds after the call to as_completed() raises"
           " concurrent.futures.TimeoutError (the builtin TimeoutError from Python 3.11), no"
           " sooner (within the clock's resolution) and soon after; the futures finished by"
           " then are yielded first.", AS_COMPLETED),
    Clause("ASC-4", AREA, "as_completed() yields a future cancelled with Future.cancel() at"
           " once: among the first when it was cancelled before the call, as soon as it is"
           " cancelled when that happens during the iteration.", AS_COMPLETED),
    Clause("ASC-5", AREA, "Every future is eventually yielded: however cancels and finishes"
           " interleave, as_completed() with no timeout yields each future, cancelled ones"
           " included, and stops once all are done.", AS_COMPLETED),
    Clause("ASC-6", AREA, "as_completed() takes futures of several executors at once and"
           " yields each of them.", AS_COMPLETED),
]
