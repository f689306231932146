"""Exception classes of the suite's own, for calls to raise.

They live at module level so that they pickle by name: an exception raised in
another process comes back as a copy of the same class.  Each one pickles and
its copy compares equal in type, ``args`` and attributes to the original, even
those whose ``__init__`` takes other arguments than the ``args`` they store
(they say how to rebuild themselves with ``__reduce__``, and hand over their
``__dict__`` too, so that attributes and notes survive).

Like :mod:`conformance.tasks`, this module imports nothing from pytest or
Hypothesis: worker processes import it to unpickle the exceptions.
"""

from __future__ import annotations

from concurrent.futures import CancelledError
from typing import Any


class Plain(Exception):
    """A user-defined exception with nothing added."""


class Halt(BaseException):
    """A user-defined ``BaseException`` that is not an ``Exception``."""


class Attributed(Exception):
    """Keeps an attribute besides ``args`` (pickled through ``__dict__``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.count = len(args)


class Coded(Exception):
    """``__init__(code, reason)`` stores one formatted message in ``args``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{reason} ({code})")
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.code, self.reason), self.__dict__


class KeywordOnly(Exception):
    """``__init__(message, *, detail)``: a keyword-only argument pickle cannot pass."""

    def __init__(self, message: str, *, detail: Any) -> None:
        super().__init__(message)
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:
        return _keyword_only, (type(self), self.args[0], self.detail), self.__dict__


def _keyword_only(cls: type[KeywordOnly], message: str, detail: Any) -> KeywordOnly:
    return cls(message, detail=detail)


class Fixed(Exception):
    """``__init__()`` takes no argument but stores a fixed message in ``args``."""

    def __init__(self) -> None:
        super().__init__("fixed message")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (), self.__dict__


class LookupValueError(LookupError, ValueError):
    """Inherits from two builtin exceptions."""


class TypedOSError(OSError, RuntimeError):
    """An ``OSError`` subclass that also is a ``RuntimeError`` (not re-typed by errno)."""


class Interrupted(KeyboardInterrupt, SystemExit):
    """Inherits from two builtin ``BaseException`` subclasses."""


class Unprintable(Exception):
    """An exception whose ``str()`` raises."""

    def __str__(self) -> str:
        raise RuntimeError("str() of Unprintable always fails")


class CallCancelled(CancelledError):
    """A ``concurrent.futures.CancelledError`` subclass that a call raises itself."""


class CallTimedOut(TimeoutError):
    """A ``TimeoutError`` subclass that a call raises itself."""


class FalseError(Exception):
    """An exception that is false in a boolean context: its ``__bool__`` says so."""

    def __bool__(self) -> bool:
        return False


class ErrorList(Exception):
    """An exception whose length is the number of its args: with none, it is false."""

    def __len__(self) -> int:
        return len(self.args)
