"""Read-only SQL on the published warehouse: the one guard behind `wage sql`, `wage export` and `/api/sql`.

`open_read_only` attaches the file read-only to an in-memory DuckDB with no spill folder, then
switches external access off, disables the local file system altogether and locks the
configuration: a query cannot write the warehouse, read or write any file (the warehouse's own
included: DuckDB keeps an attached file on its allowed paths, so `read_blob` could read it), or
change a setting. `read_statements` parses the SQL and refuses, before any of it runs, every
statement that is not a plain query: only SELECT (which DuckDB's parser also gives WITH, FROM,
VALUES, DESCRIBE, SHOW, SUMMARIZE and read-only PRAGMAs) and EXPLAIN of one SELECT, never
EXPLAIN ANALYZE (it runs the statement it explains).

Attaching to an in-memory instance, not `duckdb.connect(path)`, gives each opening its own
database: DuckDB reuses an open instance per path (the server relies on this to notice a new file).
"""

from __future__ import annotations

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
    "FILE_ACCESS_REFUSED",
    "QueryResult",
    "StatementResult",
    "answer_bytes",
    "duckdb_message",
    "guarded_query",
    "open_read_only",
    "read_only_connection",
    "read_statements",
    "statement_results",
]

#: Words after EXPLAIN that make DuckDB run the statement (EXPLAIN ANALYZE, EXPLAIN (ANALYZE) ...).
_RUNS_THE_STATEMENT = frozenset({"analyze", "analyse"})
#: What a query that touches a file is told (DuckDB's own message names a file system setting).
FILE_ACCESS_REFUSED = "reads or writes a file: queries here have no file access"
#: Rows fetched at a time while a capped answer is read (bytes are counted between batches).
_FETCH_BATCH = 64


