"""Workbook -> raw landing: text cells, provenance, header matching, idempotence."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analysis_py.bls import (
    BLS_SYMBOLS,
    NUMBER_BOUNDS,
    NUMBER_PATTERN,
    NUMERIC_COLUMNS,
    WHOLE_NUMBER_COLUMNS,
    file_kind_from_name,
    number_rules,
    release_year_from_name,
)
from analysis_py.errors import InputError
from analysis_py.files import file_sha256
from analysis_py.landing import cell_checks, raw_provenance, raw_store, sheet_pieces
from analysis_py.landing.raw_provenance import already_landed, releases_with_top_code_bound
from analysis_py.landing.raw_store import ingest_workbooks
from analysis_py.landing.reader import read_workbook
from tests.bad_workbooks import far_too_large
from tests.conftest import HEADER, REPO, bls_row, two_state_rows, write_workbook


def raw_rows(raw_db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(raw_db), read_only=True) as con:
        return con.execute(query).fetchall()


def test_symbols_are_kept_as_text(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", [bls_row(TOT_EMP="**", A_MEAN="#", H_MEAN="*")]
    )
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
        tmp_path / "state_M2025_dl.xlsx",
        two_state_rows(),
        sheet_name="state_M2025_dl",
        extra_sheets=["Field Descriptions", "UpdateTime"],
    )
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
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(), sheet_name="state_M2025_dl"
    )
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [path])
    rows = raw_rows(
        raw_db,
        "select distinct source_file, source_sha256, sheet_name, release_year, file_kind from oews_estimates",
    )
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
    second = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(A_MEAN=60000, H_MEAN=28.85)])
    [result] = ingest_workbooks(raw_db, [second])
    assert result.action == "replaced"
    assert raw_rows(raw_db, "select a_mean, source_sha256 from oews_estimates") == [
        ("60000", file_sha256(second))
    ]


def test_other_releases_are_kept_side_by_side(tmp_path: Path) -> None:
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [write_workbook(tmp_path / "state_M2024_dl.xlsx", two_state_rows())])
    ingest_workbooks(raw_db, [write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())])
    assert raw_rows(
        raw_db, "select release_year, count(*) from oews_estimates group by 1 order by 1"
    ) == [(2024, 2), (2025, 2)]


def test_year_option_overrides_a_name_without_year(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "download.xlsx", two_state_rows())
    assert read_workbook(path, year=2023, kind="state").release_year == 2023


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
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        bad.name,
        good.name,
    ]  # no raw file, log or temp folder


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("state_M2025_dl.xlsx", 2025),
        ("national_M2019_dl.xlsx", 2019),
        ("all_data_M_2024.xlsx", 2024),
        ("MSA_M2022_dl.xlsx", 2022),
        ("national_1997_dl.xls", 1997),
        ("national_may2005_dl.xls", 2005),
        ("national_May2007_dl.xls", 2007),
        ("national__M2008_dl.xls", 2008),
        ("national_M2010_dl.xls", 2010),
        ("oews_state.xlsx", None),
        ("state_M20251_dl.xlsx", None),
    ],
)
def test_release_year_from_name(name: str, year: int | None) -> None:
    assert release_year_from_name(name) == year


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("state_M2025_dl.xlsx", "state"),
        ("national_M2025_dl.xlsx", "national"),
        ("MSA_M2025_dl.xlsx", "msa"),
        ("all_data_M_2025.xlsx", "all"),
        ("natsector_M2025_dl.xlsx", "natsector"),
        ("nat3d_M2025_dl.xlsx", "nat3d"),
        ("nat4d_M2025_dl.xlsx", "nat4d"),
        ("nat5d_6d_M2019_dl.xlsx", "nat5d"),
        ("BOS_M2019_dl.xlsx", "bos"),
    ],
)
def test_file_kind_from_name(name: str, kind: str) -> None:
    assert file_kind_from_name(name) == kind


def test_an_exact_repeat_of_a_row_is_kept_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        logging.getLogger("analysis_py"), "propagate", True
    )  # cli.main turns it off
    rows = two_state_rows()
    path = write_workbook(tmp_path / "all_data_M_2022.xlsx", [*rows, rows[1]])
    workbook = read_workbook(path)
    assert workbook.cells.column("sheet_row").to_pylist() == [2, 3]
    assert "row 4 repeats row 3" in caplog.text


def test_broad_and_detailed_rows_of_one_code_are_both_kept(tmp_path: Path) -> None:
    """National files list a code BLS aggregates to the broad level twice: keyed by O_GROUP."""
    rows = [
        bls_row(AREA=99, AREA_TYPE=1),
        bls_row(AREA=99, AREA_TYPE=1, OCC_CODE="13-2020", O_GROUP="broad"),
        bls_row(AREA=99, AREA_TYPE=1, OCC_CODE="13-2020", O_GROUP="detailed"),
    ]
    workbook = read_workbook(write_workbook(tmp_path / "national_M2025_dl.xlsx", rows))
    assert workbook.cells.column("o_group").to_pylist() == ["total", "broad", "detailed"]


def test_a_key_written_two_ways_is_still_one_key(tmp_path: Path) -> None:
    """Staging reads 111011 as 11-1011 and DETAILED as detailed: the same key twice is refused."""
    rows = [*two_state_rows(), bls_row(OCC_CODE="111011", O_GROUP="DETAILED", TOT_EMP=1)]
    with pytest.raises(InputError, match="rows 3 and 4 have the same key"):
        read_workbook(write_workbook(tmp_path / "state_M2025_dl.xlsx", rows))


def test_the_data_sheet_is_found_after_other_sheets(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "all_data_M_2021.xlsx", two_state_rows(), sheet_name="All May 2021 data"
    )
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes", 0)
    for name in ("area", "area_title", "occ_code"):
        notes.append([name, f"description of {name}"])
    book.save(path)
    workbook = read_workbook(path)
    assert (workbook.sheet_name, workbook.n_rows) == ("All May 2021 data", 2)


def test_area_codes_keep_their_leading_zeros(tmp_path: Path) -> None:
    rows = [
        bls_row(AREA="0100001", AREA_TITLE="Northwest Alabama nonmetropolitan area", AREA_TYPE=6)
    ]
    path = write_workbook(tmp_path / "MSA_M2025_dl.xlsx", rows)
    assert read_workbook(path).cells.column("area").to_pylist() == ["0100001"]


def test_empty_numeric_cells_land_as_null(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(JOBS_1000=None, H_PCT10="")])
    cells = read_workbook(path).cells.to_pylist()[0]
    assert (cells["jobs_1000"], cells["h_pct10"]) == (None, None)


def test_every_bls_symbol_passes_the_number_check(tmp_path: Path) -> None:
    rows = [bls_row(TOT_EMP="**", A_MEAN="#", H_MEAN="*", PCT_RPT="~", A_MEDIAN="45,676.8")]
    cells = read_workbook(
        write_workbook(tmp_path / "natsector_M2025_dl.xlsx", rows)
    ).cells.to_pylist()[0]
    assert (cells["tot_emp"], cells["a_mean"], cells["h_mean"], cells["pct_rpt"]) == (
        "**",
        "#",
        "*",
        "~",
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-infinity", "12 000", "$57,500"])
def test_numbers_a_bls_workbook_never_prints_are_refused(tmp_path: Path, value: str) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(A_MEAN=value)])
    with pytest.raises(
        InputError,
        match=rf"row 2, column S \(A_MEAN\): {re.escape(value)} is neither a number nor a BLS symbol",
    ):
        read_workbook(path)


@pytest.mark.parametrize(
    ("column", "letter", "value"),
    [
        ("TOT_EMP", "L", "1234.5"),
        ("TOT_EMP", "L", "1,234.25"),
        ("TOT_EMP", "L", " 12.5 "),
        ("AREA_TYPE", "C", 2.5),
    ],
)
def test_a_fraction_in_a_whole_number_column_is_refused(
    tmp_path: Path, column: str, letter: str, value: object
) -> None:
    """Staging casts AREA_TYPE and TOT_EMP to integers: ingest refuses what the cast would round (and the build's test refuses)."""
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(**{column: value})])
    with pytest.raises(
        InputError,
        match=rf"row 2, column {letter} \({column}\): {re.escape(str(value))} is not a whole number, as {column} always is",
    ):
        read_workbook(path)


