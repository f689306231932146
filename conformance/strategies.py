"""Hypothesis strategies of the specs: the inputs a conformance run draws from.

Every value drawn here pickles and compares equal to its unpickled copy, so
the same strategies serve thread, process and remote executors.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def values() -> st.SearchStrategy[Any]:
    """Plain values a call may take or return: nested containers of scalars."""
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.binary(
        max_size=8) | st.floats(allow_nan=False)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3),
        max_leaves=6,
    )
