"""Build copy, dbt build, atomic publish, read-only connect.

`wage.duckdb` is wholly derived: dbt builds it into a side file
(`wage.duckdb.building`) from the raw landing, attached read-only, and the side file is
renamed over `wage.duckdb` only when every model and test passed. A reader holding the
old file open keeps reading the old file; a build killed at any moment leaves the old
file as it was. One build at a time: the others are refused (BusyError).
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analysis_py.config import Settings
from analysis_py.errors import BuildError, BusyError

__all__ = [
    "BuildSummary",
    "build_lock",
    "build_warehouse",
    "connect_read_only",
    "publish_file",
    "refuse_if_open_for_writing",
    "remove_duckdb_file",
    "stage_raw_copy",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    """What `dbt build` did: counts of passed nodes by type, and the duration."""

    passed: dict[str, int]
    seconds: float
    failures: list[str] = field(default_factory=list)

    @property
    def data_tests(self) -> int:
        return self.passed.get("test", 0)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@contextlib.contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """Hold the exclusive build lock for the warehouse, or raise BusyError at once."""
    settings.lock_file.parent.mkdir(parents=True, exist_ok=True)
    with settings.lock_file.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BusyError(str(settings.warehouse), f"another build is running (pid {holder}); try again when it ends") from None
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


def remove_duckdb_file(path: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, if present."""
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def stage_raw_copy(settings: Settings) -> Path:
    """Copy the raw landing to its side file (empty when there is none yet) and return it."""
    stage = settings.raw_build_copy
    remove_duckdb_file(stage)
    if settings.raw_db.exists():
        _checkpoint(settings.raw_db)
        shutil.copyfile(settings.raw_db, stage)
    return stage


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is complete."""
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")


def refuse_if_open_for_writing(target: Path) -> None:
    """BuildError if another connection holds `target` open for writing (DuckDB's exclusive lock).

    Renaming a new file over one a client writes to would lose its writes, and its
    write-ahead log, named after the path, would land beside the new file.
    """
    if not target.exists():
        return
    try:
        duckdb.connect(str(target), read_only=True).close()
    except duckdb.Error as exc:
        message = str(exc)
        if "lock" not in message.lower() and "different configuration" not in message:
            return  # not a DuckDB file any more: replacing it is what the build is for
        holder = re.search(r"PID \d+", message)
        raise BuildError(
            str(target),
            f"is open for writing ({holder.group(0) if holder else 'by this process'}): close that connection "
            "or open the warehouse read-only (see README), then rebuild",
        ) from None


def publish_file(side: Path, target: Path) -> None:
    """Atomically replace `target` by the finished side file `side`."""
    refuse_if_open_for_writing(target)
    _checkpoint(side)
    if side.with_name(side.name + ".wal").exists():
        raise BuildError(str(side), "still has a write-ahead log after checkpoint; not published")
    if target.with_name(target.name + ".wal").exists():
        raise BuildError(
            str(target),
            "has a .wal file beside it: a client has it open for writing; close it (open the warehouse read-only) and rebuild",
        )
    os.replace(side, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


#: `python -m dbt.cli.main ARGS` in a process the kernel kills when the build that started
#: it dies (Linux PR_SET_PDEATHSIG): a killed build leaves no dbt writing on behind it.
_DBT_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
parent = int(sys.argv.pop(1))
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: dbt ends at its next line of output instead (broken pipe)
if os.getppid() != parent:
    sys.exit("wage: the build that started dbt is gone")
runpy.run_module("dbt.cli.main", run_name="__main__", alter_sys=True)
"""


def _dbt_command(settings: Settings, *args: str) -> list[str]:
    """dbt of this venv (dying with this process), on this project and its profile."""
    return [
        sys.executable, "-c", _DBT_LAUNCHER, str(os.getpid()), *args,
        "--project-dir", str(settings.root),
        "--profiles-dir", str(settings.root),
        "--log-path", str(settings.logs_dir),
        "--target-path", str(settings.root / "target"),
    ]  # fmt: skip


def _run_dbt_build(settings: Settings, database: Path, raw_db: Path) -> BuildSummary:
    """`dbt build` in a child process (its own DuckDB handles, gone when it exits)."""
    env = {**os.environ, "WAGE_DB": str(database), "WAGE_RAW_DB": str(raw_db), "DBT_USE_COLORS": "false"}
    run_results = settings.root / "target" / "run_results.json"
    run_results.unlink(missing_ok=True)  # a stale file would report an older run
    started = time.perf_counter()
    with subprocess.Popen(
        _dbt_command(settings, "build"),
        cwd=settings.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as child:
        assert child.stdout is not None
        output = []
        for line in child.stdout:
            output.append(line.rstrip())
            logger.debug("dbt: %s", line.rstrip())
    seconds = time.perf_counter() - started
    results = _run_results(run_results)
    passed: Counter[str] = Counter(r["unique_id"].split(".")[0] for r in results if r["status"] in ("success", "pass"))
    failures = [
        f'{r["unique_id"]}: {r["status"]} {r.get("message") or ""}'.strip()
        for r in results
        if r["status"] not in ("success", "pass", "skipped", "no-op")  # exposures are no-op nodes
    ]
    if child.returncode != 0:
        detail = "; ".join(failures[:5]) or _dbt_error(output)
        raise BuildError(str(settings.warehouse), f"dbt build failed, the warehouse was not changed: {detail}")
    return BuildSummary(passed=dict(passed), seconds=seconds, failures=failures)


def _dbt_error(output: list[str]) -> str:
    """The lines dbt printed after 'Encountered an error:', folded into one."""
    marker = next((i for i, line in enumerate(output) if "Encountered an error" in line), None)
    if marker is None:
        return "see logs/dbt.log"
    return " ".join(line.strip() for line in output[marker + 1 : marker + 8] if line.strip())[:500]


def _run_results(path: Path) -> list[dict[str, Any]]:
    """The node results of the dbt run that just ended (none if dbt failed before running)."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(payload.get("results", []))


def build_warehouse(
    settings: Settings,
    raw_db: Path | None = None,
    extend: Callable[[Path], None] | None = None,
) -> BuildSummary:
    """dbt build into the side file, let `extend` add to it, then publish it as the warehouse.

    The caller holds `build_lock`. `raw_db` defaults to the published raw landing.
    """
    raw_db = raw_db or settings.raw_db
    if not raw_db.exists():
        raise BuildError(str(raw_db), "no raw landing yet: run `wage ingest PATH` or `wage run` first")
    refuse_if_open_for_writing(settings.warehouse)  # before dbt, not after it
    side = settings.build_copy
    remove_duckdb_file(side)
    try:
        summary = _run_dbt_build(settings, side, raw_db)
        logger.info(
            "dbt build: %s passed in %.1f s",
            ", ".join(f"{count} {kind}s" for kind, count in sorted(summary.passed.items())),
            summary.seconds,
        )
        if extend is not None:
            extend(side)
        publish_file(side, settings.warehouse)
    finally:
        remove_duckdb_file(side)
    return summary


def connect_read_only(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (never blocks a rebuild)."""
    if not settings.warehouse.exists():
        raise BuildError(str(settings.warehouse), "no warehouse yet: run `wage run` (or `make run`) first")
    return duckdb.connect(str(settings.warehouse), read_only=True)