def open_read_only(
    path: Path, threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `path` attached read-only as `wage` (the default catalog), no file
    access of any kind, settings locked; at most `memory_limit` (DuckDB's syntax, e.g. "512MB")
    of DuckDB's buffers when given.

    BuildError when there is no file at `path` (no warehouse published yet)."""
    if not Path(path).is_file():
        raise BuildError(str(path), "no warehouse yet: run `wage run` (or `make run`) first")
    # No spill folder: DuckDB would keep it readable and writable with external access off.
    config: dict[str, str | int] = {"temp_directory": ""}
    if threads is not None:
        config["threads"] = threads
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as wage (read_only)")
        con.execute("use wage")
        con.execute("set enable_external_access = false")
        # The attached file stays open; every other path, the warehouse's own name included, fails.
        con.execute("set disabled_filesystems = 'LocalFileSystem'")
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
    """The statements of `sql`, each a plain query; AnalysisError(source, ...) when the text is
    empty, does not parse (DuckDB's message, with its caret) or holds any other statement: DuckDB's
    parser decides the type, and an EXPLAIN must explain one SELECT and must not ANALYZE."""
    if not sql.strip().strip(";").strip():
        raise AnalysisError(source, "is empty: give a SELECT statement")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise AnalysisError(source, duckdb_message(exc)) from None
    for number, statement in enumerate(statements, 1):
        problem = _why_not_a_query(con, statement)
        if problem:
            which = f"statement {number} " if len(statements) > 1 else ""
            raise AnalysisError(
                source, f"{which}is {problem}: only read-only queries (SELECT, EXPLAIN) run here"
            )
    return statements


def _why_not_a_query(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> str | None:
    """None for a SELECT or a plain EXPLAIN of one SELECT; else what the statement is."""
    kind = statement.type
    if kind == duckdb.StatementType.SELECT:
        return None
    if kind != duckdb.StatementType.EXPLAIN:
        name = kind.name
        if name == "LOAD" and statement.query.lstrip().lower().startswith(("install", "force")):
            name = "INSTALL"  # DuckDB files INSTALL under its LOAD statement type
        return f"{'an' if name[0] in 'AEIOU' else 'a'} {name} statement"
    explained = _explained_text(statement.query)
    if explained is None:
        return "an EXPLAIN ANALYZE statement (it runs the statement it explains)"
    try:
        inner = con.extract_statements(explained)
    except duckdb.Error:
        inner = []
    if len(inner) != 1 or inner[0].type != duckdb.StatementType.SELECT:
        return "an EXPLAIN of a statement that is not a SELECT"
    return None


def _explained_text(query: str) -> str | None:
    """The statement an EXPLAIN explains (its options skipped); None when it would ANALYZE it.

    DuckDB's tokenizer drops comments, so `explain /* */ analyze` is seen for what it is."""
    tokens = duckdb.tokenize(query)
    words = [
        (position, query[position:end].strip().lower())
        for (position, _), end in zip(
            tokens, [position for position, _ in tokens[1:]] + [len(query)], strict=True
        )
    ]
    index = 1  # words[0] is EXPLAIN itself
    if index < len(words) and words[index][1].startswith("("):
        depth = 0
        for index in range(1, len(words)):
            depth += words[index][1].count("(") - words[index][1].count(")")
            if words[index][1] in _RUNS_THE_STATEMENT:
                return None
            if depth <= 0:
                break
        index += 1
    if index >= len(words) or words[index][1] in _RUNS_THE_STATEMENT:
        return None
    return query[words[index][0] :]


@dataclass(frozen=True)
class QueryResult:
    """A user query's columns and rows, cut at `row_cap` rows or `byte_cap` bytes of values.

    `truncated_by` says which cap cut it ("rows" or "bytes"), None when it is whole."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated_by: str | None
    row_cap: int
    byte_cap: int | None
    seconds: float

    @property
    def truncated(self) -> bool:
        return self.truncated_by is not None


def guarded_query(
    cursor: duckdb.DuckDBPyConnection,
    sql: str,
    row_cap: int,
    time_limit: float,
    byte_cap: int | None = None,
) -> QueryResult:
    """Run exactly one read-only statement on `cursor` (opened by `open_read_only`), keeping at
    most `row_cap` rows and `byte_cap` bytes of values (`answer_bytes`).

    The answer is fetched in small batches while DuckDB streams it, so a query that returns
    more is never held whole. AnalysisError("q", ...) for several statements, a statement that is
    not a query, a syntax error, an error of the query, or one that runs (or fetches) past
    `time_limit` seconds (it is interrupted).
    """
    statements = read_statements(cursor, sql)
    if len(statements) != 1:
        raise AnalysisError(
            "q", f"holds {len(statements)} statements: give exactly one SELECT statement"
        )
    timer = threading.Timer(time_limit, cursor.interrupt)
    started = time.perf_counter()
    timer.start()
    rows: list[tuple[Any, ...]] = []
    truncated_by = None
    size = 0
    try:
        cursor.execute(statements[0])
        columns = [column[0] for column in cursor.description or ()]
        while truncated_by is None and (batch := cursor.fetchmany(_FETCH_BATCH)):
            for row in batch:
                if len(rows) == row_cap:
                    truncated_by = "rows"
                    break
                size += answer_bytes(row)
                if byte_cap is not None and size > byte_cap:
                    truncated_by = "bytes"
                    break
                rows.append(row)
        if time.perf_counter() - started > time_limit:
            raise duckdb.InterruptException("past the time limit")
    except duckdb.InterruptException:
        raise AnalysisError(
            "q", f"ran longer than the time limit of {time_limit:g} s and was stopped"
        ) from None
    except duckdb.OutOfMemoryException:
        raise AnalysisError(
            "q", "needs more memory than a query may use here: select fewer or smaller values"
        ) from None
    except duckdb.PermissionException:
        raise AnalysisError("q", FILE_ACCESS_REFUSED) from None
    except duckdb.Error as exc:
        raise AnalysisError("q", f"failed: {duckdb_message(exc).splitlines()[0]}") from None
    finally:
        timer.cancel()
    return QueryResult(
        columns, rows, truncated_by, row_cap, byte_cap, time.perf_counter() - started
    )


def answer_bytes(value: Any) -> int:
    """About how many bytes `value` takes in an answer: text and blobs by length, containers
    by their items, any other value 8."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return len(value)
    if isinstance(value, (list, tuple)):
        return 8 + sum(answer_bytes(item) for item in value)
    if isinstance(value, dict):
        return 8 + sum(answer_bytes(k) + answer_bytes(item) for k, item in value.items())
    return 8


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
            except duckdb.PermissionException:
                raise AnalysisError(str(path), which + FILE_ACCESS_REFUSED) from None
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
