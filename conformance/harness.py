"""The harness a spec works through: executors, gates, and bounded waits.

Every spec gets a fresh :class:`Conformance` (the ``conformance`` fixture).
It builds executors from the implementation under test, hands out gates that
work wherever the calls run, and bounds every wait.  When the spec ends, pass
or fail, it opens every gate it handed out and shuts every executor down,
waiting a bounded time for each, so a broken executor yields a failure and
never a stuck run.
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, TypeVar

from conformance import tasks
from conformance.blocking import CallBlocked, Watch
from conformance.implementation import Implementation, release_within
from conformance.sync import Kit
from conformance.tasks import Event

_T = TypeVar("_T")

#: How long, in unscaled seconds, a call may take to start or finish when
#: nothing holds it back.  Generous: only a broken executor ever reaches it.
PROMPT = 10.0

#: How long, in unscaled seconds, to watch for something that must not happen
#: (a queued call starting, or reported running, while every worker is busy).
SETTLE = 0.25

#: The watch of :meth:`Conformance.submit_queued` lasts this many times the longest start
#: of a call seen on the spec's executors (from submit() to the call's first line), between
#: QUEUED_WATCH_FLOOR and SETTLE seconds: a call started by a worker the executor should not
#: have shows itself about as fast as any call does, so a thread pool is watched for a
#: fraction of what a pool of spawned processes is.
QUEUED_WATCH_STARTS = 50
QUEUED_WATCH_FLOOR = 0.05

#: How long, in unscaled seconds, no further queued call may leave the queue before the
#: calls a pool hands to its workers ahead of time count as all handed over.
HAND_OVER = 0.05

#: A race (:meth:`Conformance.race`) lasts RACE_TIME unscaled seconds, or RACES
#: quick calls if that comes first: enough for a check-then-act between the caller's
#: thread and the one finishing a call to lose a few times, with threads switching as
#: often as the interpreter can and the caller's steps spread over a call's lifetime.
RACES = 20_000
RACE_TIME = 0.3
#: Into how many offsets the steps of a race spread one call's lifetime (and a half).
RACE_OFFSETS = 32


@dataclass(frozen=True)
class Clock:
    """Time budgets, all multiplied by one scale (``--conformance-time-scale``)."""

    scale: float = 1.0

    def __call__(self, seconds: float) -> float:
        return seconds * self.scale


@dataclass
class Outcome:
    """What a bounded call did: its value or exception, and how long it took."""

    value: Any = None
    exception: BaseException | None = None
    elapsed: float = 0.0

    def unwrap(self) -> Any:
        if self.exception is not None:
            raise self.exception
        return self.value

    def describe(self) -> str:
        """The outcome in a failure message's words."""
        if self.exception is not None:
            return f"{exception_name(type(self.exception))}: {self.exception}"
        return f"the value {self.value!r}"

    def value_or_error(self) -> Any:
        """The value, or the exception in a failure message's words: what to compare with
        the values expected, so that a call that raised shows what it raised."""
        return self.value if self.exception is None else self.describe()


#: Modules whose exceptions a message names by their bare name: the builtins and the ones
#: the contract itself names.
_PLAIN_MODULES = frozenset({"builtins", "concurrent.futures", "concurrent.futures._base",
                            "asyncio.exceptions"})


def exception_name(kind: type[BaseException]) -> str:
    """An exception class as a message names it: with its module, unless the contract's own
    (``TimeoutError`` is the builtin one; multiprocessing's is shown as such)."""
    if kind.__module__ in _PLAIN_MODULES:
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


class Attempt:
    """A call run in a daemon thread of its own, so that waiting for it can be bounded.

    The thread is a daemon: a call that never returns must not keep the run alive.
    """

    def __init__(self, fn: Callable[[], Any], name: str) -> None:
        self.outcome = Outcome()
        self.calling = threading.Event()
        self.finished = threading.Event()
        self._fn = fn
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        # The thread says so itself: reading another thread's frames while
        # it runs is not safe on every CPython (a 3.11 read back garbage).
        self.calling.set()
        try:
            self.outcome.value = self._fn()
        except BaseException as exc:
            self.outcome.exception = exc
        finally:
            self.outcome.elapsed = time.monotonic() - start
            self.finished.set()

    def stack(self) -> str:
        """Where the call is now."""
        return stack_of(self._thread)


