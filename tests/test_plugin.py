"""The plug-in seam: naming implementations, bad plug-ins, options, and the report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TESTS, SuiteRun


@pytest.mark.parametrize(("executor", "message"), [
    ("nosuch.module:make", "cannot import module 'nosuch.module'"),
    ("concurrent.futures:NoSuchPool", "has no attribute 'NoSuchPool'"),
    ("samples:raising_factory", "factory(max_workers=1) raised OSError: no workers today"),
    ("samples:NeverShutsDown", "shutdown() of a new, unused executor did not return"),
    ("samples:not_an_executor", "returned object, which is not an Executor"),
    ("samples:InlineExecutor.nope", "has no attribute 'InlineExecutor.nope'"),
    ("no-colon", "expected MODULE:ATTR or one of"),
    ("os:sep", "neither an executor factory nor an Implementation"),
])
def test_bad_plugin_is_one_line_and_usage_error(suite: SuiteRun, executor: str,
                                               message: str) -> None:
    result = suite.pytester.runpytest_subprocess("--pyargs", "conformance",
                                                 "--executor", executor)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, result.stderr.str()
    assert errors[0].startswith(f"ERROR: --executor {executor} (from the command line): ")
    assert message in errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_bad_option_value_names_flag_value_and_source(suite: SuiteRun,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFORMANCE_TIME_SCALE", "-2")
    result = suite.pytester.runpytest_subprocess("--pyargs", "conformance")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ("--conformance-time-scale: bad value '-2' (from environment variable"
            " CONFORMANCE_TIME_SCALE)") in result.stderr.str()


def test_stdlib_classes_work_as_they_are(suite: SuiteRun) -> None:
    summary = suite("concurrent.futures:ThreadPoolExecutor", "-m", "SUB-1 or FUT-9")
    assert summary["clauses"] == {"SUB-1": "passed", "FUT-9": "passed"}
    assert suite.result.ret == pytest.ExitCode.OK


def test_executor_from_environment_and_ini(suite: SuiteRun,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    suite.pytester.makeini("[pytest]\nconformance_executor = reference\n")
    result = suite.pytester.runpytest_subprocess("--pyargs", "conformance", "-m", "SUB-1",
                                                 "--collect-only", "-q")
    assert "test_submit_returns_a_future[reference]" in result.stdout.str()
    monkeypatch.setenv("CONFORMANCE_EXECUTOR", "thread")
    result = suite.pytester.runpytest_subprocess("--pyargs", "conformance", "-m", "SUB-1",
                                                 "--collect-only", "-q")
    assert "test_submit_returns_a_future[thread]" in result.stdout.str()
    assert "[reference]" not in result.stdout.str()


def test_conftest_can_override_the_seam(suite: SuiteRun) -> None:
    suite.pytester.makeconftest(
        "import pytest\n"
        "from samples import InlineExecutor\n"
        "@pytest.fixture(scope='session', params=[InlineExecutor], ids=['mine'])\n"
        "def executor_implementation(request):\n"
        "    return request.param\n"
    )
    suite.pytester.makepyfile(test_specs="from conformance.specs.test_submit import *\n")
    result = suite.pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "SUB-1", "-v")
    result.assert_outcomes(passed=1)
    assert "test_submit_returns_a_future[mine] PASSED" in result.stdout.str()


def test_missing_capability_is_not_applicable_never_passed(suite: SuiteRun) -> None:
    summary = suite("samples:inline", "-m", "FUT-2 or FUT-9")
    assert summary["clauses"] == {"FUT-2": "n/a", "FUT-9": "passed"}
    assert "needs capability 'background'" in summary["not_applicable"]["FUT-2"]
    assert summary["required"] == {"passed": 1, "total": 1}


def test_false_declaration_fails_decl_1(suite: SuiteRun) -> None:
    assert suite.failing("samples:misdeclared", "-m", "DECL-1") == {"DECL-1"}


def test_report_is_written_as_json_and_markdown(suite: SuiteRun) -> None:
    suite("thread", "-m", "SUB-1 or SUB-4")
    data = json.loads((suite.pytester.path / "report.json").read_text())
    assert data["implementations"]["thread"]["required"] == {"passed": 2, "total": 2}
    markdown = (suite.pytester.path / "report.md").read_text()
    assert "| [SUB-1](" in markdown and "required 2/2" in markdown
    badge = json.loads((suite.pytester.path / "report.badge.json").read_text())
    assert badge == {"schemaVersion": 1, "label": "conformance", "message": "required 2/2",
                     "color": "brightgreen"}
    assert "thread: required 2/2" in suite.result.stdout.str()


def test_known_deviation_is_reported_not_hidden(suite: SuiteRun) -> None:
    summary = suite("process-fork", "-m", "FUT-1")
    assert summary["clauses"] == {"FUT-1": "expected failure"}
    assert "ProcessPoolExecutor" in summary["expected_failures"]["FUT-1"]
    assert suite.result.ret == pytest.ExitCode.OK
    plain = suite("concurrent.futures:ProcessPoolExecutor", "-m", "FUT-1")
    assert plain["failed"] == ["FUT-1"]
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED


def test_clause_listing(suite: SuiteRun) -> None:
    result = suite.pytester.runpytest_subprocess("--conformance-clauses")
    assert result.ret == 0
    assert "| FUT-1 | required |" in result.stdout.str()


def test_failing_recommended_clause_fails_the_run_only_when_strict(suite: SuiteRun) -> None:
    assert suite.failing("samples:lenient", "-m", "SET-7") == {"SET-7"}
    assert suite.result.ret == pytest.ExitCode.OK
    assert "only recommended clauses failed" in suite.result.stdout.str()
    assert suite.failing("samples:lenient", "-m", "SET-7", "--conformance-strict") == {"SET-7"}
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize(("level", "clause"), [("required", "SET-6"), ("recommended", "SET-7")])
def test_level_selects_the_specs_of_its_clauses(suite: SuiteRun, level: str,
                                                clause: str) -> None:
    # The lenient executor keeps SET-6 and breaks SET-7.
    summary = suite("samples:lenient", "-m", f"{level} and (SET-6 or SET-7)")
    assert set(summary["clauses"]) == {clause}
    assert set(summary["failed"]) == ({"SET-7"} if level == "recommended" else set())


@pytest.mark.parametrize(("executor", "stuck"), [
    # The probe's submit() is stuck: every spec fails at once, saying where.
    ("samples:DeadlockedSubmit", "did not finish within 3.6s; stuck here"),
    ("samples:HangingShutdown", "shutdown(wait=True) did not return within 3s"),
])
def test_deadlocked_executor_fails_and_the_run_completes(suite: SuiteRun, executor: str,
                                                         stuck: str) -> None:
    summary = suite(executor, "-m", "SUB-1 or SUB-4", "--conformance-timeout", "20",
                    "--conformance-time-scale", "0.3")
    assert set(summary["failed"]) == {"SUB-1", "SUB-4"}
    assert stuck in suite.result.stdout.str()


def test_submit_that_blocks_the_specs_thread_fails_within_the_bound(suite: SuiteRun) -> None:
    # Without the bound, each spec would wait for its time limit (here 60 s): its own
    # thread, blocked in submit(), is the one that would open the gates.
    summary = suite("samples:WaitsForAFreeWorker", "-m", "FUT-1 or CAN-3",
                    "--conformance-timeout", "60", "--conformance-time-scale", "0.3")
    assert set(summary["failed"]) == {"FUT-1", "CAN-3"}
    output = suite.result.stdout.str()
    assert "submit() did not return within 3s, blocking the spec's thread" in output
    assert "in submit\n    self._free.acquire()" in output
    assert "Timeout" not in output


def test_example_that_stalls_the_executor_ends_its_spec_unshrunk(suite: SuiteRun) -> None:
    # Shrinking would try smaller examples that stall too, each costing a whole wait, until
    # the time limit ended the spec with a bare timeout; the spec stops at the first stall.
    summary = suite("samples:LosesTheThirdCall", "-m", "SUB-5", "--conformance-timeout", "60",
                    "--conformance-time-scale", "0.3")
    assert set(summary["failed"]) == {"SUB-5"}
    output = suite.result.stdout.str()
    assert "result() did not return within 3s" in output
    assert "The executor stalled on this example, so it is not shrunk: items=" in output
    assert "Timeout" not in output


@pytest.mark.parametrize("executor", ["samples:ExitsWhenACallRaises",
                                      "samples:CrashesWhenACallRaises"])
def test_executor_that_kills_its_process_fails_those_clauses_under_xdist(
        suite: SuiteRun, executor: str) -> None:
    pytest.importorskip("xdist")
    # More specs kill their worker than xdist's own limit (4 per worker) allows.
    summary = suite(executor, "-n", "1", "-m", "SUB-1 or EXC-1 or EXC-2 or EXC-3 or EXC-4"
                    " or EXC-6 or EXC-7")
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED
    assert set(summary["failed"]) == {"EXC-1", "EXC-2", "EXC-3", "EXC-4", "EXC-6", "EXC-7"}
    assert summary["required"]["passed"] == 1
    assert "the process running the spec died" in suite.result.stdout.str()


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="the run adopts orphaned processes on Linux only")
def test_worker_processes_outliving_a_dead_xdist_worker_cannot_stall_the_run(
        suite: SuiteRun) -> None:
    pytest.importorskip("xdist")
    # Left alive, the pool's forked workers would keep the dead worker's pipe open, and
    # the controller would wait for it for ever.
    summary = suite("samples:ExitsWhenACallRaisesLeavingItsWorkers", "-n", "1",
                    "-m", "SUB-1 or EXC-1")
    assert set(summary["failed"]) == {"EXC-1"}
    assert summary["required"]["passed"] == 1
    output = suite.result.stdout.str()
    assert "the process running the spec died" in output
    assert "conformance: processes of a crashed worker" in output


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="the guardian of the run's process is for Linux only")
def test_run_whose_process_dies_says_where_and_leaves_no_worker_behind(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without -n nothing can report the spec; the guardian outside the process says which
    # it was, and kills the pool's workers, which would hold the run's output open.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p))
    # Read through pipes, as a CI job reads the run: the guardian writes after the run's
    # process has ended, and the pipes close once it and the workers are gone.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance",
         "--executor", "samples:ExitsWhenACallRaisesLeavingItsWorkers",
         "-p", "no:cacheprovider", "--conformance-profile", "ci", "-m", "SUB-1 or EXC-1"],
        cwd=pytester.path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    said = re.search(r"conformance: the process running the specs \(\d+\) died while running"
                     r" \S+test_exceptions\.py::\S+ \(clause EXC-1\).* Killed (\d+) process\(es\)"
                     r" the run had started: ([\d ]+)\.", result.stderr)
    assert said is not None, result.stderr
    assert int(said.group(1)) >= 1
    assert not [pid for pid in map(int, said.group(2).split()) if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_hang_that_blocks_every_signal_fails_its_clause_under_xdist(suite: SuiteRun) -> None:
    pytest.importorskip("xdist")
    # pytest-timeout's handler never runs: faulthandler ends the worker after the margin.
    summary = suite("samples:FreezesWhenACallRaises", "-n", "1", "-m", "SUB-1 or EXC-1",
                    "--conformance-timeout", "20", "--conformance-time-scale", "0.3")
    assert set(summary["failed"]) == {"EXC-1"}
    assert summary["required"]["passed"] == 1
    output = suite.result.stdout.str() + suite.result.stderr.str()
    assert "the process running the spec died" in output
    assert "in _freeze" in output  # the stacks written when the worker was ended


def test_executor_that_keeps_the_process_alive_cannot_stall_its_exit(suite: SuiteRun) -> None:
    # The run ends with its report; the exit then waits for a thread that never ends, until
    # the backstop (4 s at this scale) prints where it is stuck and exits.
    summary = suite("samples:KeepsItsProcessAlive", "-m", "SUB-1",
                    "--conformance-time-scale", "0.1")
    assert summary["required"]["passed"] == 1
    assert suite.result.ret == 1
    assert "in _wait_for_ever" in suite.result.stderr.str()


def test_executor_lacking_part_of_the_interface_is_run_and_fails_those_clauses(
        suite: SuiteRun) -> None:
    summary = suite("samples:SubmitOnly", "-m", "SUB-1 or SHD-1 or MAP-1")
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED
    assert set(summary["failed"]) == {"SHD-1", "MAP-1"}
    assert summary["required"]["passed"] == 1


def test_keyboard_interrupt_from_the_executor_fails_its_specs_not_the_run(
        suite: SuiteRun) -> None:
    summary = suite("samples:InterruptsOnSubmit", "-m", "SUB-1 or EXC-1")
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED
    assert set(summary["failed"]) == {"SUB-1", "EXC-1"}
    assert "got KeyboardInterrupt from the executor under test" in suite.result.stdout.str()


def test_fixed_expected_failures_are_reported_and_fail_only_strict_runs(
        suite: SuiteRun) -> None:
    summary = suite("samples:stale_expectations", "-m", "FUT-1 or FUT-2")
    assert suite.result.ret == pytest.ExitCode.OK, suite.result.stdout.str()
    assert summary["clauses"] == {"FUT-1": "fixed", "FUT-2": "fixed"}
    assert "no longer seen" in summary["fixed"]["FUT-1"]
    # An entry naming no spec is reported; one for other Pythons is not active.
    assert summary["unmatched"] == [{"entry": "test_no_such_spec",
                                     "reason": "names a spec that does not exist"}]
    out = suite.result.stdout.str()
    assert "FIXED FUT-2: expected failure test_executing_call_is_running" in out
    assert "unmatched expected failure test_no_such_spec" in out
    suite("samples:stale_expectations", "-m", "FUT-1", "--conformance-strict")
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED


def test_malformed_expected_failures_are_one_usage_error(suite: SuiteRun) -> None:
    result = suite.pytester.runpytest_subprocess(
        "--pyargs", "conformance", "--executor", "samples:malformed_expectations")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "malformed.toml, entry 1: unknown key reson" in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_junit_xml_names_each_spec_clause_and_implementation(suite: SuiteRun) -> None:
    junit = suite.pytester.path / "junit.xml"
    suite("thread", "-m", "SUB-1 or FUT-1", f"--junitxml={junit}")
    xml = junit.read_text()
    for clause_id in ("SUB-1", "FUT-1"):
        assert f'<property name="conformance_clause" value="{clause_id}" />' in xml
    assert '<property name="conformance_implementation" value="thread" />' in xml


@pytest.mark.parametrize(("executor", "clause", "test", "hypothesis"), [
    ("broken.submit:DropsKeywords", "SUB-2", "test_call_gets_exactly_the_arguments", True),
    ("broken.submit:FnNotPositionalOnly", "SUB-3", "test_keyword_named_fn_reaches_the_call",
     False),
])
def test_failed_spec_comes_with_a_script_that_replays_it(suite: SuiteRun, executor: str,
                                                         clause: str, test: str,
                                                         hypothesis: bool) -> None:
    replays = suite.pytester.path / "replays"
    summary = suite(executor, "-m", clause, "-k", test, "--conformance-time-scale", "0.3",
                    "--conformance-replay-dir", str(replays))
    assert summary["failed"] == [clause]
    # The replay script; a spec whose example is plain data has a standalone one beside it.
    (script,) = [path for path in replays.glob("*.py")
                 if not path.name.endswith("-standalone.py")]
    text = script.read_text()
    out = suite.result.stdout.str()
    assert text in out  # the report's replay section is the script
    assert f"{clause} (required): " in text and f"--executor {executor}" in text
    # As Hypothesis printed it, in whatever words its version wraps it.
    printed = re.search(r"@reproduce_failure\('[^']*', b'[^']*'\)", out)
    example = printed[0] if printed else ""
    assert bool(example) == hypothesis
    if hypothesis:
        assert repr(f"--conformance-replay={example}") in text
    else:
        assert "--conformance-replay" not in text

    result = suite.pytester.run(sys.executable, script)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1, deselected=0)
    (failed,) = [line for line in result.stdout.lines if line.startswith("FAILED ")]
    assert f"::{test}[{executor.rpartition(':')[2]}] - " in failed
    if hypothesis:
        # Hypothesis prints the decorator only after a search of its own: the
        # replay ran the example it was given, which its report names again.
        replayed = result.stdout.str()
        assert not re.search(r"You can reproduce this (example|test case)", replayed)
        assert f"Example:        {example}" in replayed


@pytest.mark.parametrize(("executor", "clause_id", "broken"), [
    ("broken.cancellation:RunsCancelledCallsAnyway", "CAN-3", "yet it ran"),
    ("broken.mapping:ExceptionsAtTheEnd", "MAP-2", "before call"),
    ("broken.submit:RunsEveryCallTwice", "SUB-5", "expected each call to run once"),
])
def test_failed_example_comes_with_a_standalone_script(suite: SuiteRun, executor: str,
                                                       clause_id: str, broken: str) -> None:
    replays = suite.pytester.path / "replays"
    summary = suite(executor, "-m", clause_id, "--conformance-replay-dir", str(replays))
    assert clause_id in summary["failed"]
    (script,) = replays.glob("*-standalone.py")
    text = script.read_text()
    assert text in suite.result.stdout.str()  # the report's section is the script
    # Nothing of the suite, nor pytest: only the executor's module and the standard library.
    module, _, name = executor.partition(":")
    target = f"from {module} import {name} as target"
    imports = {line for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"import multiprocessing", "import sys", "import threading",
                       "import time", "from collections import Counter", target}

    result = suite.pytester.run(sys.executable, script)
    assert result.ret == 1
    assert re.search(f"{clause_id}: broken in run [1-5] of 5 runs of this example",
                     result.stdout.str())
    assert broken in result.stdout.str()
    # The same example against the standard library's pool, which keeps the clause.
    kept = script.with_name("kept.py")
    kept.write_text(text.replace(target, "from concurrent.futures import ThreadPoolExecutor"
                                         " as target"))
    result = suite.pytester.run(sys.executable, kept)
    assert result.ret == 0, result.stdout.str()
    assert f"{clause_id}: kept in all 5 runs of this example" in result.stdout.str()


UNFORMATTABLE = '''
import _pytest.python

def repr_failure(self, excinfo):
    raise SystemError("AST constructor recursion depth mismatch (before=147, after=27)")

_pytest.python.Function.repr_failure = repr_failure
'''


def test_a_failure_pytest_cannot_format_is_still_reported_on_its_clause(
        suite: SuiteRun, monkeypatch: pytest.MonkeyPatch) -> None:
    # As CPython 3.11's ast.parse did once, formatting a failure raises: the spec still
    # fails on its clause, and the run ends with its report instead of an internal error.
    suite.pytester.makepyfile(unformattable=UNFORMATTABLE)
    monkeypatch.setenv("PYTHONPATH", f"{suite.pytester.path}{os.pathsep}{os.environ['PYTHONPATH']}")
    failing = suite.failing("broken.shutdown:RunsAfterShutdown", "-m", "SHD-1",
                            "-p", "unformattable")
    assert suite.result.ret == pytest.ExitCode.TESTS_FAILED, suite.result.stdout.str()
    assert failing == {"SHD-1"}
    suite.result.stdout.fnmatch_lines(["*pytest could not format this failure: SystemError*"])


HELPER_PLUGIN = '''
import pathlib, subprocess, sys

def pytest_configure(config):
    config._helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])

def pytest_unconfigure(config):
    alive = config._helper.poll() is None
    pathlib.Path("helper-state").write_text("alive" if alive else "killed")
    config._helper.kill()
    config._helper.wait()
'''


def test_the_end_of_run_cleanup_spares_processes_alive_when_the_run_began(
        suite: SuiteRun, monkeypatch: pytest.MonkeyPatch) -> None:
    # A plugin's process started before the session (a display server, say) is not the
    # executor's: the run ends without killing it.
    suite.pytester.makepyfile(helper_plugin=HELPER_PLUGIN)
    monkeypatch.setenv("PYTHONPATH", f"{suite.pytester.path}{os.pathsep}{os.environ['PYTHONPATH']}")
    suite("thread", "-m", "SUB-1", "-p", "helper_plugin")
    assert suite.result.ret == pytest.ExitCode.OK, suite.result.stdout.str()
    assert (suite.pytester.path / "helper-state").read_text() == "alive"
    assert "processes left running" not in suite.result.stdout.str()
