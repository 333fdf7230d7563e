"""`wage` command line with the library stubbed (or with no dbt to reach): exit codes, output, the one `error:` line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from analysis_py import pipeline
from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.errors import BuildError, BusyError, InputError
from analysis_py.pipeline import RunSummary
from analysis_py.warehouse import docs_site
from analysis_py.warehouse.build import BuildSummary
from tests.conftest import two_state_rows, write_workbook


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_help_documents_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    for command in ("run", "ingest", "build", "sql"):
        assert command in out


def test_missing_file_is_one_error_line_and_exit_2(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "state_M2025_dl.xlsx"
    assert main(["ingest", str(missing)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if line.startswith("error:")] == [
        f"error: {missing}: file does not exist"
    ]


def test_sql_before_any_build_says_to_run_first(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select 1"]) == 2
    assert "wage run" in capsys.readouterr().err


def test_ingest_prints_what_it_landed(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows())
    assert main(["ingest", str(path)]) == 0
    assert main(["ingest", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "landed: state_M2025_dl.xlsx (release 2025, state, 2 rows)",
        "unchanged: state_M2025_dl.xlsx (release 2025, state, 2 rows)",
    ]


# ---------------------------------------------------------------- the library stubbed


def test_run_passes_the_paths_and_year_to_the_pipeline(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(
        pipeline,
        "run",
        lambda s, paths, year, kind: (
            calls.append((s, paths, year)) or RunSummary(step_seconds={"ingest": 1.0})
        ),
    )
    assert main(["run", "a.xlsx", "b.xlsx", "--year", "2023"]) == 0
    assert calls == [(settings, [Path("a.xlsx"), Path("b.xlsx")], 2023)]


def test_run_without_paths_lets_the_pipeline_find_the_workbooks(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(
        pipeline, "run", lambda s, paths, year, kind: calls.append((paths, year)) or RunSummary()
    )
    assert main(["run"]) == 0
    assert calls == [(None, None)]


@pytest.mark.parametrize(
    ("command", "target", "error"),
    [
        (["run"], "run", InputError("data/raw/x.xlsx", "is a CSV file renamed .xlsx")),
        (
            ["build"],
            "build",
            BuildError("wage.duckdb", "dbt build failed, the warehouse was not changed: test x"),
        ),
        (["analyze"], "analyze", BusyError("wage.duckdb", "another build is running (pid 1)")),
    ],
)
def test_a_library_error_is_one_error_line_and_exit_2(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    target: str,
    error: Exception,
) -> None:
    def fail(*args: object) -> None:
        raise error

    monkeypatch.setattr(pipeline, target, fail)
    assert main(command) == 2
    captured = capsys.readouterr()
    assert error_lines(captured.err) == [f"error: {error.path}: {error.problem}"]
    assert captured.out == ""


def test_an_unexpected_exception_is_not_swallowed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(pipeline, "run", crash)
    with pytest.raises(RuntimeError, match="bug"):
        main(["run"])


def test_build_prints_what_passed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        pipeline,
        "build",
        lambda s: BuildSummary(passed={"test": 81, "model": 6}, seconds=1.0, failures=[]),
    )
    assert main(["build"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"built {settings.warehouse}: 6 models, 81 tests"
    ]


def test_docs_prints_where_the_site_is(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = docs_site.DocsSite(
        directory=tmp_path / "docs",
        n_models=6,
        n_seeds=5,
        n_sources=2,
        n_exposures=5,
        undocumented=(),
        seconds=1.0,
    )
    ports = []
    monkeypatch.setattr(docs_site, "publish_docs", lambda s, port: ports.append(port) or site)
    assert main(["docs"]) == 0
    assert main(["docs", "--serve", "--port", "0"]) == 0
    assert ports == [None, 0]
    assert (
        capsys.readouterr().out.splitlines()[0]
        == f"docs site: {site.index} (5 exposures; static_index.html opens from disk)"
    )


def test_every_run_is_logged_to_the_pipeline_log(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "run", lambda *args: RunSummary())
    assert main(["run", "x.xlsx"]) == 0
    assert "wage run x.xlsx" in (settings.logs_dir / "pipeline.log").read_text()


# ---------------------------------------------------------------- `wage sql` on a small warehouse written here


def test_sql_prints_csv(tiny_warehouse: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "select count(*) as n from fct_occupation_wages", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "2"]


def test_sql_prints_null_for_missing_values(
    tiny_warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select a_mean from fct_occupation_wages where occ_code = '11-2021'"]) == 0
    assert capsys.readouterr().out.split() == ["a_mean", "------", "NULL", "(1", "row)"]


def test_sql_error_starts_with_one_error_line_naming_the_warehouse(
    tiny_warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "select * from no_such_table"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"error: {tiny_warehouse.warehouse}: Catalog Error")
    assert error_lines("\n".join(err)) == [err[0]]


def test_sql_opens_the_warehouse_read_only(
    tiny_warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "create table t (x integer)"]) == 2
    assert "read-only" in capsys.readouterr().err


# ---------------------------------------------------------------- small things


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"wage {version('wage-warehouse')}\n"


def test_every_command_help_has_a_description() -> None:
    from analysis_py.cli.parser import command_parser

    [commands] = [
        action
        for action in command_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    assert len(commands.choices) >= 12
    for name, sub in commands.choices.items():
        help_text = sub.format_help()
        assert (
            sub.description
            and sub.description.splitlines()[0] in help_text
            and "%%" not in help_text
        ), name


def test_fetch_without_a_contact_says_one_is_needed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WAGE_CONTACT_EMAIL", raising=False)
    assert (
        main(["fetch", "--year", "2025", "--kind", "state", "--base-url", "http://127.0.0.1:9/"])
        == 2
    )
    [line] = error_lines(capsys.readouterr().err)
    assert line.startswith("error: --contact: no contact e-mail given") and "None" not in line


def test_ingesting_a_text_file_says_it_is_not_a_workbook(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Wages\n\nSome text.\n")
    assert main(["ingest", str(readme), "--year", "2025", "--kind", "state"]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert (
        line
        == f"error: {readme}: is not an .xlsx workbook: it is a text file (it starts with '# Wages'); give a BLS .xlsx workbook"
    )


def test_a_failure_is_logged_at_error_and_printed_once(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "state_M2025_dl.xlsx"
    assert main(["ingest", str(missing)]) == 2
    assert (
        f"ERROR analysis_py.cli: failed: {missing}: file does not exist"
        in (settings.logs_dir / "pipeline.log").read_text()
    )
    assert [line for line in capsys.readouterr().err.splitlines() if "does not exist" in line] == [
        f"error: {missing}: file does not exist"
    ]


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "soon"])
def test_serve_refuses_a_sql_time_limit_that_is_not_a_positive_number(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--sql-time-limit", value])
    assert stop.value.code == 2
    assert (
        f"argument --sql-time-limit: {value} is not a positive number of seconds"
        in capsys.readouterr().err
    )


def test_serve_passes_its_sql_time_limit_to_the_server(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from analysis_py.server import serve

    started = []
    monkeypatch.setattr(serve, "serve", lambda _, options: started.append(options))
    assert main(["serve", "--sql-time-limit", "2.5"]) == 0
    assert [options.time_limit for options in started] == [2.5]


@pytest.mark.parametrize("command", ["serve", "docs"])
@pytest.mark.parametrize("value", ["70000", "65536", "-1", "eighty", "80.5", ""])
def test_a_port_outside_0_to_65535_is_refused_before_anything_runs(
    command: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--port", value])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"wage {command}: error: argument --port: {value!r} is not a port number "
        "(0 to 65535; 0 picks a free one)"
    )


@pytest.mark.parametrize("value", ["0", "65535"])
def test_serve_takes_the_ports_at_both_ends_of_the_range(
    value: str, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from analysis_py.server import serve

    started = []
    monkeypatch.setattr(serve, "serve", lambda _, options: started.append(options))
    assert main(["serve", "--port", value]) == 0
    assert [options.port for options in started] == [int(value)]
