"""Adapters that run third-party executors through the suite, one module per library."""
