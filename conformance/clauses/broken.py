"""Clauses of initializers, BrokenExecutor, dying workers, and calls or results that cannot cross a
process boundary.
"""

from conformance.clauses import Clause, doc

AREA = "Broken executors, initializers and pickling"

CLAUSES: list[Clause] = []
