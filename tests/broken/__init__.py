"""Deliberately broken executors, each wrong in exactly one way.

Each module holds the broken executors of one area of the contract; each
factory's docstring says what it gets wrong and which clause must catch it.
They are built on the reference executor, so that the one bug is the only
difference from an executor that passes every clause.
"""
