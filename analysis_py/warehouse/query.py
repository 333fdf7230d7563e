"""Read-only SQL on the published warehouse: the one guard behind `wage sql`, `wage export` and `/api/sql`.

`open_read_only` attaches the file read-only to an in-memory DuckDB, then switches file access
off and locks the configuration: a query cannot write the warehouse, read or write other files
(COPY, ATTACH, read_csv, INSTALL, LOAD) or change a setting. `read_statements` parses the SQL
and refuses every statement that is not a query before any of them runs.

Attaching to an in-memory instance, not `duckdb.connect(path)`, gives each opening its own
database: DuckDB reuses an open instance per path (the server relies on this to notice a new file).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analysis_py.errors import AnalysisError, BuildError

__all__ = [
    "QueryResult",
    "READ_STATEMENTS",
    "StatementResult",
    "duckdb_message",
    "guarded_query",
    "open_read_only",
    "read_only_connection",
    "read_statements",
    "statement_results",
]

#: Statement types that run (DuckDB's parser decides: SELECT covers WITH, FROM, VALUES, DESCRIBE,
#: SHOW, SUMMARIZE, PIVOT and PRAGMAs that only read; EXPLAIN shows a plan).
READ_STATEMENTS = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)


def open_read_only(path: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `path` attached read-only as `wage` (the default catalog), file access off, settings locked.

    BuildError when there is no file at `path` (no warehouse published yet)."""
    if not Path(path).is_file():
        raise BuildError(str(path), "no warehouse yet: run `wage run` (or `make run`) first")
    config = {} if threads is None else {"threads": threads}
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as wage (read_only)")
        con.execute("use wage")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except duckdb.Error:
        con.close()
        raise
    return con


@contextmanager
def read_only_connection(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """`open_read_only(path)`, closed afterwards; a file DuckDB cannot open is BuildError(path, ...)."""
    try:
        con = open_read_only(path)
    except duckdb.Error as exc:
        raise BuildError(
            str(path), f"cannot be opened read-only: {duckdb_message(exc).splitlines()[0]}"
        ) from None
    with con:
        yield con


def read_statements(
    con: duckdb.DuckDBPyConnection, sql: str, source: str = "q"
) -> list[duckdb.Statement]:
    """The statements of `sql`, each a query (READ_STATEMENTS); AnalysisError(source, ...) when the text is
    empty, does not parse (DuckDB's message, with its caret) or holds a statement that is not a query."""
    if not sql.strip().strip(";").strip():
        raise AnalysisError(source, "is empty: give a SELECT statement")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise AnalysisError(source, duckdb_message(exc)) from None
    for number, statement in enumerate(statements, 1):
        if statement.type not in READ_STATEMENTS:
            which = f"statement {number} " if len(statements) > 1 else ""
            kind = statement.type.name
            if kind == "LOAD" and re.match(
                r"\s*(force\s+)?install\b", statement.query, re.IGNORECASE
            ):
                kind = "INSTALL"  # DuckDB files INSTALL under its LOAD statement type
            article = "an" if kind[0] in "AEIOU" else "a"  # an ATTACH, an UPDATE; a COPY
            raise AnalysisError(
                source,
                f"{which}is {article} {kind} statement: only read-only queries (SELECT, EXPLAIN) run here",
            )
    return statements


@dataclass(frozen=True)
class QueryResult:
    """A user query's columns and rows; `truncated` when it had more than `row_cap` rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    row_cap: int
    seconds: float


def guarded_query(
    cursor: duckdb.DuckDBPyConnection, sql: str, row_cap: int, time_limit: float
) -> QueryResult:
    """Run exactly one read-only statement on `cursor` (opened by `open_read_only`), keeping at most `row_cap` rows.

    AnalysisError("q", ...) for several statements, a statement that is not a query, a syntax
    error, an error of the query, or one that runs past `time_limit` seconds (it is interrupted).
    """
    statements = read_statements(cursor, sql)
    if len(statements) != 1:
        raise AnalysisError(
            "q", f"holds {len(statements)} statements: give exactly one SELECT statement"
        )
    timer = threading.Timer(time_limit, cursor.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        cursor.execute(statements[0])
        rows = cursor.fetchmany(row_cap + 1)
        columns = [column[0] for column in cursor.description or ()]
    except duckdb.InterruptException:
        raise AnalysisError(
            "q", f"ran longer than the time limit of {time_limit:g} s and was stopped"
        ) from None
    except duckdb.Error as exc:
        raise AnalysisError("q", f"failed: {duckdb_message(exc).splitlines()[0]}") from None
    finally:
        timer.cancel()
    return QueryResult(
        columns, rows[:row_cap], len(rows) > row_cap, row_cap, time.perf_counter() - started
    )


@dataclass(frozen=True)
class StatementResult:
    """What one statement returned: its columns, its first rows, and how many rows it had in all."""

    number: int
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    n_rows: int
    is_explain: bool = False  # EXPLAIN: rows of (explain_key, plan drawn as multi-line text)

    @property
    def n_hidden(self) -> int:
        """Rows the statement returned beyond those kept in `rows`."""
        return self.n_rows - len(self.rows)


def statement_results(
    path: Path, sql: str, source: str, max_rows: int | None = None
) -> Iterator[StatementResult]:
    """Each statement of `sql` run in turn on the warehouse at `path` (opened by `open_read_only`).

    Every statement is checked (`read_statements`, errors naming `source`) before the first
    runs. Each result keeps all its rows, or the first `max_rows` when given (`n_rows` counts
    them all). An error of a statement is AnalysisError(path, DuckDB's message with its
    caret), raised after the results of the statements before it.
    """
    with read_only_connection(path) as con:
        statements = read_statements(con, sql, source)
        for number, statement in enumerate(statements, 1):
            which = f"statement {number}: " if len(statements) > 1 else ""
            try:
                con.execute(statement)
                columns = tuple(column[0] for column in con.description or ())
                rows = (
                    con.fetchall()
                    if max_rows is None
                    else (con.fetchmany(max_rows) if max_rows else [])
                )
                n_rows = len(rows)
                while max_rows is not None and (more := con.fetchmany(65536)):
                    n_rows += len(more)
            except duckdb.Error as exc:
                raise AnalysisError(str(path), which + duckdb_message(exc)) from None
            yield StatementResult(
                number, columns, rows, n_rows, statement.type == duckdb.StatementType.EXPLAIN
            )


def duckdb_message(exc: Exception) -> str:
    """DuckDB's error text as it wrote it: the message, then (for parser and binder errors) the
    `LINE n:` context and its caret on the lines after; blank lines dropped."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return "\n".join(lines) if lines else type(exc).__name__
