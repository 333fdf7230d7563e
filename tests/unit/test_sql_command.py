"""`wage sql` on a small warehouse written here: faithful numbers, row counts, statements, input, formats, errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from analysis_py.cli import main
from analysis_py.cli.parser import SQL_MAX_BYTES
from analysis_py.config import Settings

P_VALUE = 2.2e-09


@pytest.fixture
def warehouse(settings: Settings) -> Settings:
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "create table fct_occupation_wages as select * from (values"
            " ('11-1011', 'Chief Executives', 158370::bigint, 201200.5),"
            " ('11-2021', 'Marketing\\x1b[2J | Managers', null, null),"
            " ('11-3031', '=HYPERLINK(\"http://x\")', 2210::bigint, 98760.0)) as t(occ_code, occ_title, tot_emp, a_mean)"
        )
        con.execute(
            "update fct_occupation_wages set occ_title = replace(occ_title, '\\x1b', chr(27))"
        )
        con.execute("create schema analysis")
        con.execute(
            f"create table analysis.test_results as select 'pearson' as test, {P_VALUE!r} as p_value"
        )
    return settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sql", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_small_doubles_and_bigints_print_as_duckdb_holds_them(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "select 1e-9 as tiny, 158370::bigint as jobs")
    assert code == 0
    assert out.splitlines()[2].split() == ["1e-09", "158370"]


def test_p_values_are_not_rounded_to_zero(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "select p_value from analysis.test_results")
    assert float(out.splitlines()[2]) == P_VALUE


def test_every_row_is_printed_with_the_count(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "select * from range(500)")
    lines = out.splitlines()
    assert code == 0
    assert [int(line) for line in lines[2:-1]] == list(range(500))
    assert lines[-1] == "(500 rows)"


def test_max_rows_says_how_many_rows_it_left_out(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "select * from range(500)", "--max-rows", "100")
    lines = out.splitlines()
    assert [int(line) for line in lines[2:-1]] == list(range(100))
    assert lines[-1] == "(500 rows, 400 not shown: --max-rows 100)"


def test_each_statement_prints_its_result(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "select 1 as a; select 2 as b")
    assert out.split("\n\n") == ["a\n-\n1\n(1 row)", "b\n-\n2\n(1 row)\n"]


@pytest.mark.parametrize("sql", ["", "  ;  "])
def test_empty_sql_is_an_error(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], sql: str
) -> None:
    code, out, err = run(capsys, sql)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: {warehouse.warehouse}: is empty: give a SELECT statement"]


def test_no_sql_at_all_is_an_error(warehouse: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2 and err.startswith("error: query: no SQL given")


def test_dash_reads_the_sql_from_stdin(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("select 41 + 1 as answer;\n"))
    _, out, _ = run(capsys, "-")
    assert out.splitlines() == ["answer", "------", "    42", "(1 row)"]


def test_file_reads_the_sql_from_a_file(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = tmp_path / "q.sql"
    query.write_text(
        "-- employment\nselect tot_emp from fct_occupation_wages where occ_code = '11-1011';\n"
    )
    _, out, _ = run(capsys, "--file", str(query))
    assert out.split() == ["tot_emp", "-------", "158370", "(1", "row)"]


def test_a_parser_error_in_a_file_names_the_file(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = tmp_path / "q.sql"
    query.write_text("selec 1")
    code, _, err = run(capsys, "--file", str(query))
    assert code == 2 and err.startswith(f"error: {query}: Parser Error")


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("copy (select 1) to 'x.csv'", "a COPY"),
        ("set threads = 1", "a SET"),
        ("create table t as select 1", "a CREATE"),
        ("attach 'x.duckdb' as x", "an ATTACH"),
        ("update fct_occupation_wages set a_mean = 0", "an UPDATE"),
        ("install httpfs", "an INSTALL"),
        ("force install httpfs", "an INSTALL"),
        ("load httpfs", "a LOAD"),
    ],
)
def test_a_statement_that_would_write_is_refused_in_one_line(
    warehouse: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sql: str,
    kind: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, sql)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {warehouse.warehouse}: is {kind} statement: only read-only queries (SELECT, EXPLAIN) run here"
    ]
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.duckdb").exists()


def test_nothing_runs_when_a_later_statement_would_write(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "select 1; copy (select 1) to 'x.csv'")
    assert (code, out) == (2, "")
    assert "statement 2 is a COPY statement" in err


def test_files_cannot_be_read(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\nsecret\n")
    code, out, err = run(capsys, f"select * from read_csv('{secret}')")
    assert code == 2 and "secret" not in out
    assert (
        err
        == f"error: {warehouse.warehouse}: reads or writes a file: queries here have no file access\n"
    )


def test_a_parser_error_keeps_duckdbs_caret_under_the_bad_token(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "select a_mean frm fct_occupation_wages")
    first, context, caret = err.splitlines()
    assert code == 2 and first.startswith(
        f"error: {warehouse.warehouse}: Parser Error: syntax error at or near"
    )
    assert context == "LINE 1: select a_mean frm fct_occupation_wages"
    assert context[caret.index("^") :].startswith("fct_occupation_wages")


def test_an_error_in_a_later_statement_comes_after_the_earlier_results(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "select 1 as a; select nope from fct_occupation_wages")
    assert code == 2 and out.startswith("a\n-\n1\n(1 row)")
    assert err.startswith(f"error: {warehouse.warehouse}: statement 2: Binder Error")


def test_csv_format_is_csv_with_the_count_on_stderr(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, err = run(
        capsys,
        "select occ_code, tot_emp, a_mean from fct_occupation_wages order by occ_code",
        "--format",
        "csv",
    )
    assert list(csv.reader(io.StringIO(out))) == [
        ["occ_code", "tot_emp", "a_mean"],
        ["11-1011", "158370", "201200.5"],
        ["11-2021", "", ""],
        ["11-3031", "2210", "98760.0"],
    ]
    assert err == "(3 rows)\n"


def test_csv_cells_cannot_be_formulas_or_escape_sequences(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(
        capsys, "select occ_title from fct_occupation_wages order by occ_code", "--format", "csv"
    )
    assert [row[0] for row in csv.reader(io.StringIO(out))][2:] == [
        "Marketing\\x1b[2J | Managers",
        '\'=HYPERLINK("http://x")',
    ]


def test_json_format_round_trips_the_values(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, err = run(
        capsys,
        "select occ_code, tot_emp, a_mean from fct_occupation_wages order by occ_code; select 1e-9 as p",
        "--format",
        "json",
    )
    first, second = out.split("\n\n")
    assert json.loads(first) == [
        {"occ_code": "11-1011", "tot_emp": 158370, "a_mean": 201200.5},
        {"occ_code": "11-2021", "tot_emp": None, "a_mean": None},
        {"occ_code": "11-3031", "tot_emp": 2210, "a_mean": 98760.0},
    ]
    assert json.loads(second) == [{"p": 1e-9}]
    assert err.splitlines() == ["(3 rows)", "(1 row)"]


def test_markdown_format_is_a_table_with_pipes_escaped(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "select occ_code, occ_title, tot_emp from fct_occupation_wages where occ_code <> '11-1011' order by occ_code"
    _, out, _ = run(capsys, sql, "--format", "markdown")
    assert out.splitlines() == [
        "| occ_code | occ_title | tot_emp |",
        "|---|---|---:|",
        "| 11-2021 | Marketing\\x1b[2J \\| Managers | NULL |",
        '| 11-3031 | =HYPERLINK("http://x") | 2210 |',
        "(2 rows)",
    ]


def test_control_characters_of_titles_are_shown_escaped(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "select occ_title from fct_occupation_wages where occ_code = '11-2021'")
    assert "\x1b" not in out and "Marketing\\x1b[2J | Managers" in out


def test_explain_prints_the_plan_drawing_line_by_line(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "explain select occ_code from fct_occupation_wages")
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        [(_, plan)] = con.execute("explain select occ_code from fct_occupation_wages").fetchall()
    assert code == 0 and out.splitlines() == plan.splitlines()


@pytest.mark.parametrize(
    "query",
    [
        "explain analyze copy (select 'x' as x) to 'wage.duckdb' (use_tmp_file false)",
        "explain analyze copy (select 'x' as x) to 'wage.duckdb.wal' (use_tmp_file false)",
        "explain analyze create table memory.main.planted as select 1",
        "select size from read_blob('wage.duckdb')",
        "select * from read_text('.tmp/*')",
        "pragma disable_optimizer",
        "call checkpoint()",
    ],
)
def test_a_hostile_query_is_one_error_line_and_the_file_keeps_its_bytes(
    warehouse: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
) -> None:
    folder = warehouse.warehouse.parent
    monkeypatch.chdir(folder)
    (folder / ".tmp").mkdir(exist_ok=True)
    (folder / ".tmp" / "secret.txt").write_text("secret")
    before = hashlib.sha256(warehouse.warehouse.read_bytes()).hexdigest()
    names = sorted(p.name for p in folder.iterdir())
    code, out, err = run(capsys, query)
    assert code == 2 and out == "" and "secret" not in err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert hashlib.sha256(warehouse.warehouse.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == names


# ---------------------------------------------------------------- bounded input: --file and stdin


def test_a_file_of_exactly_the_size_limit_is_read(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = tmp_path / "q.sql"
    head = "select 41 + 1 as answer;"
    query.write_text(head + " " * (SQL_MAX_BYTES - len(head)))
    code, out, _ = run(capsys, "--file", str(query))
    assert query.stat().st_size == SQL_MAX_BYTES == 1 << 20
    assert (code, out.split()) == (0, ["answer", "------", "42", "(1", "row)"])


def _larger_than_the_limit(folder: Path) -> tuple[Path, str]:
    query = folder / "big.sql"
    query.write_text("select 1;" + " " * SQL_MAX_BYTES)
    return query, "is larger than 1,048,576 bytes"


def _a_folder(folder: Path) -> tuple[Path, str]:
    return folder, "is a folder, not a regular file"


def _dev_zero(folder: Path) -> tuple[Path, str]:
    return Path("/dev/zero"), "is a character device, not a regular file"


def _not_utf8(folder: Path) -> tuple[Path, str]:
    query = folder / "latin1.sql"
    query.write_bytes("select 'Bogotá'".encode("latin-1"))
    return query, "is not UTF-8 text (invalid continuation byte at byte 13)"


@pytest.mark.parametrize(
    "case",
    [_larger_than_the_limit, _a_folder, _dev_zero, _not_utf8],
    ids=["too-large", "folder", "dev-zero", "not-utf8"],
)
def test_a_file_that_is_not_small_regular_text_is_refused_in_one_line(
    warehouse: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case: Callable[[Path], tuple[Path, str]],
) -> None:
    path, problem = case(tmp_path)
    code, out, err = run(capsys, "--file", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {path}: {problem}: --file takes a regular file of SQL (at most 1 MiB)"
    ]


def test_stdin_longer_than_the_size_limit_is_refused(
    warehouse: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("select 1;" + " " * SQL_MAX_BYTES))
    code, out, err = run(capsys, "-")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["error: <stdin>: holds more than 1,048,576 characters of SQL"]
