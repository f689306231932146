"""What the suite does with a Hypothesis example that fails.

Each ``@given`` spec's inner test (which Hypothesis calls once per example) is wrapped once:

* The drawn arguments of a failing example are kept on the spec's ``Conformance``.  The last
  one kept is the example Hypothesis reports, as it runs that one last; the standalone script
  of a spec that offers one (:mod:`conformance.standalone`) replays it.
* An example that stalled the executor ends the spec at once instead of being shrunk.
  Hypothesis shrinks a failing example by trying smaller ones; when the failure is a stall (a
  wait that only a broken executor outlasts ran out, counted by ``Conformance.stalls``), each
  smaller example could cost that same wait again, and the spec would run into its time limit
  and end with a bare timeout instead of the stall's message.  ``Stalled`` derives from
  ``BaseException`` because Hypothesis shrinks every ``Exception``; pytest reports it as the
  spec's failure like any other.
* An example that fails a spec the implementation declares as an expected failure (a known
  deviation) ends the spec at once too: the failure is expected, and no one reads the
  smallest example of it, while shrinking it would cost the run its time.
* An example that fails shuts down the executor kept from earlier examples
  (``Conformance.executor(keep=True)``), so the examples tried next start on a fresh one, and
  its failure message says when it ran on a kept executor: such a failure may depend on what
  the earlier examples did, and Hypothesis may then report it as flaky.
* Shrinking has a budget: :data:`SHRINK_BUDGET` seconds (times the time scale) from the first
  failing example.  Each smaller example tried runs the executor again, which for a pool that
  starts fresh processes can outlast the spec's time limit; once the budget is spent the spec
  ends with the failure of the last (smallest) failing example found, without the
  ``@reproduce_failure`` that only a finished shrink prints.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from conformance.harness import Conformance

#: Seconds (times the time scale) that Hypothesis may spend shrinking a failing example: half
#: the default time limit of a spec, and far more than shrinking takes but on a slow pool.
SHRINK_BUDGET = 60.0

#: Set on an inner test already wrapped: a spec runs once per implementation.
_WRAPPED = "_conformance_watches_examples"


class Stalled(BaseException):
    """A Hypothesis example stalled the executor under test; the example is not shrunk."""


class KnownDeviation(BaseException):
    """A Hypothesis example failed a spec declared as an expected failure; it is not shrunk."""


class ShrinkingStopped(BaseException):
    """Shrinking a failing example ran out of time; the smallest failure found is reported."""


def watch(test: Any) -> None:
    """Wrap the inner test of ``test``, a ``@given`` spec (anything else is left alone)."""
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
        failure = conformance.first_failure
        if failure is not None and time.monotonic() - failure[0] > conformance.clock(
                SHRINK_BUDGET):
            shown = ", ".join(f"{name}={value!r}"
                              for name, value in (conformance.failing_example or {}).items())
            raise ShrinkingStopped(
                f"{failure[1]}\n\nShrinking stopped after {conformance.clock(SHRINK_BUDGET):g}"
                f" s; the smallest failing example found: {shown}"
            )
        before = conformance.stalls
        conformance.served_before = 0
        try:
            return inner(*args, **kwargs)
        except Exception as exc:
            _forget_kept_executor(conformance, exc)
            drawn = {name: value for name, value in kwargs.items() if name != "conformance"}
            conformance.failing_example = drawn
            conformance.first_failure = (
                failure[0] if failure is not None else time.monotonic(), str(exc))
            shown = ", ".join(f"{name}={value!r}" for name, value in drawn.items())
            if conformance.expected_to_fail:
                raise KnownDeviation(
                    f"{exc}\n\nAn expected failure of this implementation, so the example is"
                    f" not shrunk: {shown}"
                ) from None
            if conformance.stalls == before:
                raise
            raise Stalled(
                f"{exc}\n\nThe executor stalled on this example, so it is not shrunk: {shown}"
            ) from None

    setattr(run, _WRAPPED, True)
    return run


def _forget_kept_executor(conformance: Conformance, exc: Exception) -> None:
    """After a failing example: shut the executor kept from earlier examples down, so that
    the examples tried next start on a fresh one, and say in the failure that the example
    ran on it (its failure may then depend on what the earlier examples did)."""
    with suppress(AssertionError):
        conformance.drop_kept()
    if (conformance.served_before and isinstance(exc, AssertionError) and exc.args
            and isinstance(exc.args[0], str)):
        exc.args = (f"{exc.args[0]}\n\n(This example ran on an executor kept running from"
                    f" {conformance.served_before} earlier example(s) of the spec, which"
                    f" passed.)", *exc.args[1:])
