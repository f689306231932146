"""Clauses of the timeout of ``Future.result()`` and ``Future.exception()``."""

from conformance.clauses import Clause, doc

AREA = "Result timeouts"

RESULT = doc("concurrent.futures.Future.result")
EXCEPTION = doc("concurrent.futures.Future.exception")
TIMEOUT_ERROR = doc("concurrent.futures.TimeoutError")

CLAUSES = [
    Clause("TMO-1", AREA, "result(timeout) and exception(timeout) of a call that has not"
           " finished when the timeout runs out raise concurrent.futures.TimeoutError (the"
           " builtin TimeoutError from Python 3.11); exception() raises it, it does not"
           " return it.", TIMEOUT_ERROR),
    Clause("TMO-2", AREA, "A timed wait does not give up early: result(timeout) and"
           " exception(timeout) of an unfinished call answer no sooner than timeout seconds"
           " after they are called, within the resolution of the clock.", RESULT),
    Clause("TMO-3", AREA, "A timed wait does not overrun: result(timeout) and"
           " exception(timeout) of an unfinished call give up soon after timeout seconds.",
           RESULT),
    Clause("TMO-4", AREA, "The timeout may be an int as well as a float, in seconds:"
           " result(1) and exception(1) of an unfinished call give up after one second.",
           RESULT),
    Clause("TMO-5", AREA, "A timeout of 0 answers at once: TimeoutError for an unfinished"
           " call, the outcome of a finished one.", RESULT),
    Clause("TMO-6", AREA, "A negative timeout is treated as 0: TimeoutError at once for an"
           " unfinished call, the outcome of a finished one.", RESULT, level="recommended",
           note="the documentation does not say what a negative timeout means; CPython's"
           " Future waits with threading.Condition.wait, which does not block for a"
           " timeout <= 0"),
    Clause("TMO-7", AREA, "With no timeout, or timeout=None, there is no limit to the wait:"
           " result() and exception() wait for the call however long it takes.", RESULT),
    Clause("TMO-8", AREA, "A call that finishes within the timeout gives its outcome as soon"
           " as it finishes, whatever the (int or float) timeout, and a Future.cancelled"
           " during a timed wait raises CancelledError as soon as it is cancelled; a finished"
           " call's outcome comes at once.", RESULT),
    Clause("TMO-9", AREA, "A timed-out wait changes nothing about the call: after any number"
           " of timed-out result() or exception() calls the future is neither done nor"
           " cancelled, the call still runs, and its outcome is then delivered as usual.",
           RESULT),
]
