"""Clauses of what the executor's constructor promises: max_workers and its validation."""

from conformance.clauses import Clause, doc

AREA = "Building an executor"

CLAUSES: list[Clause] = []
