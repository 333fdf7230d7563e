"""The steps of each `wage` command, in order, each timed and logged; no callbacks.

`run`: (skip if up to date) -> stage the raw landing -> ingest into the stage -> dbt build
into the side file -> analyze the side file and write schema `analysis` into it ->
record the fingerprint -> publish raw landing, then warehouse -> artifacts.
"""
from __future__ import annotations

import importlib
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analysis_py.bls import file_kind_from_name, release_year_from_name
from analysis_py.config import Settings
from analysis_py.errors import AnalysisError, BuildError, InputError
from analysis_py.files import file_sha256
from analysis_py.landing.raw_store import LandResult, ingest_workbooks, landed_workbooks
from analysis_py.timing import timed_step
from analysis_py.warehouse.build import (
    BuildSummary,
    build_side_file,
    publish_file,
    remove_duckdb_file,
    stage_raw_copy,
)
from analysis_py.warehouse.fingerprint import build_fingerprint, code_fingerprint, record_fingerprint, recorded_fingerprint
from analysis_py.warehouse.lock import build_lock

if TYPE_CHECKING:
    from analysis_py.study.analysis import AnalysisResults

__all__ = ["RunSummary", "default_workbooks", "ingest", "build", "run", "analyze"]

logger = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What one `wage run` did, step by step."""

    landed: list[LandResult] = field(default_factory=list)
    build: BuildSummary | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    analysis: AnalysisResults | None = None
    skipped: bool = False  # nothing changed since the last run: no work done


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


def ingest(settings: Settings, paths: list[Path], year: int | None = None, kind: str | None = None) -> list[LandResult]:
    """`wage ingest`: land workbooks in the raw file (validated before anything is written)."""
    _preload("pandas")
    with build_lock(settings):
        return ingest_workbooks(settings.raw_db, paths, year, settings.top_code_seed, kind)


def build(settings: Settings) -> BuildSummary:
    """`wage build`: dbt build from the raw landing into the side file, published atomically."""
    with build_lock(settings):
        try:
            summary = build_side_file(settings, settings.raw_db)
            publish_file(settings.build_copy, settings.warehouse)
        finally:
            remove_duckdb_file(settings.build_copy)
    return summary


def run(settings: Settings, paths: list[Path] | None = None, year: int | None = None, kind: str | None = None) -> RunSummary:
    """`wage run`: ingest into a copy of the raw landing, build from it, analyze, publish both, write artifacts.

    Nothing is published unless every step passed: a bad workbook or a failing dbt
    test leaves both the raw landing and the warehouse exactly as they were.
    """
    summary = RunSummary()
    seconds = summary.step_seconds
    workbooks = paths or default_workbooks(settings)
    _preload("analysis_py.outputs.artifacts")
    with build_lock(settings):
        if _up_to_date(settings, workbooks, year, kind):
            logger.info(
                "run: nothing to do: %s already built from these workbooks (same SHA-256) and this code; "
                "skipped ingest, dbt build, analyses and report",
                settings.warehouse,
            )
            summary.skipped = True
            return summary
        raw_stage = stage_raw_copy(settings)
        side = settings.build_copy
        try:
            with timed_step(seconds, "ingest", logger):
                summary.landed = ingest_workbooks(raw_stage, workbooks, year, settings.top_code_seed, kind)
            with timed_step(seconds, "build", logger):
                summary.build = build_side_file(settings, raw_stage)
            with timed_step(seconds, "analyze", logger):
                summary.analysis = _analysis_or_none(side, settings.warehouse)
            with timed_step(seconds, "publish", logger):
                _record_fingerprint(side, raw_stage, settings.root)
                publish_file(raw_stage, settings.raw_db)  # the raw landing first, once dbt passed
                publish_file(side, settings.warehouse)
            with timed_step(seconds, "artifacts", logger):
                _write_or_remove_artifacts(settings, summary)
        finally:
            remove_duckdb_file(raw_stage)
            remove_duckdb_file(side)
    return summary


def analyze(settings: Settings) -> RunSummary:
    """`wage analyze`: the analyses of the published warehouse, on a copy published atomically, then artifacts."""
    summary = RunSummary()
    seconds = summary.step_seconds
    with build_lock(settings):
        if not settings.warehouse.exists():
            raise BuildError(str(settings.warehouse), "no warehouse yet: run `wage run` (or `make run`) first")
        side = settings.build_copy
        remove_duckdb_file(side)
        try:
            shutil.copyfile(settings.warehouse, side)
            with timed_step(seconds, "analyze", logger):
                summary.analysis = _analyzed_side_file(side, settings.warehouse)
            with timed_step(seconds, "publish", logger):
                publish_file(side, settings.warehouse)
        finally:
            remove_duckdb_file(side)
        with timed_step(seconds, "artifacts", logger):
            _write_or_remove_artifacts(settings, summary)
    return summary


def _preload(module: str) -> None:
    """Import `module` in the background while ingest (and dbt) run, instead of after them:
    the analysis stack (pandas, scipy, statsmodels, matplotlib) takes seconds to import, and
    DuckDB imports pandas on its first Arrow scan."""
    threading.Thread(target=importlib.import_module, args=(module,), name=f"preload-{module}", daemon=True).start()


def _up_to_date(settings: Settings, workbooks: list[Path], year: int | None, kind: str | None = None) -> bool:
    """True when the published warehouse and artifacts are what this run would build again."""
    needed = [settings.raw_db, settings.warehouse, *(settings.artifacts_dir / name for name in ("results.json", "report.html"))]
    if not all(path.exists() for path in needed):
        return False
    landed = landed_workbooks(settings.raw_db)
    for path in workbooks:
        key = (year or release_year_from_name(path.name), kind or file_kind_from_name(path.name))
        if not path.is_file() or landed.get(key, (None,))[0] != file_sha256(path):
            return False  # new or changed: the normal path lands it (or says what is wrong with it)
    expected = build_fingerprint(settings.raw_db, code_fingerprint(settings.root))
    return recorded_fingerprint(settings.warehouse) == expected


def _record_fingerprint(side: Path, raw_stage: Path, root: Path) -> None:
    with duckdb.connect(str(side)) as con:
        record_fingerprint(con, build_fingerprint(raw_stage, code_fingerprint(root)))


def _analyzed_side_file(side: Path, warehouse: Path) -> AnalysisResults:
    """Analyze the side file and write schema `analysis` into it (opened read-write, then closed)."""
    from analysis_py.outputs.tables import write_analysis_tables  # scipy, statsmodels: load only to analyze
    from analysis_py.study.analysis import analyze as analyze_marts

    try:
        with duckdb.connect(str(side)) as con:
            results = analyze_marts(con)
            with timed_step(results.step_seconds, "tables", logger):
                counts = write_analysis_tables(con, results)
    except AnalysisError as exc:
        raise AnalysisError(str(warehouse), f"{exc.path}: {exc.problem}") from exc
    results.row_counts.update({f"analysis.{name}": n for name, n in counts.items()})
    return results


def _analysis_or_none(side: Path, warehouse: Path) -> AnalysisResults | None:
    """The analyses of the side file, or None (logged) when its data cannot support them."""
    try:
        return _analyzed_side_file(side, warehouse)
    except AnalysisError as exc:
        logger.warning("analysis skipped, the warehouse is published without it: %s", exc.problem)
        return None


def _write_or_remove_artifacts(settings: Settings, summary: RunSummary) -> None:
    """Artifacts of the published warehouse; without analysis, remove those of an older one."""
    from analysis_py.outputs.artifacts import remove_artifacts, write_artifacts

    if summary.analysis is not None:
        write_artifacts(summary.analysis, settings.artifacts_dir, settings.root, summary.step_seconds)
    elif removed := remove_artifacts(settings.artifacts_dir):
        logger.warning("removed %d artifacts of an older warehouse from %s", len(removed), settings.artifacts_dir)
