"""Clauses of what the executor's constructor promises: max_workers and its validation.

The suite builds every executor as ``factory(max_workers=N)``, the keyword both
standard pools take, so these clauses speak of the factory.  What only one pool
offers (thread_name_prefix, mp_context, max_tasks_per_child, terminate_workers)
is no promise of every executor and has no clause.
"""

from conformance.clauses import Clause, doc

AREA = "Building an executor"

EXECUTOR = doc("concurrent.futures.Executor")
THREAD_POOL = doc("concurrent.futures.ThreadPoolExecutor")
PROCESS_POOL = doc("concurrent.futures.ProcessPoolExecutor")
SHUTDOWN = doc("concurrent.futures.Executor.shutdown")

CLAUSES = [
    Clause("EXE-1", AREA, "The factory builds an instance of concurrent.futures.Executor.",
           EXECUTOR, level="recommended",
           note="the documentation defines the interface by the abstract Executor class, which"
           " is used through its concrete subclasses, and asyncio's run_in_executor() asks for"
           " an Executor instance; nothing forbids a duck-typed executor"),
    Clause("EXE-2", AREA, "max_workers=None builds a working executor with a default number of"
           " workers: it runs calls and shuts down.", THREAD_POOL),
    Clause("EXE-3", AREA, "max_workers of 0 or less makes the factory raise ValueError, before"
           " any executor is handed out.", PROCESS_POOL, level="recommended",
           note="documented for ProcessPoolExecutor only; CPython's ThreadPoolExecutor raises"
           " ValueError too, though its documentation does not say so"),
    Clause("EXE-4", AREA, "Each executor the factory builds is its own: shutting one down"
           " leaves another accepting and running calls.", SHUTDOWN),
]
