"""A plain (non-editable) install works: the wheel holds every subpackage and the explorer's static files."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb

from tests.conftest import REPO


def test_the_wheel_holds_the_whole_package_and_runs(tmp_path: Path) -> None:
    subprocess.run(
        [
            str(Path(sys.executable).with_name("uv")),
            "build",
            "--wheel",
            "-q",
            "-o",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    source_files = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "analysis_py").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(wheel) as archive:
        assert source_files <= set(archive.namelist())
        archive.extractall(tmp_path / "site")

    warehouse = tmp_path / "wage.duckdb"
    duckdb.connect(str(warehouse)).close()
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "site"),
        "WAGE_HOME": str(REPO),
        "WAGE_DB": str(warehouse),
    }
    code = (
        "import analysis_py, analysis_py.server.app as app; from analysis_py.cli import main; "
        "print(analysis_py.__file__); main(['sql', 'select 41 + 1 as answer'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    first, *table = done.stdout.splitlines()
    assert first == str(tmp_path / "site" / "analysis_py" / "__init__.py")
    assert table[2].strip() == "42"
