"""Where chunks run: in this process, with local worker processes, or on a Dask cluster.

Each gives the engine a ``concurrent.futures.Executor`` (or none) and the
number of chunks it runs at once. On one machine this process runs chunks
too, so N processes means this one and N - 1 helpers. Helpers are spawned
fresh (never forked from a process that has threads) and ignore Ctrl-C: the
run that owns them decides when to stop, lets running chunks finish and
saves them. They end with the process that started them, however it ends
(SIGKILL included): on Linux the kernel kills them (``PR_SET_PDEATHSIG``),
elsewhere a thread in each watches its parent. A Dask cluster's workers must have ``sim`` installed, at the
same version; with a cluster this process only hands out chunks.
"""

import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from simulator.version import missing_extra

#: Seconds to wait for a Dask scheduler to answer.
DASK_TIMEOUT = 10

#: The most local processes per core a run may ask for.
MAX_PER_CORE = 8


class WorkersError(ValueError):
    """Workers that cannot be had: a bad count, or a cluster that does not answer."""


@dataclass(frozen=True)
class Workers:
    """Who runs a run's chunks.

    Attributes:
        executor: runs chunks elsewhere (helper processes, a Dask cluster), or ``None``.
        slots: how many chunks the executor runs at once.
        here: this process runs chunks too.
        ready: done once the executor can take chunks (spawned helpers take a second or
            two to import the engine); ``None`` if it can at once.
        where: all that, in words.
    """

    def accepting(self) -> bool:
        """Whether the executor can take chunks now (helpers that failed to start never can)."""
        if self.executor is None or self.ready is None:
            return self.executor is not None
        return self.ready.done() and self.ready.exception() is None

    executor: Executor | None
    slots: int
    here: bool
    ready: Future[None] | None
    where: str


#: This process alone.
HERE = Workers(executor=None, slots=0, here=True, ready=None, where="this process")

#: Helper processes started ahead of the run that will use them (``start_early``), by how many they are.
_early: dict[int, tuple[ProcessPoolExecutor, list[Future[None]]]] = {}

#: Pools shut down lately, kept so that letting go of them waits for nothing (``_let_go``).
_retired: list[ProcessPoolExecutor] = []

#: How many shut-down pools ``_retired`` keeps.
_KEEP_RETIRED = 4


def all_cores() -> int:
    """The number of cores, the default number of worker processes."""
    return os.cpu_count() or 1


@contextmanager
def open_workers(processes: int | None = 1, dask: str | None = None, chunks: int = 1) -> Iterator[Workers]:
    """Workers for a run of ``chunks`` chunks: a Dask cluster, local processes, or this process.

    Args:
        processes: processes that run chunks, this one included (``None``: all cores);
            a run never gets more of them than it has chunks.
        dask: address of a Dask scheduler (e.g. ``tcp://10.0.0.5:8786``); overrides ``processes``.
        chunks: how many chunks the run has left.

    Raises:
        WorkersError: for a count below one or a scheduler that cannot be reached.
    """
    if dask:
        with _dask(dask) as workers:
            yield workers
        return
    processes = all_cores() if processes is None else processes
    if processes < 1:
        raise WorkersError(f"the number of workers must be at least 1, got {processes}")
    if processes > MAX_PER_CORE * all_cores():
        raise WorkersError(
            f"{processes:,} workers on {all_cores()} cores: at most {MAX_PER_CORE * all_cores()} "
            f"({MAX_PER_CORE} per core); more only slow the run and crowd the machine"
        )
    helpers = min(processes, chunks) - 1
    early = _early.pop(helpers, None)
    _let_go_of_early()
    if helpers < 1:
        yield HERE
        return
    pool, started = early or _spawn(helpers, _ready)
    try:
        yield Workers(pool, helpers, here=True, ready=started[0], where=f"local helper processes ({helpers})")
    finally:
        _let_go(pool)


