"""`wage run` killed with SIGKILL at each step boundary and at random moments.

Ten rounds on one warehouse folder, each with a new small workbook: after each kill the
raw landing, the warehouse and results.json describe the same workbooks (same SHA-256s),
and the next `wage run` exits 0, and is no no-op when the kill left the new workbook
unpublished. A kill between two renames of the publish leaves the publish journal: the
first thing every `wage` command does is to finish it (`finish_or_discard`), which the
test does before it compares.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis_py.config import Settings
from analysis_py.files import file_sha256
from analysis_py.warehouse.lock import build_lock
from analysis_py.warehouse.publish import finish_or_discard, journal_path
from tests.conftest import REPO, folder_env
from tests.system.helpers import described_workbooks, wage
from tests.system.small import small_workbook

#: `python killable.py MARKER MOMENT wage-args...`: `wage`, paused for good at MOMENT (its pid in MARKER).
KILLABLE = """
import contextlib, os, sys, time
from pathlib import Path
from analysis_py import cli, pipeline

marker, moment = Path(sys.argv[1]), sys.argv[2]

def pause_here():
    marker.write_text(str(os.getpid()))
    time.sleep(600)

if moment in ("ingest", "build", "analyze", "artifacts", "publish"):  # as the step starts
    step = pipeline.timed_step
    @contextlib.contextmanager
    def timed_step(seconds, name, *args, **kwargs):
        if name == moment:
            pause_here()
        with step(seconds, name, *args, **kwargs):
            yield
    pipeline.timed_step = timed_step
elif moment == "between-renames":  # journal written, raw landing renamed, warehouse not yet
    replace = os.replace
    def replace_then_pause(source, target, **kwargs):
        replace(source, target, **kwargs)
        if (Path(source).name, Path(target).name) == ("wage_raw.duckdb.building", "wage_raw.duckdb"):
            pause_here()
    os.replace = replace_then_pause
sys.exit(cli.main(sys.argv[3:]))
"""

ROUNDS = (
    "ingest",
    "build",
    "analyze",
    "artifacts",
    "publish",
    "between-renames",
    "random",
    "random",
    "random",
    "random",
)


def kill_run(folder: Path, moment: str, workbook: Path, delay: float) -> None:
    script, marker = folder / "killable.py", folder / "paused"
    script.write_text(KILLABLE)
    marker.unlink(missing_ok=True)
    env = {**os.environ, **folder_env(folder), "PYTHONPATH": str(REPO)}
    command = [sys.executable, str(script), str(marker), moment, "run", str(workbook)]
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as child:
        deadline = time.monotonic() + (delay if moment == "random" else 300)
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert moment == "random" or marker.exists(), f"wage never reached {moment}"
        child.send_signal(signal.SIGKILL)
        child.wait()


@pytest.mark.stress
def test_killed_runs_leave_the_three_agreeing_and_the_next_run_completes(
    settings: Settings, tmp_path: Path
) -> None:
    chance = random.Random(11)
    first = small_workbook(tmp_path / "in0")
    assert wage(tmp_path, "run", str(first)).returncode == 0
    for number, moment in enumerate(ROUNDS, start=1):
        new = small_workbook(tmp_path / f"in{number}", variant=number)
        kill_run(tmp_path, moment, new, delay=chance.uniform(1.0, 25.0))
        assert moment != "between-renames" or journal_path(settings).exists(), (
            "the kill meant to land between two renames landed elsewhere"
        )

        if journal_path(
            settings
        ).exists():  # killed between renames: what the next command finishes first
            assert moment in ("between-renames", "random")
            with build_lock(settings):
                assert finish_or_discard(settings) == "finished"
        state = described_workbooks(settings)
        assert state["raw"] == state["warehouse"] == state["results.json"], (
            f"round {number} ({moment}): {state}"
        )
        left_undone = state["raw"] != {file_sha256(new)}
        assert left_undone or moment in ("between-renames", "random")

        again = wage(tmp_path, "run", str(new))
        assert again.returncode == 0, f"round {number} ({moment}): {again.stderr}"
        assert ("nothing to do" in again.stderr) == (not left_undone), f"round {number} ({moment})"
        assert described_workbooks(settings) == {
            "raw": {file_sha256(new)},
            "warehouse": {file_sha256(new)},
            "results.json": {file_sha256(new)},
        }
        leftovers = [
            p.name
            for p in tmp_path.iterdir()
            if p.name.endswith((".building", ".previous", ".publish.json"))
        ]
        assert leftovers == [], f"round {number} ({moment})"
