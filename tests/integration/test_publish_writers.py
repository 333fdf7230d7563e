"""A warehouse another process holds for writing: the publish names that process and changes nothing.

In one process DuckDB refuses a second configuration of a file it has open; across processes
it refuses the file lock and names the holder's PID, which the refusal passes on. The holder
here is a child Python that opens the file for writing and waits.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.config import Settings
from analysis_py.errors import BuildError
from analysis_py.warehouse.publish import check_preconditions, publish_together, refuse_if_held
from tests.conftest import settings_in

_HOLD = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
    "sys.stdin.read()"
)


@pytest.fixture
def folder(tmp_path: Path) -> Settings:
    settings = settings_in(tmp_path)
    for path in (settings.raw_db, settings.warehouse):
        with duckdb.connect(str(path)) as con:
            con.execute("create table t as select 1 as n")
    return settings


def _held(path: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        try:
            yield holder
        finally:
            holder.communicate(timeout=60)


@pytest.fixture
def warehouse_holder(folder: Settings) -> Iterator[subprocess.Popen[str]]:
    yield from _held(folder.warehouse)


@pytest.fixture
def raw_holder(folder: Settings) -> Iterator[subprocess.Popen[str]]:
    yield from _held(folder.raw_db)


def test_a_warehouse_another_process_writes_is_refused_naming_its_pid(
    folder: Settings, warehouse_holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(BuildError) as refused:
        refuse_if_held(folder.warehouse)
    assert (refused.value.path, refused.value.problem) == (
        str(folder.warehouse),
        f"is open for writing (PID {warehouse_holder.pid}): close that connection or open the "
        "file read-only (see docs/operations.md), then run again",
    )


def test_a_raw_landing_another_process_writes_is_not_replaced(
    folder: Settings, raw_holder: subprocess.Popen[str]
) -> None:
    side = folder.raw_build_copy
    with duckdb.connect(str(side)) as con:
        con.execute("create table t as select 2 as n")
    with pytest.raises(BuildError) as refused:
        check_preconditions(folder, [folder.raw_db])
    assert refused.value.problem == (
        f"is open for writing (PID {raw_holder.pid}): close that connection, then run again"
    )
    with pytest.raises(BuildError, match=f"PID {raw_holder.pid}"):
        publish_together(folder, [(side, folder.raw_db)])
    assert side.exists()
