"""Documented promises the suite does not check, each with the reason.

Every sentence of the documentation that promises observable behaviour maps
to a clause, or is listed here.
"""

from conformance.clauses import Untestable

UNTESTABLE: list[Untestable] = []
