"""Clauses of asyncio.wrap_future and loop.run_in_executor with the implementation."""

from conformance.clauses import Clause, doc

AREA = "asyncio interop"

CLAUSES: list[Clause] = []
