"""The read-only guard's answers and refusals word for word: what `wage sql`, `wage export` and
`/api/sql` show the user, the parameter each error names, and the edges of its caps.

`test_read_only_guard.py` proves the guard refuses what it must; these tests pin what it says
and counts, so a changed message, a cap off by one or a dropped option is seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis_py.errors import AnalysisError, BuildError
from analysis_py.warehouse.query import (
    FILE_ACCESS_REFUSED,
    answer_bytes,
    duckdb_message,
    guarded_query,
    open_read_only,
    read_only_connection,
    read_statements,
    statement_results,
)

ONLY = "only read-only queries (SELECT, EXPLAIN) run here"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    # an apostrophe in the folder's name: the ATTACH statement must quote it
    folder = tmp_path / "o'neil"
    folder.mkdir()
    path = folder / "wage.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select range as n, 'row ' || range as label from range(10)")
    return path


@pytest.fixture
def locked(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_read_only(warehouse)
    yield con
    con.close()


def test_a_missing_warehouse_is_a_build_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as refused:
        open_read_only(tmp_path / "wage.duckdb")
    assert refused.value.path == str(tmp_path / "wage.duckdb")
    assert refused.value.problem == "no warehouse yet: run `wage run` (or `make run`) first"


def test_a_file_duckdb_cannot_open_is_a_build_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "wage.duckdb"
    path.write_bytes(b"not a database" * 1000)
    with pytest.raises(BuildError) as refused, read_only_connection(path):
        pass
    assert refused.value.path == str(path)
    assert refused.value.problem.startswith("cannot be opened read-only: ")
    # one line: DuckDB's context lines are cut
    assert "\n" not in refused.value.problem


def test_threads_and_memory_limit_reach_duckdb(warehouse: Path) -> None:
    con = open_read_only(warehouse, threads=3, memory_limit="300MB")
    try:
        settings = guarded_query(
            con, "select current_setting('threads'), current_setting('memory_limit')", 10, 5
        ).rows[0]
    finally:
        con.close()
    assert settings[0] == 3
    assert settings[1] in ("286.1 MiB", "300.0 MiB")


def test_the_warehouse_is_the_default_catalog(locked: duckdb.DuckDBPyConnection) -> None:
    result = guarded_query(locked, "select current_database(), count(*) from t", 10, 5)
    assert result.rows == [("wage", 10)]
    assert result.columns == ["current_database()", "count_star()"]


@pytest.mark.parametrize("sql", ["", "   ", " ; ;", ";\n"])
def test_empty_text_names_the_source(locked: duckdb.DuckDBPyConnection, sql: str) -> None:
    with pytest.raises(AnalysisError) as refused:
        read_statements(locked, sql, "query.sql")
    assert refused.value.path == "query.sql"
    assert refused.value.problem == "is empty: give a SELECT statement"


@pytest.mark.parametrize("word", ["selec 1", "X", ";X;"])
def test_a_syntax_error_names_the_source_with_duckdbs_caret(
    locked: duckdb.DuckDBPyConnection, word: str
) -> None:
    # only blanks and semicolons make a text empty: a single letter is DuckDB's to refuse
    with pytest.raises(AnalysisError) as refused:
        read_statements(locked, word, "query.sql")
    shown = word.split()[0].strip(";")
    assert refused.value.path == "query.sql"
    assert refused.value.problem == (
        f'Parser Error: syntax error at or near "{shown}"\nLINE 1: {word}\n'
        + " " * (8 + word.index(shown))
        + "^"
    )


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("insert into t values (1, 'x')", f"is an INSERT statement: {ONLY}"),
        ("update t set n = 1", f"is an UPDATE statement: {ONLY}"),
        ("drop table t", f"is a DROP statement: {ONLY}"),
        ("install httpfs", f"is an INSTALL statement: {ONLY}"),
        ("force install httpfs", f"is an INSTALL statement: {ONLY}"),
        ("load httpfs", f"is a LOAD statement: {ONLY}"),
        (
            "explain analyze select 1",
            f"is an EXPLAIN ANALYZE statement (it runs the statement it explains): {ONLY}",
        ),
        (
            "explain (format json, analyze) select 1",
            f"is an EXPLAIN ANALYZE statement (it runs the statement it explains): {ONLY}",
        ),
        (
            "explain delete from t",
            f"is an EXPLAIN of a statement that is not a SELECT: {ONLY}",
        ),
        (
            # the explained text read alone ("union (select 2)") does not parse: refused unrun
            "explain (select 1) union (select 2)",
            f"is an EXPLAIN of a statement that is not a SELECT: {ONLY}",
        ),
        (
            "select 1; delete from t",
            f"statement 2 is a DELETE statement: {ONLY}",
        ),
    ],
)
def test_each_refusal_says_what_the_statement_is(
    locked: duckdb.DuckDBPyConnection, sql: str, problem: str
) -> None:
    with pytest.raises(AnalysisError) as refused:
        read_statements(locked, sql, "query.sql")
    assert refused.value.path == "query.sql"
    assert refused.value.problem == problem


@pytest.mark.parametrize(
    "sql",
    [
        "explain select * from t",
        "explain (format json) select n from t",
        "EXPLAIN select 'analyze' as word",
    ],
)
def test_an_explain_of_one_select_is_a_query(locked: duckdb.DuckDBPyConnection, sql: str) -> None:
    # an option list is skipped and the word "analyze" inside the query is no option
    assert len(read_statements(locked, sql)) == 1
    assert guarded_query(locked, sql, 10, 5).rows[0][0] == "physical_plan"


def test_read_statements_names_q_by_default(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        read_statements(locked, "drop table t")
    assert refused.value.path == "q"


def test_the_api_guard_says_how_many_statements(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        guarded_query(locked, "select 1; select 2; select 3", 10, 5)
    assert refused.value.path == "q"
    assert refused.value.problem == "holds 3 statements: give exactly one SELECT statement"


def test_a_failing_query_gives_duckdbs_first_line(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        guarded_query(locked, "select nope from t", 10, 5)
    assert refused.value.path == "q"
    assert refused.value.problem.startswith('failed: Binder Error: Referenced column "nope"')
    assert "\n" not in refused.value.problem


def test_a_file_read_is_refused_by_name(locked: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AnalysisError) as refused:
        guarded_query(locked, "select * from read_text('/etc/hostname')", 10, 5)
    assert (refused.value.path, refused.value.problem) == ("q", FILE_ACCESS_REFUSED)
    assert FILE_ACCESS_REFUSED == "reads or writes a file: queries here have no file access"


def test_the_time_limit_message_prints_the_limit_short(locked: duckdb.DuckDBPyConnection) -> None:
    sql = "select md5(repeat('x', 20000) || range::varchar) from range(100000000)"
    with pytest.raises(AnalysisError) as refused:
        guarded_query(locked, sql, 10**9, 0.25)
    assert refused.value.path == "q"
    assert refused.value.problem == "ran longer than the time limit of 0.25 s and was stopped"


def test_the_memory_refusal_in_full(warehouse: Path) -> None:
    con = open_read_only(warehouse, threads=1, memory_limit="64MB")
    try:
        with pytest.raises(AnalysisError) as refused:
            guarded_query(con, "select list(repeat('x', 1000000)) from range(2000)", 10, 20)
    finally:
        con.close()
    assert refused.value.path == "q"
    assert refused.value.problem == (
        "needs more memory than a query may use here: select fewer or smaller values"
    )


def test_the_caps_are_exact(locked: duckdb.DuckDBPyConnection) -> None:
    # exactly row_cap rows is whole; one more is cut, and the cut answer keeps row_cap rows
    whole = guarded_query(locked, "select * from range(7)", 7, 5)
    assert (len(whole.rows), whole.truncated_by, whole.truncated) == (7, None, False)
    cut = guarded_query(locked, "select * from range(8)", 7, 5)
    assert (len(cut.rows), cut.truncated_by, cut.truncated) == (7, "rows", True)
    assert (cut.row_cap, cut.byte_cap) == (7, None)
    # each row of one 10-character text is 8 + 10 bytes: 3 rows fill 54 bytes exactly
    exact = guarded_query(locked, "select repeat('x', 10) from range(3)", 100, 5, 54)
    assert (len(exact.rows), exact.truncated_by, exact.byte_cap) == (3, None, 54)
    over = guarded_query(locked, "select repeat('x', 10) from range(3)", 100, 5, 53)
    assert (len(over.rows), over.truncated_by) == (2, "bytes")
    assert 0 <= over.seconds < 5


def test_more_rows_than_one_fetch_batch_are_all_read(locked: duckdb.DuckDBPyConnection) -> None:
    result = guarded_query(locked, "select * from range(200)", 1000, 5)
    assert [row[0] for row in result.rows] == list(range(200))
    assert result.truncated_by is None


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (bytearray(b"abc"), 3),
        (memoryview(b"abcd"), 4),
        (("ab", None), 8 + 2 + 8),
        ([], 8),
        ({"key": [1, "x"]}, 8 + 3 + 8 + 8 + 1),
        (12, 8),
    ],
)
def test_answer_bytes_of_every_kind(value: object, size: int) -> None:
    assert answer_bytes(value) == size


def test_statement_results_count_every_row_and_keep_the_first(warehouse: Path) -> None:
    results = list(statement_results(warehouse, "select n from t; explain select 1", "q.sql", 3))
    first, second = results
    assert (first.number, first.columns, first.rows) == (1, ("n",), [(0,), (1,), (2,)])
    assert (first.n_rows, first.n_hidden, first.is_explain) == (10, 7, False)
    assert (second.number, second.is_explain) == (2, True)
    assert second.columns == ("explain_key", "explain_value")


def test_statement_results_keep_all_rows_without_a_maximum(warehouse: Path) -> None:
    (result,) = statement_results(warehouse, "select n from t", "q.sql")
    assert (len(result.rows), result.n_rows, result.n_hidden) == (10, 10, 0)


def test_statement_results_with_a_maximum_of_zero_count_only(warehouse: Path) -> None:
    (result,) = statement_results(warehouse, "select n from range(100000) t(n)", "q.sql", 0)
    assert (result.rows, result.n_rows, result.n_hidden) == ([], 100000, 100000)


def test_a_failing_statement_names_the_warehouse_and_its_number(warehouse: Path) -> None:
    results = statement_results(warehouse, "select 1; select nope from t", "q.sql")
    assert next(results).rows == [(1,)]
    with pytest.raises(AnalysisError) as refused:
        next(results)
    assert refused.value.path == str(warehouse)
    assert refused.value.problem.startswith(
        'statement 2: Binder Error: Referenced column "nope" not found'
    )
    # the whole message, caret included
    assert refused.value.problem.splitlines()[-1].strip() == "^"
    with pytest.raises(AnalysisError) as refused:
        list(statement_results(warehouse, "select * from read_text('/etc/hostname')", "q.sql"))
    assert (refused.value.path, refused.value.problem) == (str(warehouse), FILE_ACCESS_REFUSED)
    with pytest.raises(AnalysisError) as refused:
        list(statement_results(warehouse, "select 1;select * from read_text('x')", "q.sql"))
    assert refused.value.problem == "statement 2: " + FILE_ACCESS_REFUSED


def test_statement_results_check_every_statement_before_the_first_runs(warehouse: Path) -> None:
    results = statement_results(warehouse, "select 1; drop table t", "q.sql")
    with pytest.raises(AnalysisError) as refused:
        next(results)
    assert refused.value.path == "q.sql"
    assert refused.value.problem == f"statement 2 is a DROP statement: {ONLY}"


def test_duckdb_message_drops_blank_lines_and_names_a_silent_error() -> None:
    assert duckdb_message(duckdb.Error("first\n\n  \nLINE 1: x\n  ^")) == "first\nLINE 1: x\n  ^"
    assert duckdb_message(duckdb.InterruptException("")) == "InterruptException"
