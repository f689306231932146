"""Clauses of concurrent.futures.wait and as_completed with the implementation's futures."""

from conformance.clauses import Clause, doc

AREA = "wait() and as_completed()"

CLAUSES: list[Clause] = []
