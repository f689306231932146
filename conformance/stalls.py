"""A Hypothesis spec that stalls the executor stops at that example instead of shrinking it.

Hypothesis shrinks a failing example by trying smaller ones.  When the failure is a stall
(a wait that only a broken executor outlasts ran out, counted by ``Conformance.stalls``),
each smaller example can cost that same wait again, and the spec would run into its time
limit and end with a bare timeout instead of the stall's message.  So the example that
stalled ends the spec at once, with the stall's message and the example drawn.

``Stalled`` derives from ``BaseException`` because Hypothesis treats every ``Exception`` as
a failure to shrink; pytest reports it as the spec's failure like any other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from conformance.harness import Conformance

#: Set on an inner test already wrapped: a spec runs once per implementation.
_WRAPPED = "_conformance_stops_on_stall"


class Stalled(BaseException):
    """A Hypothesis example stalled the executor under test; the example is not shrunk."""


def stop_on_stall(test: Any) -> None:
    """Make ``test``, a ``@given`` spec, stop at the first example that stalls."""
    handle: Any = getattr(test, "hypothesis", None)  # what @given attaches to the test
    inner = getattr(handle, "inner_test", None)
    if inner is None or getattr(inner, _WRAPPED, False):
        return
    handle.inner_test = _wrap(inner)


def _wrap(inner: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(inner)
    def run(*args: Any, **kwargs: Any) -> Any:
        conformance = kwargs.get("conformance")
        if not isinstance(conformance, Conformance):
            return inner(*args, **kwargs)
        before = conformance.stalls
        try:
            return inner(*args, **kwargs)
        except Exception as exc:
            if conformance.stalls == before:
                raise
            drawn = ", ".join(f"{name}={value!r}" for name, value in kwargs.items()
                              if name != "conformance")
            raise Stalled(
                f"{exc}\n\nThe executor stalled on this example, so it is not shrunk: {drawn}"
            ) from None

    setattr(run, _WRAPPED, True)
    return run
