"""Conformance suite for the ``concurrent.futures`` Executor and Future contract.

Importing this package is cheap on purpose: worker processes of the executors
under test unpickle the suite's task callables from :mod:`conformance.tasks`,
which imports this package, so nothing here pulls in pytest or Hypothesis.
"""

from conformance.expected import ExpectedFailure
from conformance.implementation import Implementation

__all__ = ["ExpectedFailure", "Implementation"]
