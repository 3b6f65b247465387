"""Where chunks run: in this process, in local worker processes, or on a Dask cluster.

Each gives the engine a ``concurrent.futures.Executor`` (or none, to run
here) and the number of chunks it runs at once. Worker processes are
spawned fresh (never forked from a process that has threads, and sharing no
memory with it, so each is as large as a separate ``sim``) and ignore
Ctrl-C: the run that owns them decides when to stop, lets running chunks
finish and saves them. A Dask cluster's workers must have ``sim`` installed,
at the same version.
"""

import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

#: Seconds to wait for a Dask scheduler to answer.
DASK_TIMEOUT = 10


class WorkersError(ValueError):
    """Workers that cannot be had: a bad count, or a cluster that does not answer."""


@dataclass(frozen=True)
class Workers:
    """An executor for chunks and how many it runs at once; no executor means this process.

    Attributes:
        executor: runs chunks elsewhere, or ``None`` to run them here.
        slots: how many chunks it runs at once.
        where: where that is, in words.
        ready: done once the workers can take chunks (they may still be starting).
    """

    executor: Executor | None
    slots: int
    where: str
    ready: Future[None] | None = None


def all_cores() -> int:
    """The number of cores, the default number of worker processes."""
    return os.cpu_count() or 1


@contextmanager
def open_workers(processes: int | None = 1, dask: str | None = None, chunks: int = 1) -> Iterator[Workers]:
    """Workers for a run of ``chunks`` chunks: a Dask cluster, local processes, or this process.

    Args:
        processes: local worker processes (``None``: all cores); one, or a run of
            one chunk, runs in this process.
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
    processes = min(processes, chunks)
    if processes <= 1:
        yield Workers(None, 1, "this process")
        return
    with _ctrl_c_ignored():  # the workers inherit it, so a Ctrl-C never reaches one mid-import
        pool = ProcessPoolExecutor(processes, multiprocessing.get_context("spawn"), initializer=_ignore_ctrl_c)
        started = [pool.submit(_ready) for _ in range(processes)]  # spawns every worker now
    try:
        yield Workers(pool, processes, f"{processes} local processes", ready=started[0])
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # workers still starting need not hold up the run


@contextmanager
def _dask(address: str) -> Iterator[Workers]:
    from distributed import Client  # imported only for a cluster: it is slow to import

    _check_reachable(address)
    try:
        client = Client(address, timeout=DASK_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise WorkersError(f"cannot connect to the Dask scheduler at {address}: {error}") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        yield Workers(client.get_executor(pure=False), slots, f"Dask cluster {address} ({slots} threads)")
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


def _ready() -> None:
    """Nothing: a worker that can run this has started (importing the engine takes a second or two)."""


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