@pytest.mark.parametrize("value", ["1,234", "12e2", 1234.0, "  1234  "])
def test_a_whole_number_written_any_bls_way_is_kept(tmp_path: Path, value: object) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", [bls_row(TOT_EMP=value)])
    assert read_workbook(path).n_rows == 1


_CELLS = [
    None,
    "",
    "   ",
    *BLS_SYMBOLS,
    " # ",
    "***",
    "#~",
    "0",
    "12",
    " 12 ",
    "6",
    "7",
    "1,234",
    "1,234,567.5",
    "12,34",
    "1234,567",
    "1234.5",
    "+5",
    "-5",
    "-0",
    "1e5",
    "1E-2",
    "2.5e3",
    ".5",
    "5.",
    "nan",
    "inf",
    "1e999",
    "12 000",
    "$5",
    "0x1F",
    "1_000",
    "2025-05-01",
    "999999999",
    "1000000001",
    "100.5",
    "20800001",
]


def _keeps_rules(cell: str | None, column: str) -> bool:
    """The number rules of bls.py, in Python: empty, a symbol, or a number within bounds (whole where it must be)."""
    text = (cell or "").strip(" ")
    if text in ("", *BLS_SYMBOLS):
        return True
    if not re.fullmatch(NUMBER_PATTERN, text):
        return False
    value = float(text.replace(",", ""))
    low, high = NUMBER_BOUNDS[column]
    return low <= value <= high and (column not in WHOLE_NUMBER_COLUMNS or value.is_integer())


