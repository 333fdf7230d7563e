"""The SOC seeds are what `wage soc-seed` writes from BLS's files in data/soc/, with the counts BLS's files have."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from analysis_py.cli import main
from analysis_py.errors import InputError
from analysis_py.landing.soc_seed import SOC_SEEDS, soc_seed_rows, soc_seed_text, write_soc_seeds
from tests.conftest import REPO

SOURCES = REPO / "data" / "soc"
SEEDS = REPO / "seeds"


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("source", SOC_SEEDS, ids=lambda source: source.seed)
def test_committed_seed_is_what_soc_seed_writes_from_the_committed_file(source) -> None:
    expected = soc_seed_text(source, soc_seed_rows(source, SOURCES))
    assert (SEEDS / f"{source.seed}.csv").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("seed", "from_column", "to_column", "rows", "from_codes", "to_codes"),
    [
        # the counts BLS's files have (shared data README, "SOC crosswalks and structures")
        ("soc_2000_to_2010_crosswalk", "soc_2000_code", "soc_2010_code", 860, 821, 840),
        ("soc_2010_to_2018_crosswalk", "soc_2010_code", "soc_2018_code", 900, 840, 867),
    ],
)
def test_crosswalk_seed_has_the_rows_and_codes_bls_states(
    seed: str, from_column: str, to_column: str, rows: int, from_codes: int, to_codes: int
) -> None:
    table = _seed(seed)
    assert (
        len(table),
        len({row[from_column] for row in table}),
        len({row[to_column] for row in table}),
    ) == (
        rows,
        from_codes,
        to_codes,
    )


def test_hybrid_structure_seed_has_bls_868_rows() -> None:
    assert len(_seed("oes_2019_hybrid_structure")) == 868


def test_seed_codes_are_trimmed_soc_codes() -> None:
    # BLS's 2000 -> 2010 crosswalk prints some codes with trailing spaces ("13-1161  ")
    codes = [
        value
        for source in SOC_SEEDS
        for row in _seed(source.seed)
        for column, value in row.items()
        if column.endswith("_code")
    ]
    assert codes and all(
        len(code) == 7 and code[2] == "-" and code.replace("-", "").isdigit() for code in codes
    )


def test_hybrid_seed_maps_software_developers_to_both_soc_2018_codes() -> None:
    pairs = {
        (row["soc_2018_code"], row["soc_2010_code"])
        for row in _seed("oes_2019_hybrid_structure")
        if row["oes_2019_code"] == "15-1256"
    }
    assert pairs == {(new, old) for new in ("15-1252", "15-1253") for old in ("15-1132", "15-1133")}


def _crosswalk_book(path: Path, header: list[str], rows: list[list[str]], header_row: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sorted by 2010"
    for _ in range(header_row - 1):
        sheet.append(["U.S. Bureau of Labor Statistics"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_soc_seed_rows_trim_cells_and_drop_empty_lines(tmp_path: Path) -> None:
    source = SOC_SEEDS[1]
    _crosswalk_book(
        tmp_path / source.source_file,
        ["2010 SOC Code", "2010 SOC Title", "2018 SOC Code ", "2018 SOC Title"],
        [
            ["15-1121 ", " Computer Systems Analysts", "15-1211", "Computer Systems Analysts  "],
            [],
            ["29-1141", "RN", "29-1141", "RN"],
        ],
        source.header_row,
    )
    assert soc_seed_rows(source, tmp_path) == [
        {
            "soc_2010_code": "15-1121",
            "soc_2010_title": "Computer Systems Analysts",
            "soc_2018_code": "15-1211",
            "soc_2018_title": "Computer Systems Analysts",
        },
        {
            "soc_2010_code": "29-1141",
            "soc_2010_title": "RN",
            "soc_2018_code": "29-1141",
            "soc_2018_title": "RN",
        },
    ]


def test_soc_seed_rows_refuse_a_file_without_the_header(tmp_path: Path) -> None:
    source = SOC_SEEDS[1]
    _crosswalk_book(
        tmp_path / source.source_file, ["Code", "Title"], [["15-1121", "x"]], source.header_row
    )
    with pytest.raises(InputError, match="no column 2010 SOC Code"):
        soc_seed_rows(source, tmp_path)


def test_write_soc_seeds_reports_what_it_wrote(tmp_path: Path) -> None:
    written = write_soc_seeds(SOURCES, tmp_path)
    assert [(seed.seed, seed.n_rows) for seed in written] == [
        (source.seed, len(_seed(source.seed))) for source in SOC_SEEDS
    ]
    assert all((tmp_path / f"{seed.seed}.csv").is_file() for seed in written)


def test_cli_soc_seed_fails_with_exit_2_without_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a project root without data/soc: the command names the missing file and changes no seed
    (tmp_path / "dbt_project.yml").write_text("name: wage\n")
    (tmp_path / "seeds").mkdir()
    monkeypatch.setenv("WAGE_HOME", str(tmp_path))
    for name in ("WAGE_DB", "WAGE_RAW_DB", "WAGE_LOG_DIR", "WAGE_ARTIFACTS_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    assert main(["soc-seed"]) == 2
    assert "soc_2000_to_2010_crosswalk.xls" in capsys.readouterr().err
    assert not list((tmp_path / "seeds").iterdir())
