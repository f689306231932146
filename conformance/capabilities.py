"""Finding out what an implementation can do, by running a call on it.

Only what can be probed safely is probed: whether calls see the caller's
objects (``shares_memory``), whether they run outside ``submit()``
(``background``), whether they run in another process (``process_workers``)
and whether the factory takes an initializer (``initializer``).  Everything
else is declared in the :class:`Implementation`.
"""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Callable
from typing import Any

from conformance import tasks
from conformance.harness import Attempt, Outcome
from conformance.implementation import CAPABILITIES, PROBED, Implementation, release_within


class ProbeFailed(RuntimeError):
    """The probe's own calls did not run: the implementation cannot be examined."""


def probe(implementation: Implementation, timeout: float, bound: float) -> dict[str, bool]:
    """Run the probe calls on a fresh executor; the probed capabilities.

    Each wait of the probe lasts at most ``timeout``, and the whole probe, run
    in a thread of its own, at most ``bound``: a factory or ``submit()`` that
    never returns fails the probe, and so every spec at once, instead of
    costing each spec its whole time limit.
    """
    return _bounded(lambda: _probe(implementation, timeout), implementation.name, bound)


def _bounded(probing: Callable[[], dict[str, bool]], name: str,
             bound: float) -> dict[str, bool]:
    """``probing()``, run in a daemon thread; ProbeFailed if it is not done within ``bound``."""
    attempt = Attempt(probing, "conformance-probe")
    if not attempt.finished.wait(bound):
        raise ProbeFailed(
            f"probing {name} failed: building an executor, two quick calls and shutdown() did"
            f" not finish within {bound:g}s; stuck here:\n{attempt.stack()}"
        )
    answer: dict[str, bool] = attempt.outcome.unwrap()
    return answer


def _probe(implementation: Implementation, timeout: float) -> dict[str, bool]:
    executor = implementation.factory(max_workers=2)
    try:
        items: list[Any] = []
        shared = executor.submit(tasks.append_to, items, "probe")
        location = executor.submit(tasks.where)
        shared.result(timeout)
        pid, thread = location.result(timeout)
    except Exception as exc:
        raise ProbeFailed(
            f"probing {implementation.name} failed: submit(...).result({timeout:g}) raised"
            f" {Outcome(exception=exc).describe()}; a submitted call runs and its future gives its"
            " result (SUB-5), and no spec can examine an executor that breaks that"
        ) from exc
    finally:
        try:
            finished = release_within(executor, timeout)
        except Exception as exc:
            raise ProbeFailed(
                f"probing {implementation.name} failed: shutdown(wait=True) raised"
                f" {Outcome(exception=exc).describe()}"
            ) from exc
    if not finished:
        raise ProbeFailed(
            f"probing {implementation.name} failed: shutdown(wait=True) did not return within"
            f" {timeout:g}s after two quick calls"
        )
    return {
        "shares_memory": items == ["probe"],
        "background": (pid, thread) != (os.getpid(), threading.get_ident()),
        "process_workers": pid != os.getpid(),
        "initializer": _takes_initializer(implementation, timeout),
    }


def _takes_initializer(implementation: Implementation, timeout: float) -> bool:
    """Whether the factory takes initializer= and initargs=.

    It does when its signature names an ``initializer`` parameter, or else when it
    accepts the two keywords without a TypeError, from the factory, from ``submit()``
    or from the call (where a factory that passes unknown keywords on raises it).  A
    factory that takes them is held to the initializer specs: a call that then fails,
    or an initializer it rejects, is theirs to report, not a reason to skip them.
    """
    if _names_parameter(implementation.factory, "initializer"):
        return True
    try:
        # echo() takes whatever it is given: an executor that passes the initargs
        # wrongly still runs the probe's call (and fails INIT-1).
        executor = implementation.factory(max_workers=1, initializer=tasks.echo,
                                          initargs=(None,))
    except TypeError:
        return False
    try:
        executor.submit(tasks.identity, None).result(timeout)
    except TypeError:
        return False  # the keywords were passed on, to submit() or to the call
    except Exception:
        return True
    finally:
        release_within(executor, timeout)
    return True


def _names_parameter(factory: Callable[..., Any], name: str) -> bool:
    """Whether ``factory``'s signature has a parameter ``name`` that a keyword can fill."""
    try:
        parameter = inspect.signature(factory).parameters.get(name)
    except (TypeError, ValueError):  # no signature to read (some builtins)
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def effective(implementation: Implementation, probed: dict[str, bool]) -> dict[str, bool]:
    """Each capability as declared, or as probed where not declared."""
    values = {}
    for name in CAPABILITIES:
        declared = implementation.declared(name)
        values[name] = probed[name] if declared is None and name in PROBED else bool(declared)
    return values
