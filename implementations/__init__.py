"""The executors bundled with the suite, by short name.

With no ``--executor``, the suite runs against each of :data:`DEFAULT`;
``process`` (the platform's default start method) is the same pool as one of
the ``process-*`` variants, so it is there to be named, not run twice.
"""

import multiprocessing

BUNDLED: dict[str, str] = {
    "thread": "implementations.stdlib:thread",
    "process": "implementations.stdlib:process",
    **{
        f"process-{method}": f"implementations.stdlib:process_{method}"
        for method in multiprocessing.get_all_start_methods()
    },
    "reference": "implementations.reference:ReferenceExecutor",
}

DEFAULT: list[str] = [name for name in BUNDLED if name != "process"]
