"""Side-file build, atomic publish, read-only connect.

`wage.duckdb` is wholly derived: dbt builds it into a side file
(`wage.duckdb.building`) from the raw landing, attached read-only, and the side file is
renamed over `wage.duckdb` (by `publish.publish_together`, with the raw landing and the
artifacts of the same run) only when every model and test passed and it holds rows. A reader holding the
old file open keeps reading the old file; a build killed at any moment leaves the old
file as it was. One build at a time: the others are refused (BusyError).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from analysis_py.config import Settings
from analysis_py.errors import BuildError
from analysis_py.landing.raw_provenance import landed_workbooks
from analysis_py.warehouse.dbt import DbtRun, StartedDbt, failing_rows, start_dbt
from analysis_py.warehouse.price_coverage import log_areas_without_rpp
from analysis_py.warehouse.publish import refuse_if_held

__all__ = [
    "BUILD_ARGS",
    "UNIT_TEST_ARGS",
    "BuildSummary",
    "build_side_file",
    "connect_read_only",
    "finish_side_file",
    "one_line",
    "refuse_if_open_for_writing",
    "remove_duckdb_file",
    "stage_raw_copy",
]

logger = logging.getLogger(__name__)

#: What the row-level data tests return with each failing row (macros/bls_columns.sql
#: `bls_provenance_columns`): the release and workbook row it came from.
_PROVENANCE_COLUMNS = ["release_year", "file_kind", "source_file", "sheet_name", "sheet_row"]
#: Workbook rows a failed build names per data test (then how many in all).
_SHOWN_ROWS = 3


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
    """Copy the raw landing to its side file (empty when there is none yet) and return it.

    The published file is only read: its write-ahead log, if an ingest was killed
    mid-write, is copied too and folded into the copy, so a read-only reader holding the
    raw landing never blocks a run. Out of space: BuildError, and no partial copy is left.
    """
    stage = settings.raw_build_copy
    remove_duckdb_file(stage)
    raw = Path(os.path.realpath(settings.raw_db))
    try:
        if raw.exists():
            shutil.copyfile(raw, stage)
            wal = raw.with_name(raw.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, stage.with_name(stage.name + ".wal"))
            _checkpoint(stage)
    except (OSError, duckdb.Error) as exc:
        remove_duckdb_file(stage)
        raise BuildError(
            str(stage), f"cannot copy the raw landing here ({one_line(exc)}); nothing was changed"
        ) from None
    return stage


def one_line(exc: BaseException) -> str:
    """An exception as one short line (an OSError: its strerror)."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join(text.split())[:300]


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is complete."""
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")


def refuse_if_open_for_writing(target: Path) -> None:
    """BuildError if a process holds `target` for writing or a stale `.wal` is beside it (see `publish.refuse_if_held`)."""
    refuse_if_held(target)


def finish_side_file(side: Path) -> None:
    """Checkpoint a finished side file, so that it is complete without a write-ahead log."""
    try:
        _checkpoint(side)
    except duckdb.Error as exc:
        raise BuildError(
            str(side), f"cannot be completed ({one_line(exc)}); nothing was published"
        ) from None
    if side.with_name(side.name + ".wal").exists():
        raise BuildError(str(side), "still has a write-ahead log after checkpoint; not published")


#: `dbt build`, without the JSON files nobody reads (manifest.json twice, run_results.json): the
#: node results come from the dbt child itself. Without dbt's unit tests too: they check the SQL
#: on fixed rows, never the data, so a build gains nothing from them (dbt's advice: run them in
#: development and CI); they cost 15% of a build. `make test` runs them (UNIT_TEST_ARGS).
BUILD_ARGS = ["build", "--no-write-json", "--exclude-resource-type", "unit_test"]
#: dbt's unit tests alone, on a built warehouse (they read the column types of the models' inputs).
UNIT_TEST_ARGS = ["test", "--no-write-json", "--select", "test_type:unit"]


def build_side_file(
    settings: Settings, raw_db: Path, dbt: StartedDbt | None = None
) -> BuildSummary:
    """`dbt build` from the raw landing `raw_db` into the side file `settings.build_copy` (not published).

    `dbt`: a child started earlier with `start_dbt(settings, BUILD_ARGS)` (it imported dbt
    and parsed the project meanwhile), else one is started now. The caller holds
    `build_lock`, then adds to the side file and publishes it with
    `publish.publish_together`; an empty warehouse or a failed build removes the side file
    and raises BuildError.
    """
    if not raw_db.exists():
        raise BuildError(
            str(raw_db), "no raw landing yet: run `wage ingest PATH` or `wage run` first"
        )
    if not landed_workbooks(raw_db):  # refused before dbt runs: seconds sooner, and the same answer
        raise _no_rows_error(raw_db)
    side = settings.build_copy
    remove_duckdb_file(side)
    with dbt or start_dbt(settings, BUILD_ARGS) as child:
        run = child.run(side, raw_db)
    passed: Counter[str] = Counter(
        r["unique_id"].split(".")[0] for r in run.results if r["status"] in ("success", "pass")
    )
    failures = [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in run.results
        if r["status"] not in ("success", "pass", "skipped", "no-op")  # exposures are no-op nodes
    ]
    if run.returncode != 0:
        detail = _failures_in_words(run, side, raw_db) or run.error_text()
        remove_duckdb_file(side)
        raise BuildError(
            str(settings.warehouse), f"dbt build failed, the warehouse was not changed: {detail}"
        )
    _refuse_if_empty(side, raw_db)
    log_areas_without_rpp(side)
    summary = BuildSummary(passed=dict(passed), seconds=run.seconds, failures=failures)
    logger.info(
        "dbt build: %s passed in %.1f s",
        ", ".join(f"{count} {kind}s" for kind, count in sorted(summary.passed.items())),
        summary.seconds,
    )
    return summary


def _failures_in_words(run: DbtRun, side: Path, raw_db: Path) -> str:
    """The first nodes of `run` that failed, in words: a data test whose failing rows carry their
    workbook provenance names those rows (file, sheet, row: the first few, and how many), then how
    to fix or remove their release; any other node, its id and dbt's message. Empty: none failed.

    `side`, `raw_db`: the side file the failed build wrote and the raw landing it read, where the
    test's query (from its node result) finds its rows again.
    """
    described: list[str] = []
    releases: list[tuple[int, str]] = []
    for result in run.results:
        if result["status"] in ("success", "pass", "skipped", "no-op"):
            continue
        found = _workbook_rows(result, side, raw_db)
        if found is None:
            described.append(
                f"{result['unique_id']}: {result['status']} {result.get('message') or ''}".strip()
            )
            continue
        n_rows, rows = found
        for release, kind, *_ in rows:
            if (release, kind) not in releases:
                releases.append((release, kind))
        test = result["unique_id"].split(".")[2]
        described.append(f"the data test {test} fails on {_rows_in_words(n_rows, rows)}")
    text = "; ".join(described[:5])
    if releases:
        removals = " or ".join(
            f"`wage remove --release {release} --kind {kind}`" for release, kind in releases
        )
        text += f"; correct those rows in the workbook and ingest it again, or take the release out: {removals}"
    return text


def _workbook_rows(
    result: dict[str, object], side: Path, raw_db: Path
) -> tuple[int, list[tuple]] | None:
    """(rows in all, the first few) of the workbook rows a failed data test found, or None where its
    rows carry no provenance (a count per column, a group) or cannot be read again."""
    code = result.get("compiled_code")
    if result["status"] != "fail" or not isinstance(code, str) or not side.exists():
        return None
    try:
        n_rows, rows = failing_rows(side, raw_db, code, _PROVENANCE_COLUMNS, _SHOWN_ROWS)
    except duckdb.Error as exc:
        logger.debug("%s: its failing rows carry no provenance (%s)", result["unique_id"], exc)
        return None
    return (n_rows, rows) if rows else None


def _rows_in_words(n_rows: int, rows: list[tuple]) -> str:
    """`state_M2025_dl.xlsx, sheet 'data', rows 3, 5 and 9 (12 rows in all)`."""
    by_sheet: dict[tuple[str, str], list[int]] = {}
    for *_, source_file, sheet_name, sheet_row in rows:
        by_sheet.setdefault((source_file, sheet_name), []).append(sheet_row)
    sheets = []
    for (source_file, sheet_name), numbers in by_sheet.items():
        listed = ", ".join(str(number) for number in numbers[:-1])
        listed = f"rows {listed} and {numbers[-1]}" if listed else f"row {numbers[0]}"
        sheets.append(f"{source_file}, sheet {sheet_name!r}, {listed}")
    more = f" ({n_rows:,} rows in all)" if n_rows > len(rows) else ""
    return " and ".join(sheets) + more


def _refuse_if_empty(side: Path, raw_db: Path) -> None:
    """BuildError (and no side file) when dbt built a warehouse without a single fact row."""
    try:
        with duckdb.connect(str(side), read_only=True) as con:
            n_rows = con.execute("select count(*) from fct_occupation_wages").fetchone()[0]
    except duckdb.Error as exc:
        remove_duckdb_file(side)
        raise BuildError(
            str(side), f"cannot count the built fact rows ({one_line(exc)}); not published"
        ) from None
    if n_rows == 0:
        remove_duckdb_file(side)
        raise _no_rows_error(raw_db)


def _no_rows_error(raw_db: Path) -> BuildError:
    return BuildError(
        str(raw_db),
        "holds no workbook rows (an ingest that never finished?): the warehouse would be empty and is not "
        "published; land a workbook with `wage ingest PATH` or `wage run PATH`",
    )


def connect_read_only(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (never blocks a rebuild)."""
    if not settings.warehouse.exists():
        raise BuildError(
            str(settings.warehouse), "no warehouse yet: run `wage run` (or `make run`) first"
        )
    return duckdb.connect(str(settings.warehouse), read_only=True)
