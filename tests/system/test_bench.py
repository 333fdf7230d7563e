"""The benchmark harness runs end to end on tiny inputs (the figures themselves come from `make bench`).

`make test-bench` (CI runs it): a check of the developers' tool, not of `wage`, and a minute of
CPU (four dbt builds, a first run, a server), a quarter of what `make test` would otherwise take.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.bench


def test_quick_bench_prints_every_figure_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run_bench.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = [figure["name"] for figure in json.loads(out.read_text())["figures"]]
    assert names == [
        "ingest_state",
        "run_first",
        "run_second",
        "run_all_raw",
        "ingest_200k",
        "build_multi_release",
        "build_releases",
        "ingest_1m",
        "ingest_1m_rss",
        "build_1m",
        "peak_rss",
        "query_top_states",
        "query_one_occupation_all_areas",
        "query_year_over_year",
        "sql_startup",
        "server_p50",
        "server_p95",
        "server_p99",
        "server_p95_publishing",
    ]
    for name in names:
        assert name in done.stdout
    assert all(figure["value"] > 0 for figure in json.loads(out.read_text())["figures"])
