"""Hostile workbooks and hostile text, refused with one `error:` line or shown literally.

Each test builds its own hostile file in tmp_path and checks one behaviour; none needs dbt.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
import xlsxwriter
import yaml

from analysis_py.bls import TopCodeBound, number_rules
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.outputs.charts import state_ranking_chart
from analysis_py.outputs.report import report_markdown
from analysis_py.outputs.report_html import report_html
from analysis_py.study.state_ranking import StateRank, StateRanking
from tests.conftest import HEADER, REPO, bls_row, two_state_rows, write_workbook


def _wage(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("wage: ")]


def _refused(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """The one `error:` line `wage ingest` prints for `path` (exit 2, nothing else on stderr)."""
    code, _, err = _wage(["ingest", str(path), *extra], capsys)
    lines = _error_lines(err)
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# ---------- ingest refuses what the build refuses, one owner of the rules


def test_dbt_source_tests_apply_the_bls_rules() -> None:
    sources = yaml.safe_load(
        (REPO / "models" / "staging" / "_staging__sources.yml").read_text(encoding="utf-8")
    )
    tests = sources["sources"][0]["tables"][0]["data_tests"]
    names = {test if isinstance(test, str) else next(iter(test)) for test in tests}
    assert {"bls_numbers_parse", "bls_numbers_in_bounds", "bls_numbers_whole"} <= names


def test_marts_non_negative_tests_agree_with_bls_number_bounds() -> None:
    models = yaml.safe_load(
        (REPO / "models" / "marts" / "_marts__models.yml").read_text(encoding="utf-8")
    )
    non_negative = {
        column
        for model in models["models"]
        for test in model.get("data_tests", [])
        if isinstance(test, dict) and "non_negative_columns" in test
        for column in test["non_negative_columns"]["arguments"]["columns"]
    }
    bounds = number_rules().number_bounds
    bounded = non_negative & bounds.keys()
    assert {"tot_emp", "emp_prse", "loc_quotient", "mean_prse", "a_mean"} <= bounded
    for column in bounded:
        assert bounds[column][0] >= 0, column


def test_ingest_refuses_negative_a_mean_naming_sheet_row_and_column(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=-5))
    assert (
        _refused(path, capsys)
        == f"error: {path}: sheet 'data', row 3, column S (A_MEAN): -5 is negative"
    )


@pytest.mark.parametrize("value", ["1e308", 1e308])
def test_ingest_refuses_a_mean_above_its_bound(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: object
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=value))
    line = _refused(path, capsys)
    assert "sheet 'data', row 3, column S (A_MEAN): " in line
    assert line.endswith("is above 20,800,000, the highest A_MEAN can be")


def test_ingest_refuses_date_in_a_mean(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=datetime.date(2025, 5, 1))
    )
    assert _refused(path, capsys).endswith(
        "row 3, column S (A_MEAN): 2025-05-01 00:00:00 is a date (an Excel date cell), not a number"
    )


# ---------- values are never changed silently


@pytest.mark.parametrize("value", ["201_200", ",,2,0,1,2,0,0,", "2,01,200"])
def test_ingest_refuses_odd_separators(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=value))
    assert f"row 3, column S (A_MEAN): {value} is neither a number nor a BLS symbol" in _refused(
        path, capsys
    )


def test_ingest_keeps_thousands_separators_in_groups_of_three(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN="201,200", TOT_EMP="1,234,810")
    )
    code, _, err = _wage(["ingest", str(path)], capsys)
    assert code == 0, err


def _xlsxwriter_workbook(
    path: Path,
    rows: list[dict[str, object]],
    extra: Callable[[Any, Any], None] = lambda book, sheet: None,
) -> Path:
    """A BLS-style workbook written by xlsxwriter (which saves formula results and dimensions, as Excel does)."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        for column, name in enumerate(HEADER):
            if row.get(name) is not None:
                sheet.write(number, column, row[name])
    extra(book, sheet)
    book.close()
    return path


