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
    from simulator.cli.analysis_commands import app  # the app, with the analyst's commands registered on it

    for signum, handler in previous.items():
        signal.signal(signum, handler)
    app()


def _stop_at_once(signum: int, frame: object) -> None:
    sys.stderr.write("interrupted while starting; nothing was done\n")
    sys.stderr.flush()
    os._exit(128 + signum)  # at once: an exception could be caught by the code being imported
