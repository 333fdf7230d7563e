"""The RPP seed is what `wage rpp-seed` writes from BEA's files in data/bea/, read the way BEA prints them."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from analysis_py.errors import InputError
from analysis_py.landing.rpp_seed import (
    RPP_SEED,
    RPP_SOURCE_FILES,
    rpp_seed_text,
    rpp_values,
    write_rpp_seed,
)
from tests.conftest import REPO

SOURCES = REPO / "data" / "bea"
HEADER = (
    "GeoFIPS,GeoName,Region,TableName,LineCode,IndustryClassification,Description,Unit,2023,2024"
)
NOTES = [
    '"Note: See the included footnote file."',
    '"SARPP: Regional price parities by state "',
    '"Last updated: February 19, 2026-- new statistics for 2024; revised statistics for 2008-2023."',
    '"U.S. Bureau of Economic Analysis"',
]


def _bea_file(path: Path, lines: list[str], notes: list[str] = NOTES) -> Path:
    path.write_text("\r\n".join([HEADER, *lines, *notes]) + "\r\n", encoding="utf-8")
    return path


def _csv_cell(name: str, geo_fips: str, description: str, year: str) -> float:
    """One cell of BEA's file, read with the csv module alone."""
    with (SOURCES / name).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            if row["GeoFIPS"] == geo_fips and (row["Description"] or "").strip() == description:
                return float(row[year])
    raise AssertionError(f"no {geo_fips} {description} in {name}")


def test_committed_seed_is_what_rpp_seed_writes_from_the_committed_files(tmp_path: Path) -> None:
    write_rpp_seed(SOURCES, tmp_path)
    committed = (REPO / "seeds" / f"{RPP_SEED}.csv").read_text(encoding="utf-8")
    assert committed == (tmp_path / f"{RPP_SEED}.csv").read_text(encoding="utf-8")


def test_california_2024_all_items_is_the_csv_cell() -> None:
    # the shared data README quotes it: 110.720
    cell = _csv_cell(RPP_SOURCE_FILES[0], "06000", "RPPs: All items", "2024")
    values = rpp_values(SOURCES / RPP_SOURCE_FILES[0])
    ours = [
        v.rpp
        for v in values
        if (v.geo_fips, v.component, v.rpp_year) == ("06000", "all items", 2024)
    ]
    assert ours == [cell] == [110.72]


def test_state_file_has_every_area_line_and_year_bea_prints() -> None:
    values = rpp_values(SOURCES / RPP_SOURCE_FILES[0])
    # 52 areas (U.S., 50 states, DC) x 5 lines x 17 years (2008-2024), no (NA) in the state file
    assert len(values) == 52 * 5 * 17
    assert {v.geography for v in values} == {"nation", "state"}


def test_lines_are_matched_on_the_description_not_the_line_code(tmp_path: Path) -> None:
    # one of BEA's releases put "All items" on LineCode 5
    path = _bea_file(
        tmp_path / "x.csv",
        [' "06000","California",8,SARPP,5,"...","RPPs: All items ","Index",112.195,110.720'],
    )
    assert {(v.line_code, v.component) for v in rpp_values(path)} == {(5, "all items")}


def test_release_date_is_read_from_the_last_updated_note(tmp_path: Path) -> None:
    path = _bea_file(
        tmp_path / "x.csv",
        [' "06000","California",8,SARPP,1,"...","RPPs: All items ","Index",112.195,110.720'],
    )
    assert {v.release_date for v in rpp_values(path)} == {dt.date(2026, 2, 19)}


def test_a_cell_bea_prints_as_na_has_no_row(tmp_path: Path) -> None:
    path = _bea_file(
        tmp_path / "x.csv",
        [
            ' "10180","Abilene, TX (Metropolitan Statistical Area)", ,MARPP,1,"...","RPPs: All items ","Index",(NA),90.364'
        ],
    )
    assert [(v.rpp_year, v.rpp, v.geography) for v in rpp_values(path)] == [
        (2024, 90.364, "metropolitan")
    ]


def test_an_unknown_line_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = _bea_file(
        tmp_path / "x.csv",
        [' "06000","California",8,SARPP,6,"...","Implicit regional price deflator ","Index",1,2'],
    )
    with pytest.raises(InputError, match="Implicit regional price deflator") as caught:
        rpp_values(path)
    assert caught.value.path == str(path)


def test_a_file_without_its_last_updated_note_is_refused(tmp_path: Path) -> None:
    path = _bea_file(
        tmp_path / "x.csv",
        [' "06000","California",8,SARPP,1,"...","RPPs: All items ","Index",112.195,110.720'],
        notes=NOTES[:2],
    )
    with pytest.raises(InputError, match="Last updated"):
        rpp_values(path)


def test_seed_text_prints_rpps_with_beas_three_decimals(tmp_path: Path) -> None:
    path = _bea_file(
        tmp_path / "x.csv",
        [' "00000","United States", ,SARPP,1,"...","RPPs: All items ","Index",100.000,100.000'],
    )
    lines = rpp_seed_text(rpp_values(path)).splitlines()
    assert lines[1] == "00000,United States,nation,1,all items,2023,100.000,x.csv,2026-02-19"
