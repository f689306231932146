"""Clauses of Future.cancel under generated schedules: which calls can be cancelled, and what
cancel() implies.

Each promise is stated around what cancel() *returned*, never around whether a
call should have been cancellable (that is FUT-3's), so that it also holds for
an executor that hands pending calls to its workers early and refuses to cancel
them.
"""

from conformance.clauses import PEP, Clause, doc

AREA = "Cancellation"

CANCEL = doc("concurrent.futures.Future.cancel")
RUNNING = doc("concurrent.futures.Future.running")
RESULT = doc("concurrent.futures.Future.result")

CLAUSES = [
    Clause("CAN-1", AREA, "Under any schedule of submits, cancels and gate openings, a"
           " future whose cancel() returned True is from then on cancelled, done and not"
           " running.", CANCEL),
    Clause("CAN-2", AREA, "Under any schedule, a future whose cancel() returned False is not"
           " cancelled and is running or done; its call runs to completion and the future"
           " gives the call's own value or exception.", CANCEL),
    Clause("CAN-3", AREA, "Under any schedule, a call whose cancel() returned True never"
           " runs, not even once the workers are free or the executor is shut down.", CANCEL),
    Clause("CAN-4", AREA, "Cancelling some calls neither stalls nor loses the others: every"
           " call that was never cancelled runs exactly once and gives its own outcome once"
           " its gate opens, whichever calls before and after it were cancelled.",
           PEP + "#future-objects"),
    Clause("CAN-5", AREA, "cancel() racing a worker that picks the call up has exactly one"
           " winner: every cancel() of the call returns True and the call never runs, or"
           " every one returns False and the call runs once, to completion.", CANCEL),
    Clause("CAN-6", AREA, "cancel() called from several threads at once on one pending future"
           " returns True in every thread; the call never runs and each done callback added"
           " before is called once.", CANCEL),
    Clause("CAN-7", AREA, "Threads waiting in result() or exception() with no timeout on a"
           " pending future wake as soon as it is cancelled, each with"
           " concurrent.futures.CancelledError.", RESULT),
    Clause("CAN-8", AREA, "A future that has reported running() cannot be cancelled: a later"
           " cancel() returns False.", RUNNING),
]
