"""The pytest plugin: options, the implementation seam, markers, and the report.

Registered through the ``pytest11`` entry point, so ``pytest --pyargs
conformance --executor mypkg.pools:make_pool`` runs every spec against that
executor.  The seam is the ``executor_implementation`` fixture, parametrized
with the implementations the options name; a ``conftest.py`` may override it
the way anyio users override ``anyio_backend``.

Every option is resolved in one place, :func:`resolve`, with this precedence:
command-line flag > environment variable > ini key > default.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import (
    backstop,
    clauses,
    examples,
    expected,
    leftovers,
    profiles,
    replay,
    standalone,
)
from conformance.capabilities import ProbeFailed, effective, probe
from conformance.expected import BadExpectedFailures, ExpectedFailure
from conformance.guardian import Guardian
from conformance.harness import PROMPT, Clock, Conformance
from conformance.implementation import (
    CAPABILITIES,
    BadImplementation,
    Implementation,
    check_factory,
    load,
)
from conformance.report import NOT_APPLICABLE, Verdicts
from conformance.sync import Kit

CLAUSE_MARK = "conformance_clause"
REQUIRES_MARK = "conformance_requires"

#: How many pytest-xdist workers may die before xdist gives up, unless
#: ``--max-worker-restart`` says otherwise: enough for every spec to kill one.
CRASHED_WORKERS = 1000

#: Seconds (times the time scale) that the processes still alive below the run's process
#: at its end get to finish before they are killed (see :mod:`conformance.leftovers`).
LEFTOVER_GRACE = 5.0


# -- options ----------------------------------------------------------------------


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be greater than 0")
    return value


def _profile(text: str) -> str:
    if text not in profiles.PROFILES:
        raise ValueError(f"must be one of {', '.join(profiles.PROFILES)}")
    return text


def _executors(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text) if part]


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off", ""):
        raise ValueError("must be true or false")
    return lowered in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Setting:
    """One knob, named the same way as a flag, an environment variable and an ini key."""

    name: str
    help: str
    default: Any
    parse: Callable[[str], Any]

    @property
    def flag(self) -> str:
        return "--executor" if self.name == "executor" else f"--conformance-{self.name}"

    @property
    def dest(self) -> str:
        return "conformance_" + self.name.replace("-", "_")

    @property
    def ini(self) -> str:
        return self.dest

    @property
    def env(self) -> str:
        return self.dest.upper()


SETTINGS = {
    s.name: s
    for s in (
        Setting("executor", "MODULE:ATTR of an executor factory or Implementation, or a"
                " bundled name (repeatable); default: every bundled implementation",
                None, _executors),
        Setting("time-scale", "multiply every time budget of the suite by this factor",
                1.0, _positive_float),
        Setting("timeout", "seconds (before scaling) after which a spec fails as hung",
                120.0, _positive_float),
        Setting("profile", "Hypothesis profile of the specs: dev, ci or thorough",
                "dev", _profile),
        Setting("report", "write the clause report to PATH.json and PATH.md, and a badge to"
                " PATH.badge.json", None, Path),
        Setting("strict", "failing recommended clauses, and expected failures that are fixed,"
                " fail the run too", False, _flag),
        Setting("replay-dir", "also write the script that replays each failed spec to"
                " DIR/<test id as a file name>.py", None, Path),
        Setting("replay", "replay this Hypothesis example, @reproduce_failure('VERSION', b'...')"
                " as Hypothesis printed it, on the selected Hypothesis specs", None, replay.parse),
    )
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "executor conformance suite")
    for s in SETTINGS.values():
        if s.name == "executor":
            group.addoption(s.flag, action="append", dest=s.dest, metavar="MODULE:ATTR",
                            help=s.help)
            parser.addini(s.ini, s.help, type="linelist", default=[])
        elif s.name == "strict":
            group.addoption(s.flag, action="store_const", const="true", dest=s.dest,
                            help=s.help)
            parser.addini(s.ini, s.help, default="")
        else:
            group.addoption(s.flag, dest=s.dest, metavar="VALUE", help=s.help)
            parser.addini(s.ini, s.help, default="")
    group.addoption("--conformance-clauses", action="store_true",
                    help="list the clause catalog and exit")


def resolve(config: pytest.Config, name: str) -> tuple[Any, str]:
    """The value of a setting and where it came from (flag > env > ini > default)."""
    s = SETTINGS[name]
    raw: Any = config.getoption(s.dest)
    source = "the command line"
    if raw is None and os.environ.get(s.env, "").strip():
        raw, source = os.environ[s.env], f"environment variable {s.env}"
    if raw is None and config.getini(s.ini):
        raw, source = config.getini(s.ini), f"ini key {s.ini}"
    if raw is None:
        return s.default, "default"
    try:
        if isinstance(raw, list):  # repeated flag, or an ini line list
            return [v for item in raw for v in s.parse(item)], source
        return s.parse(raw), source
    except ValueError as exc:
        raise pytest.UsageError(f"{s.flag}: bad value {raw!r} (from {source}): {exc}") from None


# -- the run ----------------------------------------------------------------------


@dataclass(eq=False)  # a plugin: compared and hashed by identity
class Run:
    """What the plugin knows for the whole session."""

    implementations: list[Implementation]
    clock: Clock
    timeout: float
    strict: bool
    report: Path | None
    sources: dict[str, str]
    verdicts: Verdicts = field(default_factory=Verdicts)
    probed: dict[str, dict[str, bool]] = field(default_factory=dict)
    probe_failures: dict[str, ProbeFailed] = field(default_factory=dict)
    kits: dict[bool, Kit] = field(default_factory=dict)
    #: Level of the clause of every failed test ("other" outside the specs).
    failures: dict[str, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    #: The active expected failures of each implementation, by name.
    expectations: dict[str, list[ExpectedFailure]] = field(default_factory=dict)
    #: (implementation, entry index) -> clause -> how its specs ended ("xfailed"/"xpassed").
    expected_outcomes: dict[tuple[str, int], dict[str, set[str]]] = field(default_factory=dict)
    #: Implementation -> how --executor named it (to load it again in a fresh interpreter).
    specs: dict[str, str] = field(default_factory=dict)
    #: The Hypothesis example the specs replay (--conformance-replay), parsed.
    example: tuple[str, bytes] | None = None
    #: Where the replay script of each failed spec is written (--conformance-replay-dir).
    replay_dir: Path | None = None
    #: The processes the executors left running, killed at the end of the run, described.
    killed: list[str] = field(default_factory=list)
    #: The processes below this one when the session began, but for those the executors
    #: made when their factories were checked: not the executors', never killed.
    spared: frozenset[int] = frozenset()
    #: The processes that appeared while the factories were checked.
    made_by_check: frozenset[int] = frozenset()
    #: Whether this process adopts the orphans of the processes below it (Linux).
    adopts_orphans: bool = False
    #: In pytest-xdist's controller: the watch for the processes of a worker that died.
    orphan_watch: leftovers.OrphanWatch | None = None
    #: The processes of dead pytest-xdist workers that the watch killed, described.
    orphaned: list[str] = field(default_factory=list)
    #: The watcher outside this process, for when it dies (not in an xdist worker).
    guardian: Guardian | None = None

    def expected(self, implementation: Implementation) -> list[ExpectedFailure]:
        """The implementation's expected failures that apply on this Python."""
        name = implementation.name
        if name not in self.expectations:
            try:
                entries = expected.load(implementation.expected_failures)
            except BadExpectedFailures as exc:
                raise pytest.UsageError(f"expected failures of {name}: {exc}") from None
            self.expectations[name] = [e for e in entries if e.applies_to(name)]
        return self.expectations[name]

    def probe(self, implementation: Implementation) -> dict[str, bool]:
        """The probed capabilities, found once per implementation (a failure too)."""
        name = implementation.name
        if name not in self.probed and name not in self.probe_failures:
            try:
                # Within the first spec's time limit, which the probe counts against.
                bound = min(4 * self.clock(PROMPT), 0.6 * self.clock(self.timeout))
                self.probed[name] = probe(implementation, self.clock(PROMPT), bound)
            except ProbeFailed as exc:
                self.probe_failures[name] = exc
            except Exception as exc:  # the factory itself, say: still once per run
                failure = ProbeFailed(f"probing {name} failed: {type(exc).__name__}: {exc}")
                self.probe_failures[name] = failure
        if name in self.probe_failures:
            # A fresh traceback each time: re-raising one exception object
            # would grow its traceback with every spec, and its report with it.
            raise self.probe_failures[name].with_traceback(None)
        return self.probed[name]

    def kit(self, shared_memory: bool) -> Kit:
        return self.kits.setdefault(shared_memory, Kit(shared_memory))

    # The run is itself a plugin: it parametrizes the seam and collects the report.

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        # Parametrize only where the seam is this plugin's fixture: a
        # conftest.py that overrides it chooses its own implementations.
        defs = metafunc._arg2fixturedefs.get("executor_implementation", ())
        if defs and getattr(defs[-1].func, "__module__", None) == __name__:
            metafunc.parametrize("executor_implementation", self.implementations,
                                 ids=[i.name for i in self.implementations],
                                 indirect=True, scope="session")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # Every selected Hypothesis spec gets the example: a replay selects the one it failed.
        if self.example is not None:
            for item in items:
                if item.get_closest_marker(CLAUSE_MARK) is not None:
                    replay.apply(item, self.example)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = {str(k): str(v) for k, v in report.user_properties}
        implementation = props.get("conformance_implementation")
        clause_id = props.get("conformance_clause")
        if report.failed and implementation is None:
            # A test whose process died (pytest-xdist reports it for the dead
            # worker) carries none of its properties: its id still names both.
            implementation, clause_id = self._named_by(report.nodeid)
            if implementation is not None and clause_id is not None:
                self.verdicts.add(implementation, clause_id, "failed",
                                  "the process running the spec died (a crash, or a hang"
                                  " that only ending the process could stop): "
                                  + _last_line(report))
        if report.failed:
            self.failures[report.nodeid] = (
                clauses.get(clause_id).level if clause_id else "other"
            )
        if implementation is None or clause_id is None:
            return
        if hasattr(report, "wasxfail"):
            ended = "xfailed" if report.skipped else "xpassed" if report.passed else ""
            for index in props.get("conformance_expected", "").split():
                key = (implementation, int(index))
                self.expected_outcomes.setdefault(key, {}).setdefault(clause_id, set()).add(ended)
            if report.skipped:
                self.verdicts.add(implementation, clause_id, "expected failure",
                                  report.wasxfail.removeprefix("reason: "))
            elif report.passed and report.when == "call":
                self.verdicts.add(implementation, clause_id, "passed")
        elif report.failed:
            self.verdicts.add(implementation, clause_id, "failed")
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            self.verdicts.add(implementation, clause_id, "n/a",
                              reason.removeprefix("Skipped: "))
        elif report.when == "call":
            self.verdicts.add(implementation, clause_id, "passed")

    def _named_by(self, nodeid: str) -> tuple[str | None, str | None]:
        """The implementation and clause a spec's test id names, if it names them."""
        clause_id = _spec_functions().get(_function_name(nodeid))
        params = nodeid.rpartition("[")[2].rstrip("]") if nodeid.endswith("]") else ""
        names = sorted((i.name for i in self.implementations), key=len, reverse=True)
        implementation = next(
            (name for name in names if params == name or params.startswith(name + "-")), None)
        return implementation, clause_id

    @property
    def only_recommended_failed(self) -> bool:
        return bool(self.failures) and set(self.failures.values()) == {"recommended"}

    def settle_expectations(self) -> None:
        """Mark the expected failures that no spec showed any more, or that name no spec."""
        for name, entries in self.expectations.items():
            if name not in self.verdicts.by_implementation:
                continue  # nothing of this implementation ran
            for index, entry in enumerate(entries):
                # Judged against the whole suite, not what this run selected.
                if entry.test and _function_name(entry.test) not in _spec_functions():
                    self.verdicts.unmatched[name].append(entry)
                outcomes = self.expected_outcomes.get((name, index))
                if not outcomes or any("xfailed" in ended for ended in outcomes.values()):
                    continue
                for clause_id in outcomes:
                    self.verdicts.add(name, clause_id, "fixed",
                                      f"expected failure {entry.label} no longer seen: remove"
                                      " it from the expected failures")

    @pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts its workers
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        alive = frozenset(leftovers.live_descendants())
        self.spared = alive - self.made_by_check
        if self.adopts_orphans and session.config.pluginmanager.hasplugin("dsession"):
            self.orphan_watch = leftovers.OrphanWatch(alive)
            self.orphan_watch.start()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_newgateway(self, gateway: Any) -> None:
        if self.orphan_watch is not None:
            pid = _worker_pid(gateway)
            if pid is not None:
                self.orphan_watch.workers.add(pid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for kit in self.kits.values():
            kit.close()
        # The processes below pytest-xdist's controller are its workers until they end:
        # it stops what it left running itself once they have (pytest_unconfigure).
        if not session.config.pluginmanager.hasplugin("dsession"):
            self.killed += leftovers.stop_leftover_processes(self.clock(LEFTOVER_GRACE),
                                                             self.spared)
        if hasattr(session.config, "workerinput"):
            session.config.workeroutput["conformance_killed"] = self.killed  # type: ignore[attr-defined]
            return
        if self.orphan_watch is not None:
            self.orphaned = self.orphan_watch.stop()
        self.settle_expectations()
        if self.report is not None and self.verdicts.by_implementation:
            self.written = self.verdicts.write(self.report)
        # A failing recommended clause, or an expected failure that is fixed,
        # is reported, but fails the run only in strict mode: the exit status
        # speaks for the documented contract.
        if session.exitstatus == pytest.ExitCode.TESTS_FAILED and not self.strict \
                and self.only_recommended_failed:
            session.exitstatus = pytest.ExitCode.OK
        if self.strict and self.verdicts.any_fixed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> None:
        # (An xdist worker has no guardian; the controller's runs no spec.)
        if self.guardian is not None and not item.config.pluginmanager.hasplugin("dsession"):
            mark = item.get_closest_marker(CLAUSE_MARK)
            self.guardian.spec(item.nodeid, mark.args[0] if mark else "none")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if config.pluginmanager.hasplugin("dsession"):
            # pytest-xdist's controller, its workers gone: it made executors too (to check
            # the factory), and the summary is written, so what it kills is told on stderr.
            for described in leftovers.stop_leftover_processes(self.clock(LEFTOVER_GRACE),
                                                               self.spared):
                print(f"conformance: killed process {described}, left running by an"
                      " executor under test", file=sys.stderr)
        if self.guardian is not None:
            self.guardian.stop()

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        # pytest-xdist's hook in its controller: what a worker killed as its run ended.
        self.killed += getattr(node, "workeroutput", {}).get("conformance_killed", [])
        if self.orphan_watch is not None and error is None:
            # Ended as it should: the watch no longer takes it for dead.
            self.orphan_watch.workers.discard(_worker_pid(getattr(node, "gateway", None)))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.killed:
            terminalreporter.write_sep("=", "conformance: processes left running")
            terminalreporter.write_line(
                f"{len(self.killed)} process(es) the executors under test started were still"
                f" running {self.clock(LEFTOVER_GRACE):g}s after the last spec, and were"
                " killed (SHD-20 and SHD-21 report a leak on the spec that caused it):")
            _list_processes(terminalreporter, self.killed)
        if self.orphaned:
            terminalreporter.write_sep("=", "conformance: processes of a crashed worker")
            terminalreporter.write_line(
                f"{len(self.orphaned)} process(es) outlived the pytest-xdist worker that"
                " started them (through an executor under test) and were killed, so that"
                " its crash could be reported:")
            _list_processes(terminalreporter, self.orphaned)
        if not self.verdicts.by_implementation:
            return
        terminalreporter.write_sep("=", "conformance: clause verdicts")
        for line in self.verdicts.lines():
            terminalreporter.write_line(line)
        if self.only_recommended_failed and not self.strict:
            terminalreporter.write_line(
                "only recommended clauses failed: the run passes"
                " (--conformance-strict makes them fail it)"
            )
        if self.verdicts.any_fixed:
            terminalreporter.write_line(
                "some expected failures are fixed: " + (
                    "the run fails (strict mode)" if self.strict else
                    "remove them (--conformance-strict makes them fail the run)"
                )
            )
        for path in self.written:
            terminalreporter.write_line(f"report written to {path}")


RUN = pytest.StashKey[Run]()


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("conformance_clauses"):
        print(clauses.markdown(), end="")
        return 0
    return None


def _list_processes(terminalreporter: Any, described: list[str]) -> None:
    """The first ten processes, one per line, and how many more."""
    for line in described[:10]:
        terminalreporter.write_line(f"  {line}")
    if len(described) > 10:
        terminalreporter.write_line(f"  and {len(described) - 10} more")


def _worker_pid(gateway: Any) -> int | None:
    """The process id of a pytest-xdist worker, from execnet's gateway to it."""
    pid = getattr(getattr(getattr(gateway, "_io", None), "popen", None), "pid", None)
    return pid if isinstance(pid, int) else None


def pytest_configure(config: pytest.Config) -> None:
    _watch_interrupts()
    config.addinivalue_line("markers", f"{CLAUSE_MARK}(id): the clause of the contract a"
                            " spec checks")
    config.addinivalue_line("markers", f"{REQUIRES_MARK}(*capabilities): capabilities a"
                            " spec needs; without them it is not applicable")
    for clause in clauses.CATALOG.values():
        config.addinivalue_line("markers", f"{clause.id}: {clause.promise}")
    for level in ("required", "recommended"):
        config.addinivalue_line("markers", f"{level}: the specs of the {level} clauses")

    values, sources = {}, {}
    for name in SETTINGS:
        values[name], sources[name] = resolve(config, name)
    profiles.select(values["profile"])
    clock = Clock(values["time-scale"])
    adopts_orphans = leftovers.adopt_orphans()
    # A worker of pytest-xdist needs no check (the controller made it already) and no
    # guardian (the controller reports its death, and ends what it left running).
    check = not hasattr(config, "workerinput")
    before_check = leftovers.live_descendants() if check else set()
    chosen = _implementations(values["executor"], sources["executor"], clock, check=check)
    made_by_check = frozenset(leftovers.live_descendants() - before_check if check else ())
    if getattr(config.option, "maxworkerrestart", "") is None:
        # Each spec whose executor kills the process costs one xdist worker,
        # and is reported failed on its clause; xdist's default (4 per worker)
        # would end the run early instead.
        config.option.maxworkerrestart = str(CRASHED_WORKERS)
    run = config.stash[RUN] = Run(
        implementations=list(chosen.values()),
        specs={implementation.name: spec for spec, implementation in chosen.items()},
        clock=clock,
        timeout=values["timeout"],
        strict=values["strict"],
        report=values["report"],
        example=values["replay"],
        replay_dir=values["replay-dir"],
        sources=sources,
        made_by_check=made_by_check,
        adopts_orphans=adopts_orphans,
    )
    for implementation in run.implementations:
        run.expected(implementation)
        version = implementation.version()
        if version is not None:
            run.verdicts.packages[implementation.name] = version
    config.pluginmanager.register(run, "conformance-run")
    if check:  # started once nothing can stop the run before it begins: a bad plug-in
        run.guardian = Guardian.start()
    if backstop.wanted(config):
        # Past the spec's limit, time for the harness to release its executors.
        margin = clock(4 * PROMPT)
        config.pluginmanager.register(backstop.Backstop(margin, CLAUSE_MARK),
                                      "conformance-backstop")


def _implementations(specs: list[str] | None, source: str, clock: Clock,
                     check: bool = True) -> dict[str, Implementation]:
    """The implementations under test, by the spec that names each."""
    from implementations import BUNDLED, DEFAULT

    chosen: dict[str, Implementation] = {}
    for spec in specs or DEFAULT:
        try:
            implementation = load(spec, BUNDLED)
            # An executor the user names is built once now, so that a factory
            # that cannot build one stops the run with one line.
            if specs and check:
                check_factory(implementation, clock(PROMPT))
        except BadImplementation as exc:
            raise pytest.UsageError(f"--executor {spec} (from {source}): {exc}") from None
        chosen[spec] = implementation
    names = [i.name for i in chosen.values()]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise pytest.UsageError(
            f"--executor: two implementations are named {', '.join(sorted(duplicates))}; give"
            " one of them an Implementation(name=...)"
        )
    return chosen


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(RUN, None)
    if run is None:
        return []
    names = ", ".join(i.name for i in run.implementations)
    return [
        f"conformance: executors {names} (from {run.sources['executor']}),"
        f" time scale {run.clock.scale:g} (from {run.sources['time-scale']}),"
        f" profile {profiles.current()} (from {run.sources['profile']})"
    ]


@pytest.hookimpl(tryfirst=True)  # before -m selection, which reads the clause markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash[RUN]
    for item in items:
        mark = item.get_closest_marker(CLAUSE_MARK)
        if mark is None:
            continue
        clause = clauses.get(mark.args[0])
        item.add_marker(clause.id)
        item.add_marker(clause.level)  # so that -m required runs the gate's clauses only
        item.user_properties.append(("conformance_clause", clause.id))
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(run.clock(run.timeout)))
        examples.watch(getattr(item, "obj", None))


