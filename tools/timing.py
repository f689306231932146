"""The suite's wall time on this machine, as the README's timing table.

For each implementation, the whole suite is run twice with the ``ci`` profile:
once serial and once with ``-n 2`` (pytest-xdist); then the specs of the required
clauses only (``-m required``, what a gate needs), serial.  Then, for each broken
executor, the suite is run with ``-x`` (stop at the first failure), serial and
with ``-n 2``: that wall time is how long a user waits to see a failure.  Each
run is a fresh pytest process; nothing else should load the machine meanwhile.

    python tools/timing.py [--executor NAME ...] [--broken MODULE:ATTR ...]

Prints a Markdown table, and exits 1 if a run of a bundled implementation did
not pass or a run against a broken executor found nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"

IMPLEMENTATIONS = ["thread", "reference", "process-fork", "process-spawn", "process-forkserver"]

#: Broken executors of the self-tests, each failing in a different way.
BROKEN = [
    "samples:DeadlockedSubmit",  # submit() never returns
    "samples:HangingShutdown",  # shutdown(wait=True) never returns once used
    "broken.mapping:CompletionOrder",  # map() yields in completion order
    "broken.shutdown:LeavesIdleWorkers",  # shutdown() leaves its threads behind
]


def run(executor: str, workers: int, extra: list[str]) -> tuple[float, int, str]:
    """Wall time, exit status and last line of one run of the suite."""
    command = [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider",
               "-q", "--conformance-profile", "ci", f"--executor={executor}", *extra]
    if workers:
        command += ["-n", str(workers), "--dist", "worksteal"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p))
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - start
    last = (result.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    print(f"  {executor} -n {workers}: exit {result.returncode} in {elapsed:.0f}s: {last}",
          file=sys.stderr, flush=True)
    return elapsed, result.returncode, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", action="append", default=None,
                        help="a bundled implementation to time (repeatable)")
    parser.add_argument("--broken", action="append", default=None,
                        help="a broken executor for the time to first failure (repeatable)")
    args = parser.parse_args(argv)
    bad = False

    rows = ["| implementation | serial | `-n 2` | speed-up | required only, serial | result |",
            "|---|---|---|---|---|---|"]
    for name in args.executor or IMPLEMENTATIONS:
        serial, code, last = run(name, 0, [])
        parallel, code2, _ = run(name, 2, [])
        required, code3, _ = run(name, 0, ["-m", "required"])
        bad |= code != 0 or code2 != 0 or code3 != 0
        rows.append(f"| {name} | {serial:.0f} s | {parallel:.0f} s | {serial / parallel:.2f}x"
                    f" | {required:.0f} s | {last} |")

    rows += ["", "| broken executor | first failure, serial | `-n 2` |", "|---|---|---|"]
    for name in args.broken or BROKEN:
        serial, code, _ = run(name, 0, ["-x"])
        parallel, code2, _ = run(name, 2, ["-x"])
        # -x under pytest-xdist exits 2 (interrupted) rather than 1.
        bad |= code != 1 or code2 not in (1, 2)
        rows.append(f"| `{name}` | {serial:.0f} s | {parallel:.0f} s |")

    print(f"CPython {platform.python_version()}, {os.cpu_count()} cores,"
          f" {time.strftime('%Y-%m-%d')}\n")
    print("\n".join(rows))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
