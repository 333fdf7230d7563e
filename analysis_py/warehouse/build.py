"""Side-file build, atomic publish, read-only connect.

`wage.duckdb` is wholly derived: dbt builds it into a side file
(`wage.duckdb.building`) from the raw landing, attached read-only, and the side file is
renamed over `wage.duckdb` only when every model and test passed. A reader holding the
old file open keeps reading the old file; a build killed at any moment leaves the old
file as it was. One build at a time: the others are refused (BusyError).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from analysis_py.config import Settings
from analysis_py.errors import BuildError
from analysis_py.warehouse.dbt import run_dbt

__all__ = [
    "BuildSummary",
    "build_side_file",
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


def build_side_file(settings: Settings, raw_db: Path) -> BuildSummary:
    """`dbt build` from the raw landing `raw_db` into the side file `settings.build_copy` (not published).

    The caller holds `build_lock`, then adds to the side file and publishes it with
    `publish_file`; a failed build removes the side file and raises BuildError.
    """
    if not raw_db.exists():
        raise BuildError(str(raw_db), "no raw landing yet: run `wage ingest PATH` or `wage run` first")
    refuse_if_open_for_writing(settings.warehouse)  # before dbt, not after it
    side = settings.build_copy
    remove_duckdb_file(side)
    run = run_dbt(settings, ["build"], side, raw_db)
    passed: Counter[str] = Counter(r["unique_id"].split(".")[0] for r in run.results if r["status"] in ("success", "pass"))
    failures = [
        f'{r["unique_id"]}: {r["status"]} {r.get("message") or ""}'.strip()
        for r in run.results
        if r["status"] not in ("success", "pass", "skipped", "no-op")  # exposures are no-op nodes
    ]
    if run.returncode != 0:
        remove_duckdb_file(side)
        detail = "; ".join(failures[:5]) or run.error_text()
        raise BuildError(str(settings.warehouse), f"dbt build failed, the warehouse was not changed: {detail}")
    summary = BuildSummary(passed=dict(passed), seconds=run.seconds, failures=failures)
    logger.info(
        "dbt build: %s passed in %.1f s",
        ", ".join(f"{count} {kind}s" for kind, count in sorted(summary.passed.items())),
        summary.seconds,
    )
    return summary


def connect_read_only(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (never blocks a rebuild)."""
    if not settings.warehouse.exists():
        raise BuildError(str(settings.warehouse), "no warehouse yet: run `wage run` (or `make run`) first")
    return duckdb.connect(str(settings.warehouse), read_only=True)
