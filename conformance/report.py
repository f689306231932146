"""The clause-level verdict: per implementation, which promises hold.

Test reports are folded into one verdict per clause and implementation:

* ``failed``: some spec of the clause failed;
* ``fixed``: an expected failure of the implementation that no spec shows any
  more (the entry should be removed);
* ``expected failure``: a known deviation of the implementation, still seen;
* ``passed``: every spec of the clause that applies passed;
* ``n/a``: no spec of the clause applies (a capability or Python version).

Expected failures that name no spec of the suite are listed as *unmatched*.
"""

from __future__ import annotations

import json
import platform
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import clauses
from conformance.expected import ExpectedFailure

#: Verdicts from worst to best: a clause takes the worst of its specs'.
ORDER = ("failed", "fixed", "expected failure", "passed", "n/a")

NOT_APPLICABLE = "not applicable: "


@dataclass
class Verdicts:
    """Clause verdicts of every implementation in the run."""

    by_implementation: dict[str, dict[str, str]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    unmatched: dict[str, list[ExpectedFailure]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: The package (and version) that provides each implementation, where known.
    packages: dict[str, str] = field(default_factory=dict)

    def add(self, implementation: str, clause_id: str, verdict: str, reason: str = "") -> None:
        verdicts = self.by_implementation[implementation]
        current = verdicts.get(clause_id)
        if current is None or ORDER.index(verdict) < ORDER.index(current):
            verdicts[clause_id] = verdict
            if reason:
                self.reasons[(implementation, clause_id)] = reason

    def failing(self, implementation: str, level: str | None = None) -> list[str]:
        return [
            cid for cid, verdict in self.by_implementation[implementation].items()
            if verdict == "failed" and (level is None or clauses.get(cid).level == level)
        ]

    @property
    def any_fixed(self) -> bool:
        return any("fixed" in v.values() for v in self.by_implementation.values())

    def _with(self, implementation: str, verdict: str) -> dict[str, str]:
        verdicts = self.by_implementation[implementation]
        return {
            cid: self.reasons.get((implementation, cid), "")
            for cid in sorted(verdicts, key=_clause_order) if verdicts[cid] == verdict
        }

    def summary(self, implementation: str) -> dict[str, Any]:
        verdicts = self.by_implementation[implementation]
        counts: dict[str, dict[str, int]] = {}
        for level in ("required", "recommended"):
            ids = [cid for cid in verdicts if clauses.get(cid).level == level]
            applicable = [cid for cid in ids if verdicts[cid] != "n/a"]
            counts[level] = {
                "passed": sum(verdicts[cid] == "passed" for cid in applicable),
                "total": len(applicable),
            }
        return {
            "package": self.packages.get(implementation),
            **counts,
            "failed": sorted(self.failing(implementation), key=_clause_order),
            "expected_failures": self._with(implementation, "expected failure"),
            "fixed": self._with(implementation, "fixed"),
            "unmatched": [
                {"entry": e.label, "reason": e.explanation}
                for e in self.unmatched.get(implementation, [])
            ],
            "not_applicable": self._with(implementation, "n/a"),
            "areas": self._areas(implementation),
            "clauses": {cid: verdicts[cid] for cid in sorted(verdicts, key=_clause_order)},
        }

    def _areas(self, implementation: str) -> dict[str, dict[str, int]]:
        """Per area of the contract: clauses passed of those that apply."""
        areas: dict[str, dict[str, int]] = {}
        for cid, verdict in sorted(self.by_implementation[implementation].items(),
                                   key=lambda item: _clause_order(item[0])):
            counts = areas.setdefault(clauses.get(cid).area, {"passed": 0, "total": 0})
            if verdict != "n/a":
                counts["total"] += 1
                counts["passed"] += verdict == "passed"
        return areas

    def one_line(self, implementation: str) -> str:
        s = self.summary(implementation)
        req, rec = s["required"], s["recommended"]
        parts = [
            f"required {req['passed']}/{req['total']}",
            f"recommended {rec['passed']}/{rec['total']}",
            f"n/a {len(s['not_applicable'])}",
        ]
        for key, label in (("expected_failures", "expected failures"), ("fixed", "fixed"),
                           ("unmatched", "unmatched expected failures")):
            if s[key]:
                parts.append(f"{label} {len(s[key])}")
        return ", ".join(parts)

    def lines(self) -> list[str]:
        """The terminal report."""
        out = []
        for name in self.by_implementation:
            s = self.summary(name)
            out.append(f"{name}: {self.one_line(name)}")
            for cid in s["failed"]:
                clause = clauses.get(cid)
                why = self.reasons.get((name, cid)) or clause.promise
                out.append(f"  FAILED {cid} ({clause.level}): {why}")
            for cid, reason in s["fixed"].items():
                out.append(f"  FIXED {cid}: {reason}")
            for cid, reason in s["expected_failures"].items():
                out.append(f"  expected failure {cid}: {reason}")
            for entry in s["unmatched"]:
                out.append(f"  unmatched expected failure {entry['entry']}: it names no"
                           " spec of the suite")
            for cid, reason in s["not_applicable"].items():
                out.append(f"  n/a {cid}: {reason.removeprefix(NOT_APPLICABLE)}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "implementations": {name: self.summary(name) for name in self.by_implementation},
        }

    def as_markdown(self) -> str:
        out = [f"# Conformance report (Python {platform.python_version()})", ""]
        for name in self.by_implementation:
            s = self.summary(name)
            package = self.packages.get(name)
            out += [f"## {name}" + (f" ({package})" if package else ""), "",
                    self.one_line(name), "",
                    "| area | clause | level | verdict | promise |", "|---|---|---|---|---|"]
            for cid, verdict in s["clauses"].items():
                clause = clauses.get(cid)
                note = self.reasons.get((name, cid), "")
                shown = verdict + (f": {note}" if note and verdict != "passed" else "")
                out.append(f"| {clause.area} | [{cid}]({clause.source}) | {clause.level}"
                           f" | {shown} | {clause.promise} |")
            for entry in s["unmatched"]:
                out.append(f"| | {entry['entry']} | | unmatched expected failure: it names"
                           f" no spec of the suite | {entry['reason']} |")
            out.append("")
        return "\n".join(out)

    def as_badge(self) -> dict[str, Any]:
        """A shields.io endpoint badge: required clauses passed, over every implementation."""
        passed = total = 0
        for name in self.by_implementation:
            required = self.summary(name)["required"]
            passed, total = passed + required["passed"], total + required["total"]
        return {"schemaVersion": 1, "label": "conformance", "message": f"required {passed}/{total}",
                "color": "brightgreen" if passed == total else "red"}

    def write(self, path: Path) -> list[Path]:
        """Write ``<path>.json``, ``<path>.md`` and ``<path>.badge.json``; return the paths."""
        stem = path.with_suffix("") if path.suffix in (".json", ".md") else path
        written = [stem.with_name(stem.name + suffix) for suffix in (".json", ".md", ".badge.json")]
        stem.parent.mkdir(parents=True, exist_ok=True)
        written[0].write_text(json.dumps(self.as_json(), indent=2) + "\n")
        written[1].write_text(self.as_markdown())
        written[2].write_text(json.dumps(self.as_badge()) + "\n")
        return written


def _clause_order(clause_id: str) -> int:
    return list(clauses.CATALOG).index(clause_id)
