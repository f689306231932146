"""The standard library's pools, as bundled implementations.

Each is described with the deviations from the documentation that CPython's
own pool shows, so that the suite reports them as known deviations rather
than hiding them or failing the bundled run.  Run the suite with
``--executor concurrent.futures:ProcessPoolExecutor`` to see them as plain
failures.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial

from conformance import Implementation

#: ProcessPoolExecutor moves up to max_workers + 1 pending calls into the queue
#: its workers read from and marks them running as it does so, before any
#: worker has started them (Lib/concurrent/futures/process.py,
#: _add_call_item_to_queue; discussed in python/cpython pull request 18057).
_QUEUED_AS_RUNNING = (
    "CPython's ProcessPoolExecutor marks a call running when it moves it into the"
    " call queue, before a worker starts it"
)



def _loses_false_exceptions() -> bool:
    """Whether this Python's Future.result() returns None for an exception that is false.

    Future.result() tested the exception's truth instead of its presence
    (python/cpython issue 132063, fixed in 3.14 and in a 3.13 bug-fix release),
    so the running Python is asked rather than its version.
    """

    class FalseError(Exception):
        def __bool__(self) -> bool:
            return False

    future: Future[None] = Future()
    future.set_exception(FalseError())
    try:
        future.result(0)
    except FalseError:
        return False
    return True


COMMON_DEVIATIONS = {
    "EXC-11": "CPython's Future.result() returns None instead of raising an exception whose"
              " __bool__ or __len__ makes it false (python/cpython issue 132063)",
} if _loses_false_exceptions() else {}

PROCESS_DEVIATIONS = {
    **COMMON_DEVIATIONS,
    "FUT-1": _QUEUED_AS_RUNNING + ", so running() is True for a queued call",
    "FUT-3": _QUEUED_AS_RUNNING + ", so cancel() of a queued call returns False",
    # Lib/concurrent/futures/process.py: _process_chunk runs a whole chunk as one
    # task, and map() chains the chunks' result lists.
    "MAP-9": "CPython's ProcessPoolExecutor runs each chunk of chunksize calls as one task,"
             " so one call's exception is raised in place of its whole chunk, before the"
             " earlier results in it",
}

thread = Implementation(name="thread", factory=ThreadPoolExecutor, deviations=COMMON_DEVIATIONS)


def _process(method: str) -> Implementation:
    return Implementation(
        name=f"process-{method}",
        factory=partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context(method)),
        deviations=PROCESS_DEVIATIONS,
    )


#: The platform's default start method (fork on Linux before 3.14, then forkserver).
process = Implementation(name="process", factory=ProcessPoolExecutor,
                         deviations=PROCESS_DEVIATIONS)


process_fork = _process("fork")
process_spawn = _process("spawn")
process_forkserver = _process("forkserver")
