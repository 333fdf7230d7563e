"""`/api/sql`'s worker processes: at most a few queries at once, each killed at its time limit.

A request takes a free slot or is refused at once (`SqlBusy`, a 429): queued queries would hold
the server's threads, and look-ups must stay fast. A worker (`sql_worker`) starts on first use and
is reused; it is killed and replaced when its query runs past the time limit, when it dies (out
of address space), or when DuckDB's allocator left it large.
"""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis_py.errors import AnalysisError, WageError

__all__ = ["SqlAnswer", "SqlBusy", "SqlWorkers", "worker_command"]

logger = logging.getLogger(__name__)

#: A worker whose resident memory grew past this is replaced after its answer.
RECYCLE_BYTES = 768 << 20
#: How long a new worker may take to import DuckDB and say it is ready.
START_SECONDS = 30.0
#: The largest reply line read from a worker (the byte cap, JSON-escaped, fits well inside).
MAX_REPLY_BYTES = 64 << 20


class SqlBusy(WageError):
    """Every SQL slot is taken: the server answers 429 with Retry-After."""


@dataclass(frozen=True)
class SqlAnswer:
    """A worker's answer: columns, JSON-ready rows, which cap cut it (None: whole), seconds taken."""

    columns: list[str]
    rows: list[list[Any]]
    truncated_by: str | None
    seconds: float


def worker_command(warehouse: Path) -> list[str]:
    """The command that starts a worker over `warehouse`."""
    return [sys.executable, "-m", "analysis_py.server.sql_worker", str(warehouse)]


class _Worker:
    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        self._buffer = b""
        try:
            ready = self.read_reply(time.monotonic() + START_SECONDS)
        except BaseException:
            self.kill()
            raise
        if ready != {"ready": True}:
            self.kill()
            raise OSError("the SQL worker did not start")

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict[str, Any], deadline: float) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        return self.read_reply(deadline)

    def read_reply(self, deadline: float) -> dict[str, Any]:
        """The next line the worker writes. TimeoutError past `deadline`; EOFError when it died."""
        assert self.process.stdout is not None
        handle = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([handle], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(handle, 1 << 20)
            if not chunk or len(self._buffer) > MAX_REPLY_BYTES:
                raise EOFError
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class SqlWorkers:
    """`run(sql, ...)` on one of at most `size` worker processes over the warehouse at `path`."""

    def __init__(self, path: Path, size: int, command: list[str] | None = None) -> None:
        self.path = path
        self.size = size
        self.command = command or worker_command(path)
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, sql: str, row_cap: int, byte_cap: int, time_limit: float) -> SqlAnswer:
        """The capped answer to `sql`. SqlBusy when `size` queries are running; AnalysisError("q",
        ...) for a refused or failed query, or one that ran (with its fetch) past `time_limit`."""
        if not self._slots.acquire(blocking=False):
            raise SqlBusy(
                "q", f"{self.size} SQL queries are running, the most at once: try again shortly"
            )
        try:
            return self._run(sql, row_cap, byte_cap, time_limit)
        finally:
            self._slots.release()

    def _run(self, sql: str, row_cap: int, byte_cap: int, time_limit: float) -> SqlAnswer:
        worker = self._take()
        request = {"sql": sql, "row_cap": row_cap, "byte_cap": byte_cap, "time_limit": time_limit}
        # The worker interrupts DuckDB at the limit itself; the margin is for its reply to arrive.
        deadline = time.monotonic() + time_limit + 0.5
        try:
            reply = worker.ask(request, deadline)
        except TimeoutError:
            worker.kill()
            raise AnalysisError(
                "q", f"ran longer than the time limit of {time_limit:g} s and was stopped"
            ) from None
        except (EOFError, OSError, ValueError):
            worker.kill()
            logger.warning("an SQL worker stopped during a query (out of memory?): replaced")
            raise AnalysisError(
                "q", "needs more memory than a query may use here: select fewer or smaller values"
            ) from None
        self._give_back(worker, reply.get("rss", 0))
        if "error" in reply:
            raise AnalysisError(reply.get("path") or "q", reply["error"])
        return SqlAnswer(reply["columns"], reply["rows"], reply["truncated_by"], reply["seconds"])

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        try:
            return _Worker(self.command)
        except (OSError, EOFError, TimeoutError, ValueError) as exc:
            raise AnalysisError(
                "q", f"cannot be run now: no SQL worker could start ({exc})"
            ) from None

    def _give_back(self, worker: _Worker, rss: int) -> None:
        if rss > RECYCLE_BYTES:
            worker.kill()
            return
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                return
        worker.kill()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()
