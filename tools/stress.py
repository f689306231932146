"""Stress check: run the suite many times on a loaded machine and compare the verdicts.

A verdict that differs between runs is a flake: a spec that depends on timing
it should not.  Each run is a separate pytest process with the random ``dev``
profile (new examples every time), while busy processes keep every core
loaded.  The script prints every (implementation, clause) whose verdict was not
the same in all runs, and exits with status 1 if there is one, or if a run
failed.

    python tools/stress.py [--runs 20] [--load N] [--executor NAME ...] [-- PYTEST ARGS]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def burn(stop: multiprocessing.synchronize.Event) -> None:
    """Keep one core busy until told to stop."""
    while not stop.is_set():
        sum(range(10_000))


def run_suite(number: int, reports: Path, executors: list[str], extra: list[str]) -> int:
    report = reports / f"run{number}"
    command = [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider",
               "-q", "--conformance-profile", "dev", "--conformance-report", str(report),
               *(f"--executor={name}" for name in executors), *extra]
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    (reports / f"run{number}.log").write_text(result.stdout + result.stderr)
    last = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"run {number}: exit {result.returncode} in {time.monotonic() - start:.0f}s: {last[0]}",
          flush=True)
    return result.returncode


def verdicts(report: Path) -> dict[tuple[str, str], str]:
    data = json.loads(report.read_text())
    return {(name, clause): verdict
            for name, summary in data["implementations"].items()
            for clause, verdict in summary["clauses"].items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="how many runs (default 20)")
    parser.add_argument("--load", type=int, default=os.cpu_count() or 2,
                        help="busy processes alongside (default: one per core)")
    parser.add_argument("--executor", action="append", default=[],
                        help="an implementation to run (repeatable; default: the bundled ones)")
    parser.add_argument("--reports", type=Path, default=None,
                        help="directory for the runs' reports and logs (default: a temporary one)")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, after --")
    args = parser.parse_args(argv)
    reports = args.reports or Path(tempfile.mkdtemp(prefix="conformance-stress-"))
    reports.mkdir(parents=True, exist_ok=True)
    print(f"{args.runs} runs with {args.load} busy processes; reports in {reports}", flush=True)

    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=burn, args=(stop,), daemon=True)
               for _ in range(args.load)]
    for burner in burners:
        burner.start()
    try:
        exits = [run_suite(n, reports, args.executor, args.pytest_args)
                 for n in range(1, args.runs + 1)]
    finally:
        stop.set()
        for burner in burners:
            burner.join()

    seen: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for n in range(1, args.runs + 1):
        path = reports / f"run{n}.json"
        if path.exists():
            for key, verdict in verdicts(path).items():
                seen[key][verdict].append(n)
    differing = {key: runs for key, runs in seen.items()
                 if len(runs) > 1 or sum(map(len, runs.values())) != args.runs}
    for (name, clause), runs in sorted(differing.items()):
        spread = "; ".join(f"{verdict} in runs {numbers}" for verdict, numbers in runs.items())
        print(f"DIFFERS {name} {clause}: {spread}")
    failed_runs = [n for n, code in enumerate(exits, start=1) if code != 0]
    print(f"{len(differing)} differing verdicts over {args.runs} runs;"
          f" runs that failed: {failed_runs or 'none'}")
    return 1 if differing or failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
