"""The one way this project starts dbt: a child process on this project, its profile and log folder.

dbt runs in a child process (`python -m dbt.cli.main`), never in-process: dbt-duckdb
caches its DuckDB connection at module level, which would block re-opening the side
file. The child dies with the process that started it (Linux PR_SET_PDEATHSIG), so a
killed build leaves no dbt writing on behind it. `wage build` and `wage docs` both call
`run_dbt`.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis_py.config import Settings

__all__ = ["DbtRun", "run_dbt", "target_dir"]

logger = logging.getLogger(__name__)

#: `python -m dbt.cli.main ARGS` in a process the kernel kills when the build that started
#: it dies (Linux PR_SET_PDEATHSIG): a killed build leaves no dbt writing on behind it.
_DBT_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
parent = int(sys.argv.pop(1))
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: dbt ends at its next line of output instead (broken pipe)
if os.getppid() != parent:
    sys.exit("wage: the build that started dbt is gone")
runpy.run_module("dbt.cli.main", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class DbtRun:
    """What one dbt command did: exit code, its output lines, node results, duration."""

    returncode: int
    output: tuple[str, ...]
    results: tuple[dict[str, Any], ...]
    seconds: float

    def error_text(self) -> str:
        """The lines dbt printed after 'Encountered an error:' (else its last lines), folded into one."""
        marker = next((i for i, line in enumerate(self.output) if "Encountered an error" in line), None)
        lines = self.output[marker + 1 : marker + 8] if marker is not None else self.output[-8:]
        return " ".join(line.strip() for line in lines if line.strip())[:500] or "see logs/dbt.log"


def target_dir(settings: Settings) -> Path:
    """dbt's target folder for this warehouse: `target/` for the project's own `wage.duckdb`, else
    `<warehouse>.dbt-target/` beside the warehouse file.

    Each warehouse has its own, so two builds of different warehouses from one checkout
    (each under its own build lock) never read each other's run_results.json or
    partial-parse state; builds of one warehouse share it (one at a time, under its lock).
    """
    real = Path(os.path.realpath(settings.warehouse))
    if real == settings.root / "wage.duckdb":
        return settings.root / "target"
    return real.with_name(real.name + ".dbt-target")


def run_dbt(settings: Settings, args: list[str], database: Path, raw_db: Path, target: Path | None = None) -> DbtRun:
    """`dbt ARGS` on `database` (built or read) with the raw landing `raw_db` attached; never raises on dbt's failure.

    `target`: dbt's target folder (default: this warehouse's own, `target_dir`).
    """
    target = target or target_dir(settings)
    env = {**os.environ, "WAGE_DB": str(database), "WAGE_RAW_DB": str(raw_db), "DBT_USE_COLORS": "false"}
    command = [
        sys.executable, "-c", _DBT_LAUNCHER, str(os.getpid()), *args,
        "--project-dir", str(settings.root),
        "--profiles-dir", str(settings.root),
        "--log-path", str(settings.logs_dir),
        "--target-path", str(target),
    ]  # fmt: skip
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)  # a stale file would report an older run
    started = time.perf_counter()
    output = []
    with subprocess.Popen(command, cwd=settings.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            output.append(line.rstrip())
            logger.debug("dbt: %s", line.rstrip())
    return DbtRun(
        returncode=child.returncode,
        output=tuple(output),
        results=tuple(_run_results(run_results)),
        seconds=time.perf_counter() - started,
    )


def _run_results(path: Path) -> list[dict[str, Any]]:
    """The node results of the dbt run that just ended (none if dbt failed before running)."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(payload.get("results", []))
