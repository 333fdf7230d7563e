"""Every bad input of the corpus: one `error:` line naming the file, exit 2, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis_py.cli import main
from analysis_py.config import Settings
from tests.bad_workbooks import BAD_INPUTS
from tests.conftest import bls_row, write_workbook


def warehouse_state(settings: Settings) -> dict[str, bytes | None]:
    """The bytes of every file of the warehouse folder (None where a file is absent)."""
    names = [settings.warehouse, settings.raw_db, settings.build_copy, settings.raw_build_copy]
    names += [path.with_name(path.name + ".wal") for path in list(names)]
    return {str(path): path.read_bytes() if path.exists() else None for path in names}


def input_state(path: Path) -> tuple[int, int] | None:
    """Size and modification time of the input (a 512 MiB sparse file is not read)."""
    return (path.stat().st_size, path.stat().st_mtime_ns) if path.exists() else None


@pytest.mark.parametrize("command", ["ingest", "run"])
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_error_line_exit_2_and_changes_nothing(
    case: str, command: str, built: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_input, expected = BAD_INPUTS[case]
    folder = tmp_path / "input"
    folder.mkdir()
    path = build_input(folder)
    before, input_before = warehouse_state(built), input_state(path)

    assert main([command, str(path)]) == 2

    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {path}: ")
    assert expected in errors[0]
    assert warehouse_state(built) == before
    assert input_state(path) == input_before


def test_bad_workbook_among_good_ones_lands_nothing(
    built: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_workbook(
        tmp_path / "national_M2025_dl.xlsx",
        [bls_row(AREA=99, AREA_TITLE="U.S.", AREA_TYPE=1, PRIM_STATE="US")],
    )
    bad = BAD_INPUTS["values not numbers"][0](tmp_path)
    before = warehouse_state(built)
    assert main(["run", str(first), str(bad)]) == 2
    assert capsys.readouterr().err.count("error:") == 1
    assert warehouse_state(built) == before