# -- a KeyboardInterrupt that no one typed -------------------------------------------

#: Set when this process receives SIGINT: only then is a KeyboardInterrupt the user's.
_INTERRUPTED = threading.Event()


def _watch_interrupts() -> None:
    """Note each SIGINT, then let Python's handler raise KeyboardInterrupt as usual."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # someone else's handler: leave it alone

    def note(signum: int, frame: Any) -> None:
        _INTERRUPTED.set()
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, note)


def _not_from_the_user(item: pytest.Item) -> Iterator[None]:
    """Turn a KeyboardInterrupt raised by the executor under test into a failure.

    pytest ends the whole run on KeyboardInterrupt; one that an executor raises
    (say, a call's KeyboardInterrupt let out of submit()) fails the spec instead.
    """
    try:
        yield
    except KeyboardInterrupt as exc:
        mark = item.get_closest_marker(CLAUSE_MARK)
        if mark is None or _INTERRUPTED.is_set():
            raise
        raise AssertionError(
            f"{mark.args[0]}: got KeyboardInterrupt from the executor under test, although no"
            f" one interrupted the run: {exc!r}"
        ) from exc


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    yield from _not_from_the_user(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _not_from_the_user(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    try:
        report = yield
    except Exception as error:
        if call.excinfo is None or item.get_closest_marker(CLAUSE_MARK) is None:
            raise
        report = _plain_report(item, call, error)
    mark = item.get_closest_marker(CLAUSE_MARK)
    if mark is not None and report.failed:
        clause = clauses.get(mark.args[0])
        report.sections.append((
            "conformance clause",
            f"{clause.id} ({clause.level}, Python {clause.since_text}+): {clause.promise}\n"
            f"promised at {clause.source}",
        ))
        report.sections.append(("conformance replay", _replay(item, call, report, clause)))
        alone = _standalone(item, clause)
        if alone is not None:
            report.sections.append(("conformance standalone reproduction", alone))
    return report


def _plain_report(item: pytest.Item, call: pytest.CallInfo[None],
                  error: Exception) -> pytest.TestReport:
    """The report of a failed spec that pytest could not format (CPython 3.11's ast.parse,
    which pytest and traceback use to show a line's source, can raise SystemError for a
    traceback an executor left behind): the failure is reported all the same, plainly, and
    the run goes on instead of ending with an internal error."""
    assert call.excinfo is not None
    frames = "".join(
        f'  File "{frame.f_code.co_filename}", line {line}, in {frame.f_code.co_name}\n'
        for frame, line in traceback.walk_tb(call.excinfo.tb))
    text = (f"{frames}{call.excinfo.exconly()}\n\n(pytest could not format this failure:"
            f" {error!r})")
    report = pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1),
                               "failed", text, call.when,  # type: ignore[arg-type]
                               user_properties=item.user_properties,
                               duration=call.duration, start=call.start, stop=call.stop)
    xfail = item.get_closest_marker("xfail")
    if xfail is not None and call.when == "call":  # an expected failure, as pytest marks one
        report.outcome = "skipped"
        report.wasxfail = xfail.kwargs.get("reason", "")  # type: ignore[attr-defined]
    return report


def _replay(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
            clause: clauses.Clause) -> str:
    """The script that replays a failed spec, also written to the replay directory if any."""
    run = item.config.stash[RUN]
    executor = _executor_spec(item)
    failed = replay.Replay.of(
        item, call.excinfo.value if call.excinfo is not None else None, report.longrepr, clause,
        executor=executor,
        profile=profiles.current(), time_scale=run.clock.scale, timeout=run.timeout,
    )
    script = failed.script()
    if run.replay_dir is None:
        return script
    path = run.replay_dir / failed.file_name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script)
    except OSError as exc:  # the failure is still reported, with its script
        return f"{script}\n# not written to {path}: {exc}\n"
    return f"{script}\n# written to {path}\n"


def _executor_spec(item: pytest.Item) -> str | None:
    """The implementation of ``item`` as --executor named it; None when a conftest.py
    overrode the seam with its own."""
    run = item.config.stash[RUN]
    params = getattr(getattr(item, "callspec", None), "params", {})
    parameter = params.get("executor_implementation")
    return next((run.specs.get(i.name) for i in run.implementations if i is parameter), None)


def _standalone(item: pytest.Item, clause: clauses.Clause) -> str | None:
    """The standalone script of a failed schedule, if its spec offers one; also written to
    the replay directory if any."""
    run = item.config.stash[RUN]
    conformance = getattr(item, "funcargs", {}).get("conformance")
    spec = _executor_spec(item)
    if not isinstance(conformance, Conformance) or spec is None:
        return None  # an executor from a conftest.py has no import path to name
    from implementations import BUNDLED

    text = standalone.script(getattr(item, "obj", None), clause, conformance,
                             BUNDLED.get(spec, spec))
    if text is None or run.replay_dir is None:
        return text
    name = replay.file_name(replay.selection(item)).removesuffix(".py")
    path = run.replay_dir / f"{name}-standalone.py"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as exc:
        return f"{text}\n# not written to {path}: {exc}\n"
    return f"{text}\n# written to {path}\n"


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def executor_implementation(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test: override this fixture to supply your own."""
    implementation: Implementation = request.param
    return implementation


def as_implementation(value: Any) -> Implementation:
    """What an overridden seam returned, as an Implementation."""
    if isinstance(value, Implementation):
        return value
    if callable(value):
        return Implementation(name=getattr(value, "__name__", repr(value)), factory=value)
    raise pytest.UsageError(
        f"executor_implementation must be an Implementation or an executor factory"
        f" (got {type(value).__name__})"
    )


@pytest.fixture
def conformance(request: pytest.FixtureRequest,
                executor_implementation: Any) -> Iterator[Conformance]:
    """The harness of one spec, bound to the implementation under test."""
    run = request.config.stash[RUN]
    implementation = as_implementation(executor_implementation)
    node = request.node
    node.user_properties.append(("conformance_implementation", implementation.name))
    mark = node.get_closest_marker(CLAUSE_MARK)
    if mark is None:
        raise pytest.UsageError(f"{node.nodeid} uses the conformance fixture but names no"
                                f" clause (@pytest.mark.{CLAUSE_MARK})")
    clause = clauses.get(mark.args[0])
    if not clause.applies:
        pytest.skip(f"{NOT_APPLICABLE}{clause.id} applies from Python {clause.since_text}")
    capabilities = effective(implementation, run.probe(implementation))
    for needed in _required_capabilities(node):
        if not capabilities[needed]:
            how = ("declared" if implementation.declared(needed) is not None else "probed")
            pytest.skip(
                f"{NOT_APPLICABLE}needs capability {needed!r} ({CAPABILITIES[needed]});"
                f" {implementation.name} lacks it ({how}; declare"
                f" Implementation({needed}=True) if that is wrong)"
            )
    expected = _expect_failures(node, run.expected(implementation), clause.id)
    named = any(i is implementation for i in run.implementations)
    harness = Conformance(implementation, capabilities, run.clock,
                          run.kit(capabilities["shares_memory"]),
                          spec=run.specs.get(implementation.name) if named else None,
                          expected_to_fail=expected, clause=clause.id)
    try:
        with harness.watching_calls():
            yield harness
    finally:
        harness.close()


def _expect_failures(node: pytest.Item, entries: list[ExpectedFailure], clause_id: str) -> bool:
    """Mark the spec as an expected failure if an entry covers it; whether one does."""
    names = _test_names(node)
    matched = [(i, e) for i, e in enumerate(entries) if e.matches(clause_id, names)]
    if not matched:
        return False
    node.user_properties.append(("conformance_expected", " ".join(str(i) for i, _ in matched)))
    # Not strict: whether an entry is fixed is decided per entry, over all the
    # specs it covers, when the run ends.
    node.add_marker(pytest.mark.xfail(
        strict=False, reason="; ".join(e.explanation for _, e in matched),
    ))
    return True


def _function_name(test: str) -> str:
    """The spec function a test name (``path::name[params]`` or a part of it) names."""
    return test.rpartition("::")[2].partition("[")[0]


@functools.cache
def _spec_functions() -> dict[str, str | None]:
    """Every spec function of the suite, by name, with the clause it checks."""
    import conformance.specs

    found: dict[str, str | None] = {}
    for info in pkgutil.iter_modules(conformance.specs.__path__):
        if info.name.startswith("test_"):
            module = importlib.import_module(f"conformance.specs.{info.name}")
            for name, function in vars(module).items():
                if name.startswith("test_"):
                    marks = getattr(function, "pytestmark", [])
                    found[name] = next(
                        (m.args[0] for m in marks if m.name == CLAUSE_MARK), None)
    return found


def _last_line(report: pytest.TestReport) -> str:
    """The last line of a failure's report (for a dead worker, the line saying so)."""
    lines = str(report.longrepr).strip().splitlines()
    return lines[-1] if lines else "no report"


def _test_names(item: pytest.Item) -> set[str]:
    """The names an expected failure's ``test`` may give a spec by."""
    nodeid = item.nodeid
    return {getattr(item, "originalname", item.name), item.name, nodeid, nodeid.partition("[")[0]}


def _required_capabilities(node: pytest.Item) -> list[str]:
    needed = []
    for mark in node.iter_markers(REQUIRES_MARK):
        for name in mark.args:
            if name not in CAPABILITIES:
                raise pytest.UsageError(f"{node.nodeid}: unknown capability {name!r}")
            needed.append(name)
    return needed


@pytest.fixture
def probed_capabilities(request: pytest.FixtureRequest,
                        executor_implementation: Any) -> dict[str, bool]:
    """What the probe found the implementation under test can do."""
    run = request.config.stash[RUN]
    return run.probe(as_implementation(executor_implementation))


