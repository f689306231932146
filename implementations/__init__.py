"""The executors bundled with the suite, by short name.

With no ``--executor``, the suite runs against every one of them.
"""

import multiprocessing

BUNDLED: dict[str, str] = {
    "thread": "implementations.stdlib:thread",
    **{
        f"process-{method}": f"implementations.stdlib:process_{method}"
        for method in multiprocessing.get_all_start_methods()
    },
    "reference": "implementations.reference:ReferenceExecutor",
}
