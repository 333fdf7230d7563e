"""Raw landing: read workbooks land in `wage_raw.duckdb` (raw_file), every cell as text, plus provenance.

The workbooks of a call land in one transaction, a sheet by one INSERT ... SELECT from the
stream of its pieces (Arrow): each piece lands, its numbers checked, while the reader reads
the next. A refusal (a bad file among good ones, a check over a whole sheet) rolls it back,
so one bad file lands nothing and the raw file keeps its bytes (a raw file this call created
is removed).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analysis_py.bls import file_kind_from_name, release_year_from_name
from analysis_py.config import find_project_root
from analysis_py.errors import BuildError, InputError
from analysis_py.files import file_sha256
from analysis_py.landing.raw_file import opened_landing, remove_created
from analysis_py.landing.raw_provenance import (
    LandResult,
    already_landed,
    landed_workbooks,
    releases_with_top_code_bound,
    too_large_to_land,
)
from analysis_py.landing.row_rules import (
    RowRules,
    keeps_row_rules_sql,
    project_row_rules,
    with_numbers_sql,
    without_numbers_sql,
)

if TYPE_CHECKING:
    from analysis_py.landing.reader import Workbook

__all__ = ["ingest_workbooks"]

logger = logging.getLogger(__name__)


def _insert_cells(
    con: duckdb.DuckDBPyConnection, workbook: Workbook, loaded_at: datetime, rules: RowRules
) -> int:
    """Insert the rows of `workbook.cells` (a stream of them as they are read) without a bad number
    or a broken row rule, with the workbook's provenance, in one INSERT that checks each row as it
    lands; how many it inserted."""
    from analysis_py.landing.cell_checks import (
        keeps_number_rules_sql,
    )  # loaded with the reader: see _land_workbook

    con.register("incoming_cells", workbook.cells)
    # DuckDB would push the WHERE below the projection that reads each cell the row rules
    # compare once (with_numbers_sql), parsing it again at each of its ~30 uses instead
    con.execute("set disabled_optimizers = 'filter_pushdown'")
    try:
        [(n_inserted,)] = con.execute(
            f"""
            insert into oews_estimates by name
            select
                {without_numbers_sql("incoming_rows", rules)},
                $source_file as source_file,
                $sha256 as source_sha256,
                $sheet_name as sheet_name,
                $release_year as release_year,
                $file_kind as file_kind,
                $loaded_at as loaded_at,
            from {with_numbers_sql("incoming_cells", rules)} as incoming_rows
            where {keeps_number_rules_sql(rules.numbers)}
                and {keeps_row_rules_sql(rules, workbook.file_kind)}
            """,
            dict(
                source_file=workbook.path.name,
                sha256=workbook.sha256,
                sheet_name=workbook.sheet_name,
                release_year=workbook.release_year,
                file_kind=workbook.file_kind,
                loaded_at=loaded_at,
            ),
        ).fetchall()
    finally:
        # after a failed INSERT the transaction is aborted (and rolled back by the caller)
        with contextlib.suppress(duckdb.Error):
            con.execute("reset disabled_optimizers")
        con.unregister("incoming_cells")
    return n_inserted


def _land_workbook(
    landing: Callable[[], duckdb.DuckDBPyConnection],
    path: Path,
    read: dict[tuple[int, str], Workbook],
    landed: dict[tuple[int, str], tuple[str, int]],
    loaded_at: datetime,
    rules: RowRules,
    **options: object,
) -> Workbook:
    """Read one workbook, landing its rows as they are read in the open transaction of `landing()`
    (its release and kind replaced); `read`: the workbooks landed before in it, by release and kind;
    `rules`: the rules each row keeps."""
    # The reader and the cell checks (fastexcel, pyarrow, numpy: heavy imports) load when a
    # workbook is read, not when this module is: a `wage run` with nothing to do never reads one.
    from analysis_py.landing.reader import read_workbook

    n_landed = 0

    def land(workbook: Workbook) -> int:
        nonlocal n_landed
        con = landing()
        key = (workbook.release_year, workbook.file_kind)
        other = read.get(key)
        if other is not None:
            raise InputError(
                str(path),
                f"is a second {workbook.file_kind} workbook for release {workbook.release_year} in this run "
                f"(the first is {other.path}); pass one of them",
            )
        if key in landed:
            con.execute("delete from oews_estimates where release_year = ? and file_kind = ?", key)
            con.execute("delete from oews_files where release_year = ? and file_kind = ?", key)
        n_landed = _insert_cells(con, workbook, loaded_at, rules)
        return n_landed

    try:
        workbook = read_workbook(path, land=land, rules=rules, **options)  # type: ignore[arg-type]
    except OSError as exc:  # the workbook's (DuckDB's own failures are duckdb.Error)
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    con = landing()
    key = (workbook.release_year, workbook.file_kind)
    if n_landed != workbook.n_rows:  # rows that repeat an earlier row exactly: each is kept once
        con.register("kept_rows", workbook.cells.select(["sheet_row"]))
        con.execute(
            "delete from oews_estimates where release_year = ? and file_kind = ? "
            "and sheet_row not in (select sheet_row from kept_rows)",
            key,
        )
        con.unregister("kept_rows")
    con.execute(
        "insert into oews_files values (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            workbook.sha256,
            workbook.path.name,
            str(workbook.path.resolve()),
            workbook.sheet_name,
            workbook.release_year,
            workbook.file_kind,
            workbook.n_rows,
            loaded_at,
        ),
    )
    read[key] = workbook
    return workbook


def _warm_duckdb_imports() -> None:
    """Import pandas in a thread while the reader (which releases the GIL) runs.

    DuckDB's Python binding imports pandas at its first Arrow scan or bound parameter
    (a slow import, slower still without compiled bytecode); here that import overlaps the read instead
    of following it. A failed import is DuckDB's to report, at that later call.
    """

    def load() -> None:
        with contextlib.suppress(ImportError):
            importlib.import_module("pandas")

    if "pandas" not in sys.modules:
        threading.Thread(target=load, name="warm-imports", daemon=True).start()


def ingest_workbooks(
    raw_db: Path,
    paths: list[Path],
    year: int | None = None,
    top_code_seed: Path | None = None,
    kind: str | None = None,
    project_root: Path | None = None,
) -> list[LandResult]:
    """Read and land every workbook in one transaction (so one bad file lands nothing): each
    piece of a sheet lands while the next is read; the checks over a whole sheet follow.

    `top_code_seed`: the dbt seed of top-code bounds; a release it lacks is refused (None: any year).
    `kind`: the file kind of every path (default: from BLS's file-name prefix; a name without one is refused).
    `project_root`: the dbt project whose row rules every row keeps (row_rules.project_row_rules;
    default: the one `find_project_root` finds).
    """
    releases = releases_with_top_code_bound(top_code_seed) if top_code_seed is not None else None
    _warm_duckdb_imports()
    landed = landed_workbooks(raw_db)
    unchanged: list[LandResult] = []
    to_read: dict[tuple[object, ...], Path] = {}
    for path in paths:
        if (same := already_landed(path, year, landed, kind)) is not None:
            unchanged.append(same)  # same bytes as landed: not even read again
            continue
        # the same bytes named for the same release and kind (a file passed twice) are read once
        content = (
            file_sha256(path)
            if len(paths) > 1 and path.is_file() and not too_large_to_land(path)
            else str(path)
        )
        to_read.setdefault(
            (
                year or release_year_from_name(path.name),
                kind or file_kind_from_name(path.name),
                content,
            ),
            path,
        )
    for result in unchanged:
        logger.info(
            "unchanged %s: release %d, kind %s, already landed (sha256 %s)",
            result.source_file,
            result.release_year,
            result.file_kind,
            result.source_sha256,
        )
    if not to_read:
        return unchanged
    rules = project_row_rules(project_root or find_project_root())
    raw_db.parent.mkdir(parents=True, exist_ok=True)
    created = not raw_db.exists()
    read: dict[tuple[int, str], Workbook] = {}
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        with (
            ThreadPoolExecutor(1, thread_name_prefix="landing") as opener,
            contextlib.ExitStack() as stack,
        ):
            opened: list[duckdb.DuckDBPyConnection] = []
            # the raw landing opens (a file made, its tables) while the first workbook's
            # first rows are read; refused before any row lands, the ingest closes it unused
            opening = opener.submit(opened_landing, raw_db)
            stack.callback(_close_unused, opening, opened)

            def landing() -> duckdb.DuckDBPyConnection:
                """The raw landing in this ingest's transaction."""
                if not opened:
                    opened.append(stack.enter_context(opening.result()))
                return opened[0]

            try:
                for path in to_read.values():
                    workbook = _land_workbook(
                        landing,
                        path,
                        read,
                        landed,
                        loaded_at,
                        rules,
                        year=year,
                        releases=releases,
                        kind=kind,
                    )
                    logger.info(
                        "read %s: sheet %r, %d rows, sha256 %s",
                        path.name,
                        workbook.sheet_name,
                        workbook.n_rows,
                        workbook.sha256,
                    )
                if opened:
                    opened[0].execute("commit")
            except BaseException:
                if opened:
                    with contextlib.suppress(
                        duckdb.Error
                    ):  # a failed write (full disk) may have ended the transaction already
                        opened[0].execute("rollback")
                raise
    except (duckdb.Error, OSError) as exc:
        remove_created(raw_db, created)
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BuildError(
            str(raw_db),
            f"cannot write the raw landing ({' '.join(text.split())[:300]}); nothing was landed",
        ) from None
    except BaseException:
        remove_created(raw_db, created)
        raise
    results = unchanged
    for (release, file_kind), workbook in read.items():
        action = "replaced" if (release, file_kind) in landed else "landed"
        result = LandResult(
            workbook.path.name, workbook.sha256, release, file_kind, workbook.n_rows, action=action
        )
        logger.info(
            "%s %s: release %d, kind %s, %d rows, sha256 %s",
            result.action,
            result.source_file,
            result.release_year,
            result.file_kind,
            result.n_rows,
            result.source_sha256,
        )
        results.append(result)
    return results


def _close_unused(
    opening: Future[duckdb.DuckDBPyConnection], opened: list[duckdb.DuckDBPyConnection]
) -> None:
    """Close the landing opened for an ingest refused before it landed a row (its transaction
    rolls back); a landing that failed to open matters only to an ingest with rows to land."""
    if not opened and opening.exception() is None:
        opening.result().close()