@contextmanager
def _dask(address: str) -> Iterator[Workers]:
    if problem := missing_extra("dask"):
        raise WorkersError(f"--dask {address}: {problem}")
    from distributed import Client  # imported only for a cluster: it is slow to import

    _check_reachable(address)
    try:
        client = Client(address, timeout=DASK_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise WorkersError(f"cannot connect to the Dask scheduler at {address}: {error}") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        executor = client.get_executor(pure=False)
        yield Workers(executor, slots, here=False, ready=None, where=f"Dask cluster {address} ({slots} threads)")
    finally:
        client.close()


def _check_reachable(address: str) -> None:
    """Refuse a malformed address, or one where nothing answers, before a client is made."""
    from distributed.comm.addressing import get_address_host_port

    try:
        host, port = get_address_host_port(address)
    except ValueError as error:
        raise WorkersError(
            f"{address!r} is not a Dask scheduler address ({error}); write it like tcp://10.0.0.5:8786"
        ) from None
    try:
        socket.create_connection((host, port), timeout=DASK_TIMEOUT).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise WorkersError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """Ignore Ctrl-C for a moment (main thread only: elsewhere, workers ignore it once started)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start_early(processes: int | None = None) -> ProcessPoolExecutor | None:
    """Start now the helpers a run on ``processes`` processes will want (``None``: all cores).

    A helper spends a second or two importing the engine before it can take a chunk.
    Started as the command line starts, it imports while this process does, and the
    run finds it ready: ``open_workers`` takes the early helpers if it wants as many,
    and lets them go otherwise.

    Returns:
        The helpers' executor, or ``None`` where a run on ``processes`` has no helpers.
    """
    helpers = (all_cores() if processes is None else processes) - 1
    if not 1 <= helpers < MAX_PER_CORE * all_cores():  # none, or more than a run may have
        return None
    if helpers not in _early:
        _early[helpers] = _spawn(helpers, _load_engine)
    return _early[helpers][0]


def _let_go_of_early() -> None:
    """Shut down helpers started early that no run took."""
    for pool, _ in _early.values():
        _let_go(pool)
    _early.clear()


def _let_go(pool: ProcessPoolExecutor) -> None:
    """Shut down helpers without waiting for them, and keep their pool a while.

    Helpers still starting need not hold up the run. Once nothing refers to a
    pool, Python waits for its helpers to exit (half a second while they unload
    Mesa and pandas); kept in ``_retired``, the pool outlives the run, which
    goes on and writes its outputs while its helpers exit.
    """
    pool.shutdown(wait=False, cancel_futures=True)
    _retired.append(pool)
    del _retired[:-_KEEP_RETIRED]  # pools let go of runs ago: their helpers have long exited


def helper_pool(helpers: int) -> ProcessPoolExecutor:
    """A pool of ``helpers`` helper processes, spawned fresh, that ignore Ctrl-C and end with this process.

    Submitting to it starts them; whoever owns the pool decides when they stop.
    """
    return ProcessPoolExecutor(
        helpers, multiprocessing.get_context("spawn"), initializer=_start_helper, initargs=(os.getpid(),)
    )


def _spawn(helpers: int, first: Callable[[], None]) -> tuple[ProcessPoolExecutor, list[Future[None]]]:
    """Start ``helpers`` helper processes, each given ``first`` to run (which spawns them all now)."""
    with _ctrl_c_ignored():  # the helpers inherit it, so a Ctrl-C never reaches one mid-import
        pool = helper_pool(helpers)
        started = [pool.submit(first) for _ in range(helpers)]
    return pool, started


def _ready() -> None:
    """Nothing: a worker that can run this has started (importing the engine takes a second or two)."""


def _load_engine() -> None:
    """Begin importing what running a chunk needs, in the background, so the helper can still stop at once.

    The helper's first chunk waits for the import to finish (Python's import lock) if it has not.
    """
    threading.Thread(target=_import_engine, name="import-engine", daemon=True).start()


def _import_engine() -> None:
    """Import the model (with Mesa, pandas and SciPy) and the rows' Arrow, as a helper's first chunk would."""
    import simulator.engine.design  # noqa: F401
    import simulator.engine.rows  # noqa: F401
    import simulator.model.model  # noqa: F401


#: ``prctl`` option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _start_helper(parent: int) -> None:
    """Set up a helper process: ignore Ctrl-C, and end with ``parent``, the process that started it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _killed_with_parent():
        threading.Thread(target=_watch, args=(parent,), name="watch-parent", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)


def _killed_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent dies; whether it will (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    """End this process once its parent is gone (it is then adopted by another)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
