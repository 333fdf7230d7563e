"""The steps of `wage run`, each timed and logged: ingest -> build (-> analyses)."""
from __future__ import annotations

import importlib
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb

from analysis_py.config import Settings
from analysis_py.errors import AnalysisError, BuildError, InputError
from analysis_py.fingerprint import build_fingerprint, code_fingerprint, record_fingerprint, recorded_fingerprint
from analysis_py.ingest import LandResult, file_kind_from_name, file_sha256, ingest_workbooks, landed_workbooks, release_year_from_name
from analysis_py.warehouse import (
    BuildSummary,
    build_lock,
    build_warehouse,
    publish_file,
    remove_duckdb_file,
    stage_raw_copy,
)

if TYPE_CHECKING:
    from analysis_py.analysis import AnalysisResults

__all__ = ["RunSummary", "default_workbooks", "ingest", "build", "run", "analyze"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class RunSummary:
    """What one `wage run` did, step by step."""

    landed: list[LandResult] = field(default_factory=list)
    build: BuildSummary | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    analysis: AnalysisResults | None = None
    skipped: bool = False  # nothing changed since the last run: no work done


def _timed(summary: RunSummary, step: str, action: Callable[[], T]) -> T:
    logger.info("%s: started", step)
    started = time.perf_counter()
    value = action()
    summary.step_seconds[step] = round(time.perf_counter() - started, 3)
    logger.info("%s: done in %.1f s", step, summary.step_seconds[step])
    return value


def default_workbooks(settings: Settings) -> list[Path]:
    """Every workbook in data/raw/, skipping the `~$` lock files Excel leaves beside open ones."""
    found = []
    for path in sorted(settings.raw_dir.glob("*.xlsx")):
        if path.name.startswith("~$"):
            logger.warning("skipping %s: an Excel lock file, not a workbook", path.name)
            continue
        found.append(path)
    if not found:
        raise InputError(str(settings.raw_dir), "no .xlsx workbook here; pass workbook paths to `wage run`")
    return found


def ingest(settings: Settings, paths: list[Path], year: int | None = None) -> list[LandResult]:
    """`wage ingest`: land workbooks in the raw file (validated before anything is written)."""
    _preload("pandas")
    with build_lock(settings):
        return ingest_workbooks(settings.raw_db, paths, year, settings.top_code_seed)


def build(settings: Settings) -> BuildSummary:
    """`wage build`: dbt build from the raw landing, published atomically."""
    with build_lock(settings):
        return build_warehouse(settings)


def run(settings: Settings, paths: list[Path] | None = None, year: int | None = None) -> RunSummary:
    """`wage run`: ingest into a copy of the raw landing, build from it, publish both.

    Nothing is published unless every step passed: a bad workbook or a failing dbt
    test leaves both the raw landing and the warehouse exactly as they were.
    """
    summary = RunSummary()
    workbooks = paths or default_workbooks(settings)
    _preload("analysis_py.analysis")

    def analyze_then_publish_raw(side: Path) -> None:
        # The analyses write schema `analysis` into the build copy dbt just built.
        summary.analysis = _analysis_or_none(side, settings.warehouse)
        with duckdb.connect(str(side)) as con:
            record_fingerprint(con, build_fingerprint(raw_stage, code_fingerprint(settings.root)))
        # The raw landing is published just before the warehouse, once dbt passed.
        publish_file(raw_stage, settings.raw_db)

    with build_lock(settings):
        if _up_to_date(settings, workbooks, year):
            logger.info(
                "run: nothing to do: %s already built from these workbooks (same SHA-256) and this code; "
                "skipped ingest, dbt build, analyses and report",
                settings.warehouse,
            )
            summary.skipped = True
            return summary
        raw_stage = stage_raw_copy(settings)
        try:
            summary.landed = _timed(summary, "ingest", lambda: ingest_workbooks(raw_stage, workbooks, year, settings.top_code_seed))
            summary.build = _timed(
                summary,
                "build",
                lambda: build_warehouse(settings, raw_stage, extend=analyze_then_publish_raw),
            )
            _timed(summary, "artifacts", lambda: _write_or_remove_artifacts(settings, summary))
        finally:
            remove_duckdb_file(raw_stage)
    return summary


def _preload(module: str) -> None:
    """Import `module` in the background while ingest (and dbt) run, instead of after them:
    the analysis stack (pandas, scipy, statsmodels, matplotlib) takes seconds to import, and
    DuckDB imports pandas on its first Arrow scan."""
    threading.Thread(target=importlib.import_module, args=(module,), name=f"preload-{module}", daemon=True).start()


def _up_to_date(settings: Settings, workbooks: list[Path], year: int | None) -> bool:
    """True when the published warehouse and artifacts are what this run would build again."""
    needed = [settings.raw_db, settings.warehouse, *(settings.artifacts_dir / name for name in ("results.json", "report.html"))]
    if not all(path.exists() for path in needed):
        return False
    landed = landed_workbooks(settings.raw_db)
    for path in workbooks:
        key = (year or release_year_from_name(path.name), file_kind_from_name(path.name))
        if not path.is_file() or landed.get(key, (None,))[0] != file_sha256(path):
            return False  # new or changed: the normal path lands it (or says what is wrong with it)
    expected = build_fingerprint(settings.raw_db, code_fingerprint(settings.root))
    return recorded_fingerprint(settings.warehouse) == expected


def _analysis_or_none(side: Path, warehouse: Path) -> AnalysisResults | None:
    """The analyses of the build copy, or None (logged) when its data cannot support them."""
    from analysis_py.analysis import analyze_build_copy  # scipy, statsmodels, matplotlib: load only to analyze

    try:
        return analyze_build_copy(side, warehouse)
    except AnalysisError as exc:
        logger.warning("analysis skipped, the warehouse is published without it: %s", exc.problem)
        return None


def _write_or_remove_artifacts(settings: Settings, summary: RunSummary) -> None:
    """Artifacts of the published warehouse; without analysis, remove those of an older one."""
    from analysis_py.analysis import remove_artifacts, write_artifacts

    if summary.analysis is not None:
        write_artifacts(summary.analysis, settings.artifacts_dir, settings.root, summary.step_seconds)
    elif removed := remove_artifacts(settings.artifacts_dir):
        logger.warning("removed %d artifacts of an older warehouse from %s", len(removed), settings.artifacts_dir)


def analyze(settings: Settings) -> RunSummary:
    """`wage analyze`: the analyses of the published warehouse, on a copy published atomically, then artifacts."""
    from analysis_py.analysis import analyze_build_copy

    summary = RunSummary()
    with build_lock(settings):
        if not settings.warehouse.exists():
            raise BuildError(str(settings.warehouse), "no warehouse yet: run `wage run` (or `make run`) first")
        side = settings.build_copy
        remove_duckdb_file(side)
        try:
            shutil.copyfile(settings.warehouse, side)
            summary.analysis = _timed(summary, "analyze", lambda: analyze_build_copy(side, settings.warehouse))
            _timed(summary, "publish", lambda: publish_file(side, settings.warehouse))
        finally:
            remove_duckdb_file(side)
        _timed(summary, "artifacts", lambda: _write_or_remove_artifacts(settings, summary))
    return summary
