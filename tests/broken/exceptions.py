"""Broken executors for the exception propagation clauses (EXC-*).

Each one is the reference executor with exactly one thing wrong in how a
call's exception reaches its future.  Most wrap the submitted call in a
module-level function (the reference runs calls in threads, so a closure would
do, but a wrapper keeps the bug visible in one place).
"""

from __future__ import annotations

import asyncio
import builtins
import copy
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, CancelledError, Future, InvalidStateError
from concurrent.futures._base import FINISHED
from typing import Any

from implementations.reference import ReferenceExecutor

from . import handing_out_from_the_start


def _raise_a_copy(fn: Callable[..., Any], args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
    try:
        return fn(*args, **kwargs)
    except BaseException as exc:
        raise copy.copy(exc).with_traceback(exc.__traceback__) from None


class CopiesTheException(ReferenceExecutor):
    """The future gets a copy of what the call raised (same type, args and traceback),
    not the object itself, though the call runs in the caller's memory. Caught by EXC-5."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_raise_a_copy, fn, args, kwargs)


class _RaisesACopy(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        exc = self.exception(timeout)
        if exc is not None:
            raise copy.copy(exc).with_traceback(exc.__traceback__)
        return super().result(timeout)


class RaisesAFreshCopy(ReferenceExecutor):
    """result() raises a fresh copy of the exception each time, not the object exception()
    returns. Caught by EXC-4 and, since the copy is not what the call raised, EXC-5."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        # The reference executor keeps driving the same object, so changing its
        # class changes only the behaviour the subclass overrides.
        future.__class__ = _RaisesACopy
        return future


def _watch(halted: threading.Event, fn: Callable[..., Any], args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception:
        raise
    except BaseException:
        halted.set()
        raise


class HaltsAfterBaseException(ReferenceExecutor):
    """Once a call has raised a BaseException that is not an Exception (KeyboardInterrupt,
    SystemExit...), it takes itself for interrupted and refuses every later call. Caught by
    EXC-8."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._halted = threading.Event()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._halted.is_set():
            raise BrokenExecutor("a call raised a BaseException: the executor stopped")
        return super().submit(_watch, self._halted, fn, args, kwargs)


class _CancelledByItsCall(Future[Any]):
    def cancelled(self) -> bool:
        if super().cancelled():
            return True
        if not self.done():
            return False
        return isinstance(self.exception(0), (CancelledError, asyncio.CancelledError))


class CancelledErrorMeansCancelled(ReferenceExecutor):
    """A call that raises CancelledError itself leaves a future that says it was cancelled
    (as a bridge from asyncio tasks would). Caught by EXC-1 and EXC-7."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.__class__ = _CancelledByItsCall
        return future


def _in_a_generator(fn: Callable[..., Any], args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
    def steps() -> Any:
        yield fn(*args, **kwargs)

    return next(steps())


class RunsCallsInAGenerator(ReferenceExecutor):
    """Runs each call inside a generator, so a StopIteration the call raises reaches the
    future as a RuntimeError (PEP 479). Caught by EXC-7."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_in_a_generator, fn, args, kwargs)


def _without_traceback(fn: Callable[..., Any], args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> Any:
    try:
        return fn(*args, **kwargs)
    except BaseException as exc:
        raise exc.with_traceback(None)  # noqa: B904 (the very object, its traceback cut)


class DropsTheTraceback(ReferenceExecutor):
    """The future gets the very exception the call raised, but with its traceback cut off
    above the call, so nothing tells where it was raised. Caught by EXC-9."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_without_traceback, fn, args, kwargs)



class _CutsTracebackAsItRaises(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        exc = self.exception(timeout)
        if exc is not None:
            raise exc.with_traceback(None)
        return super().result(timeout)


class CutsTheTracebackInResult(ReferenceExecutor):
    """exception() gives the exception with the call's traceback, but result() raises it with
    that traceback cut off, so it no longer tells where it was raised. Caught by EXC-9."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.__class__ = _CutsTracebackAsItRaises
        return future



class _RaisesWhatItReturned(Future[Any]):
    def result(self, timeout: float | None = None) -> Any:
        value = super().result(timeout)
        if isinstance(value, BaseException):  # "an exception came back": but it was returned
            raise value
        return value


class RaisesReturnedExceptions(ReferenceExecutor):
    """result() raises an exception object that the call returned, as if the call had raised
    it. Caught by EXC-12."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.__class__ = _RaisesWhatItReturned
        return future


def _wrapping(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception:
        raise
    except BaseException as exc:
        raise RuntimeError(f"the call raised {type(exc).__name__}") from exc


class WrapsBaseExceptions(ReferenceExecutor):
    """Hands the future a RuntimeError in place of a BaseException that is not an Exception
    (KeyboardInterrupt, SystemExit...), so as not to raise those in the caller. Caught by
    EXC-2, EXC-3 and EXC-6."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_wrapping, fn, args, kwargs)


def _flattening(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    groups = getattr(builtins, "BaseExceptionGroup", ())
    try:
        return fn(*args, **kwargs)
    except groups as group:
        raise group.exceptions[0] from None


class FlattensGroups(ReferenceExecutor):
    """Hands the future the first member of an exception group instead of the group.
    Caught by EXC-10."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(_flattening, fn, args, kwargs)


class _TellsOneWaiterOfAnException(Future[Any]):
    def set_exception(self, exception: BaseException | None) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if self.done():
                raise InvalidStateError(f"already done: {self!r}")
            self._exception = exception  # type: ignore[attr-defined]
            self._state = FINISHED  # type: ignore[attr-defined]
            for waiter in self._waiters:  # type: ignore[attr-defined]
                waiter.add_exception(self)
            self._condition.notify()  # type: ignore[attr-defined]  # one waiter, not all
        self._invoke_callbacks()  # type: ignore[attr-defined]


NotifiesOneWaiterOfAnException = handing_out_from_the_start(
    _TellsOneWaiterOfAnException, "set_exception() wakes one of the threads waiting for the"
    " call, not all of them. Caught by EXC-6.")
