"""Print the clause catalog as Markdown: ``python -m conformance.clauses > CLAUSES.md``."""

from conformance.clauses import markdown

print(markdown(), end="")
