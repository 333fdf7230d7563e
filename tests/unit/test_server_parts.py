"""The server's pure parts: the SQL guard on a locked connection, CSV cells, the Host header."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from analysis_py.errors import AnalysisError
from analysis_py.server.app import ServerOptions, _host_name
from analysis_py.server.formats import csv_cell
from analysis_py.warehouse.query import guarded_query


@pytest.fixture
def locked() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    con.execute("create table t as select * from range(10) as r(i)")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    yield con
    con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "copy t to '/tmp/x.csv'",
        "attach 'x.duckdb'",
        "install httpfs",
        "select 1; select 2",
        "drop table t",
        "set threads = 1",
    ],
)
def test_guard_refuses_what_is_not_one_select(locked: duckdb.DuckDBPyConnection, sql: str) -> None:
    with pytest.raises(AnalysisError, match=r"^q:"):
        guarded_query(locked, sql, 100, 5)


def test_guard_caps_rows_and_says_so(locked: duckdb.DuckDBPyConnection) -> None:
    result = guarded_query(locked, "select * from t", 4, 5)
    assert (len(result.rows), result.truncated) == (4, True)


def test_guard_stops_a_long_query(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="time limit"):
        guarded_query(locked, "select count(*) from range(1000000000000)", 10, 0.2)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@A", "'@A"),
        ("Nurses", "Nurses"),
        (-5, -5),
        (None, ""),
        (["a", "b"], "a;b"),
    ],
)
def test_csv_cells_cannot_be_formulas(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("localhost", "localhost"),
        ("[::1]:80", "::1"),
        ("Evil.Example:1", "evil.example"),
    ],
)
def test_host_header_name(header: str, host: str) -> None:
    assert _host_name(header) == host


def test_only_local_hosts_by_default_and_any_on_every_address() -> None:
    assert ServerOptions().hosts == frozenset({"localhost", "127.0.0.1", "::1"})
    assert ServerOptions(host="0.0.0.0").hosts is None
