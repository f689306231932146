"""The repository's own tests: the self-tests in tests/ use pytester."""
