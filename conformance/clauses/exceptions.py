"""Clauses of the exceptions area (filled in by its spec module)."""

from conformance.clauses import Clause

CLAUSES: list[Clause] = []
