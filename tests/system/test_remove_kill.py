"""`wage remove` is all or nothing: SIGKILL at any step leaves the raw landing and the warehouse as they were.

As tests/test_atomic.py does for `wage run`: a wrapper pauses `wage remove` at a named
step (or the test watches dbt's side file appear) and the test kills it there.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis_py.cli import main
from analysis_py.config import Settings
from tests.system.helpers import paused_and_killed

#: `python killable.py MARKER MOMENT wage-args...`: `wage`, paused for good at MOMENT.
KILLABLE = """
import os, sys, time
from pathlib import Path
from analysis_py import cli, pipeline

marker, moment = Path(sys.argv[1]), sys.argv[2]

def pause_here():
    marker.write_text(str(os.getpid()))
    time.sleep(600)

if moment == "remove":  # the release is deleted from the staged raw copy, nothing built yet
    remove = pipeline.remove_landed_release
    def remove_landed_release(*args, **kwargs):
        removed = remove(*args, **kwargs)
        pause_here()
        return removed
    pipeline.remove_landed_release = remove_landed_release
elif moment == "publish":  # dbt and the analyses passed, nothing published yet
    publish = pipeline.publish_together
    def publish_together(settings, pairs):
        pause_here()
        return publish(settings, pairs)
    pipeline.publish_together = publish_together
sys.exit(cli.main(sys.argv[3:]))
"""

RELEASES_SQL = (
    "select release_year, count(*), sum(tot_emp) from fct_occupation_wages group by 1 order by 1"
)


def releases(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(RELEASES_SQL).fetchall()


def test_kills_during_remove_leave_both_files_as_they_were(
    two_releases: Settings, tmp_path: Path
) -> None:
    """Killed at each step in turn, each `wage remove` starting from what the one before left behind."""
    settings = two_releases
    warehouse_before, raw_before = settings.warehouse.read_bytes(), settings.raw_db.read_bytes()
    before = releases(settings.warehouse)
    for moment in ("remove", "dbt", "publish"):
        paused_and_killed(
            KILLABLE, moment, ["remove", "--release", "2024"], settings, tmp_path / moment
        )
        assert settings.warehouse.read_bytes() == warehouse_before, moment
        assert settings.raw_db.read_bytes() == raw_before, moment
        assert releases(settings.warehouse) == before, moment

    # what the dead commands left behind does not block the next one, which then succeeds
    assert main(["remove", "--release", "2024"]) == 0
    assert [row[0] for row in releases(settings.warehouse)] == [2025]
    assert not settings.build_copy.exists() and not settings.raw_build_copy.exists()
