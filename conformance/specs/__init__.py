"""The specs: one module per area of the contract.

Each spec names its clause with :func:`clause` and the capabilities it needs
with :func:`requires`; it works only through the ``conformance`` fixture and
the public ``concurrent.futures`` API, never naming an implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest

from conformance import clauses
from conformance.harness import Conformance
from conformance.implementation import CAPABILITIES
from conformance.plugin import CLAUSE_MARK, REQUIRES_MARK


def clause(clause_id: str) -> pytest.MarkDecorator:
    """Mark a spec as checking the clause ``clause_id`` (which must be in the catalog)."""
    clauses.get(clause_id)
    mark: pytest.MarkDecorator = getattr(pytest.mark, CLAUSE_MARK)(clause_id)
    return mark


def requires(*capabilities: str) -> pytest.MarkDecorator:
    """Mark a spec as needing these capabilities of the implementation."""
    for name in capabilities:
        if name not in CAPABILITIES:
            raise KeyError(f"no capability {name!r}; known: {', '.join(CAPABILITIES)}")
    mark: pytest.MarkDecorator = getattr(pytest.mark, REQUIRES_MARK)(*capabilities)
    return mark


def states(future: Future[Any]) -> dict[str, bool]:
    """The three state queries of a future, done() read first.

    done() is final, so in this order a future that moves between the reads is
    never seen done and running at once.
    """
    done = future.done()
    return {"done": done, "running": future.running(), "cancelled": future.cancelled()}


def eventually(conformance: Conformance, predicate: Callable[[], bool]) -> bool:
    """Whether ``predicate`` comes to hold within the harness's bound (polled)."""
    try:
        conformance.wait_until(predicate, "the condition did not hold")
    except AssertionError:
        return False
    return True
