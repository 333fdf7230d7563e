"""The published warehouse, read-only, for many request threads; a new file is noticed and served.

A `Generation` is one opened file: `warehouse.query.open_read_only` (an in-memory DuckDB with
`wage.duckdb` attached read-only, file access off, configuration locked), and one cursor per request
thread. On each request `Warehouse.cursor()` compares the file's inode, size and mtime with
the open generation's; when a build renamed a new file over it, the next request opens a new
generation, and the old one closes once its last request is done (it keeps reading the old,
unlinked file until then: requests during the switch do not fail).

Attaching to an in-memory instance, not `duckdb.connect(path)`, gives each generation its own
database: DuckDB reuses an open instance per path, which would serve the old file again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import duckdb

from analysis_py.errors import BuildError
from analysis_py.warehouse.query import open_read_only

__all__ = ["NoWarehouse", "Warehouse", "files_read"]

logger = logging.getLogger(__name__)

#: A list the request's task sets; each cursor lease appends the identity of the file it read
#: (the answer cache keeps an answer only when all of it came from one file).
files_read: ContextVar[list[tuple[int, int, int, int]] | None] = ContextVar(
    "files_read", default=None
)


class NoWarehouse(BuildError):
    """There is no published warehouse (yet) at the path: the server answers 503."""


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when a build publishes: device, inode, size, mtime (None when there is no file)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


class Generation:
    """One opened warehouse file, shared by request threads, closed when retired and idle."""

    def __init__(self, path: Path, signature: tuple[int, int, int, int], threads: int) -> None:
        self.signature = signature
        self._con = open_read_only(path, threads)
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.closed = False

    def acquire(self) -> bool:
        with self._lock:
            if self._retired:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            idle = self._retired and self._users == 0
        if idle:
            self._close()

    def retire(self) -> None:
        with self._lock:
            self._retired = True
            idle = self._users == 0
        if idle:
            self._close()

    def thread_cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (opened on first use)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self.new_cursor()
            self._local.cursor = cursor
        return cursor

    def new_cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            cursor = self._con.cursor()
            self._cursors.append(cursor)
        cursor.execute("use wage")
        return cursor

    def _close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            cursors, self._cursors = self._cursors, []
        for cursor in cursors:
            cursor.close()
        self._con.close()


class Warehouse:
    """`with warehouse.cursor() as con:` a read-only cursor on the newest published file."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        self.path = path
        self.threads = threads
        self._current: Generation | None = None
        self._lock = threading.Lock()
        self.generations_opened = 0

    def _generation(self) -> Generation:
        signature = _signature(self.path)
        current = self._current
        if current is not None and current.signature == signature:
            return current
        with self._lock:
            current = self._current
            if current is not None and current.signature == signature:
                return current
            if signature is None:
                self._current = None
                if current is not None:
                    current.retire()
                raise NoWarehouse(
                    str(self.path), "no warehouse yet: run `wage run` (or `make run`) first"
                )
            try:
                fresh = Generation(self.path, signature, self.threads)
            except duckdb.Error as exc:
                if current is not None:
                    logger.warning(
                        "%s changed but cannot be opened (%s): still serving the previous file",
                        self.path,
                        exc,
                    )
                    return current
                raise NoWarehouse(str(self.path), f"cannot be opened read-only: {exc}") from None
            self._current = fresh
            self.generations_opened += 1
            logger.info("serving %s (inode %s, %s bytes)", self.path, signature[1], signature[2])
            if current is not None:
                current.retire()
            return fresh

    @contextmanager
    def _leased(self) -> Iterator[Generation]:
        while True:
            generation = self._generation()
            if generation.acquire():
                break
        read = files_read.get()
        if read is not None:
            read.append(generation.signature)
        try:
            yield generation
        finally:
            generation.release()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """This thread's cursor on the current file, held for the duration of the `with`."""
        with self._leased() as generation:
            yield generation.thread_cursor()

    @contextmanager
    def dedicated_cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own (for user SQL), closed afterwards."""
        with self._leased() as generation:
            cursor = generation.new_cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    def file_identity(self) -> tuple[int, int, int, int] | None:
        """Device, inode, size and mtime of the file at the path now (None when there is none)."""
        return _signature(self.path)

    def warm(self) -> None:
        """Pay the one-time costs before the first request: DuckDB's first parameter binding
        imports pandas (seconds), and the file is opened if there is one."""
        with duckdb.connect(":memory:") as con:
            con.execute("select $x", {"x": 1}).fetchall()
        try:
            with self.cursor():
                pass
        except NoWarehouse:
            pass

    def close(self) -> None:
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.retire()
