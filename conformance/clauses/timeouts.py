"""Clauses of the timeouts area (filled in by its spec module)."""

from conformance.clauses import Clause

CLAUSES: list[Clause] = []
