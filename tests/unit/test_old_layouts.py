"""BLS's layouts since 1999 ingest: .xls (BIFF8), old column names, title rows, national files
without area columns, a user's own columns; and the .xls is checked as an .xlsx is."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlrd
import xlwt

from analysis_py.bls import CROSS_INDUSTRY_CELLS, NATIONAL_AREA_CELLS
from analysis_py.errors import InputError
from analysis_py.landing.reader import read_workbook
from tests.bad_workbooks import ole2_file
from tests.conftest import HEADER, bls_row, settings_in, wage_run
from tests.xls_workbooks import (
    NATIONAL_2008,
    NATIONAL_2013,
    excel_95_workbook,
    national_rows_2008,
    with_password,
    workbook_stream,
    write_xls,
)

_TITLES = ("May 2008 National Occupational Employment and Wage Estimates", "", "United States")


def _cells_by_xlrd(path: Path, header_row: int) -> list[dict[str, str]]:
    """The data rows as xlrd (another reader) sees them: text by lower-case header name."""
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    names = [str(value).lower() for value in sheet.row_values(header_row - 1)]
    return [
        dict(zip(names, (str(value) for value in sheet.row_values(row)), strict=True))
        for row in range(header_row, sheet.nrows)
    ]


def test_a_may_2008_national_xls_lands_every_cell_as_bls_printed_it(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "national__M2008_dl.xls", NATIONAL_2008, national_rows_2008())
    cells = read_workbook(path).cells.to_pylist()
    expected = _cells_by_xlrd(path, header_row=1)
    assert len(cells) == len(expected) == 3
    for landed, printed in zip(cells, expected, strict=True):
        for name in NATIONAL_2008:
            if name == "group":
                continue
            want = printed[name] or None  # an empty cell lands as NULL
            assert landed[name] == want, name
    # the layout's blanks and absent columns say what today's columns print
    assert [row["o_group"] for row in cells] == ["total", "major", "detailed"]
    for row in cells:
        assert {name: row[name] for name in NATIONAL_AREA_CELLS} == NATIONAL_AREA_CELLS
        assert {name: row[name] for name in CROSS_INDUSTRY_CELLS} == CROSS_INDUSTRY_CELLS
    assert [row["sheet_row"] for row in cells] == [2, 3, 4]


def test_title_rows_above_the_header_are_never_data(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "national_M2008_dl.xls",
        NATIONAL_2008,
        national_rows_2008(),
        title_rows=_TITLES,
    )
    cells = read_workbook(path).cells.to_pylist()
    assert [row["occ_code"] for row in cells] == ["00-0000", "25-0000", "25-2021"]
    assert [row["sheet_row"] for row in cells] == [5, 6, 7]  # 3 titles, the header on row 4


def test_title_rows_above_the_header_of_an_xlsx_too(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["1997 National OES Estimates"])
    sheet.append(["Bureau of Labor Statistics"])
    sheet.append(HEADER)
    rows = [bls_row(), bls_row(OCC_CODE="11-0000", OCC_TITLE="Management", O_GROUP="major")]
    for row in rows:
        sheet.append([row.get(name) for name in HEADER])
    book.save(tmp_path / "state_M2025_dl.xlsx")
    cells = read_workbook(tmp_path / "state_M2025_dl.xlsx").cells.to_pylist()
    assert [(row["occ_code"], row["sheet_row"]) for row in cells] == [
        ("00-0000", 4),
        ("11-0000", 5),
    ]


def test_a_column_a_user_added_is_ignored_with_one_warning_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = national_rows_2008()
    for row in rows:
        row["My notes"] = "check this"
    path = write_xls(
        tmp_path / "national_M2013_dl.xls",
        [*NATIONAL_2013, "My notes"],
        [
            {name.upper() if name != "group" else "OCC_GROUP": value for name, value in row.items()}
            | {"My notes": "check this", "OCC_GROUP": row["group"] or "total"}
            for row in rows
        ],
    )
    with caplog.at_level(logging.INFO):
        cells = read_workbook(path).cells
    warnings = [
        record.getMessage() for record in caplog.records if record.levelno == logging.WARNING
    ]
    assert len(warnings) == 1
    assert "'my_notes'" in warnings[0] and "ignored" in warnings[0]
    assert "my_notes" not in cells.column_names and cells.num_rows == 3


def test_old_state_and_metropolitan_layouts_name_their_areas(tmp_path: Path) -> None:
    state = ["area", "st", "state", *NATIONAL_2008]
    detailed = national_rows_2008()[2]
    rows = [
        detailed | {"area": "01", "st": "AL", "state": "Alabama"},
        detailed | {"area": "72", "st": "PR", "state": "Puerto Rico"},
    ]
    path = write_xls(tmp_path / "state__M2008_dl.xls", state, rows, sheet_name="state_dl")
    landed, territory = read_workbook(path).cells.to_pylist()
    assert (landed["area"], landed["prim_state"], landed["area_title"]) == ("01", "AL", "Alabama")
    # BLS's state files of 2008 print no area type: a state's is 2, a territory's 3, as today
    assert (landed["area_type"], territory["area_type"]) == ("2", "3")
    assert {name: landed[name] for name in CROSS_INDUSTRY_CELLS} == CROSS_INDUSTRY_CELLS

    msa = ["prim_state", "area", "area_name", *NATIONAL_2008]
    row = national_rows_2008()[2] | {
        "prim_state": "AL",
        "area": "10180",
        "area_name": "Abilene, TX",
    }
    path = write_xls(tmp_path / "MSA_M2008_dl.xls", msa, [row], sheet_name="MSA_dl")
    (landed,) = read_workbook(path).cells.to_pylist()
    assert (landed["area"], landed["area_title"]) == ("10180", "Abilene, TX")


def test_an_industry_file_keeps_its_own_industry_and_lands_the_removed_wage_symbol(
    tmp_path: Path,
) -> None:
    header = ["naics", "naics_title", *NATIONAL_2008]
    row = national_rows_2008()[2] | {
        "naics": "481000",
        "naics_title": "Air Transportation",
        "occ_code": "53-2011",
        "occ_title": "Airline pilots, copilots, and flight engineers",
        **{name: "***" for name in NATIONAL_2008 if name.startswith(("h_", "a_"))},
    }
    path = write_xls(tmp_path / "nat3d_M2005_dl.xls", header, [row], sheet_name="nat3d_dl")
    (landed,) = read_workbook(path).cells.to_pylist()
    assert (landed["naics"], landed["naics_title"]) == ("481000", "Air Transportation")
    assert landed["own_code"] is None  # an industry file is not implied cross-industry
    assert landed["a_mean"] == landed["h_median"] == "***"


def test_a_state_file_without_area_columns_is_refused(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "state_M2013_dl.xls", NATIONAL_2013, [])
    with pytest.raises(InputError, match=r"lacks required column\(s\) AREA, AREA_TITLE$"):
        read_workbook(path)


def test_releases_before_soc_are_refused_in_one_line(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "national_1997_dl.xls", NATIONAL_2008, national_rows_2008())
    with pytest.raises(InputError, match="release 1997 codes occupations in OES's own scheme"):
        read_workbook(path)


def _xls_with(tmp_path: Path, change) -> Path:
    book = xlwt.Workbook()
    sheet = book.add_sheet("national_dl", cell_overwrite_ok=True)
    for column, name in enumerate(NATIONAL_2008):
        sheet.write(0, column, name)
    for offset, row in enumerate(national_rows_2008(), start=1):
        for column, name in enumerate(NATIONAL_2008):
            sheet.write(offset, column, row[name])
    change(sheet)
    path = tmp_path / "national_M2008_dl.xls"
    book.save(str(path))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda sheet: sheet.row(2).set_cell_error(6, 0x07),
            "cell G3 holds the formula error #DIV/0!",
        ),
        (
            lambda sheet: sheet.write(3, 6, xlwt.Formula("1/0")),
            "cell G4 is a formula with no saved value",
        ),
        (lambda sheet: sheet.merge(2, 3, 1, 1), r"has merged cells \(B3:B4\)"),
    ],
    ids=["error cell", "formula never calculated", "merged cells"],
)
def test_an_xls_cell_the_reader_would_empty_is_refused(
    tmp_path: Path, change, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        read_workbook(_xls_with(tmp_path, change))


def test_a_password_protected_xls_is_refused(tmp_path: Path) -> None:
    source = write_xls(tmp_path / "source.xls", NATIONAL_2008, national_rows_2008())
    path = with_password(source, tmp_path / "national_M2008_dl.xls")
    with pytest.raises(InputError, match=r"is a password-protected \(encrypted\) .xls"):
        read_workbook(path)


def test_an_excel_95_workbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is an Excel 5.0/95 workbook \(BIFF5\)"):
        read_workbook(excel_95_workbook(tmp_path / "national_M2008_dl.xls"))


def test_a_truncated_xls_is_refused(tmp_path: Path) -> None:
    stream = workbook_stream(
        write_xls(tmp_path / "source.xls", NATIONAL_2008, national_rows_2008())
    )
    path = ole2_file(tmp_path / "national_M2008_dl.xls", {"Workbook": stream[: len(stream) // 2]})
    with pytest.raises(InputError, match=r"is a truncated .xls"):
        read_workbook(path)


def test_a_hidden_xls_sheet_is_never_read(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    hidden = book.add_sheet("old_data")
    for column, name in enumerate(NATIONAL_2008):
        hidden.write(0, column, name)
        hidden.write(1, column, national_rows_2008()[1][name])
    hidden.visibility = 1
    shown = book.add_sheet("national_dl")
    for column, name in enumerate(NATIONAL_2008):
        shown.write(0, column, name)
        shown.write(1, column, national_rows_2008()[2][name])
    book.save(str(tmp_path / "national_M2008_dl.xls"))
    cells = read_workbook(tmp_path / "national_M2008_dl.xls").cells.to_pylist()
    assert [row["occ_code"] for row in cells] == ["25-2021"]


def test_wage_ingest_lands_an_xls_with_title_rows_and_a_users_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row | {"checked by": "me"} for row in national_rows_2008()]
    path = write_xls(
        tmp_path / "national__M2008_dl.xls",
        [*NATIONAL_2008, "checked by"],
        rows,
        title_rows=_TITLES,
    )
    assert wage_run(tmp_path, "ingest", str(path)) == 0
    err = capsys.readouterr().err
    assert err.count("ignored: not BLS columns") == 1 and "'checked_by'" in err
    with duckdb.connect(str(settings_in(tmp_path).raw_db), read_only=True) as con:
        landed = con.execute(
            "select occ_code, o_group, area, sheet_row, release_year, file_kind from oews_estimates "
            "order by sheet_row"
        ).fetchall()
    assert landed == [
        ("00-0000", "total", "99", 5, 2008, "national"),
        ("25-0000", "major", "99", 6, 2008, "national"),
        ("25-2021", "detailed", "99", 7, 2008, "national"),
    ]
