"""Shared by the system tests: a published small warehouse to copy, what the three published parts describe."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from analysis_py.config import Settings
from analysis_py.landing.raw_provenance import landed_workbooks
from tests.conftest import REPO, folder_env


def copy_published(source: Path, settings: Settings) -> Settings:
    """Copy a folder's wage_raw.duckdb, wage.duckdb and artifacts/ to those of `settings`."""
    shutil.copyfile(source / "wage.duckdb", settings.warehouse)
    shutil.copyfile(source / "wage_raw.duckdb", settings.raw_db)
    shutil.copytree(source / "artifacts", settings.artifacts_dir)
    return settings


def described_workbooks(settings: Settings) -> dict[str, set[str] | None]:
    """The workbook SHA-256s each published part describes (None: that part is missing)."""
    raw = (
        {sha256 for sha256, _ in landed_workbooks(settings.raw_db).values()}
        if settings.raw_db.exists()
        else None
    )
    warehouse = None
    if settings.warehouse.exists():
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            warehouse = {
                row[0]
                for row in con.execute(
                    "select distinct source_sha256 from fct_occupation_wages"
                ).fetchall()
            }
    results_path = settings.artifacts_dir / "results.json"
    results = None
    if results_path.exists():
        results = {
            entry["source_sha256"]
            for entry in json.loads(results_path.read_text(encoding="utf-8"))["source_files"]
        }
    return {"raw": raw, "warehouse": warehouse, "results.json": results}


def wage(
    folder: Path, *args: str, env: dict[str, str] | None = None, **popen: object
) -> subprocess.CompletedProcess[str]:
    """`wage ARGS` as a child process on the warehouse kept in `folder`."""
    environment = {**os.environ, **folder_env(folder), "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "analysis_py.cli", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        **popen,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 180) -> None:
    """Poll `condition` every 50 ms; fail the test naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def paused_and_killed(
    script: str, moment: str, args: list[str], settings: Settings, folder: Path
) -> list[int]:
    """`python SCRIPT MARKER MOMENT ARGS` (a `wage` that pauses for good at MOMENT after writing
    MARKER), SIGKILLed there; at "dbt", once dbt's side file holds data. The pids of the children
    it had, for the caller to check they died with it."""
    folder.mkdir(exist_ok=True)
    killable, marker = folder / "killable.py", folder / "paused"
    killable.write_text(script)
    with subprocess.Popen(
        [sys.executable, str(killable), str(marker), moment, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as wage:
        if moment == "dbt":  # dbt has created the side file and is building models into it
            wait_for(
                lambda: settings.build_copy.exists() and settings.build_copy.stat().st_size > 0,
                "dbt's side file",
            )
            time.sleep(1.0)
        else:
            wait_for(marker.exists, f"the {moment} step")
        children = child_pids(wage.pid)
        assert wage.poll() is None, f"wage {args[0]} ended before it could be killed at {moment}"
        os.kill(wage.pid, signal.SIGKILL)
        wage.wait()
    return children


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children