@dataclass
class Blocked:
    """A submitted call that has announced its start and waits for its gate."""

    future: Future[Any]
    started: Event
    gate: Event
    value: Any = None
    #: When submit() was called (monotonic seconds), if known.
    submitted: float | None = None

    def left_the_queue(self) -> bool:
        """Whether the call is no longer just waiting for a worker: it started, its future
        says running (a worker, or the pool's hand-over, took it), or it is done."""
        return self.started.is_set() or self.future.running() or self.future.done()


@dataclass
class Conformance:
    """One spec's view of the implementation under test."""

    implementation: Implementation
    capabilities: dict[str, bool]
    clock: Clock
    kit: Kit
    #: How ``--executor`` named the implementation, so that a fresh interpreter
    #: can load it too; None when it came from an overridden seam.
    spec: str | None = None
    #: How many waits that only a broken executor outlasts (PROMPT or longer) ran out.
    #: A Hypothesis spec stops at the example that stalled rather than shrinking it, as
    #: every smaller example tried could cost the same wait again (see :mod:`conformance.examples`).
    stalls: int = 0
    #: The drawn arguments of the last Hypothesis example that failed, for the specs that
    #: turn it into a standalone script (see :mod:`conformance.standalone`).
    failing_example: dict[str, Any] | None = None
    #: When the first Hypothesis example failed (monotonic), and the last failure's message:
    #: shrinking stops once a budget from then is spent (see :mod:`conformance.examples`).
    first_failure: tuple[float, str] | None = None
    #: Whether the implementation declares this spec an expected failure (a known
    #: deviation): a failing Hypothesis example is then not shrunk.
    expected_to_fail: bool = False
    #: The clause of the spec, which begins every failure message the harness raises.
    clause: str | None = None
    #: The longest time a call took to start, of those :meth:`wait_started` saw (seconds).
    slowest_start: float | None = None
    _gates: list[Event] = field(default_factory=list)
    _executors: list[Executor] = field(default_factory=list)
    #: How many earlier examples of the spec the executor the current example got back
    #: with ``executor(keep=True)`` had served (0: it was fresh).
    served_before: int = 0
    #: The executor kept from one example of the spec for the next (see :meth:`executor`):
    #: the arguments it was made with, the executor, and how many examples it served.
    _kept: tuple[tuple[Any, ...], Executor, int] | None = None
    #: Bounds the submit() and map() calls the spec makes in the main thread.
    _watch: Watch | None = None
    #: The executors (by id) whose shutdown() has been called, by the spec or its with
    #: statement: the harness's own shutdown at the end is then a second one.
    _shut_down: set[int] = field(default_factory=set)

    def __repr__(self) -> str:
        return f"<{self.clause or 'conformance'} harness of {self.implementation.name}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis shows every argument of a failing example, this one included, and
        # would list a dataclass's fields, which bury the drawn arguments.
        printer.text(repr(self))

    # -- executors -----------------------------------------------------------

    @contextmanager
    def executor(self, max_workers: int = 2, *, keep: bool = False,
                 **options: Any) -> Iterator[Executor]:
        """A fresh executor, shut down (after opening every gate) on exit.

        ``options`` go to the factory as keywords (say, ``initializer=``).

        With ``keep``, in a Hypothesis spec, an example that passes leaves the executor
        running (its gates opened all the same), and the next example of the spec gets it
        back if it asks with the same arguments; otherwise it is shut down and a fresh one
        made, so that a spec never holds two (some factories hand out one pool shared by
        all).  The spec's end shuts it down.  A pool of processes then starts a few times per
        spec instead of once per example.  Only a spec whose calls all end once their gates
        open, and which never shuts the executor down, may keep it: what it checks must hold
        on an executor that has run other calls before.  The first example of a spec still
        gets a fresh executor.  An example that fails shuts the kept executor down
        (:meth:`drop_kept`), so the examples Hypothesis tries next start on a fresh one (see
        :mod:`conformance.examples`).
        """
        executor = self._keep(max_workers, options) if keep else self.new_executor(
            max_workers, **options)
        try:
            yield executor
        except BaseException:
            # The spec's own failure is the one to report; a shutdown that
            # also fails is left to the daemon thread that ran it.
            with suppress(AssertionError):
                if keep:
                    self.drop_kept()
                else:
                    self.release(executor)
            raise
        if keep:
            self.open_all_gates()
        else:
            self.release(executor)

    def _keep(self, max_workers: int, options: dict[str, Any]) -> Executor:
        """The executor kept, if made with these arguments, or a new one kept from now on."""
        arguments = (max_workers, options)
        if self._kept is not None and self._kept[0] == arguments:
            _, executor, served = self._kept
            self._kept = (arguments, executor, served + 1)
            self.served_before = served
            return executor
        self.drop_kept()
        executor = self.new_executor(max_workers, **options)
        self._kept = (arguments, executor, 1)
        return executor

    def drop_kept(self) -> None:
        """Shut the kept executor down, if any (one whose shutdown fails here is shut
        down again at the spec's end, with the others)."""
        kept, self._kept = self._kept, None
        if kept is not None:
            self.release(kept[1])

    def new_executor(self, max_workers: int, **options: Any) -> Executor:
        """A fresh executor, released by :meth:`release` or at the end of the spec."""
        executor: Executor = self.implementation.factory(max_workers=max_workers, **options)
        self._executors.append(executor)
        if self._watch is not None:
            self._watch.guard(executor)
        self._note_shutdowns(executor)
        return executor

    def _note_shutdowns(self, executor: Executor) -> None:
        """Have a call of the executor's shutdown() noted (unless the instance refuses the
        wrapper), so that :meth:`release` knows whether its own is the first."""
        original = getattr(executor, "shutdown", None)
        if not callable(original):
            return
        noted, key = self._shut_down, id(executor)

        @functools.wraps(original)
        def shutdown(*args: Any, **kwargs: Any) -> Any:
            noted.add(key)
            return original(*args, **kwargs)

        with suppress(AttributeError, TypeError):
            executor.shutdown = shutdown  # type: ignore[method-assign]

    @contextmanager
    def watching_calls(self) -> Iterator[None]:
        """For as long as the block lasts, a submit() or map() that the spec calls in the
        main thread, on an executor the harness made, fails if it has not returned within
        PROMPT: it would otherwise block the spec's thread, and so the gates that only
        this thread opens, until the spec's time limit (see :mod:`conformance.blocking`)."""
        self._watch = Watch(self.clock(PROMPT), self._blocked)
        try:
            with self._watch.active():
                yield
        finally:
            self._watch = None

    def _blocked(self, what: str, bound: float, stack: str) -> CallBlocked:
        self._ran_out(bound)
        return CallBlocked(str(self._failure(
            f"{what} did not return within {bound:g}s, blocking the spec's thread:"
            " submit() and map() return without waiting for any call to finish (SUB-6,"
            f" SUB-7); it is stuck here:\n{stack}")))

    def release(self, executor: Executor) -> None:
        """Open every gate, then shut ``executor`` down within a bounded time."""
        self.open_all_gates()
        if executor in self._executors:
            self._executors.remove(executor)
        budget = self.clock(PROMPT)
        again = id(executor) in self._shut_down
        try:
            released = release_within(executor, budget)
        except Exception as exc:
            if again:
                # The spec shut the executor down already; a second shutdown() that raises
                # breaks SHD-10, whose spec says so, not the clause of this one.
                return
            raise self._failure(
                f"shutdown(wait=True), called to release the executor at the spec's end,"
                f" raised {exc!r}"
            ) from exc
        finally:
            self._shut_down.discard(id(executor))
        if not released:
            self._ran_out(budget)
            raise self._failure(
                f"shutdown(wait=True) did not return within {budget:g}s after every"
                " gate was opened: the executor is stuck"
            )

    def close(self) -> None:
        """End of the spec: release whatever is still open."""
        self._kept = None
        errors = []
        for executor in list(self._executors):
            try:
                self.release(executor)
            except BaseException as exc:
                errors.append(exc)
        self.open_all_gates()
        if errors:
            raise errors[0]

    # -- gates ---------------------------------------------------------------

    def event(self) -> Event:
        """A closed gate (an event), opened automatically when the spec ends."""
        gate = self.kit.event()
        self._gates.append(gate)
        return gate

    def signal(self) -> Event:
        """An event a call sets to say it got somewhere; the harness never sets it."""
        return self.kit.event()

    def log(self) -> Any:
        """A list the calls append to; ``list(log)`` reads it."""
        return self.kit.log()

    def open_all_gates(self) -> None:
        for gate in self._gates:
            gate.set()

    def submit_blocked(self, executor: Executor, value: Any = None,
                       log: Any = None) -> Blocked:
        """Submit a call that announces its start, then waits for its gate."""
        # Only the gate is opened at the end of the spec: the start signal must
        # stay a true record of whether the call ran.
        started, gate = self.signal(), self.event()
        submitted = time.monotonic()
        future = executor.submit(
            tasks.gated, started, gate, self.clock(PROMPT * 6), value, log
        )
        return Blocked(future, started, gate, value, submitted)

    def wait_started(self, blocked: Blocked, what: str = "the call") -> None:
        """Wait (bounded) for a blocked call to start; fail saying so if it does not."""
        budget = self.clock(PROMPT)
        if not blocked.started.wait(budget):
            self._ran_out(budget)
            raise self._failure(
                f"{what} did not start within {budget:g}s although a worker was free"
            )
        if blocked.submitted is not None:
            took = time.monotonic() - blocked.submitted
            self.slowest_start = max(took, self.slowest_start or 0.0)

    def occupy_all_workers(self, executor: Executor, max_workers: int) -> list[Blocked]:
        """Block every worker of ``executor`` on a gated call, each known to run."""
        blockers = [self.submit_blocked(executor, i) for i in range(max_workers)]
        for blocker in blockers:
            self.wait_started(blocker, "a call submitted to an idle executor")
        return blockers

    def submit_queued(self, executor: Executor, *values: Any, log: Any = None,
                      watch: float | None = None) -> list[Blocked]:
        """Submit calls (one per value) while every worker is busy: they must stay pending.

        Watches for ``watch`` seconds (default: :meth:`queued_watch`) that none of
        them starts, which also gives an executor that marks queued calls as
        running, or done, the time to show it (the watch ends early when one
        does).  Every spec watches, also those that only cancel the queued calls:
        without it a cancel races the pool's hand-over of calls to its workers,
        which leaves CPython's process pool before 3.10.11 stuck in shutdown now
        and then (python/cpython#94440, once CB-1 on 3.9's forkserver); the SHD-3
        spec that provokes that hang on purpose reports it, the others stay clear
        of it.
        """
        queued = [self.submit_blocked(executor, value, log) for value in values]
        deadline = time.monotonic() + (self.queued_watch() if watch is None else watch)
        while time.monotonic() < deadline and not any(q.left_the_queue() for q in queued):
            time.sleep(0.001)
        self._until_handed_over(queued)
        if any(q.started.is_set() for q in queued):
            raise self._failure(
                "a call started while every worker was busy: the executor runs more than"
                " max_workers calls at once (if that is by design, declare"
                " Implementation(bounded_workers=False))"
            )
        return queued

    def _until_handed_over(self, queued: list[Blocked]) -> None:
        """Once a queued call has left the queue, watch until no other has for HAND_OVER
        seconds (scaled): a pool hands calls to its workers ahead of time in a burst, in
        whatever order it likes, and which ones are still pending is settled only then."""
        left = [q.left_the_queue() for q in queued]
        if not any(left):
            return
        deadline = time.monotonic() + self.clock(PROMPT)
        quiet_from = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_from < self.clock(
                HAND_OVER):
            time.sleep(0.001)
            now = [q.left_the_queue() for q in queued]
            if now != left:
                left, quiet_from = now, time.monotonic()

    def queued_watch(self) -> float:
        """How long :meth:`submit_queued` watches by default: SETTLE (scaled) until a call
        has been seen to start, then in proportion to the slowest start (see
        :data:`QUEUED_WATCH_STARTS`)."""
        longest = self.clock(SETTLE)
        if self.slowest_start is None:
            return longest
        return min(longest, max(self.clock(QUEUED_WATCH_FLOOR),
                                QUEUED_WATCH_STARTS * self.slowest_start))

    def race(self, executor: Executor, step: Callable[[Future[Any]], _T],
             what: str) -> list[tuple[Future[Any], _T]]:
        """Submit quick calls (call ``i`` returns ``i``), each followed by
        ``step(future)``, which so races the call's finishing elsewhere; the steps' results.

        Each step starts at one of :data:`RACE_OFFSETS` offsets after its submit(),
        spread over a call's measured lifetime, so that some steps meet the finish
        whatever the executor's latency; threads switch as often as the interpreter
        can meanwhile.  The whole race is bounded: a step that never returns (a lost
        wake-up) fails naming ``what``, with where it is stuck.
        """
        def run() -> list[tuple[Future[Any], _T]]:
            laps = []
            for i in range(5):
                begun = time.perf_counter()
                executor.submit(tasks.identity, i).result()
                laps.append(time.perf_counter() - begun)
            stride = 1.5 * sorted(laps)[2] / RACE_OFFSETS
            deadline = time.monotonic() + self.clock(RACE_TIME)
            done: list[tuple[Future[Any], _T]] = []
            for i in range(RACES):
                future = executor.submit(tasks.identity, i)
                # Spinning, not sleeping: a sleep is far coarser than a quick call.
                until = time.perf_counter() + stride * (i % RACE_OFFSETS)
                while time.perf_counter() < until:
                    pass
                done.append((future, step(future)))
                if time.monotonic() > deadline:
                    break
            return done

        # Set here, not in the racing thread, so that it is undone even when that
        # thread is stuck for good.
        with switch_interval(1e-6):
            return self.call(run, what=what,  # type: ignore[no-any-return]
                             bound=self.clock(RACE_TIME + PROMPT)).unwrap()

    # -- bounded waits -------------------------------------------------------

    def call(self, fn: Callable[..., Any], *args: Any, bound: float | None = None,
             what: str = "the call", when_waiting: Callable[[], object] | None = None,
             **kwargs: Any) -> Outcome:
        """Run ``fn`` in a helper thread; fail if it has not returned within ``bound``.

        Used for every operation of the executor under test that could block:
        a broken executor then costs a bounded wait and a clear failure.
        ``when_waiting`` (say, a gate's ``set``) runs once the helper thread is
        calling ``fn``, so that what it sets off happens while the caller waits.
        """
        budget = self.clock(PROMPT) if bound is None else bound
        attempt = Attempt(lambda: fn(*args, **kwargs), "conformance-call")
        if when_waiting is not None:
            self.wait_until(attempt.calling.is_set, f"{what} was not called")
            when_waiting()
        if not attempt.finished.wait(budget):
            self._ran_out(budget)
            raise self._failure(
                f"{what} did not return within {budget:g}s; it is stuck here:\n{attempt.stack()}"
            )
        return attempt.outcome

    def _failure(self, message: str) -> AssertionError:
        """An AssertionError whose message names the spec's clause first, as the specs' own do."""
        if self.clause and not message.startswith(f"{self.clause}:"):
            message = f"{self.clause}: {message}"
        return AssertionError(message)

    def _ran_out(self, budget: float) -> None:
        """A bounded wait ran out: a stall if the bound was one only a broken executor meets."""
        if budget >= self.clock(PROMPT):
            self.stalls += 1

    def result(self, future: Future[Any], what: str = "result()") -> Any:
        """``future.result()`` with no timeout, bounded from outside."""
        return self.call(future.result, what=what).unwrap()

    def wait_until(self, predicate: Callable[[], bool], what: str,
                   bound: float | None = None) -> None:
        """Poll ``predicate`` until it holds; fail naming ``what`` after ``bound``."""
        budget = self.clock(PROMPT) if bound is None else bound
        deadline = time.monotonic() + budget
        while not predicate():
            if time.monotonic() > deadline:
                self._ran_out(budget)
                raise self._failure(f"{what} within {budget:g}s")
            time.sleep(0.001)


@contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Have the interpreter switch threads every ``seconds`` (``sys.setswitchinterval``)
    within the block, and as before after it, whatever happens in it."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def open_later(gate: Event, delay: float) -> Callable[[], object]:
    """What opens ``gate`` ``delay`` seconds from when it is called.

    The call then finishes well after the caller began to wait.  Time is the
    subject here (a wait with no limit must last), so a timer opens the gate.
    """

    def start_timer() -> None:
        timer = threading.Timer(delay, gate.set)
        timer.daemon = True
        timer.start()

    return start_timer


def _frame(thread: threading.Thread) -> FrameType | None:
    """The frame ``thread`` is executing now (None once it has ended)."""
    # Older CPythons could collect garbage inside sys._current_frames() while
    # holding the lock of the thread list, and deadlock there for good
    # (python/cpython#106883): the collector is held off for the call.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return sys._current_frames().get(thread.ident or -1)
    finally:
        if collecting:
            gc.enable()


def stack_of(thread: threading.Thread, depth: int = 12) -> str:
    """Where ``thread`` is now: its innermost frames, as a traceback prints them."""
    frame = _frame(thread)
    if frame is None:
        return "  (the thread has ended)"
    try:
        return "".join(traceback.format_stack(frame)[-depth:]).rstrip()
    except Exception as exc:  # the thread moved on while its frames were read
        return f"  (its stack could not be read: {exc!r})"
