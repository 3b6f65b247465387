"""The ``sim`` executable: Ctrl-C is honoured quietly from its first instant, then the command line runs.

Importing the command line takes a second or more (numpy, pandas, pydantic, typer).
A Ctrl-C or SIGTERM in that time ends the process at once, with a line saying so and
no traceback; once imported, the commands handle signals themselves (``sim run`` stops
after its running chunks and says how to resume).
"""

import os
import signal
import sys


def main() -> None:
    """Run the ``sim`` command line."""
    previous = {signum: signal.signal(signum, _stop_at_once) for signum in (signal.SIGINT, signal.SIGTERM)}
    _plain_where_unicode_cannot_go()
    processes = _early_processes(sys.argv[1:])
    if processes:
        from simulator.engine.workers import start_early

        start_early(processes)  # its helpers import the engine while this process imports the command line
    from simulator.cli.app import app  # every command registered on it

    for signum, handler in previous.items():
        signal.signal(signum, handler)
    app()


def _plain_where_unicode_cannot_go() -> None:
    """On a terminal that cannot show every character (an ASCII locale, say), write a stand-in instead of failing.

    The tables, quotes and dashes ``sim`` prints are Unicode; a stream whose encoding cannot
    carry one writes ``?`` in its place rather than ending the command in a traceback.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        if "utf" not in encoding.lower().replace("-", "") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


#: More worlds than one chunk of the engine's default size: a run that will use helper processes.
_MANY_WORLDS = 32_768


def _early_processes(args: list[str]) -> int | None:
    """For a ``sim run`` of many worlds on local processes, how many; else ``None``.

    Such a run starts its helper processes before the command line is read in full.
    Any other run (on Dask, resumed, with another configuration folder) starts them
    when it begins, as does one whose options this reading cannot be sure of.
    """
    if args[:1] != ["run"] or os.environ.get("SIM_DASK_ADDRESS"):
        return None
    if any(arg.split("=")[0] in ("--dask", "--resume", "--config-dir", "--help") for arg in args):
        return None
    runs, workers = _option(args, "--runs"), _option(args, "--workers")
    if runs is None or not runs.isdigit() or int(runs) <= _MANY_WORLDS:
        return None
    if workers is None:
        from simulator.engine.workers import all_cores

        return all_cores()
    return int(workers) if workers.isdigit() else None


def _option(args: list[str], flag: str) -> str | None:
    """The value given to ``flag`` (``--flag VALUE`` or ``--flag=VALUE``), if given exactly once."""
    values = [value for name, value in zip(args, args[1:], strict=False) if name == flag]
    values += [arg.removeprefix(f"{flag}=") for arg in args if arg.startswith(f"{flag}=")]
    return values[0] if len(values) == 1 else None


def _stop_at_once(signum: int, frame: object) -> None:
    sys.stderr.write("interrupted while starting; nothing was done\n")
    sys.stderr.flush()
    os._exit(128 + signum)  # at once: an exception could be caught by the code being imported
