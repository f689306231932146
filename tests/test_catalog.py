"""The clause catalog and the specs agree: every clause is checked, every spec names one."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import conformance.specs
from conformance import clauses
from conformance.plugin import CLAUSE_MARK

ROOT = Path(__file__).parent.parent

#: The asyncio pages, where the promises of asyncio's interop with executors are.
ASYNCIO = "https://docs.python.org/3/library/asyncio"


def specs() -> Iterator[tuple[str, Any]]:
    for module_info in pkgutil.iter_modules(conformance.specs.__path__):
        if not module_info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"conformance.specs.{module_info.name}")
        for name, obj in vars(module).items():
            if name.startswith("test_") and callable(obj):
                yield f"{module_info.name}.{name}", obj


def clause_ids(spec: Any) -> list[str]:
    return [m.args[0] for m in getattr(spec, "pytestmark", []) if m.name == CLAUSE_MARK]


def test_every_spec_names_exactly_one_clause() -> None:
    unmarked = {name: clause_ids(spec) for name, spec in specs() if len(clause_ids(spec)) != 1}
    assert not unmarked


def test_every_clause_has_a_spec() -> None:
    checked = {cid for _, spec in specs() for cid in clause_ids(spec)}
    assert set(clauses.CATALOG) - checked == set()


def test_every_spec_has_a_docstring() -> None:
    assert [name for name, spec in specs() if not (spec.__doc__ or "").strip()] == []


def test_clause_ids_are_well_formed_and_sourced() -> None:
    for clause in clauses.CATALOG.values():
        prefix, _, number = clause.id.partition("-")
        assert prefix.isupper() and number.isdigit(), clause.id
        assert clause.source.startswith((clauses.DOCS, clauses.PEP, ASYNCIO)), clause.id
        assert clause.level in ("required", "recommended"), clause.id
        assert clause.level == "required" or clause.note, f"{clause.id} needs a note"


def test_clauses_md_is_up_to_date() -> None:
    text = (ROOT / "CLAUSES.md").read_text()
    assert text == clauses.markdown(), "regenerate: python -m conformance.clauses > CLAUSES.md"


#: Clauses whose broken implementations live in tests/samples.py and are
#: checked in tests/test_plugin.py.
CAUGHT_IN_TEST_PLUGIN = {"DECL-1", "SET-7"}


def test_every_clause_is_caught_on_some_broken_executor() -> None:
    caught = set(CAUGHT_IN_TEST_PLUGIN)
    for path in sorted(Path(__file__).parent.glob("test_broken_*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        for case in module.CASES:
            values = case.values if hasattr(case, "values") else case
            clause_ids = values[1]
            caught |= {clause_ids} if isinstance(clause_ids, str) else set(clause_ids)
    assert set(clauses.CATALOG) - caught == set()


def test_untestable_promises_say_why_and_where() -> None:
    for entry in clauses.UNTESTABLE:
        assert entry.promise.strip() and entry.reason.strip(), entry
        assert entry.source.startswith((clauses.DOCS, clauses.PEP, ASYNCIO)), entry
