"""Clauses of asyncio.wrap_future and loop.run_in_executor with the implementation.

These promises are asyncio's, not ``concurrent.futures``': the sources are
the asyncio pages of the documentation.  They hold for an executor only as far
as its futures keep their own contract (done callbacks, cancel()), which is
what these clauses check through asyncio.
"""

from conformance.clauses import Clause

AREA = "asyncio interop"

_ASYNCIO = "https://docs.python.org/3/library/asyncio-"
WRAP_FUTURE = _ASYNCIO + "future.html#asyncio.wrap_future"
RUN_IN_EXECUTOR = _ASYNCIO + "eventloop.html#asyncio.loop.run_in_executor"
BLOCKING = _ASYNCIO + "dev.html#running-blocking-code"

_CHAIN = (
    "the asyncio documentation says only that wrap_future() wraps the executor's future;"
    " CPython chains the two futures both ways (asyncio/futures.py, _chain_future)"
)

CLAUSES = [
    Clause("AIO-1", AREA, "Awaiting asyncio.wrap_future(f), for a future f of the executor,"
           " gives the call's result, whether the call finished before wrap_future(), between"
           " wrapping and awaiting, or while awaited.", WRAP_FUTURE),
    Clause("AIO-2", AREA, "Awaiting asyncio.wrap_future(f) raises the call's exception (same"
           " type and arguments), whether the call raised before or while it is awaited.",
           WRAP_FUTURE),
    Clause("AIO-3", AREA, "When f is cancelled, before or after wrap_future(), the asyncio"
           " future is cancelled too: awaiting it raises asyncio.CancelledError.", WRAP_FUTURE,
           level="recommended", note=_CHAIN + ", so a cancelled f cancels the asyncio future"),
    Clause("AIO-4", AREA, "Cancelling the asyncio future of a call that has not started, or a"
           " task awaiting it, cancels f: f.cancelled() becomes True and the call never runs.",
           WRAP_FUTURE, level="recommended",
           note=_CHAIN + ", so cancelling the asyncio future calls f.cancel()"),
    Clause("AIO-5", AREA, "Cancelling the asyncio future of a call that has started does not"
           " stop the call: it runs to the end and f gives its result.", WRAP_FUTURE,
           level="recommended",
           note=_CHAIN + "; the cancellation reaches f as f.cancel(), which fails for a running"
           " call (FUT-5), so the call goes on"),
    Clause("AIO-6", AREA, "loop.run_in_executor(executor, fn, *args) calls fn with exactly"
           " those positional arguments in the executor; awaiting it gives fn's return value,"
           " or raises fn's exception.", RUN_IN_EXECUTOR),
    Clause("AIO-7", AREA, "A call made with loop.run_in_executor() runs outside the event"
           " loop's thread (in another process, for process workers), and the loop goes on"
           " running other tasks while the call runs.", BLOCKING),
    Clause("AIO-8", AREA, "Many run_in_executor() calls awaited together, more than there are"
           " workers, all complete, each with its own call's result or exception.",
           RUN_IN_EXECUTOR),
    Clause("AIO-9", AREA, "A call submitted with executor.submit() from a coroutine does not"
           " depend on the event loop: it finishes, and its future gives its result, after the"
           " loop has closed.", "https://docs.python.org/3/library/concurrent.futures.html"
           "#concurrent.futures.Executor.submit"),
]
