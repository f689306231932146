"""Clauses of ``Executor.map``: order, exceptions, timeout, inputs and closing."""

from conformance.clauses import Clause, doc

AREA = "Executor.map"
MAP = doc("concurrent.futures.Executor.map")

_CPYTHON_FINALLY = (
    "the documentation does not say what becomes of the other calls; CPython's map"
    " iterator is a generator whose finally clause cancels every call it has not yet"
    " yielded, so calls that have not started never run (calls already running, or"
    " already handed to a worker so that cancel() fails, may still run)"
)

CLAUSES = [
    Clause("MAP-1", AREA, "The iterator yields fn's results in the order of the inputs,"
           " whatever order the calls finish in.", MAP),
    Clause("MAP-2", AREA, "A call's exception is raised by the iterator when that call's"
           " position is reached, after the results of every earlier input.", MAP),
    Clause("MAP-3", AREA, "With several iterables, fn is called with one item of each, in"
           " step, and the calls stop with the shortest iterable, as with the builtin map().",
           MAP),
    Clause("MAP-4", AREA, "An empty input gives an empty iterator, and fn is never called.",
           MAP),
    Clause("MAP-5", AREA, "The iterables are collected immediately: map() has drawn every"
           " input item (up to the shortest iterable's end) before it returns.", MAP),
    Clause("MAP-6", AREA, "An exception raised while an input iterable is being collected"
           " is raised by map() itself.", MAP, level="recommended",
           note="the documentation says the iterables are collected immediately but not"
           " where an error in collecting them goes; CPython collects them inside map(),"
           " so map() raises it"),
    Clause("MAP-7", AREA, "map() submits the calls itself: they start before the first"
           " next() on the iterator, without iterating.", MAP, level="recommended",
           note="the documentation promises that the iterables are collected immediately"
           " and that fn runs asynchronously, but not when the calls are submitted, so an"
           " implementation may wait for the first next(); CPython submits every call"
           " before map() returns"),
    Clause("MAP-8", AREA, "Every executor accepts chunksize (a positive int), and it changes"
           " nothing about the values yielded or their order.", MAP),
    Clause("MAP-9", AREA, "chunksize changes nothing about exceptions either: a call's"
           " exception is still raised at its own position, after the results of every"
           " earlier input.", MAP),
    Clause("MAP-10", AREA, "The iterator does not give up early: TimeoutError comes no"
           " sooner than timeout seconds (an int or a float) after the call to map().", MAP),
    Clause("MAP-11", AREA, "The iterator does not overrun: a result still unavailable"
           " timeout seconds after the call to map() gives TimeoutError soon after.", MAP),
    Clause("MAP-12", AREA, "The timeout counts from the call to map(), not from next():"
           " next() called once the timeout has run out raises TimeoutError at once for a"
           " result still unavailable.", MAP),
    Clause("MAP-13", AREA, "A result that is available is yielded, not a TimeoutError:"
           " one that arrives within the timeout, and one already there even once the"
           " timeout has run out.", MAP),
    Clause("MAP-14", AREA, "Closing the iterator, by close() or by dropping it, once it"
           " has yielded a result cancels the calls that have not started: they never run.",
           MAP, level="recommended",
           note=_CPYTHON_FINALLY + "; closing before the first next() cancels nothing in"
           " CPython (the generator has not started), so the spec closes after one result"),
    Clause("MAP-15", AREA, "Once the iterator has raised a call's exception it is"
           " exhausted, and the calls that have not started are cancelled: they never run.",
           MAP, level="recommended",
           note=_CPYTHON_FINALLY + "; unlike the builtin map(), the iterator then ends"),
    Clause("MAP-16", AREA, "Once the iterator has raised TimeoutError it is exhausted, and"
           " the calls that have not started are cancelled: they never run.", MAP,
           level="recommended", note=_CPYTHON_FINALLY),
    Clause("MAP-17", AREA, "map() refuses a buffersize that is neither None nor a positive"
           " int, before submitting any call: ValueError for 0 or less, TypeError for a"
           " value that is not an int.", MAP, level="recommended", since=(3, 14),
           note="the documentation gives buffersize's meaning but not what a bad value does;"
           " CPython 3.14 checks it first thing in map()"),
    Clause("MAP-18", AREA, "With a buffersize, the iterator still yields the results in input"
           " order, stops with the shortest iterable, and raises a call's exception at its own"
           " position, after the results of every earlier input.", MAP, since=(3, 14)),
    Clause("MAP-19", AREA, "With buffersize=b, map() draws at most b input items before it"
           " returns, and between two next() calls never more than b items beyond the results"
           " already yielded: the iterables are read lazily.", MAP, since=(3, 14)),
    Clause("MAP-20", AREA, "With buffersize=b, the limit holds while next() waits for a result"
           " as well: no more than b items are drawn beyond the results already yielded.",
           MAP, since=(3, 14)),
    Clause("MAP-21", AREA, "With no timeout, or timeout=None, the iterator waits for each result"
           " however long it takes.", MAP),
]