def _far_cell_workbook(path: Path, row: int, column: int) -> Path:
    """`two_state_rows()` and the string "x" at zero-based (`row`, `column`): xlsxwriter's sheet XML, no row spans.

    xlsxwriter walks every row up to the last one in Python (about a second for row 1,048,575), so the
    cell is written on the row after the data and its row moved down in the sheet's XML; the rows'
    optional `spans` hints, which xlsxwriter computes per block of 16 rows, are left out.
    """
    rows = two_state_rows()
    near = len(rows) + 1
    _xlsxwriter_workbook(path, rows, lambda book, sheet: sheet.write_string(near, column, "x"))

    def moved_down(xml: bytes) -> bytes:
        xml = re.sub(rb' spans="[^"]*"', b"", xml)
        for pattern, replacement in (
            (rb'<row r="%d"' % (near + 1), b'<row r="%d"' % (row + 1)),
            (rb'(<c r="[A-Z]+)%d"' % (near + 1), rb'\g<1>%d"' % (row + 1)),
            (rb'(<dimension ref="A1:[A-Z]+)\d+"', rb'\g<1>%d"' % (row + 1)),
        ):
            xml, n = re.subn(pattern, replacement, xml)
            assert n == 1, (pattern, n)  # the row, its one cell, the dimension: each moved once
        return xml

    _rewrite_member(path, "xl/worksheets/sheet1.xml", moved_down)
    return path


def test_ingest_refuses_formula_error(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def division_by_zero(book: Any, sheet: Any) -> None:
        sheet.write_formula(2, HEADER.index("A_MEAN"), "=1/0", None, "#DIV/0!")

    path = _xlsxwriter_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN=None), division_by_zero
    )
    assert _refused(path, capsys).endswith(
        "sheet 'data' cell S3 holds the formula error #DIV/0!: fix or delete the formula and save again"
    )


def test_ingest_refuses_formula_without_saved_value(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(A_MEAN="=1/0")
    )  # openpyxl saves no result
    assert "sheet 'data' cell S3 is a formula with no saved value" in _refused(path, capsys)


def test_ingest_refuses_merged_cells(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("B2:B3")  # the second row's AREA_TITLE would be empty
    book.save(path)
    assert "sheet 'data' has merged cells (B2:B3)" in _refused(path, capsys)


def test_ingest_skips_a_hidden_sheet_with_a_bls_header(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(), sheet_name="visible data"
    )
    book = openpyxl.load_workbook(path)
    hidden = book.create_sheet("old data", 0)
    hidden.append(HEADER)
    hidden.append([bls_row(AREA_TITLE="Hidden").get(name) for name in HEADER])
    hidden.sheet_state = "hidden"
    book.save(path)
    code, _, err = _wage(["ingest", str(path)], capsys)
    assert code == 0, err
    assert "sheet 'visible data'" in err


def test_ingest_refuses_a_workbook_whose_only_bls_sheet_is_hidden(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx", two_state_rows(), extra_sheets=["Notes"]
    )
    book = openpyxl.load_workbook(path)
    book["data"].sheet_state = "hidden"
    book.active = 1
    book.save(path)
    assert "no visible sheet has the BLS header row" in _refused(path, capsys)


def test_ingest_accepts_a_notes_sheet_naming_bls_columns_on_row_2(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(), sheet_name="data")
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes", 0)
    notes.append(["About this file"])
    notes.append(["AREA", "OCC_CODE", "A_MEAN"])
    book.save(path)
    code, _, err = _wage(["ingest", str(path)], capsys)
    assert code == 0, err


# ---------- bounded reading


@pytest.mark.parametrize(("row", "column"), [(1048575, 16383), (99_000, 5000)])
def test_ingest_reads_a_sheet_with_a_far_away_cell_in_bounded_pieces(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: int, column: int
) -> None:
    path = _far_cell_workbook(tmp_path / "state_M2025_dl.xlsx", row, column)
    code, out, err = _wage(["ingest", str(path)], capsys)
    assert code == 0, err
    assert "(release 2025, state, 2 rows)" in out  # the far cell is in no BLS column


@pytest.mark.parametrize("row", [600_000, 1048575])
def test_a_bad_cell_far_below_is_refused_naming_its_own_row(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: int
) -> None:
    path = _far_cell_workbook(tmp_path / "state_M2025_dl.xlsx", row, 18)
    assert f"sheet 'data', row {row + 1}, column S (A_MEAN): x is neither a number" in _refused(
        path, capsys
    )


def test_a_far_cell_behind_a_small_declared_dimension_is_still_read(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _far_cell_workbook(tmp_path / "state_M2025_dl.xlsx", 1048575, 18)
    _rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:AF3"/>', xml),
    )
    assert "row 1048576, column S (A_MEAN)" in _refused(path, capsys)


def test_a_dimension_declaring_all_of_excel_allocates_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _xlsxwriter_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    _rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml),
    )
    code, out, err = _wage(["ingest", str(path)], capsys)
    assert code == 0, err
    assert "(release 2025, state, 2 rows)" in out


