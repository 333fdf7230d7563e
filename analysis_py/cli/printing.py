"""What `wage sql`, `wage export` and `wage compare` print, and where `wage sql` reads its SQL."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from analysis_py.cli.parser import SQL_MAX_BYTES
from analysis_py.config import Settings
from analysis_py.errors import InputError
from analysis_py.files import read_small_text
from analysis_py.formatting import csv_text, json_text, markdown_table, money, printable, text_table

if TYPE_CHECKING:
    from analysis_py.warehouse.query import StatementResult

__all__ = ["print_comparison", "print_export", "print_sql"]


def _sql_text(args: argparse.Namespace) -> tuple[str, str]:
    """(the SQL, the file its errors name): from --file, stdin (`-`) or the argument."""
    if args.file is not None and args.query is not None:
        raise InputError(
            str(args.file), "give the SQL either as an argument or with --file, not both"
        )
    if args.file is not None:
        try:
            return read_small_text(args.file, SQL_MAX_BYTES), str(args.file)
        except OSError as exc:
            raise InputError(str(args.file), f"cannot be read: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise InputError(
                str(args.file),
                f"{exc}: --file takes a regular file of SQL (at most {SQL_MAX_BYTES >> 20} MiB)",
            ) from None
    if args.query is None:
        raise InputError(
            "query", "no SQL given: pass it as an argument, - for stdin, or --file PATH"
        )
    if args.query == "-":
        text = sys.stdin.read(SQL_MAX_BYTES + 1)
        if len(text) > SQL_MAX_BYTES:
            raise InputError("<stdin>", f"holds more than {SQL_MAX_BYTES:,} characters of SQL")
        return text, "<stdin>"
    return args.query, "query"


def print_sql(settings: Settings, args: argparse.Namespace) -> None:
    from analysis_py.warehouse.query import statement_results

    sql, source = _sql_text(args)
    for result in statement_results(
        settings.warehouse,
        sql,
        str(settings.warehouse) if source == "query" else source,
        args.max_rows,
    ):
        if result.number > 1:
            print()
        _print_result(result, args.format)


def _print_result(result: StatementResult, output_format: str) -> None:
    """One statement's result on stdout; its row count on stdout (table, markdown) or stderr (csv, json)."""
    if (
        result.is_explain and output_format == "table"
    ):  # DuckDB's plan drawing, line by line as the DuckDB CLI shows it
        print(
            "\n".join(printable(line) for row in result.rows for line in str(row[-1]).splitlines())
        )
        return
    render = {"csv": csv_text, "json": json_text, "markdown": markdown_table, "table": text_table}[
        output_format
    ]
    print(render(result.columns, result.rows), end="" if output_format == "csv" else "\n")
    count = f"({result.n_rows:,} row{'' if result.n_rows == 1 else 's'}"
    count += (
        f", {result.n_hidden:,} not shown: --max-rows {len(result.rows)})"
        if result.n_hidden
        else ")"
    )
    print(count, file=sys.stderr if output_format in ("csv", "json") else sys.stdout)


def print_export(settings: Settings, args: argparse.Namespace) -> None:
    from analysis_py.warehouse.export import export_query

    summary = export_query(settings.warehouse, args.source, args.to)
    print(f"wrote {summary.path}: {summary.n_rows:,} rows, {summary.n_columns} columns")


def print_comparison(result: dict, output_format: str) -> None:
    if output_format == "json":
        print(json.dumps(result, indent=2))
        return
    hourly = result["measure"] == "h_mean"
    # hourly means in cents ($58.29 an hour), annual ones in whole dollars

    def amount(value: float) -> str:
        return f"{'-' if value < 0 else ''}${abs(value):,.2f}" if hourly else money(value)

    what = "hourly mean" if hourly else "mean"
    if result.get("prices") == "national":
        what += " at U.S.-average prices"
    print(result["sentence"])
    for side, label, key in (("first", result["label_1"], "1"), ("second", result["label_2"], "2")):
        prse = result[side]["mean_prse"]
        exact = "; exact: BLS counts every worker" if prse == 0 else ""
        print(
            f"  {label}: {what} {amount(result[f'estimate_{key}'])} "
            f"(se {amount(result[f'se_{key}'])}, MEAN_PRSE {prse}%{exact})"
        )
    if result["z"] is None:  # both exact: no sampling error, so no z or p
        print(
            f"  difference {amount(result['difference'])}, exact on both sides: the difference is exact"
        )
    else:
        print(
            f"  difference {amount(result['difference'])}, {result['level']:.0%} CI "
            f"{amount(result['ci_low'])} to {amount(result['ci_high'])}, z = {result['z']:.2f}, p "
            + (f"= {result['p_value']:.3g}" if result["p_value"] > 0 else "< 1e-300")
        )
    print(f"  {result['caution']}")
