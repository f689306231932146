"""Build the conformance matrix: implementations x Python versions, from the suite's reports.

    python tools/matrix.py --run     # run every tox env of the matrix label, then build
    python tools/matrix.py --run -e py311-thread,py311-loky   # only these envs
    python tools/matrix.py           # build from the reports already in .tox/reports

Each env ``py3XY-NAME`` of tox's ``matrix`` label writes
``.tox/reports/py3XY-NAME.json``; this script folds them into
``results/MATRIX.md`` (the published results) and ``results/matrix.json``.
A failing env is a result, not an error: its report is what the matrix shows.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance import clauses  # noqa: E402

ENV = re.compile(r"^py(?P<major>3)(?P<minor>\d+)-(?P<factor>[a-z0-9]+)$")


def run_tox(envs: str | None) -> None:
    """Run the matrix envs, or those named (missing Pythons skipped)."""
    chosen = ["-e", envs] if envs else ["-m", "matrix"]
    command = ["tox", "run", *chosen, "--skip-missing-interpreters", "true"]
    subprocess.run(command, cwd=ROOT, check=False)


def collect(reports: Path) -> list[dict[str, Any]]:
    """One row per implementation and Python, from every report of a matrix env."""
    rows = []
    for path in sorted(reports.glob("py3*.json")):
        match = ENV.match(path.stem)
        if match is None or path.name.endswith(".badge.json"):
            continue
        data = json.loads(path.read_text())
        for name, summary in data["implementations"].items():
            rows.append({
                "env": path.stem,
                "python": data["python"],
                "implementation": name,
                "package": summary.get("package"),
                "required": summary["required"],
                "recommended": summary["recommended"],
                "failed": summary["failed"],
                "expected_failures": sorted(summary["expected_failures"],
                                            key=list(clauses.CATALOG).index),
                "not_applicable": len(summary["not_applicable"]),
            })
    return rows


def suite_commit() -> str:
    """The last commit that changed the suite or the bundled implementations, or "unknown"."""
    command = ["git", "log", "-1", "--format=%h", "--", "conformance", "implementations"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def _bundled_order(name: str) -> tuple[int, str]:
    """The standard library's pools and the reference first, as the suite lists them."""
    from implementations import BUNDLED

    order = list(BUNDLED)
    return (order.index(name) if name in order else len(order), name)


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _cell(row: dict[str, Any]) -> str:
    required = row["required"]
    text = f"{required['passed']}/{required['total']}"
    failed_required = [c for c in row["failed"] if clauses.get(c).level == "required"]
    failed_recommended = [c for c in row["failed"] if c not in failed_required]
    if failed_required:
        text += " fails " + " ".join(failed_required)
    if failed_recommended:
        text += "; recommended fails " + " ".join(failed_recommended)
    if row["expected_failures"]:
        text += f"; expected failures {len(row['expected_failures'])}"
    return text + f"; n/a {row['not_applicable']}"


def markdown(rows: list[dict[str, Any]], commit: str) -> str:
    pythons = sorted({_minor(r["python"]) for r in rows}, key=lambda v: int(v.split(".")[1]))
    names = sorted({r["implementation"] for r in rows}, key=_bundled_order)
    by_key = {(r["implementation"], _minor(r["python"])): r for r in rows}
    packages = {r["implementation"]: r["package"] for r in rows if r["package"]}
    today = datetime.date.today().isoformat()
    envs = ",".join(sorted({r["env"] for r in rows}))
    out = [
        "# Conformance matrix",
        "",
        f"Generated on {today} by `python tools/matrix.py` from the `--conformance-report`"
        f" JSON that tox's matrix envs write ({envs}; `python tools/matrix.py --run` runs"
        " every env of the `matrix` label first, `-e` names some), with the suite as of"
        f" commit {commit} (its last change to `conformance/` or `implementations/`),"
        f" on a 2-core {platform.machine()} {platform.system()} machine, with the `ci`"
        " Hypothesis profile",
        f"and time scale 1. The suite has {len(clauses.CATALOG)} clauses. Each cell: required"
        " clauses passed of those that apply, then the clauses that failed, the expected"
        " failures the implementation declares (known deviations, with their reasons in its"
        " report), and how many clauses do not apply. A dash: that Python or that"
        " implementation was not available.",
        "",
        "| implementation | package | " + " | ".join(f"Python {p}" for p in pythons) + " |",
        "|---|---|" + "---|" * len(pythons),
    ]
    for name in names:
        cells = [_cell(by_key[(name, p)]) if (name, p) in by_key else "-" for p in pythons]
        out.append(f"| {name} | {packages.get(name, 'CPython')} | " + " | ".join(cells) + " |")
    failing = {c for r in rows for c in r["failed"]}
    if failing:
        out += ["", "## The clauses that fail", "",
                "| clause | level | promise | failed by |", "|---|---|---|---|"]
        for cid in sorted(failing, key=list(clauses.CATALOG).index):
            clause = clauses.get(cid)
            who = sorted({f"{r['implementation']} ({_minor(r['python'])})"
                          for r in rows if cid in r["failed"]})
            out.append(f"| [{cid}]({clause.source}) | {clause.level} | {clause.promise} |"
                       f" {', '.join(who)} |")
    out.append("")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run the tox envs first")
    parser.add_argument("-e", "--envs", help="with --run: only these tox envs (comma-separated)")
    parser.add_argument("--reports", type=Path, default=ROOT / ".tox" / "reports")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    if args.run:
        run_tox(args.envs)
    rows = collect(args.reports)
    if not rows:
        print(f"no reports of matrix envs in {args.reports}: run with --run", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    commit = suite_commit()
    (args.out / "MATRIX.md").write_text(markdown(rows, commit))
    (args.out / "matrix.json").write_text(json.dumps(
        {"generated": datetime.date.today().isoformat(), "suite_commit": commit,
         "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out / 'MATRIX.md'} and {args.out / 'matrix.json'} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
