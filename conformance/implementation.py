"""What the suite runs against: an executor factory and what it can do.

An implementation is named by ``MODULE:ATTR``.  ATTR is either a callable that,
called as ``ATTR(max_workers=N)``, returns a fresh executor (the standard
library's pool classes are such callables), or an :class:`Implementation`
describing a factory together with its capabilities.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from conformance.expected import ExpectedFailure

#: Capabilities a spec may need, and what each one means.  A spec that needs
#: one the implementation lacks is reported as not applicable, never as passed.
CAPABILITIES: dict[str, str] = {
    "background": "calls run outside submit(), so submit() returns while a call still runs",
    "shares_memory": "calls run in the caller's process and see the caller's objects",
    "bounded_workers": "at most max_workers calls run at once; the others wait, pending",
    "cancels_pending": "a call that has not started yet can be cancelled",
    "process_workers": "calls run in worker processes of this host, so calls, their arguments"
                       " and results cross a process boundary (they are pickled)",
    "initializer": "the factory accepts initializer= and initargs=, run in each worker before"
                   " its first call, as the standard library's pools do",
}

#: Capabilities that the suite finds out by running a call when not declared.
PROBED = ("background", "shares_memory", "process_workers", "initializer")


class BadImplementation(ValueError):
    """The named implementation cannot be used: it does not load or build an executor."""


@dataclass(frozen=True)
class Implementation:
    """An executor factory, its name in test ids, and what it can do.

    ``factory(max_workers=N)`` must return a new executor each time.  A
    capability left as ``None`` is probed; a declared one is checked against
    the probe.  ``expected_failures`` lists the implementation's known
    deviations, as :class:`~conformance.expected.ExpectedFailure` entries or the
    path of a TOML file of them (see :mod:`conformance.expected`): those specs
    still run and are reported as expected failures.  ``package`` names the
    distribution that provides the executor; the report gives its version.
    """

    name: str
    factory: Callable[..., Any]
    background: bool | None = None
    shares_memory: bool | None = None
    bounded_workers: bool = True
    cancels_pending: bool = True
    process_workers: bool | None = None
    initializer: bool | None = None
    expected_failures: str | os.PathLike[str] | Sequence[ExpectedFailure] = ()
    package: str | None = None

    def version(self) -> str | None:
        """``package`` and its installed version, as the report shows them."""
        if self.package is None:
            return None
        try:
            return f"{self.package} {importlib.metadata.version(self.package)}"
        except importlib.metadata.PackageNotFoundError:
            return f"{self.package} (not installed)"

    def declared(self, capability: str) -> bool | None:
        """The declared value of a capability, ``None`` when left to the probe."""
        if capability not in CAPABILITIES:
            raise KeyError(f"no capability {capability!r}; known: {', '.join(CAPABILITIES)}")
        value: bool | None = getattr(self, capability)
        return value


def load(spec: str, bundled: Mapping[str, str]) -> Implementation:
    """The implementation that ``spec`` (``MODULE:ATTR`` or a bundled name) names."""
    target = bundled.get(spec, spec)
    module_name, colon, attr_path = target.partition(":")
    if not colon or not module_name or not attr_path:
        names = ", ".join(bundled)
        raise BadImplementation(f"expected MODULE:ATTR or one of {names} (got {spec!r})")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise BadImplementation(
            f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}"
        ) from None
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise BadImplementation(
                f"module {module_name!r} has no attribute {attr_path!r}"
            ) from None
    if isinstance(obj, Implementation):
        return obj
    if callable(obj):
        name = spec if spec in bundled else attr_path
        return Implementation(name=name, factory=obj)
    raise BadImplementation(
        f"{target} is {type(obj).__name__}, neither an executor factory nor an Implementation"
    )


def check_factory(implementation: Implementation, timeout: float) -> None:
    """Build one executor and shut it down, or say plainly why that fails."""
    try:
        executor = implementation.factory(max_workers=1)
    except Exception as exc:
        raise BadImplementation(
            f"factory(max_workers=1) raised {type(exc).__name__}: {exc}"
        ) from None
    # Without submit() nothing can be checked.  An object that has submit() but
    # lacks the rest of the interface is still run: the specs say what that breaks.
    if not callable(getattr(executor, "submit", None)):
        raise BadImplementation(
            f"factory(max_workers=1) returned {type(executor).__name__}, which is not an"
            " Executor (no submit)"
        )
    try:
        released = release_within(executor, timeout)
    except Exception as exc:
        raise BadImplementation(
            f"shutting down a new, unused executor raised {type(exc).__name__}: {exc}"
        ) from None
    if not released:
        raise BadImplementation(
            f"shutdown() of a new, unused executor did not return within {timeout:g}s"
        )


def release_within(executor: Executor, timeout: float) -> bool:
    """Shut ``executor`` down and wait for it, within ``timeout`` seconds.

    That is ``shutdown(wait=True)``; an object without ``shutdown()`` (one
    whose interface is not the Executor one) is closed as its ``with``
    statement would close it, and otherwise left as it is.
    """
    if callable(getattr(executor, "shutdown", None)):
        return shutdown_within(executor, timeout, wait=True)
    exit_ = getattr(type(executor), "__exit__", None)
    if exit_ is None:
        return True
    return _within(lambda: exit_(executor, None, None, None), timeout)


def shutdown_within(executor: Executor, timeout: float, **kwargs: Any) -> bool:
    """Shut ``executor`` down, waiting at most ``timeout`` seconds for it.

    The call runs in a daemon thread so that an executor that never returns
    from shutdown costs a bounded wait and a failure, not a stuck run.
    Exceptions raised by shutdown propagate.
    """
    return _within(lambda: executor.shutdown(**kwargs), timeout)


def _within(operation: Callable[[], object], timeout: float) -> bool:
    """Run ``operation`` in a daemon thread; whether it returned within ``timeout``."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            operation()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, name="conformance-shutdown", daemon=True)
    thread.start()
    thread.join(timeout)
    if outcome:
        raise outcome[0]
    return not thread.is_alive()