@pytest.mark.parametrize(
    ("reference", "shown"), [(b"A1048577", "up to row 1,048,577"), (b"XFE3", "a cell at XFE3")]
)
def test_ingest_refuses_a_cell_beyond_excels_extent(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reference: bytes,
    shown: str,
) -> None:
    path = _xlsxwriter_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    # the last cell of row 3 moves beyond Excel's last row or column
    _rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<c r="AD3"', b'<c r="' + reference + b'"', xml),
    )
    assert f"{shown}" in (line := _refused(path, capsys)) and "beyond Excel's own limit" in line


def _rewrite_member(path: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info.filename, change(data) if info.filename == name else data)


# ---------- the kind comes from BLS's prefixes or --kind


def test_ingest_refuses_a_name_without_bls_kind_prefix(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "US national M2025.xlsx", two_state_rows())
    assert "the file name does not say which BLS workbook this is" in _refused(path, capsys)


def test_ingest_takes_the_kind_from_the_kind_option(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "US national M2025.xlsx", two_state_rows())
    code, out, err = _wage(["ingest", str(path), "--kind", "national"], capsys)
    assert code == 0, err
    assert "(release 2025, national, 2 rows)" in out


# ---------- nothing from a workbook is trusted in an output

_SCRIPT_TITLE = "<script>alert(1)</script>Mississippi"
_LINK_TITLE = "[click](javascript:alert(1)) ![x](http://example.org/x.png) *Ohio*"


def _results(*titles: str) -> dict[str, Any]:
    return {
        "release_year": 2025,
        "source_files": [
            {
                "source_file": "state_M2025_dl.xlsx",
                "release_year": 2025,
                "file_kind": "state",
                "source_sha256": "0" * 64,
            }
        ],
        "sample": {"description": "states"},
        "state_ranking": [
            {
                "rank": rank,
                "area_title": title,
                "a_mean": 50000.0,
                "ci_low": 49000.0,
                "ci_high": 51000.0,
            }
            for rank, title in enumerate(titles, start=1)
        ],
        "tests": [],
    }


def test_report_html_shows_a_script_title_as_text(
    tmp_path: Path, seed_top_code_bounds: tuple[TopCodeBound, ...]
) -> None:
    page = report_html(report_markdown(_results(_SCRIPT_TITLE), seed_top_code_bounds), tmp_path)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Mississippi" in page


def test_report_markdown_makes_no_link_image_or_emphasis_from_a_title(
    tmp_path: Path, seed_top_code_bounds: tuple[TopCodeBound, ...]
) -> None:
    text = report_markdown(_results(_LINK_TITLE), seed_top_code_bounds)
    page = report_html(text, tmp_path)
    assert "<a " not in page and "<img" not in page and "<em>Ohio</em>" not in page
    assert "[click](javascript:alert(1))" in page  # shown literally


