"""The standard library's pools, as bundled implementations.

Each is described with the deviations from the documentation that CPython's
own pool shows, so that the suite reports them as known deviations rather
than hiding them or failing the bundled run.  Run the suite with
``--executor concurrent.futures:ProcessPoolExecutor`` to see them as plain
failures.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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

PROCESS_DEVIATIONS = {
    "FUT-1": _QUEUED_AS_RUNNING + ", so running() is True for a queued call",
    "FUT-3": _QUEUED_AS_RUNNING + ", so cancel() of a queued call returns False",
}

thread = Implementation(name="thread", factory=ThreadPoolExecutor)


def _process(method: str) -> Implementation:
    return Implementation(
        name=f"process-{method}",
        factory=partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context(method)),
        deviations=PROCESS_DEVIATIONS,
    )


process_fork = _process("fork")
process_spawn = _process("spawn")
process_forkserver = _process("forkserver")
