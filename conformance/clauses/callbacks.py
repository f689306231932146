"""Clauses of Future.add_done_callback: when, where, how often and in what order done callbacks
run.
"""

from conformance.clauses import Clause, doc

AREA = "Done callbacks"

CLAUSES: list[Clause] = []
