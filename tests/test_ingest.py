"""Workbook -> raw landing: text cells, provenance, header matching, idempotence."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analysis_py.errors import InputError
from analysis_py.ingest import (
    file_kind_from_name,
    file_sha256,
    ingest_workbooks,
    read_workbook,
    release_year_from_name,
)
from tests.conftest import HEADER, bls_row, two_state_rows, write_workbook


def raw_rows(raw_db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(raw_db), read_only=True) as con:
        return con.execute(query).fetchall()


def test_symbols_are_kept_as_text(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(TOT_EMP="**", A_MEAN="#", H_MEAN="*")])
    cells = read_workbook(path).cells.to_pylist()[0]
    assert (cells["tot_emp"], cells["a_mean"], cells["h_mean"]) == ("**", "#", "*")


def test_thousands_separators_are_kept_as_printed(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(TOT_EMP="2,113,660")])
    assert read_workbook(path).cells.column("tot_emp").to_pylist() == ["2,113,660"]


def test_lower_case_headers_are_matched(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2019_dl.xlsx", two_state_rows(), lower_case=True)
    workbook = read_workbook(path)
    assert workbook.cells.column("occ_code").to_pylist() == ["00-0000", "11-1011"]
    assert workbook.release_year == 2019


def test_only_the_first_sheet_is_read(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(), sheet_name="state_M2025_dl",
        extra_sheets=["Field Descriptions", "UpdateTime"],
    )  # fmt: skip
    workbook = read_workbook(path)
    assert (workbook.sheet_name, workbook.n_rows) == ("state_M2025_dl", 2)


def test_columns_missing_in_older_releases_land_as_null(tmp_path: Path) -> None:
    header = [name for name in HEADER if name not in ("PRIM_STATE", "PCT_RPT")]
    path = write_workbook(tmp_path / "state_M2019_dl.xlsx", two_state_rows(), header=header)
    cells = read_workbook(path).cells
    assert cells.column("prim_state").null_count == 2
    assert cells.column("pct_rpt").null_count == 2


def test_sheet_rows_are_numbered_as_in_excel(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    assert read_workbook(path).cells.column("sheet_row").to_pylist() == [2, 3]


def test_landing_records_provenance(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(), sheet_name="state_M2025_dl")
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [path])
    rows = raw_rows(raw_db, "select distinct source_file, source_sha256, sheet_name, release_year, file_kind from oews_estimates")
    assert rows == [("state_M2025_dl.xlsx", file_sha256(path), "state_M2025_dl", 2025, "state")]


def test_reingesting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [path])
    before = raw_rows(raw_db, "select * from oews_estimates order by sheet_row")
    [again] = ingest_workbooks(raw_db, [path])
    assert again.action == "unchanged"
    assert raw_rows(raw_db, "select * from oews_estimates order by sheet_row") == before


def test_a_new_file_for_the_same_release_replaces_its_rows(tmp_path: Path) -> None:
    raw_db = tmp_path / "raw.duckdb"
    (tmp_path / "a").mkdir()
    first = write_workbook(tmp_path / "a" / "state_M2025_dl.xlsx", two_state_rows())
    ingest_workbooks(raw_db, [first])
    second = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(A_MEAN=60000)])
    [result] = ingest_workbooks(raw_db, [second])
    assert result.action == "replaced"
    assert raw_rows(raw_db, "select a_mean, source_sha256 from oews_estimates") == [("60000", file_sha256(second))]


def test_other_releases_are_kept_side_by_side(tmp_path: Path) -> None:
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [write_workbook(tmp_path / "state_M2024_dl.xlsx", two_state_rows())])
    ingest_workbooks(raw_db, [write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())])
    assert raw_rows(raw_db, "select release_year, count(*) from oews_estimates group by 1 order by 1") == [(2024, 2), (2025, 2)]


def test_year_option_overrides_a_name_without_year(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "download.xlsx", two_state_rows())
    assert read_workbook(path, year=2023).release_year == 2023


def test_name_without_year_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "download.xlsx", two_state_rows())
    with pytest.raises(InputError, match="no release year"):
        read_workbook(path)


def test_missing_occ_code_column_is_refused(tmp_path: Path) -> None:
    header = [name for name in HEADER if name != "OCC_CODE"]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(), header=header)
    with pytest.raises(InputError, match="OCC_CODE"):
        read_workbook(path)


def test_bad_workbook_lands_nothing_of_a_batch(tmp_path: Path) -> None:
    raw_db = tmp_path / "raw.duckdb"
    good = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    bad = write_workbook(tmp_path / "national_M2025_dl.xlsx", two_state_rows(), header=HEADER[:5])
    with pytest.raises(InputError):
        ingest_workbooks(raw_db, [good, bad])
    assert not raw_db.exists()


@pytest.mark.parametrize(
    ("name", "year"),
    [("state_M2025_dl.xlsx", 2025), ("national_M2019_dl.xlsx", 2019), ("all_data_M_2024.xlsx", 2024),
     ("MSA_M2022_dl.xlsx", 2022), ("oews_state.xlsx", None)],
)  # fmt: skip
def test_release_year_from_name(name: str, year: int | None) -> None:
    assert release_year_from_name(name) == year


@pytest.mark.parametrize(
    ("name", "kind"),
    [("state_M2025_dl.xlsx", "state"), ("national_M2025_dl.xlsx", "national"), ("MSA_M2025_dl.xlsx", "msa"),
     ("all_data_M_2025.xlsx", "all"), ("natsector_M2025_dl.xlsx", "industry")],
)  # fmt: skip
def test_file_kind_from_name(name: str, kind: str) -> None:
    assert file_kind_from_name(name) == kind
