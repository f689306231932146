"""Clauses of the mapping area (filled in by its spec module)."""

from conformance.clauses import Clause

CLAUSES: list[Clause] = []
