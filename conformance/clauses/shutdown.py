"""Clauses of Executor.shutdown, the context manager, max_workers and concurrent submit()."""

from conformance.clauses import Clause, doc

AREA = "Shutdown and worker limits"

CLAUSES: list[Clause] = []