def test_report_markdown_keeps_a_title_with_a_newline_on_its_table_row(
    seed_top_code_bounds: tuple[TopCodeBound, ...],
) -> None:
    text = report_markdown(_results("Ohio\n| 2 | forged | $1 | $1 – $1 |"), seed_top_code_bounds)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "forged" in line]
    assert len(rows) == 1 and rows[0].startswith("| 1 | Ohio\\\\n\\| 2 \\| forged")


def test_report_html_has_a_content_security_policy_without_scripts(
    tmp_path: Path, seed_top_code_bounds: tuple[TopCodeBound, ...]
) -> None:
    page = report_html(report_markdown(_results("Ohio"), seed_top_code_bounds), tmp_path)
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert policy is not None
    assert "default-src 'none'" in policy.group(1) and "script-src" not in policy.group(1)


def test_state_ranking_chart_draws_a_mathtext_title_literally() -> None:
    rows = tuple(
        StateRank(
            rank=rank,
            area=str(rank),
            area_title=title,
            prim_state=None,
            a_mean=50000.0 + rank,
            a_mean_se=100.0,
            ci_low=49800.0,
            ci_high=50200.0,
        )
        for rank, title in enumerate(["District of $\\notacommand$ Columbia", "Ohio"], start=1)
    )
    figure = state_ranking_chart(StateRanking(release_year=2025, rows=rows))
    figure.savefig(io.BytesIO(), format="png")  # a `$...$` title parsed as mathtext would raise
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels[0] == "1. District of $\\notacommand$ Columbia"  # drawn as is, not as mathtext


# ---------- `wage sql` output and one `error:` line


@pytest.fixture
def hostile_warehouse(settings: Settings) -> Settings:
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create table titles (area_title varchar, a_mean double)")
        con.execute(
            "insert into titles values ('Ohio\x1b[2J\nerror: forged', 1), ('=HYPERLINK(\"http://x\")', 2), ('+1', 3), ('@SUM(A1)', 4), ('-2', 5), ('Iowa', -6)"
        )
    return settings


def test_sql_table_output_shows_control_characters_escaped(
    hostile_warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _wage(["sql", "select area_title from titles where a_mean = 1"], capsys)
    assert code == 0
    assert "\x1b" not in out and "Ohio\\x1b[2J\\nerror: forged" in out


def test_sql_csv_output_neutralises_formula_cells(
    hostile_warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _wage(
        [
            "sql",
            "select area_title, a_mean from titles where a_mean between 2 and 6 order by a_mean",
            "--format",
            "csv",
        ],
        capsys,
    )
    assert code == 0
    cells = [line.rsplit(",", 1) for line in out.splitlines()[1:]]
    assert [cell for cell, _ in cells] == [
        '"\'=HYPERLINK(""http://x"")"',
        "'+1",
        "'@SUM(A1)",
        "'-2",
    ]


@pytest.mark.parametrize("statement", ["copy (select 1) to '{folder}/x.csv'", "set threads=1"])
def test_sql_statement_that_would_write_is_refused_in_one_line(
    hostile_warehouse: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], statement: str
) -> None:
    code, out, err = _wage(["sql", statement.format(folder=tmp_path)], capsys)
    assert (code, out) == (2, "")
    assert (
        len(err.splitlines()) == 1 and err.startswith("error:") and "only read-only queries" in err
    )
    assert not (tmp_path / "x.csv").exists()


def test_a_file_name_with_a_newline_cannot_forge_a_second_error_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(
        tmp_path / "state_M2025_dl.xlsx\nerror: forged.xlsx", two_state_rows(A_MEAN=-5)
    )
    code, _, err = _wage(["ingest", str(path)], capsys)
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        f"error: {tmp_path}/state_M2025_dl.xlsx\\nerror: forged.xlsx: sheet 'data', row 3, column S (A_MEAN): -5 is negative"
    ]
    assert not any(
        "forged" in line and not line.startswith("error:") and "\\n" not in line
        for line in err.splitlines()
    )
