"""An output folder owned by one run at a time: a lock file naming the run that holds it.

A run writing into a folder holds ``.sim.lock`` in it: a small JSON file naming
the process (pid, host, start, command), locked with ``flock`` for as long as
the run lasts. The operating system releases the lock when the process ends,
however it ends (SIGKILL included), so a lock file whose lock is free is stale:
its run ended without removing it, and the next run takes it over, saying so.
A second run, or a second ``--resume``, of a folder whose lock is held is
refused with the holder's name. Where the file system cannot lock (some network
file systems), a lock file whose pid is alive on this host counts as held.
"""

import errno
import fcntl
import json
import logging
import os
import socket
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

#: The lock file in an output folder.
LOCK = ".sim.lock"

log = logging.getLogger(__name__)


class FolderError(ValueError):
    """An output folder that cannot be used: in use by another run, not a folder, not writable."""


@dataclass(frozen=True)
class Holder:
    """The run named in a lock file."""

    pid: int
    host: str
    started: str
    command: str = ""

    def __str__(self) -> str:
        command = f" ({self.command})" if self.command else ""
        return f"pid {self.pid} on {self.host}, started {self.started}{command}"

    def alive(self) -> bool:
        """Whether the process may still run: certainly on this host, assumed elsewhere."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # alive, someone else's
        return True


def holder(out: Path) -> Holder | None:
    """The run named in ``out``'s lock file, if it has a readable one (never waiting on a FIFO put there)."""
    try:
        descriptor = os.open(out / LOCK, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _parse(os.read(descriptor, 4096)) if stat.S_ISREG(os.fstat(descriptor).st_mode) else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def held_by(out: Path) -> Holder | None:
    """The run that holds ``out`` now, or ``None`` if none does (no lock file, or a stale one)."""
    try:
        descriptor = os.open(out / LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if _try_lock(descriptor, holder(out)):
            return None
        return holder(out) or Holder(0, "?", "?")
    finally:
        os.close(descriptor)  # closing releases a lock taken here


@contextmanager
def owned(out: Path) -> Iterator[None]:
    """Hold ``out`` (created if needed) for the length of the ``with`` block.

    Raises:
        FolderError: if another run holds it, or it cannot be created or written.
    """
    if out.exists() and not out.is_dir():
        raise FolderError(f"{out} exists and is not a folder")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        descriptor = _lock(out)
    except OSError as error:
        raise FolderError(f"cannot use {out} as the output folder: {_reason(error)}") from None
    try:
        yield
    finally:
        (out / LOCK).unlink(missing_ok=True)
        os.close(descriptor)
        if created:
            _remove_if_empty(out)  # a run that could not start leaves nothing behind


def _remove_if_empty(out: Path) -> None:
    try:
        out.rmdir()
    except OSError:
        pass  # it holds the run's outputs or finished chunks


def _lock(out: Path) -> int:
    """An open, locked descriptor of ``out``'s lock file, with this run's name written in it."""
    path = out / LOCK
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        previous = _parse(os.pread(descriptor, 4096, 0))
        if not _try_lock(descriptor, previous):
            os.close(descriptor)
            raise FolderError(
                f"{out} is in use by another run: {previous or 'a sim run'}; wait for it to finish, "
                "or stop it (its finished chunks are kept) and resume"
            )
        if _same_file(descriptor, path):
            break
        os.close(descriptor)  # the holder removed the file as we opened it: lock the one now in place
    if previous is not None:
        log.warning("%s: took over the lock of a run that ended without finishing: %s", out, previous)
    me = Holder(os.getpid(), socket.gethostname(), datetime.now(UTC).isoformat(timespec="seconds"), _command())
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, (json.dumps(asdict(me)) + "\n").encode(), 0)
    except OSError:
        os.close(descriptor)
        path.unlink(missing_ok=True)
        raise
    return descriptor


def _try_lock(descriptor: int, named: Holder | None) -> bool:
    """Lock without waiting; where the file system cannot lock, a living named process holds it."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise
        return named is None or not named.alive()
    return True


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        return os.fstat(descriptor).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _parse(data: bytes) -> Holder | None:
    try:
        fields = json.loads(data)
        return Holder(int(fields["pid"]), str(fields["host"]), str(fields["started"]), str(fields.get("command", "")))
    except (ValueError, TypeError, KeyError):
        return None


def _command() -> str:
    return " ".join(["sim", *sys.argv[1:]])[:300] if sys.argv and sys.argv[0].endswith("sim") else "simulator.run"


def _reason(error: OSError) -> str:
    """An OS error in words, e.g. 'Read-only file system' or 'No space left on device'."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"
