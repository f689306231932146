"""Clauses of Future.cancel under generated schedules: which calls can be cancelled, and what
cancel() implies.
"""

from conformance.clauses import Clause, doc

AREA = "Cancellation"

CLAUSES: list[Clause] = []
