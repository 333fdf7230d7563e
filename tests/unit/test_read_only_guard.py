"""The read-only guard as an attacker tries it: every probe is refused and the file keeps its bytes.

A small warehouse is written here; each probe runs through `guarded_query` on a connection from
`open_read_only` (what `/api/sql`'s workers use) and through `statement_results` (what `wage sql`
and `wage export` use). The probes are the statement types DuckDB parses, EXPLAIN ANALYZE in every
spelling, and the table functions that touch files, the warehouse's own file and a spill folder
under the working directory among them.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.errors import AnalysisError
from analysis_py.warehouse.query import (
    FILE_ACCESS_REFUSED,
    answer_bytes,
    guarded_query,
    open_read_only,
    read_statements,
    statement_results,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse file, written once: each test probes a copy of its own."""
    path = tmp_path_factory.mktemp("template") / "wage.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select range as n, 'row ' || range as label from range(10)")
    return path


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: Path) -> Path:
    """wage.duckdb with one table, a `.tmp/` spill folder holding a secret, cwd beside them."""
    path = tmp_path / "wage.duckdb"
    shutil.copyfile(template, path)
    (tmp_path / ".tmp").mkdir()
    (tmp_path / ".tmp" / "secret.txt").write_text("secret")
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture
def locked(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_read_only(warehouse, threads=1, memory_limit="256MB")
    yield con
    con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Statements that are not plain queries, one of each type DuckDB's parser gives, and the
#: EXPLAIN ANALYZE spellings that run the statement they explain.
NOT_A_QUERY = [
    "explain analyze copy (select 'x' as x) to 'wage.duckdb' (use_tmp_file false)",
    "explain analyze copy (select 'x' as x) to 'wage.duckdb.wal' (use_tmp_file false)",
    "explain analyze create table memory.main.planted as select 1",
    "EXPLAIN ANALYSE create macro planted() as 1",
    "explain /* a comment */ analyze select 1",
    "explain (analyze) select 1",
    "explain (format json, analyze) select 1",
    "explain copy (select 1) to 'out.csv'",
    "explain create table memory.main.planted as select 1",
    "explain insert into t values (1, 'x')",
    "copy (select 1) to 'out.csv'",
    "copy t from 'wage.duckdb'",
    "export database 'exported'",
    "attach 'other.duckdb' as other",
    "attach ':memory:' as scratch",
    "detach wage",
    "use memory",
    "install httpfs",
    "force install httpfs",
    "load httpfs",
    "pragma disable_optimizer",
    "pragma enable_profiling",
    "call checkpoint()",
    "call pragma_version()",
    "checkpoint",
    "force checkpoint",
    "set memory_limit = '100GB'",
    "set enable_external_access = true",
    "reset lock_configuration",
    "set variable planted = 1",
    "create table memory.main.planted as select 1",
    "create temp table planted as select 1",
    "create macro planted() as 1",
    "create secret planted (type s3)",
    "create view planted as select 1",
    "insert into t values (99, 'planted')",
    "update t set label = 'planted'",
    "delete from t",
    "truncate t",
    "drop table t",
    "alter table t add column planted int",
    "comment on table t is 'planted'",
    "vacuum",
    "analyze",
    "begin transaction",
    "prepare planted as select 1",
    "execute planted",
    "deallocate planted",
    "select 1; drop table t",
]


@pytest.mark.parametrize("sql", NOT_A_QUERY)
def test_a_statement_that_is_not_a_plain_query_is_refused_before_it_runs(
    warehouse: Path, locked: duckdb.DuckDBPyConnection, sql: str
) -> None:
    before = digest(warehouse)
    with pytest.raises(AnalysisError) as refused:
        guarded_query(locked, sql, 100, 5)
    assert refused.value.path == "q"
    assert (
        "only read-only queries" in refused.value.problem or "statements" in refused.value.problem
    )
    with pytest.raises(AnalysisError):
        list(statement_results(warehouse, sql, "query"))
    assert digest(warehouse) == before
    assert {p.name for p in warehouse.parent.iterdir()} == {"wage.duckdb", ".tmp"}
    assert guarded_query(locked, "select count(*) from t", 10, 5).rows == [(10,)]


def test_the_api_guard_takes_exactly_one_statement(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="holds 2 statements"):
        guarded_query(locked, "select 1; select 2", 100, 5)


def test_explain_analyze_is_named_as_such(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="EXPLAIN ANALYZE statement"):
        read_statements(locked, "explain analyze select 1")


@pytest.mark.parametrize(
    "sql", ["explain select * from t", "explain (format json) select n from t where n > 3"]
)
def test_explain_of_a_query_shows_its_plan(locked: duckdb.DuckDBPyConnection, sql: str) -> None:
    result = guarded_query(locked, sql, 100, 5)
    assert result.columns == ["explain_key", "explain_value"]
    assert result.rows[0][0] == "physical_plan"


#: Table functions that read or list files; each named on the spill folder, the warehouse itself
#: (DuckDB keeps an attached file on its allowed paths) and a system file.
FILE_FUNCTIONS = [
    "read_text",
    "read_blob",
    "read_csv",
    "read_csv_auto",
    "read_json",
    "read_json_auto",
    "read_ndjson",
    "read_parquet",
    "parquet_metadata",
    "parquet_schema",
    "sniff_csv",
    "glob",
]


@pytest.mark.parametrize("target", [".tmp/*", ".tmp/secret.txt", "wage.duckdb", "/etc/passwd"])
@pytest.mark.parametrize("function", FILE_FUNCTIONS)
def test_no_table_function_touches_a_file(
    warehouse: Path, locked: duckdb.DuckDBPyConnection, function: str, target: str
) -> None:
    target = str(warehouse) if target == "wage.duckdb" and function == "read_blob" else target
    with pytest.raises(AnalysisError) as refused:
        guarded_query(locked, f"select * from {function}('{target}')", 100, 5)
    assert refused.value.problem == FILE_ACCESS_REFUSED
    assert "secret" not in refused.value.problem


def test_no_allowed_path_or_spill_folder_is_left(locked: duckdb.DuckDBPyConnection) -> None:
    rows = guarded_query(
        locked,
        "select current_setting('allowed_directories'), current_setting('allowed_paths'),"
        " current_setting('temp_directory'), current_setting('enable_external_access'),"
        " current_setting('lock_configuration')",
        10,
        5,
    ).rows
    directories, paths, temp, external, locked_setting = rows[0]
    assert directories == [] and temp == "" and external is False and locked_setting is True
    # DuckDB lists the attached file as allowed; the local file system is off, so it is moot
    # (test_no_table_function_touches_a_file reads it with read_blob and is refused).
    assert all(Path(p).name.startswith("wage.duckdb") for p in paths)


def test_settings_are_locked_and_memory_is_limited(locked: duckdb.DuckDBPyConnection) -> None:
    limit = guarded_query(locked, "select current_setting('memory_limit')", 10, 5).rows[0][0]
    assert limit in ("244.1 MiB", "256.0 MiB")
    with pytest.raises(duckdb.Error, match="locked"):
        locked.execute("set memory_limit = '100GB'")


def test_a_query_over_the_memory_limit_fails_cleanly(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError, match="more memory than a query may use"):
        guarded_query(locked, "select list(repeat('x', 1000000)) from range(2000)", 10, 20)
    assert guarded_query(locked, "select 1", 10, 5).rows == [(1,)]


def test_the_byte_cap_cuts_the_answer_and_says_so(locked: duckdb.DuckDBPyConnection) -> None:
    result = guarded_query(locked, "select repeat('x', 1000) from range(100)", 1000, 5, 10_000)
    assert result.truncated_by == "bytes"
    per_row = answer_bytes(("x" * 1000,))
    assert len(result.rows) == 10_000 // per_row
    whole = guarded_query(locked, "select repeat('x', 10) from range(5)", 1000, 5, 10_000)
    assert whole.truncated_by is None and len(whole.rows) == 5


def test_the_row_cap_is_said_to_be_rows(locked: duckdb.DuckDBPyConnection) -> None:
    result = guarded_query(locked, "select * from range(50)", 7, 5, 10_000)
    assert (len(result.rows), result.truncated_by) == (7, "rows")


def test_a_huge_answer_is_never_fetched_whole(locked: duckdb.DuckDBPyConnection) -> None:
    """A billion rows stream: the first batches are read, the rest never produced."""
    result = guarded_query(locked, "select range, repeat('y', 100) from range(1000000000)", 50, 5)
    assert len(result.rows) == 50 and result.truncated_by == "rows"
    assert result.seconds < 5


def test_the_time_limit_covers_the_fetch(locked: duckdb.DuckDBPyConnection) -> None:
    """A streamed answer whose rows keep coming is stopped while it is being fetched."""
    sql = "select md5(repeat('x', 20000) || range::varchar) from range(100000000)"
    with pytest.raises(AnalysisError, match=re.escape("time limit of 0.3 s")):
        guarded_query(locked, sql, 10**9, 0.3)


@pytest.mark.parametrize("value", ["a" * 10, b"\x00" * 7, [1, "ab"], {"k": "vv"}, 3.5, None])
def test_answer_bytes_counts_text_by_length(value: object) -> None:
    expected = {str: 10, bytes: 7, list: 8 + 8 + 2, dict: 8 + 1 + 2, float: 8, type(None): 8}
    assert answer_bytes(value) == expected[type(value)]
