"""Documented promises the suite does not check, each with the reason.

Every sentence of the documentation (3.10 to 3.14, PEP 3148 and asyncio's pages on
executors) that promises observable behaviour maps to a clause, or is listed here:
because nothing can be observed, because the behaviour is undefined, because it is
the configuration or API of one standard-library pool rather than of every executor,
or because it is not a promise of the executor at all.
"""

from conformance.clauses import PEP, Untestable, doc

#: The asyncio pages, where asyncio's own use of executors is described.
ASYNCIO = "https://docs.python.org/3/library/"

UNTESTABLE: list[Untestable] = [
    Untestable(
        'Every concrete Executor provides submit(), which the abstract Executor leaves to its '
        'subclasses.',
        PEP + "#executor",
        'an obligation on implementers: any executor under test has a submit()',
    ),
    Untestable(
        'Executor is an abstract class, to be used only through its concrete subclasses.',
        doc("concurrent.futures.Executor"),
        "describes intent; CPython's Executor is in fact instantiable",
    ),
    Untestable(
        'The module provides a high-level interface for running callables asynchronously, and its '
        "Future is not asyncio's Future.",
        doc(""),
        'describes intent',
    ),
    Untestable(
        'The module is not available on WebAssembly platforms (Emscripten, WASI).',
        doc(""),
        'platform-dependent, nothing to observe where the suite runs',
    ),
    Untestable(
        'A Future commits to no evaluation strategy: calls may run lazily or eagerly, in threads, '
        'processes or remotely.',
        PEP + "#rationale",
        'describes intent',
    ),
    Untestable(
        'Future offers no remove_done_callback().',
        PEP + "#rationale",
        'a design note; an implementation may add methods',
    ),
    Untestable(
        'set_running_or_notify_cancel(), set_result() and set_exception() are for Executor '
        'implementations and unit tests only, private to the executor that made the future.',
        doc("concurrent.futures.Future.set_running_or_notify_cancel"),
        'names the intended callers; nothing to observe',
    ),
    Untestable(
        'A done callback that raises a BaseException that is not an Exception has undefined '
        'behaviour.',
        doc("concurrent.futures.Future.add_done_callback"),
        'undefined behaviour',
    ),
    Untestable(
        "shutdown() frees all the executor's resources, memory, files and locks too, not only "
        'its threads and processes (SHD-20, SHD-21).',
        doc("concurrent.futures.Executor.shutdown"),
        'only threads and processes can be seen from outside the executor',
    ),
    Untestable(
        'With ProcessPoolExecutor, map() cuts the inputs into chunks of about chunksize items, '
        'each submitted as one task, and a large chunksize can make long inputs much faster.',
        doc("concurrent.futures.Executor.map"),
        'the grouping is not observable and the speed-up is performance advice; MAP-8 and MAP-9 '
        'check that results do not change',
    ),
    Untestable(
        'Asyncio futures cannot be given to concurrent.futures.wait() or as_completed().',
        ASYNCIO + 'asyncio-future.html#asyncio.Future',
        'what happens with the wrong kind of future is unspecified',
    ),
    Untestable(
        'Workers of a ProcessPoolExecutor must be able to import __main__: the pool does not work '
        "in the interactive interpreter, needs the `if __name__ == '__main__'` guard, and "
        'functions defined in a REPL or lambdas should not be expected to work.',
        doc("processpoolexecutor"),
        'an environment requirement whose failure mode is unspecified',
    ),
    Untestable(
        'Calling Executor or Future methods from a callable submitted to a ProcessPoolExecutor '
        'deadlocks.',
        doc("processpoolexecutor"),
        'a hazard: checking it means provoking a hang',
    ),
    Untestable(
        "With ThreadPoolExecutor, calls that wait on each other's futures, or on a call queued "
        'behind them, can deadlock.',
        doc("threadpoolexecutor"),
        'a hazard: checking it means provoking a hang',
    ),
    Untestable(
        'ProcessPoolExecutor side-steps the Global Interpreter Lock by running calls in processes.',
        doc("processpoolexecutor"),
        'performance, not reliably observable',
    ),
    Untestable(
        'Each worker of an InterpreterPoolExecutor has its own GIL, so the pool gives true '
        'multi-core parallelism.',
        doc("concurrent.futures.InterpreterPoolExecutor"),
        'performance, not reliably observable',
    ),
    Untestable(
        'Interpreters of an InterpreterPoolExecutor are best made to communicate through PEP 734 '
        'tools or pickled bytes over a socket or pipe.',
        doc("interpreterpoolexecutor"),
        'advice',
    ),
    Untestable(
        "thread_name_prefix sets the names of a ThreadPoolExecutor's worker threads.",
        doc("concurrent.futures.ThreadPoolExecutor"),
        'pool-specific: a ThreadPoolExecutor parameter, not part of the Executor interface',
    ),
    Untestable(
        'ThreadPoolExecutor and ProcessPoolExecutor take initializer and initargs (since 3.7).',
        doc("concurrent.futures.ThreadPoolExecutor"),
        'pool-specific constructor parameters; the suite probes whether a factory takes them, and '
        'INIT-1..5 check what they do',
    ),
    Untestable(
        "ThreadPoolExecutor's default max_workers is min(32, os.cpu_count() + 4) from 3.8 and "
        'min(32, (os.process_cpu_count() or 1) + 4) from 3.13 (five times the processors in 3.5 to'
        ' 3.7).',
        doc("concurrent.futures.ThreadPoolExecutor"),
        'pool-specific and machine-dependent; EXE-2 checks only that max_workers=None works',
    ),
    Untestable(
        'ThreadPoolExecutor reuses idle worker threads before starting new ones, up to '
        'max_workers.',
        doc("concurrent.futures.ThreadPoolExecutor"),
        'pool-specific internals, timing-dependent',
    ),
    Untestable(
        "A ThreadPoolExecutor's threads are joined before the interpreter exits, by an exit "
        'handler that runs before those registered with atexit, so main-thread exceptions must be '
        'handled and long-running tasks avoided.',
        doc("concurrent.futures.ThreadPoolExecutor"),
        'pool-specific exit ordering and advice; SHD-19 checks that exit waits for the calls',
    ),
    Untestable(
        'concurrent.futures.thread.BrokenThreadPool, a BrokenExecutor, is what a '
        'ThreadPoolExecutor raises when a worker fails to initialize.',
        doc("concurrent.futures.thread.BrokenThreadPool"),
        'pool-specific exception class; INIT-3 and INIT-4 check for any BrokenExecutor',
    ),
    Untestable(
        "ProcessPoolExecutor's default max_workers is the number of processors "
        '(os.process_cpu_count() from 3.13), at most 61 on Windows, where a larger max_workers '
        'raises ValueError.',
        doc("concurrent.futures.ProcessPoolExecutor"),
        'pool-specific and machine- or platform-dependent',
    ),
    Untestable(
        'ThreadPoolExecutor uses a pool of at most max_workers threads.',
        doc("concurrent.futures.ThreadPoolExecutor"),
        'pool-specific: the thread count is internal (a pool may keep more threads than it '
        'runs calls in); SHD-15 checks that at most max_workers calls run at once',
    ),
    Untestable(
        'ProcessPoolExecutor runs at most max_workers worker processes.',
        doc("concurrent.futures.ProcessPoolExecutor"),
        'pool-specific: the process count is internal; SHD-15 checks that at most max_workers '
        'calls run at once',
    ),
    Untestable(
        'mp_context, a multiprocessing context or None for the default one, is used to start '
        "ProcessPoolExecutor's workers (since 3.7).",
        doc("concurrent.futures.ProcessPoolExecutor"),
        'pool-specific; the start method shows only through side effects',
    ),
    Untestable(
        'With max_tasks_per_child (3.11+), a worker process exits after that many tasks and is '
        "replaced; None keeps workers for the pool's life; without mp_context it makes spawn the "
        'default; it cannot be used with fork; hangs have been reported with it.',
        doc("concurrent.futures.ProcessPoolExecutor"),
        'pool-specific parameter',
    ),
    Untestable(
        "ProcessPoolExecutor's default start method is no longer fork from 3.14 (fork needs an "
        'explicit mp_context), and from 3.12 starting workers with fork in a multi-threaded '
        'program may emit DeprecationWarning.',
        doc("concurrent.futures.ProcessPoolExecutor"),
        'pool-specific and platform-dependent',
    ),
    Untestable(
        'terminate_workers() terminates every live worker process at once and shuts the executor '
        'down; no task should be submitted afterwards.',
        doc("concurrent.futures.ProcessPoolExecutor.terminate_workers"),
        'pool-specific method (3.14); what becomes of the futures is unspecified',
    ),
    Untestable(
        'kill_workers() kills every live worker process at once and shuts the executor down; no '
        'task should be submitted afterwards.',
        doc("concurrent.futures.ProcessPoolExecutor.kill_workers"),
        'pool-specific method (3.14); what becomes of the futures is unspecified',
    ),
    Untestable(
        'concurrent.futures.process.BrokenProcessPool, a BrokenExecutor, is what a '
        'ProcessPoolExecutor raises when a worker process ends uncleanly (since 3.3; before, the '
        'pool could hang).',
        doc("concurrent.futures.process.BrokenProcessPool"),
        'pool-specific exception class; BRK-1, BRK-2 and BRK-4 check for any BrokenExecutor',
    ),
    Untestable(
        'InterpreterPoolExecutor is a ThreadPoolExecutor subclass whose worker threads each run '
        "their tasks in an interpreter of their own, and the thread pool's other caveats apply to "
        'it.',
        doc("concurrent.futures.InterpreterPoolExecutor"),
        'pool-specific (3.14)',
    ),
    Untestable(
        'Worker interpreters are isolated: each has its own modules (sys, builtins and __main__ '
        'included) and its own copy of every mutable object; immutable objects are not so limited.',
        doc("interpreterpoolexecutor"),
        'pool-specific (3.14)',
    ),
    Untestable(
        "InterpreterPoolExecutor's initializer and initargs are pickled into each worker's "
        'interpreter and run there when the worker starts, and an exception of the initializer may'
        ' become an ExecutionFailed.',
        doc("concurrent.futures.InterpreterPoolExecutor"),
        'pool-specific (3.14); the replacement is only permitted',
    ),
    Untestable(
        "InterpreterPoolExecutor pickles each callable and its arguments into the worker's "
        'interpreter, and the return value back.',
        doc("interpreterpoolexecutor"),
        'pool-specific (3.14); the PKL-* specs need process workers',
    ),
    Untestable(
        "A task's uncaught exception in an InterpreterPoolExecutor is kept as it is, with an "
        'ExecutionFailed summarising it as __cause__, or else replaced by the ExecutionFailed '
        'itself.',
        doc("interpreterpoolexecutor"),
        'pool-specific (3.14)',
    ),
    Untestable(
        'concurrent.futures.interpreter.BrokenInterpreterPool, a BrokenThreadPool, is what an '
        'InterpreterPoolExecutor raises when a worker fails to initialize.',
        doc("concurrent.futures.interpreter.BrokenInterpreterPool"),
        'pool-specific exception class (3.14)',
    ),
    Untestable(
        'A concurrent.futures.Future is made by submit() and should be created directly only for '
        'testing.',
        doc("concurrent.futures.Future"),
        "about the stdlib Future class; an implementation's own future class may need arguments",
    ),
    Untestable(
        'concurrent.futures.TimeoutError is an alias of the builtin TimeoutError from 3.11.',
        doc("concurrent.futures.TimeoutError"),
        "a fact of the module's namespace; TMO-1, MAP-10 and ASC-3 check what the futures raise",
    ),
    Untestable(
        "Unlike asyncio's, a concurrent.futures.Future cannot be awaited and its cancel() takes no"
        ' msg argument.',
        ASYNCIO + 'asyncio-future.html#asyncio.Future',
        'describes the stdlib Future class, not what an executor does',
    ),
    Untestable(
        "loop.run_in_executor(None, ...) uses the loop's default executor: the one given to "
        'set_default_executor(), which must be a ThreadPoolExecutor, else one created on first use'
        " with ThreadPoolExecutor's default max_workers.",
        ASYNCIO + 'asyncio-eventloop.html#asyncio.loop.run_in_executor',
        "asyncio's own default executor, not the executor under test",
    ),
    Untestable(
        'loop.shutdown_default_executor() shuts the default executor down and joins its threads, '
        'giving up with a RuntimeWarning after timeout (3.12+); run_in_executor(None, ...) '
        'afterwards raises RuntimeError.',
        ASYNCIO + 'asyncio-eventloop.html#asyncio.loop.shutdown_default_executor',
        "asyncio's own default executor, not the executor under test",
    ),
    Untestable(
        'asyncio.run_coroutine_threadsafe() returns a concurrent.futures.Future that gets the '
        "coroutine's outcome and cancels its task when cancelled.",
        ASYNCIO + 'asyncio-task.html#asyncio.run_coroutine_threadsafe',
        "asyncio's function; no executor is involved",
    ),
]
