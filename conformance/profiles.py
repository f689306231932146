"""Hypothesis profiles of the specs, selected with ``--conformance-profile``.

Deadlines are off: a slow example is the executor's business, and a hung one
is pytest-timeout's.  The function-scoped ``conformance`` fixture serves every
example of a spec on purpose: each example asks it for an executor (a fresh one,
or one kept from an earlier example, see ``Conformance.executor``), so that health
check is off too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

_COMMON = settings(
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    stateful_step_count=25,
)

PROFILES: dict[str, settings] = {
    # Quick and varied: a new random schedule on every run.
    "dev": settings(_COMMON, max_examples=20),
    # The same examples on every run, so that CI verdicts are reproducible.
    "ci": settings(_COMMON, max_examples=20, derandomize=True, database=None),
    # Ten times the search, for a release or a suspicious implementation.
    "thorough": settings(_COMMON, max_examples=200, stateful_step_count=50),
}

_active = "dev"


def select(name: str) -> None:
    """Make ``name`` the profile of every spec imported from now on."""
    global _active
    if name not in PROFILES:
        raise KeyError(name)
    _active = name


def spec_settings() -> settings:
    """The settings of the selected profile, to decorate a property spec."""
    return PROFILES[_active]


def current() -> str:
    """The name of the selected profile."""
    return _active
