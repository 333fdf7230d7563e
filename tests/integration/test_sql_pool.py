"""`/api/sql`'s worker processes: real children, a slot cap, and a kill at the time limit."""

from __future__ import annotations

import re
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from analysis_py.errors import AnalysisError
from analysis_py.server.sql_pool import SqlBusy, SqlWorkers

#: A worker that says it is ready and then never answers (a query stuck outside DuckDB).
STUCK = [
    sys.executable,
    "-c",
    "print('{\"ready\": true}', flush=True); import time; time.sleep(60)",
]
#: A worker that dies on its first request (as one killed for its address space does).
DIES = [
    sys.executable,
    "-c",
    "import sys; print('{\"ready\": true}', flush=True); sys.stdin.readline()",
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wage.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select range as n from range(5)")
    return path


def test_a_worker_answers_and_is_reused(warehouse: Path) -> None:
    workers = SqlWorkers(warehouse, 2)
    try:
        first = workers.run("select sum(n) as s from t", 10, 1000, 10)
        pid = workers._idle[0].process.pid
        second = workers.run("select 'x'::blob as b, 1.25::decimal(5,2) as d", 10, 1000, 10)
        assert workers._idle[0].process.pid == pid
    finally:
        workers.close()
    assert (first.columns, first.rows, first.truncated_by) == (["s"], [[10]], None)
    assert second.rows == [["78", "1.25"]]


def test_a_refused_query_comes_back_as_the_guard_said(warehouse: Path) -> None:
    workers = SqlWorkers(warehouse, 1)
    try:
        with pytest.raises(AnalysisError, match="EXPLAIN ANALYZE") as refused:
            workers.run("explain analyze select 1", 10, 1000, 10)
    finally:
        workers.close()
    assert refused.value.path == "q"


def test_more_queries_than_slots_are_refused_at_once(warehouse: Path) -> None:
    workers = SqlWorkers(warehouse, 1)
    errors: list[Exception] = []

    def slow() -> None:
        try:
            workers.run("select count(*) from range(1000000000000)", 10, 1000, 3)
        except AnalysisError as exc:
            errors.append(exc)

    try:
        workers.run("select 1", 10, 1000, 10)  # the worker is started before the slot is taken
        running = threading.Thread(target=slow)
        running.start()
        time.sleep(0.5)
        started = time.monotonic()
        with pytest.raises(SqlBusy):
            workers.run("select 1", 10, 1000, 10)
        assert time.monotonic() - started < 0.2
        running.join()
    finally:
        workers.close()
    assert len(errors) == 1 and "time limit of 3 s" in errors[0].problem


def test_a_worker_past_the_time_limit_is_killed(warehouse: Path) -> None:
    workers = SqlWorkers(warehouse, 1, command=STUCK)
    started = time.monotonic()
    with pytest.raises(AnalysisError, match=re.escape("time limit of 0.5 s")):
        workers.run("select 1", 10, 1000, 0.5)
    assert time.monotonic() - started < 3
    assert workers._idle == []
    workers.close()


def test_a_worker_that_dies_is_replaced(warehouse: Path) -> None:
    workers = SqlWorkers(warehouse, 1, command=DIES)
    with pytest.raises(AnalysisError, match="more memory than a query may use"):
        workers.run("select 1", 10, 1000, 5)
    workers.command = SqlWorkers(warehouse, 1).command
    try:
        assert workers.run("select 2 as two", 10, 1000, 10).rows == [[2]]
    finally:
        workers.close()


def test_a_warehouse_duckdb_cannot_open_is_an_error_not_a_dead_worker(tmp_path: Path) -> None:
    broken = tmp_path / "wage.duckdb"
    broken.write_bytes(b"not a database" * 1000)
    workers = SqlWorkers(broken, 1)
    try:
        with pytest.raises(AnalysisError, match="failed: ") as refused:
            workers.run("select 1", 10, 1000, 10)
        assert len(workers._idle) == 1 and workers._idle[0].alive()
    finally:
        workers.close()
    assert "memory" not in refused.value.problem
