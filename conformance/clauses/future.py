"""Clauses of ``Future``: its states, and its executor-side API."""

from conformance.clauses import PEP, Clause, doc

AREA = "Future states"
SIDE = "Future, executor side"

CANCEL = doc("concurrent.futures.Future.cancel")
RUNNING = doc("concurrent.futures.Future.running")
DONE = doc("concurrent.futures.Future.done")
RESULT = doc("concurrent.futures.Future.result")
EXCEPTION = doc("concurrent.futures.Future.exception")
SET_RUNNING = doc("concurrent.futures.Future.set_running_or_notify_cancel")
SET_RESULT = doc("concurrent.futures.Future.set_result")
SET_EXCEPTION = doc("concurrent.futures.Future.set_exception")

CLAUSES = [
    Clause("FUT-1", AREA, "A call waiting for a worker is pending: running(), done() and"
           " cancelled() are all False.", RUNNING),
    Clause("FUT-2", AREA, "A call being executed is running: running() is True, done() and"
           " cancelled() are False.", RUNNING),
    Clause("FUT-3", AREA, "cancel() of a call that has not started returns True; then"
           " cancelled() and done() are True and running() is False.", CANCEL),
    Clause("FUT-4", AREA, "A call whose future was cancelled never runs.", CANCEL),
    Clause("FUT-5", AREA, "cancel() of a running call returns False and changes nothing: the"
           " call finishes and its future gives its result.", CANCEL),
    Clause("FUT-6", AREA, "cancel() of a finished call returns False and changes nothing.",
           CANCEL),
    Clause("FUT-7", AREA, "cancel() of a cancelled future returns True again.", CANCEL),
    Clause("FUT-8", AREA, "result() and exception() of a cancelled future raise"
           " concurrent.futures.CancelledError, at once, with or without a timeout.", RESULT),
    Clause("FUT-9", AREA, "A finished call's future is done, not running, not cancelled;"
           " result() gives the call's value and exception() gives None.", DONE),
    Clause("FUT-10", AREA, "result() waits for an unfinished call and then returns its value,"
           " whether the call finishes before, during or after the wait begins.", RESULT),
    Clause("FUT-11", AREA, "exception() waits for an unfinished call and then returns None for"
           " a call that returned.", EXCEPTION),
    Clause("FUT-12", AREA, "Once done, a future stays done and its outcome never changes:"
           " every result() or exception() gives the same.", PEP + "#future-objects"),
    Clause("FUT-13", AREA, "Under any schedule of submits, gate openings, cancels and timed"
           " polls, the state a future reports moves only forward (pending, running, then"
           " cancelled or finished) and agrees with what its call did.", PEP + "#future-objects"),
    Clause("FUT-14", AREA, "Where calls share the caller's memory, result() returns the very"
           " object the call returned, every time, not a copy.", RESULT),
    Clause("SET-1", SIDE, "set_running_or_notify_cancel() on a pending future returns True and"
           " puts it in the running state.", SET_RUNNING),
    Clause("SET-2", SIDE, "set_running_or_notify_cancel() on a cancelled future returns False;"
           " the future stays cancelled and waiters see it done.", SET_RUNNING),
    Clause("SET-3", SIDE, "set_result() finishes the future with the value and wakes every"
           " thread waiting on it.", SET_RESULT),
    Clause("SET-4", SIDE, "set_exception() finishes the future with the exception: result()"
           " raises it and exception() returns it.", SET_EXCEPTION),
    Clause("SET-5", SIDE, "set_result() and set_exception() on a done future raise"
           " concurrent.futures.InvalidStateError and leave the outcome unchanged.",
           SET_RESULT),
    Clause("SET-6", SIDE, "A running future cannot be cancelled: cancel() returns False.",
           CANCEL),
    Clause("SET-7", SIDE, "set_running_or_notify_cancel() called a second time, or after"
           " set_result() or set_exception(), raises RuntimeError.", SET_RUNNING,
           level="recommended",
           note="the documentation says it may not be called then; CPython raises"
           " RuntimeError"),
]
