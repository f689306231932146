"""The executors bundled with the suite, by short name.

With no ``--executor``, the suite runs against each of :data:`DEFAULT`:
the standard library's pools and the reference executor.  ``process`` (the
platform's default start method) is the same pool as one of the ``process-*``
variants, so it is there to be named, not run twice.  The others are named
only: ``interpreter`` needs Python 3.14, and each third-party executor needs
its library (``pip install 'executor-conformance[loky]'`` and so on; the
extra is the part of the name before the dash).
"""

import multiprocessing

_THIRD_PARTY = "implementations.thirdparty"

BUNDLED: dict[str, str] = {
    "thread": "implementations.stdlib:thread",
    "process": "implementations.stdlib:process",
    **{
        f"process-{method}": f"implementations.stdlib:process_{method}"
        for method in multiprocessing.get_all_start_methods()
    },
    "reference": "implementations.reference:ReferenceExecutor",
    "interpreter": "implementations.stdlib:interpreter",
    "loky": f"{_THIRD_PARTY}.loky:process_pool",
    "loky-reusable": f"{_THIRD_PARTY}.loky:reusable",
    "pebble-thread": f"{_THIRD_PARTY}.pebble:thread_pool",
    "pebble-process": f"{_THIRD_PARTY}.pebble:process_pool",
    "futurist-thread": f"{_THIRD_PARTY}.futurist:thread",
    "futurist-process": f"{_THIRD_PARTY}.futurist:process",
    "futurist-synchronous": f"{_THIRD_PARTY}.futurist:synchronous",
    "futurist-green": f"{_THIRD_PARTY}.futurist:green",
    "gevent": f"{_THIRD_PARTY}.gevent:thread",
    "distributed": f"{_THIRD_PARTY}.distributed:executor",
    "tornado-dummy": f"{_THIRD_PARTY}.tornado:dummy",
}

DEFAULT: list[str] = [
    name for name in BUNDLED
    if name == "thread" or name.startswith("process-") or name == "reference"
]
