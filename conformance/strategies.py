"""Hypothesis strategies of the specs: the inputs a conformance run draws from.

Every value drawn here pickles and compares equal to its unpickled copy, so
the same strategies serve thread, process and remote executors.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def values() -> st.SearchStrategy[Any]:
    """Plain values a call may take or return: nested containers of scalars."""
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.binary(
        max_size=8) | st.floats(allow_nan=False)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3),
        max_leaves=6,
    )


# -- exceptions (appended by the exception propagation area) ---------------------------


def exceptions(*, base: bool = True, odd: bool = True, groups: bool = True,
               chained: bool = True) -> st.SearchStrategy[BaseException]:
    """Exceptions a call may raise: builtin and user-defined, of many shapes.

    Each one pickles, and its unpickled copy has the same type, ``args`` and
    attributes (compare those, never identity, across processes).

    * ``base``: also ``BaseException`` subclasses that are not ``Exception``
      (KeyboardInterrupt, SystemExit, GeneratorExit, user-defined ones);
    * ``odd``: also those the futures machinery or the interpreter gives a
      meaning of its own (CancelledError, TimeoutError, InvalidStateError,
      BrokenExecutor, StopIteration, OSErrors re-typed by their errno);
    * ``groups``: on Python 3.11+, also exception groups nesting the others;
    * ``chained``: sometimes with a ``__cause__``, a ``__context__`` and, on
      3.11+, notes (only notes survive a pickle round trip).
    """
    import sys

    families = _exception_families(base=base, odd=odd)
    leaves = st.one_of(*families)
    if groups and sys.version_info >= (3, 11):
        families.append(_groups_of(leaves | _groups_of(leaves)))
    drawn = st.one_of(*families)
    if chained:
        notes = st.lists(st.text(max_size=6), max_size=2) if sys.version_info >= (3, 11) \
            else st.just([])
        drawn = drawn | st.builds(_with_history, drawn, cause=st.none() | leaves,
                                  context=st.none() | leaves, notes=notes)
    return drawn


def exception_groups(*, base: bool = True) -> st.SearchStrategy[BaseException]:
    """Exception groups (Python 3.11+; nothing before) nesting ``exceptions()``, groups too."""
    import sys

    if sys.version_info < (3, 11):
        return st.nothing()
    return _groups_of(exceptions(base=base, chained=False))


def _exception_families(*, base: bool,
                        odd: bool) -> list[st.SearchStrategy[BaseException]]:
    import asyncio
    import concurrent.futures as cf
    import errno
    from concurrent.futures.process import BrokenProcessPool
    from concurrent.futures.thread import BrokenThreadPool

    from conformance import raisables as r

    args = st.lists(values(), max_size=3)
    text = st.text(max_size=8)

    def free(*classes: type[BaseException]) -> st.SearchStrategy[BaseException]:
        return st.builds(_construct, st.sampled_from(classes), args)

    codes = [errno.ENOENT, errno.EEXIST, errno.EACCES, errno.EAGAIN, errno.EINTR,
             errno.ECONNRESET, errno.EPIPE, errno.EISDIR, errno.EIO]
    if odd:
        codes.append(errno.ETIMEDOUT)  # OSError(ETIMEDOUT, ...) is a TimeoutError
    families = [
        free(Exception, ArithmeticError, AssertionError, AttributeError, BufferError, EOFError,
             ImportError, IndexError, KeyError, LookupError, MemoryError, NameError,
             NotImplementedError, OverflowError, RecursionError, ReferenceError, RuntimeError,
             TypeError, ValueError, ZeroDivisionError, UnicodeError, UserWarning),
        free(r.Plain, r.Attributed, r.LookupValueError, r.Unprintable)
        | st.builds(r.Coded, st.integers(), text)
        | st.builds(r.KeywordOnly, text, detail=values())
        | st.builds(r.Fixed),
        st.builds(_os_error, st.sampled_from([OSError, r.TypedOSError]),
                  st.sampled_from(codes), text, st.none() | text, st.none() | text)
        | st.builds(UnicodeDecodeError, st.just("utf-8"), st.binary(min_size=1, max_size=4),
                    st.just(0), st.just(1), text),
    ]
    if base:
        families.append(free(BaseException, KeyboardInterrupt, SystemExit, GeneratorExit,
                             r.Halt, r.Interrupted))
    if odd:
        families.append(free(cf.CancelledError, cf.TimeoutError, TimeoutError,
                             cf.InvalidStateError, cf.BrokenExecutor, BrokenProcessPool,
                             BrokenThreadPool, StopIteration, StopAsyncIteration,
                             r.CallCancelled, r.CallTimedOut,
                             *([asyncio.CancelledError] if base else [])))
    return families


def _construct(cls: type[BaseException], args: list[Any]) -> BaseException:
    return cls(*args)


def _os_error(cls: type[OSError], code: int, strerror: str, filename: str | None,
              filename2: str | None) -> OSError:
    # OSError(errno, strerror) becomes the subclass of that errno (ENOENT:
    # FileNotFoundError, ...); the 5-argument form also sets filename2.
    if filename2 is not None:
        return cls(code, strerror, filename, None, filename2)
    if filename is not None:
        return cls(code, strerror, filename)
    return cls(code, strerror)


def _groups_of(members: st.SearchStrategy[BaseException]) -> st.SearchStrategy[BaseException]:
    return st.builds(_group, st.text(max_size=8), st.lists(members, min_size=1, max_size=3))


def _group(message: str, members: list[BaseException]) -> BaseException:
    import builtins
    import sys

    if sys.version_info < (3, 11):
        raise RuntimeError("exception groups need Python 3.11")
    # A BaseExceptionGroup of Exceptions only is built as an ExceptionGroup.
    return builtins.BaseExceptionGroup(message, members)


def _with_history(exception: BaseException, cause: BaseException | None,
                  context: BaseException | None, notes: list[str]) -> BaseException:
    exception.__cause__ = cause
    exception.__context__ = context
    for note in notes:
        exception.add_note(note)  # type: ignore[attr-defined,unused-ignore]
    return exception


# -- done callbacks (appended by the done callbacks area) ---------------------------------


class CallbackSchedule:
    """When done callbacks are added to one future, and which of a few callables each one is.

    ``raises[i]`` says whether callable ``i`` raises once it has recorded its
    call.  ``submitted``, ``running`` and ``done`` list the callables added
    right after submit(), once the call has started, and once the future is
    done and the earlier callbacks have been called; an index may repeat.
    """

    __slots__ = ("done", "raises", "running", "submitted")

    def __init__(self, raises: tuple[bool, ...], submitted: tuple[int, ...],
                 running: tuple[int, ...], done: tuple[int, ...]) -> None:
        self.raises = raises
        self.submitted = submitted
        self.running = running
        self.done = done

    def __repr__(self) -> str:
        return (f"CallbackSchedule(raises={self.raises!r}, submitted={self.submitted!r},"
                f" running={self.running!r}, done={self.done!r})")


def callback_schedules(*, callables: int = 3,
                       max_size: int = 4) -> st.SearchStrategy[CallbackSchedule]:
    """Schedules of done callbacks, drawn from ``callables`` callables, up to ``max_size``
    added at each of the three moments."""
    indices = st.lists(st.integers(0, callables - 1), max_size=max_size).map(tuple)
    return st.builds(
        CallbackSchedule,
        raises=st.lists(st.booleans(), min_size=callables, max_size=callables).map(tuple),
        submitted=indices, running=indices, done=indices,
    )


# -- cancellation (appended by the cancellation area) --------------------------------------


class CancelSchedule:
    """A schedule of one executor's calls: what the test does, in order, drawn before any runs.

    ``calls[i]`` is ``(raises, free)``: whether call ``i`` raises (rather than
    returns) its outcome, and whether its gate opens as soon as it is submitted.
    ``steps`` are ``(verb, i)`` in order, ``i`` always a call already submitted:
    ``submit`` (each call once, in index order), ``cancel``, ``open_gate``, and
    ``await_start`` (wait for call ``i`` to start, when nothing can hold it back).
    """

    __slots__ = ("calls", "max_workers", "steps")

    def __init__(self, max_workers: int, calls: tuple[tuple[bool, bool], ...],
                 steps: tuple[tuple[str, int], ...]) -> None:
        self.max_workers = max_workers
        self.calls = calls
        self.steps = steps

    def __repr__(self) -> str:
        return (f"CancelSchedule(max_workers={self.max_workers!r}, calls={self.calls!r},"
                f" steps={self.steps!r})")


#: What a schedule does to a submitted call, the likeliest first.
CANCEL_VERBS = ("cancel", "open_gate", "await_start")


@st.composite
def cancel_schedules(draw: st.DrawFn, *, max_workers: int = 3, min_size: int = 1,
                     max_size: int = 6) -> CancelSchedule:
    """Schedules of ``min_size`` to ``max_size`` gated calls on an executor of 1 to
    ``max_workers`` workers, with cancels, gate openings and waits for a start
    between and after the submits."""
    workers = draw(st.integers(1, max_workers))
    calls = draw(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=min_size,
                          max_size=max_size))
    steps: list[tuple[str, int]] = []
    for index in range(len(calls)):
        steps.append(("submit", index))
        steps += draw(st.lists(st.tuples(st.sampled_from(CANCEL_VERBS),
                                         st.integers(0, index)), max_size=2))
    steps += draw(st.lists(st.tuples(st.sampled_from(CANCEL_VERBS),
                                     st.integers(0, len(calls) - 1)), max_size=4))
    return CancelSchedule(workers, tuple(calls), tuple(steps))
