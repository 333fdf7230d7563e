"""The child process that runs `/api/sql` queries: `python -m analysis_py.server.sql_worker PATH`.

A query runs in a process of its own so that nothing it does can exhaust the server: the process
has an address-space limit and a lower CPU priority, DuckDB a memory limit, and the server kills
it when a request runs past its time limit (fetching and converting included). DuckDB's allocator
keeps what a large query took; a worker that grew past `RECYCLE_BYTES` is replaced.

It reads one JSON request a line on stdin ({"sql", "row_cap", "byte_cap", "time_limit"}) and
writes one JSON reply a line on stdout: {"columns", "rows", "truncated_by", "seconds", "rss"} or
{"error", "path", "rss"}. Values are converted to what JSON carries here, so the server only
passes them on.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import resource
import sys
import uuid
from pathlib import Path
from typing import Any

__all__ = ["json_value", "main"]

#: DuckDB's buffers for one worker; spilling is off (no temp folder), so larger sorts fail cleanly.
MEMORY_LIMIT = "512MB"
#: The worker's address space: an answer DuckDB builds outside its buffers (one huge string)
#: fails with an error instead of growing the process.
ADDRESS_SPACE_BYTES = 3 << 30
#: Lower CPU priority than the server, so look-ups stay fast while queries run.
NICENESS = 10


def json_value(value: Any) -> Any:
    """A cell as JSON carries it: NaN and infinities null, blobs hex, dates and times ISO 8601,
    decimals and intervals as text, lists and structs as arrays and objects (a map with keys
    that are not text as [key, value] pairs), anything else as its text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, dt.timedelta, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: json_value(item) for key, item in value.items()}
        return [[json_value(key), json_value(item)] for key, item in value.items()]
    return str(value)


def _rss() -> int:
    with open("/proc/self/statm", "rb") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _Session:
    """The warehouse opened read-only, reopened when a build publishes a new file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.signature: tuple[int, int, int] | None = None
        self.con: Any = None

    def connection(self) -> Any:
        from analysis_py.warehouse.query import open_read_only

        status = os.stat(self.path)
        signature = (status.st_ino, status.st_size, status.st_mtime_ns)
        if signature != self.signature:
            if self.con is not None:
                self.con.close()
            self.con = open_read_only(self.path, threads=1, memory_limit=MEMORY_LIMIT)
            self.signature = signature
        return self.con


def answer(session: _Session, request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request: the capped answer, or the error a user can act on."""
    from analysis_py.errors import WageError
    from analysis_py.warehouse.query import guarded_query

    try:
        result = guarded_query(
            session.connection(),
            request["sql"],
            request["row_cap"],
            request["time_limit"],
            request["byte_cap"],
        )
    except WageError as exc:
        return {"error": exc.problem, "path": exc.path}
    except FileNotFoundError:
        return {"error": "no warehouse yet: run `wage run` (or `make run`) first", "path": None}
    except MemoryError:
        return {"error": "needs more memory than a query may use here", "path": "q"}
    except Exception as exc:  # the worker answers every request; the server logs nothing of it
        return {"error": f"failed: {type(exc).__name__}: {exc}".splitlines()[0], "path": "q"}
    return {
        "columns": result.columns,
        "rows": [[json_value(value) for value in row] for row in result.rows],
        "truncated_by": result.truncated_by,
        "seconds": result.seconds,
    }


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = (
        ADDRESS_SPACE_BYTES if hard == resource.RLIM_INFINITY else min(hard, ADDRESS_SPACE_BYTES)
    )
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    os.nice(NICENESS)
    import duckdb  # noqa: F401 - paid before "ready", not by the first request

    session = _Session(path)
    out = sys.stdout
    out.write('{"ready": true}\n')
    out.flush()
    for line in sys.stdin:
        reply = answer(session, json.loads(line))
        reply["rss"] = _rss()
        out.write(json.dumps(reply, ensure_ascii=True, allow_nan=False) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
