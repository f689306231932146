"""How the reference executor's speed compares with the standard library's thread pool.

Measures, for each executor, in one run and interleaved so that both see the
same machine load:

* throughput: the time to submit many tiny calls and collect their results;
* latency: the time of one submit() and result() round trip on an idle pool.

Each figure is the median of several rounds; the ratio is reference time over
stdlib time, so below 1 means the reference is faster.  The reference is meant
to stay within 1.25x: the script exits with status 1 when it does not.

    python tools/benchmark_reference.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor

from implementations.reference import ReferenceExecutor

LIMIT = 1.25
WORKERS = 4


def nothing() -> None:
    """The tiniest call."""


def throughput(make: Callable[..., Executor], calls: int) -> float:
    """Seconds to submit ``calls`` tiny calls and collect every result."""
    with make(max_workers=WORKERS) as executor:
        executor.submit(nothing).result()  # workers started before the clock
        start = time.perf_counter()
        futures = [executor.submit(nothing) for _ in range(calls)]
        for future in futures:
            future.result()
        return time.perf_counter() - start


def latency(make: Callable[..., Executor], trips: int) -> float:
    """Median seconds of one submit() and result() round trip."""
    with make(max_workers=WORKERS) as executor:
        executor.submit(nothing).result()
        times = []
        for _ in range(trips):
            start = time.perf_counter()
            executor.submit(nothing).result()
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000, help="tiny calls per round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per figure")
    args = parser.parse_args(argv)
    executors = {"stdlib": ThreadPoolExecutor, "reference": ReferenceExecutor}
    figures: dict[str, dict[str, list[float]]] = {
        name: {"throughput": [], "latency": []} for name in executors
    }
    for _ in range(args.rounds):
        for name, make in executors.items():
            figures[name]["throughput"].append(throughput(make, args.calls))
            figures[name]["latency"].append(latency(make, 200))
    worst = 0.0
    print(f"Python {sys.version.split()[0]}, {args.rounds} rounds, {WORKERS} workers")
    for measure, unit, scale in (("throughput", "s", 1.0), ("latency", "us", 1e6)):
        stdlib = statistics.median(figures["stdlib"][measure])
        reference = statistics.median(figures["reference"][measure])
        ratio = reference / stdlib
        worst = max(worst, ratio)
        what = f"{args.calls} calls" if measure == "throughput" else "one round trip"
        print(f"{measure:>10} ({what}): stdlib {stdlib * scale:.3f}{unit},"
              f" reference {reference * scale:.3f}{unit}, ratio {ratio:.2f}x")
    if worst > LIMIT:
        print(f"the reference is slower than {LIMIT}x the stdlib thread pool")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