def test_the_landing_check_and_the_refusal_reasons_apply_the_number_rules() -> None:
    """Rows land by one SQL check (keeps_number_rules_sql), refusals are worded by another: both
    say what the rules say, in every numeric column, for cells at every edge of the rules."""
    with duckdb.connect() as con:
        con.execute("create table cells as select unnest(?::varchar[]) as cell", [_CELLS])
        for column in NUMERIC_COLUMNS:
            checked = con.execute(
                f"select {column}, {cell_checks.keeps_number_rules_sql(number_rules(), [column])}, "
                f"{cell_checks._bad_number_reason(column, column, number_rules())} is null from (select cell as {column} from cells)"
            ).fetchall()
            assert [
                (cell, _keeps_rules(cell, column), _keeps_rules(cell, column))
                for cell, *_ in checked
            ] == checked, column


def test_bad_cells_are_reported_by_sheet_row_and_column_letter(tmp_path: Path) -> None:
    rows = [
        bls_row(TOT_EMP=f"x{i}", OCC_CODE=f"11-10{i:02d}", O_GROUP="detailed") for i in range(8)
    ]
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", [bls_row(), *rows], sheet_name="state_M2025_dl"
    )
    with pytest.raises(InputError) as refused:
        read_workbook(path)
    assert refused.value.problem == (
        "sheet 'state_M2025_dl', row 3, column L (TOT_EMP): x0 is neither a number nor a BLS symbol (* ** # ~ ***) "
        "(8 bad cells in all; next: L4, L5, L6, L7)"
    )


def test_an_excel_lock_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "~$state_M2025_dl.xlsx"
    path.write_bytes(b"\x08Analyst")
    with pytest.raises(
        InputError, match=r"is an Excel lock file .*ingest state_M2025_dl.xlsx instead"
    ):
        read_workbook(path)


