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
from conformance.harness import Blocked, Conformance
from conformance.implementation import CAPABILITIES
from conformance.plugin import CLAUSE_MARK, REQUIRES_MARK
from conformance.report import NOT_APPLICABLE


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


def still_pending(queued: list[Blocked], how_many: int = 1) -> list[Blocked]:
    """Those of ``queued`` (from ``Conformance.submit_queued``) whose futures are still
    pending, neither running nor done, in the order they were submitted.

    An executor may hand queued calls to its workers ahead of time, which marks their
    futures running (CPython's process pool hands over one call more than it has workers),
    and in any order: none is promised.  A spec that needs a call still pending (to cancel
    it, say) takes it from here, not by its place in the queue.  With fewer than
    ``how_many`` left, the spec does not apply to the executor.
    """
    pending = [q for q in queued if not q.future.running() and not q.future.done()]
    if len(pending) < how_many:
        pytest.skip(
            f"{NOT_APPLICABLE}the executor handed {len(queued) - len(pending)} of"
            f" {len(queued)} queued calls to its workers ahead of time, and this spec needs"
            f" {how_many} still pending (FUT-1 says whether a queued call may be handed over)"
        )
    return pending
