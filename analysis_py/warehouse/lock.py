"""One build at a time: an exclusive, non-blocking flock beside the warehouse."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from analysis_py.config import Settings
from analysis_py.errors import BuildError, BusyError

__all__ = ["build_lock"]


@contextlib.contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """Hold the exclusive build lock for the warehouse, or raise BusyError at once
    (BuildError when the lock file cannot be created: a read-only folder or file system)."""
    try:
        settings.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = settings.lock_file.open("a+")
    except OSError as exc:
        raise BuildError(
            str(settings.lock_file),
            f"cannot create the build lock ({exc.strerror or exc}): the warehouse's folder must be writable "
            "(a read-only file system? set WAGE_DB to a writable place); nothing was changed",
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BusyError(
                str(settings.warehouse),
                f"another build is running (pid {holder}); try again when it ends",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