def test_a_calamine_panic_becomes_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyo3 turns a Rust panic into PanicException, a BaseException: it must not escape."""

    class PanicException(BaseException):
        pass

    def panicking_reader(path: Path) -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(sheet_pieces.fastexcel, "read_excel", panicking_reader)
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    with pytest.raises(InputError, match=r"cannot be read as a workbook .*Option::unwrap"):
        read_workbook(path)


def test_release_without_top_code_bound_is_refused(tmp_path: Path) -> None:
    releases = releases_with_top_code_bound(REPO / "seeds" / "top_code_bounds.csv")
    path = write_workbook(tmp_path / "state_M2026_dl.xlsx", two_state_rows())
    with pytest.raises(InputError, match="release 2026 has no top-code bound"):
        read_workbook(path, releases=releases)


def test_seed_lists_every_release_since_2019() -> None:
    releases = releases_with_top_code_bound(REPO / "seeds" / "top_code_bounds.csv")
    assert set(range(2019, 2026)) <= releases


def test_two_different_workbooks_for_one_release_and_kind_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first = write_workbook(tmp_path / "a" / "state_M2025_dl.xlsx", two_state_rows())
    second = write_workbook(tmp_path / "state_M2025_dl (1).xlsx", [bls_row(A_MEAN=60000)])
    with pytest.raises(InputError, match="second state workbook for release 2025"):
        ingest_workbooks(tmp_path / "raw.duckdb", [first, second])
    assert not (tmp_path / "raw.duckdb").exists()


def test_the_same_workbook_passed_twice_lands_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    copy = tmp_path / "a" / "state_M2025_dl (1).xlsx"
    copy.write_bytes(path.read_bytes())
    raw_db = tmp_path / "raw.duckdb"
    results = ingest_workbooks(raw_db, [path, path, copy])
    assert [(result.source_file, result.action, result.n_rows) for result in results] == [
        (path.name, "landed", 2)
    ]
    assert raw_rows(raw_db, "select count(*), count(distinct sheet_row) from oews_estimates") == [
        (2, 2)
    ]


def test_an_unchanged_workbook_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [path])

    def refuse_to_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged workbook was read again")

    monkeypatch.setattr(
        "analysis_py.landing.reader.read_workbook", refuse_to_read
    )  # raw_store imports it when it reads
    [again] = ingest_workbooks(raw_db, [path])
    assert (again.action, again.n_rows, again.source_sha256) == ("unchanged", 2, file_sha256(path))


def test_a_file_over_the_size_limit_is_not_hashed_to_see_whether_it_was_landed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing 512 MiB is slow, and ingest refuses the file anyway: `wage run`'s up-to-date check and
    ingest (which hashes every workbook of a batch to land a file passed twice once) leave it unhashed."""
    (tmp_path / "small").mkdir()
    path, small = (
        far_too_large(tmp_path),
        write_workbook(tmp_path / "small" / "state_M2025_dl.xlsx", two_state_rows()),
    )
    raw_db = tmp_path / "raw.duckdb"
    ingest_workbooks(raw_db, [small])  # release 2025, state: the key the large file is named for
    hashed: list[Path] = []
    for module in (raw_provenance, raw_store):  # the up-to-date check's hash, and ingest's own
        monkeypatch.setattr(
            module, "file_sha256", lambda path: hashed.append(path) or file_sha256(path)
        )
    landed = {(2025, "state"): (file_sha256(small), 2)}
    assert already_landed(path, None, landed) is None
    assert already_landed(small, None, landed) is not None and hashed == [small]
    national = write_workbook(
        tmp_path / "national_M2025_dl.xlsx",
        [bls_row(AREA=99, AREA_TITLE="U.S.", AREA_TYPE=1, PRIM_STATE="US")],
    )
    with pytest.raises(InputError, match=re.escape("more than the 512.0 MiB a workbook may be")):
        ingest_workbooks(raw_db, [national, path])
    assert path not in hashed and national in hashed
