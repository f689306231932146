"""Broken executors for the Future state clauses (FUT-*)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from implementations.reference import ReferenceExecutor


class _CancelAlwaysTrue(Future[Any]):
    def cancel(self) -> bool:
        super().cancel()
        return True


class CancelLies(ReferenceExecutor):
    """cancel() returns True even for a running call. Caught by FUT-5."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _swap_class(super().submit(fn, *args, **kwargs), _CancelAlwaysTrue)


class _RunningWhenQueued(Future[Any]):
    def running(self) -> bool:
        return not self.done()


class RunningTooEarly(ReferenceExecutor):
    """running() is True for a call still waiting for a worker. Caught by FUT-1."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _swap_class(super().submit(fn, *args, **kwargs), _RunningWhenQueued)


def _swap_class(future: Future[Any], cls: type[Future[Any]]) -> Future[Any]:
    # The reference executor keeps driving the same object, so changing its
    # class changes only the behaviour the subclass overrides.
    future.__class__ = cls
    return future


class _OverwritableFuture(Future[Any]):
    def set_result(self, result: Any) -> None:
        with self._condition:  # type: ignore[attr-defined]
            if self.done():
                self._result = result  # type: ignore[attr-defined]
                return
        super().set_result(result)


class ResultsCanBeOverwritten(ReferenceExecutor):
    """set_result() on a done future replaces the outcome silently. Caught by SET-5."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _swap_class(super().submit(fn, *args, **kwargs), _OverwritableFuture)


class _RunsCancelled(Future[Any]):
    def set_running_or_notify_cancel(self) -> bool:
        if self.cancelled():
            super().set_running_or_notify_cancel()
            return True
        return super().set_running_or_notify_cancel()


class RunsCancelledCalls(ReferenceExecutor):
    """set_running_or_notify_cancel() returns True for a cancelled future. Caught by SET-2."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _swap_class(super().submit(fn, *args, **kwargs), _RunsCancelled)
