"""`wage export` on a small warehouse written here: CSV, Parquet and Excel, atomic, read-only, formula-safe.

The export as a real process (concurrent writers, every kind of target that cannot be
written): tests/system/test_export_process.py."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from analysis_py import files
from analysis_py.cli import main
from analysis_py.config import Settings

ROWS = [
    ("11-1011", "Chief Executives", 158370, 201200.5),
    ("11-2021", "=1+1", None, None),
    ("11-3031", "@SUM(A1)", 2210, 1e-9),
]


@pytest.fixture
def warehouse(settings: Settings) -> Settings:
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "create table fct_occupation_wages (occ_code varchar, occ_title varchar, tot_emp bigint, a_mean double)"
        )
        con.executemany("insert into fct_occupation_wages values (?, ?, ?, ?)", ROWS)
        con.execute("create schema analysis")
        con.execute(
            "create table analysis.test_results as select 'pearson' as test, 2.2e-09 as p_value"
        )
    return settings


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["export", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_relation_to_parquet_keeps_types_and_values(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "wages.parquet"
    code, out, _ = export(capsys, "fct_occupation_wages", "--to", str(target))
    table = pq.read_table(target)
    assert code == 0 and out == f"wrote {target}: 3 rows, 4 columns\n"
    assert str(table.schema.field("tot_emp").type) == "int64"
    assert [tuple(row.values()) for row in table.to_pylist()] == ROWS


def test_a_query_to_csv_neutralises_formula_cells(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "wages.csv"
    assert (
        export(
            capsys,
            "select occ_title, tot_emp, a_mean from fct_occupation_wages order by occ_code",
            "--to",
            str(target),
        )[0]
        == 0
    )
    with target.open(newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["occ_title", "tot_emp", "a_mean"],
            ["Chief Executives", "158370", "201200.5"],
            ["'=1+1", "", ""],
            ["'@SUM(A1)", "2210", "1e-09"],
        ]


def test_xlsx_stores_text_as_text_never_as_a_formula(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "wages.xlsx"
    assert export(capsys, "fct_occupation_wages", "--to", str(target))[0] == 0
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("occ_code", "occ_title", "tot_emp", "a_mean")
    assert sorted(rows[1:]) == sorted(ROWS)
    formula_cell = next(cell for cell in sheet["B"] if cell.value == "=1+1")
    assert formula_cell.data_type == "s"


def test_a_schema_qualified_relation_exports(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "tests.csv"
    assert export(capsys, "analysis.test_results", "--to", str(target))[0] == 0
    assert target.read_text().splitlines() == ["test,p_value", "pearson,2.2e-09"]


def test_a_csv_header_that_starts_like_a_formula_gets_an_apostrophe(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "header.csv"
    query = 'select 1 as "=HYPERLINK(1)", 2 as "@SUM(A1)", 3 as "-2+3", 4 as plain'
    assert export(capsys, query, "--to", str(target))[0] == 0
    with target.open(newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["'=HYPERLINK(1)", "'@SUM(A1)", "'-2+3", "plain"]


def test_an_xlsx_header_that_starts_like_a_formula_is_stored_as_text(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "header.xlsx"
    assert export(capsys, 'select 1 as "=HYPERLINK(1)"', "--to", str(target))[0] == 0
    header = openpyxl.load_workbook(target).active["A1"]
    assert (header.value, header.data_type) == ("=HYPERLINK(1)", "s")


def test_a_failing_export_leaves_the_old_file_and_no_side_file(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "wages.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    code, _, err = export(capsys, "select nope from fct_occupation_wages", "--to", str(target))
    assert code == 2 and err.startswith(f"error: {warehouse.warehouse}: Binder Error")
    assert target.read_text() == "old\n"
    assert [path.name for path in target.parent.iterdir()] == ["wages.csv"]


def test_a_format_that_cannot_hold_a_column_leaves_no_side_file_and_no_new_folder(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "new" / "deeper" / "span.parquet"
    target.parent.parent.parent.mkdir()
    code, _, err = export(capsys, "select 1 as n, interval 3 day as span", "--to", str(target))
    assert code == 2
    assert err.splitlines() == [
        f"error: {target}: cannot hold column 'span' of type INTERVAL as Parquet: "
        "cast it in the query (e.g. to VARCHAR) or export to .csv"
    ]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_symlink_where_the_side_file_would_go_is_never_followed(
    warehouse: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first side-file name drawn is taken by a planted symlink: the export draws another
    and the file the symlink points at keeps its bytes."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    target = tmp_path / "out" / "tests.csv"
    target.parent.mkdir()
    planted = target.parent / "tests.csv.planted.partial"
    planted.symlink_to(victim)
    names = iter([planted, target.parent / "tests.csv.fresh.partial"])
    monkeypatch.setattr(files, "side_path", lambda _: next(names))
    assert export(capsys, "analysis.test_results", "--to", str(target))[0] == 0
    assert victim.read_text() == "keep me\n"
    assert target.read_text().splitlines() == ["test,p_value", "pearson,2.2e-09"]
    assert sorted(path.name for path in target.parent.iterdir()) == ["tests.csv", planted.name]
    assert planted.readlink() == victim


def test_a_target_that_is_a_symlink_is_replaced_not_written_through(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    target = tmp_path / "tests.csv"
    target.symlink_to(victim)
    assert export(capsys, "analysis.test_results", "--to", str(target))[0] == 0
    assert victim.read_text() == "keep me\n"
    assert not target.is_symlink() and target.read_text().startswith("test,p_value\n")


def test_an_export_gets_the_permissions_a_new_file_gets(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The side file is created with mode 0o666 less the umask, as open() creates a file (not
    the 0o600 of tempfile.mkstemp): the renamed export is as readable as before."""
    plain = tmp_path / "plain.txt"
    plain.write_text("")
    target = tmp_path / "tests.csv"
    assert export(capsys, "analysis.test_results", "--to", str(target))[0] == 0
    assert target.stat().st_mode == plain.stat().st_mode


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("copy fct_occupation_wages to 'x.csv'", "is a COPY statement"),
        ("select * from read_csv('/etc/passwd')", "Permission Error"),
    ],
)
def test_export_only_reads_the_warehouse(
    warehouse: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: str,
    problem: str,
) -> None:
    target = tmp_path / "out.csv"
    code, _, err = export(capsys, source, "--to", str(target))
    assert code == 2 and problem in err.splitlines()[0]
    assert not target.exists()


def test_an_unknown_file_ending_is_refused(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "wages.json"
    code, _, err = export(capsys, "fct_occupation_wages", "--to", str(target))
    assert (
        code == 2
        and err == f"error: {target}: cannot be written: give a file ending .csv, .parquet, .xlsx\n"
    )
