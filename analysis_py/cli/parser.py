"""`wage`'s command line: every command, its options, help texts and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis_py.bls import DEFAULT_BASE_URL, KIND_PREFIXES, ZIP_KINDS
from analysis_py.config import DOCS_PORT
from analysis_py.server.options import ServerOptions

__all__ = ["SQL_FORMATS", "SQL_MAX_BYTES", "command_parser"]

_KINDS = tuple(dict.fromkeys(kind for _, kind in KIND_PREFIXES))

EXAMPLES = """\
examples:
  wage run                                  ingest data/raw/*.xls[x], build wage.duckdb
  wage ingest data/raw/state_M2025_dl.xlsx  land one workbook in the raw file
  wage build                                rebuild wage.duckdb from the raw file
  wage analyze                              statistics of wage.duckdb -> schema analysis, artifacts/
  wage docs --serve --port 8000             lineage site in artifacts/docs/, served on 127.0.0.1:8000
  wage sql "select area_title, a_mean from fct_occupation_wages
            where o_group = 'total' and area_type = 2 order by a_mean desc limit 10"
  wage sql --file query.sql --format markdown  every statement of a file, as Markdown tables
  wage export fct_occupation_wages --to wages.parquet
                                            a mart (or a query) to .csv, .parquet or .xlsx
  wage remove --release 2024 --kind national
                                            take May 2024's national workbook out, rebuild
  wage fetch --year 2024 --kind national --contact you@example.org
                                            download BLS's oesm24nat.zip, keep its workbook
  wage serve --port 8765                    API and explorer on http://127.0.0.1:8765/ (docs at /docs)
  wage compare --occ 29-1141 --area CA --area TX
                                            registered nurses' mean wage in two states: difference, CI, z, p

files: wage.duckdb (warehouse, $WAGE_DB), wage_raw.duckdb (raw landing, $WAGE_RAW_DB),
       logs/pipeline.log (one entry per step of every run), artifacts/ (results.json, charts, models)
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wage-warehouse")
    except PackageNotFoundError:
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """`--version`: the installed package's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="print the version and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"wage {_version()}")
        parser.exit()


def command_parser() -> argparse.ArgumentParser:
    """The `wage` command line: every command, its options and help."""
    parser = argparse.ArgumentParser(
        prog="wage",
        description="BLS OEWS wage warehouse: workbooks -> DuckDB (dbt) -> statistics.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also show debug lines (each dbt node) on stderr",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, details: str = "") -> argparse.ArgumentParser:
        """A sub-command whose `--help` starts with its one-line summary (and `details`, if any)."""
        description = (
            summary[0].upper()
            + summary[1:].replace("%%", "%")
            + "."
            + (f"\n\n{details}" if details else "")
        )
        return commands.add_parser(
            name,
            help=summary,
            description=description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    run = command(
        "run",
        "ingest workbooks (default: every data/raw/*.xlsx and *.xls), then build and analyze",
        "All or nothing: the raw landing, wage.duckdb and artifacts/ change together or not at all.",
    )
    run.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="BLS .xlsx or .xls workbooks"
    )
    run.add_argument("--year", type=int, help="release year, when the file name does not give it")
    run.add_argument(
        "--kind",
        choices=_KINDS,
        help="file kind, when the file name does not start with BLS's prefix (state_, national_, ...)",
    )

    ingest = command(
        "ingest",
        "land workbooks in the raw file, every cell as BLS printed it",
        "A workbook landed before with the same SHA-256 is left unchanged.",
    )
    ingest.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="BLS .xlsx or .xls workbooks"
    )
    ingest.add_argument(
        "--year", type=int, help="release year, when the file name does not give it"
    )
    ingest.add_argument(
        "--kind",
        choices=_KINDS,
        help="file kind, when the file name does not start with BLS's prefix (state_, national_, ...)",
    )

    command(
        "build",
        "dbt build (models + tests) into a side file, then publish wage.duckdb",
        "wage.duckdb is replaced only when every model and test passed.",
    )
    command(
        "analyze",
        "statistics of wage.duckdb: schema analysis (on a copy, published atomically) and artifacts/",
        "Writes artifacts/results.json, report.md/.html, charts, models and manifest.json.",
    )

    remove = command(
        "remove", "take a release out of the raw landing, then rebuild and analyze (all or nothing)"
    )
    remove.add_argument(
        "--release",
        type=int,
        required=True,
        metavar="YEAR",
        help="release year to remove, e.g. 2024",
    )
    remove.add_argument(
        "--kind",
        choices=tuple(kind for _, kind in KIND_PREFIXES),
        help="only this file kind (default: every kind of the release)",
    )

    command(
        "cpi-seed",
        "rewrite seeds/cpi_u_may.csv (May CPI-U) from the installed cpi package, offline",
    )

    command(
        "soc-seed",
        "rewrite the SOC crosswalk and OES 2019 hybrid structure seeds from BLS's files in data/soc/",
    )

    command(
        "rpp-seed",
        "rewrite seeds/regional_price_parities.csv from BEA's Regional Price Parity files in data/bea/",
    )

    docs = command(
        "docs", "dbt docs lineage site in artifacts/docs/ (works offline); --serve serves it"
    )
    docs.add_argument(
        "--serve", action="store_true", help="then serve it on 127.0.0.1 until interrupted (Ctrl+C)"
    )
    docs.add_argument(
        "--port",
        type=_port,
        default=DOCS_PORT,
        help="port for --serve (default: %(default)s; 0 picks a free one)",
    )

    sql = command("sql", "run queries against wage.duckdb, opened read-only", SQL_DETAILS)
    sql.add_argument(
        "query",
        nargs="?",
        help="SQL text, several statements separated by `;`, or - to read it from stdin",
    )
    sql.add_argument(
        "--file",
        type=Path,
        help=f"read the SQL from this file instead (a regular file of at most {SQL_MAX_BYTES >> 20} MiB)",
    )
    sql.add_argument(
        "--format", choices=SQL_FORMATS, default="table", help="output format (default: table)"
    )
    sql.add_argument(
        "--max-rows",
        type=_count,
        metavar="N",
        help="print at most N rows of each result and say how many were left out (default: all)",
    )

    export = command(
        "export",
        "write a relation or a query of wage.duckdb (read-only) to .csv, .parquet or .xlsx",
        EXPORT_DETAILS,
    )
    export.add_argument(
        "source",
        metavar="RELATION|QUERY",
        help="a relation (fct_occupation_wages, analysis.test_results) or one SELECT",
    )
    export.add_argument(
        "--to",
        type=Path,
        required=True,
        metavar="FILE",
        help="the file to write; its ending (.csv, .parquet, .xlsx) picks the format",
    )

    get = command(
        "fetch",
        "download a BLS release zip and keep its workbook in data/raw/",
        "BLS asks scripts for a contact e-mail in the User-Agent: --contact or $WAGE_CONTACT_EMAIL.",
    )
    get.add_argument(
        "--year",
        type=int,
        required=True,
        help="release year since 1997, e.g. 2025 (May 2025 estimates)",
    )
    get.add_argument(
        "--kind",
        choices=tuple(ZIP_KINDS),
        required=True,
        help="which workbook: state, national, msa or all (all data)",
    )
    get.add_argument(
        "--contact",
        help="your e-mail, sent to BLS in the User-Agent (default: $WAGE_CONTACT_EMAIL)",
    )
    get.add_argument(
        "--base-url", help=f"where the zips are (default: $WAGE_BLS_BASE_URL or {DEFAULT_BASE_URL})"
    )

    serve_ = command(
        "serve",
        "HTTP API and explorer over wage.duckdb (read-only) on 127.0.0.1",
        "API docs at /docs; a newly published wage.duckdb is served from the next request on.",
    )
    serve_.add_argument(
        "--port",
        type=_port,
        default=ServerOptions.port,
        help="port (default: %(default)s; 0 picks a free one)",
    )
    serve_.add_argument(
        "--host",
        default=ServerOptions.host,
        help="address to bind and Host header to answer (default: %(default)s)",
    )
    serve_.add_argument(
        "--cors",
        action="store_true",
        help="let pages of other origins call the API (Access-Control-Allow-Origin: *)",
    )
    serve_.add_argument(
        "--cache",
        type=_count,
        default=ServerOptions.cache_entries,
        metavar="N",
        help="answers kept in memory per warehouse file (default: %(default)s; 0 queries the warehouse on every request)",
    )
    serve_.add_argument(
        "--sql-time-limit",
        type=_seconds,
        default=ServerOptions.time_limit,
        metavar="SECONDS",
        help="stop an /api/sql query after this long (default: %(default)g)",
    )

    versus = command(
        "compare",
        "two areas, two occupations or two releases: difference, 95%% CI, z, p",
        "Standard errors from BLS's percent relative standard errors (MEAN_PRSE).",
    )
    versus.add_argument(
        "--occ",
        action="append",
        default=[],
        metavar="SOC",
        help="SOC code, e.g. 29-1141 (twice: two occupations)",
    )
    versus.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="AREA",
        help="area code or state abbreviation (twice: two areas)",
    )
    versus.add_argument(
        "--release",
        action="append",
        default=[],
        type=int,
        metavar="YEAR",
        help="release year (twice: two releases)",
    )
    versus.add_argument(
        "--prices",
        choices=("local", "national"),
        default="local",
        help="local: wages as published; national: in U.S.-average prices, each divided by its "
        "area's BEA regional price parity / 100 (default: %(default)s)",
    )
    versus.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    return parser


SQL_FORMATS = ("table", "csv", "json", "markdown")
#: The most SQL `wage sql` reads from --file or stdin: a query is text a person wrote, and a
#: limit keeps a device such as /dev/zero from filling memory.
SQL_MAX_BYTES = 1 << 20

SQL_DETAILS = """\
The warehouse is attached read-only with file access off: only queries run (SELECT, WITH,
FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); COPY, ATTACH, SET, CREATE ... are refused
before anything runs. Write files with `wage export`.

Every statement's result is printed in full, followed by its row count ("(500 rows)"; with
csv and json the count goes to stderr); --max-rows N prints the first N and says how many
were left out. Numbers print as DuckDB holds them (1e-09, 158370). Control characters in
text are shown escaped; csv cells that start like a formula get a leading apostrophe.
An error prints `error: <warehouse>: <DuckDB's message>`, then DuckDB's LINE and caret
lines when it gives them; exit code 2."""

EXPORT_DETAILS = """\
The file is written whole, then renamed into place. CSV cells that start like a formula
(= + - @) get a leading apostrophe; .xlsx text cells are stored as text, never as formulas."""


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _port(text: str) -> int:
    """A TCP port for --port: 1 to 65535, or 0 for a free one the system picks."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port number (0 to 65535; 0 picks a free one)"
        )
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value
