"""Clauses of exception propagation: what a future gives for a call that raised."""

from conformance.clauses import Clause, doc

AREA = "Exception propagation"

RESULT = doc("concurrent.futures.Future.result")
EXCEPTION = doc("concurrent.futures.Future.exception")
DONE = doc("concurrent.futures.Future.done")
CANCELLED = doc("concurrent.futures.Future.cancelled")
SUBMIT = doc("concurrent.futures.Executor.submit")

CLAUSES = [
    Clause("EXC-1", AREA, "A call that raised, whatever it raised (BaseException subclasses,"
           " CancelledError and TimeoutError included), leaves its future finished: done() is"
           " True, running() and cancelled() are False.", DONE),
    Clause("EXC-2", AREA, "result() of a call that raised raises an exception of the same type"
           " with the same args and attributes, with or without a timeout.", RESULT),
    Clause("EXC-3", AREA, "exception() of a call that raised returns, and does not raise, an"
           " exception of the same type with the same args and attributes, with or without a"
           " timeout.", EXCEPTION),
    Clause("EXC-4", AREA, "result() raises the very object that exception() returns, every"
           " time it is asked.", RESULT,
           note="both are documented as giving the exception raised by the call"),
    Clause("EXC-5", AREA, "Where calls share the caller's memory, result() raises and"
           " exception() returns the very object the call raised, with its cause and"
           " context.", EXCEPTION),
    Clause("EXC-6", AREA, "result() and exception() wait for an unfinished call and then give"
           " the exception it raised, whether it raised before, during or after the wait"
           " began.", RESULT),
    Clause("EXC-7", AREA, "A call that itself raises an exception the futures machinery or the"
           " interpreter gives a meaning of its own (CancelledError, TimeoutError,"
           " InvalidStateError, BrokenExecutor, StopIteration, GeneratorExit,"
           " KeyboardInterrupt, SystemExit) gives an ordinary finished future: not cancelled,"
           " exception() returns it and result() raises it, at once even with a timeout.",
           CANCELLED),
    Clause("EXC-8", AREA, "A call's exception, whatever it is (BaseException subclasses"
           " included), belongs to its own future only: the executor goes on running later"
           " calls, and each future gives its own call's outcome.", SUBMIT,
           note="the documentation lets an executor break only when a worker dies or an"
           " initializer fails; a call that raises is an outcome, not a failure of the pool"),
    Clause("EXC-9", AREA, "The exception a future gives tells where the call raised: its"
           " traceback, or the chain of its causes, shows the frame of the call's function.",
           RESULT, level="recommended",
           note="the documentation is silent; CPython keeps the call's traceback when the"
           " call ran in a thread, and attaches the worker's formatted traceback as the"
           " __cause__ when it ran in another process"),
    Clause("EXC-10", AREA, "A call that raised an exception group gives a group of the same"
           " type and message, with the same nested exceptions (type and args) at every"
           " depth.", RESULT, since=(3, 11)),
    Clause("EXC-11", AREA, "result() raises, and exception() returns, the call's exception"
           " even when that exception is false in a boolean context (its __bool__ returns False"
           " or its __len__ returns 0).", RESULT),
    Clause("EXC-12", AREA, "A call that returns an exception object, without raising it, has"
           " returned: result() returns the object, exception() returns None, and map()"
           " yields it.", EXCEPTION),
]
