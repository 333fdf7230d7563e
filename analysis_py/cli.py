"""`wage`: the command line. Thin: parse, set up logging, call one library function, report.

Only this module prints, and only it turns a WageError into `error: <file>: <problem>`
on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis_py.bls import DEFAULT_BASE_URL, KIND_PREFIXES, ZIP_KINDS
from analysis_py.config import DOCS_PORT, Settings
from analysis_py.errors import InputError, WageError
from analysis_py.files import read_small_text
from analysis_py.formatting import csv_text, json_text, markdown_table, money, printable, text_table
from analysis_py.server.options import ServerOptions

if TYPE_CHECKING:
    from analysis_py.warehouse.query import StatementResult

# The library is imported in `_dispatch`, per command: `wage sql` starts in a fraction of a
# second without pandas, dbt, scipy, matplotlib or FastAPI (bench/run_bench.py measures it).

__all__ = ["console_main", "main"]

logger = logging.getLogger("analysis_py.cli")

_KINDS = tuple(dict.fromkeys(kind for _, kind in KIND_PREFIXES))

EXAMPLES = """\
examples:
  wage run                                  ingest data/raw/*.xlsx, build wage.duckdb
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


def _parser() -> argparse.ArgumentParser:
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
        "ingest workbooks (default: every data/raw/*.xlsx), then build and analyze",
        "All or nothing: the raw landing, wage.duckdb and artifacts/ change together or not at all.",
    )
    run.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="BLS .xlsx workbooks")
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
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="BLS .xlsx workbooks")
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
        "--year", type=int, required=True, help="release year, e.g. 2025 (May 2025 estimates)"
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
        type=int,
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


class _OneLineFormatter(logging.Formatter):
    """Each record on one line, control characters escaped: a file name cannot forge an `error:` line."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def _configure_logging(settings: Settings, verbose: bool) -> None:
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("analysis_py")
    root.setLevel(logging.DEBUG)
    root.propagate = False  # dbt configures the root logger; keep our lines ours
    root.handlers.clear()
    to_file = logging.FileHandler(settings.logs_dir / "pipeline.log", encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_file.setLevel(logging.DEBUG)
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setFormatter(_OneLineFormatter("wage: %(message)s"))
    to_stderr.setLevel(logging.DEBUG if verbose else logging.INFO)
    to_stderr.addFilter(_NotPrinted())
    root.addHandler(to_file)
    root.addHandler(to_stderr)


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


def _print_sql(settings: Settings, args: argparse.Namespace) -> None:
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


def _print_export(settings: Settings, args: argparse.Namespace) -> None:
    from analysis_py.warehouse.export import export_query

    summary = export_query(settings.warehouse, args.source, args.to)
    print(f"wrote {summary.path}: {summary.n_rows:,} rows, {summary.n_columns} columns")


def _print_comparison(result: dict, output_format: str) -> None:
    if output_format == "json":
        print(json.dumps(result, indent=2))
        return
    print(result["sentence"])
    for side, label in (("first", result["label_1"]), ("second", result["label_2"])):
        estimate = result[side]
        print(
            f"  {label}: mean {money(estimate['a_mean'])} (se {money(estimate['a_mean_se'])}, MEAN_PRSE {estimate['mean_prse']}%)"
        )
    print(
        f"  difference {money(result['difference'])}, {result['level']:.0%} CI {money(result['ci_low'])} to {money(result['ci_high'])}, "
        f"z = {result['z']:.2f}, p "
        + (f"= {result['p_value']:.3g}" if result["p_value"] > 0 else "< 1e-300")
    )
    print(f"  {result['caution']}")


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "sql":
        _print_sql(settings, args)
        return
    if args.command == "export":
        _print_export(settings, args)
        return
    if args.command == "compare":
        from analysis_py.study.compare_request import comparison
        from analysis_py.warehouse.build import connect_read_only

        with connect_read_only(settings) as con:
            result = comparison(con, args.occ, args.area, args.release)
        _print_comparison(result.to_dict(), args.format)
        return
    if args.command == "serve":
        from analysis_py.server.serve import serve

        options = ServerOptions(
            host=args.host,
            port=args.port,
            cors=args.cors,
            cache_entries=max(args.cache, 0),
            time_limit=args.sql_time_limit,
        )
        serve(settings, options)
        return
    if args.command == "fetch":
        from analysis_py.landing.fetch import fetch_release

        fetched = fetch_release(settings.raw_dir, args.year, args.kind, args.contact, args.base_url)
        for workbook in fetched.workbooks:
            print(
                f"{workbook.action}: {workbook.path} (sha256 {workbook.sha256}, from {fetched.url})"
            )
        return
    if args.command == "docs":
        from analysis_py.warehouse import docs_site

        site = docs_site.publish_docs(settings, args.port if args.serve else None)
        print(
            f"docs site: {site.index} ({site.n_exposures} exposures; {site.static_index.name} opens from disk)"
        )
        return
    from analysis_py import pipeline

    if args.command == "run":
        summary = pipeline.run(settings, args.paths or None, args.year, args.kind)
        total = sum(summary.step_seconds.values())
        logger.info("run: done in %.1f s; warehouse %s", total, settings.warehouse)
    elif args.command == "ingest":
        for landed in pipeline.ingest(settings, args.paths, args.year, args.kind):
            print(
                f"{landed.action}: {landed.source_file} (release {landed.release_year}, {landed.file_kind}, {landed.n_rows} rows)"
            )
    elif args.command == "build":
        built = pipeline.build(settings)
        print(
            f"built {settings.warehouse}: "
            + ", ".join(f"{n} {kind}s" for kind, n in sorted(built.passed.items()))
        )
    elif args.command == "analyze":
        analyzed = pipeline.analyze(settings)
        logger.info(
            "analyze: done in %.1f s; results %s",
            sum(analyzed.step_seconds.values()),
            settings.artifacts_dir / "results.json",
        )
    elif args.command == "remove":
        removed = pipeline.remove_release(settings, args.release, args.kind)
        for gone in removed.landed:
            print(
                f"removed: {gone.source_file} (release {gone.release_year}, {gone.file_kind}, {gone.n_rows} rows)"
            )
        logger.info(
            "remove: done in %.1f s; warehouse %s",
            sum(removed.step_seconds.values()),
            settings.warehouse,
        )
    elif args.command == "cpi-seed":
        values = pipeline.cpi_seed(settings)
        print(
            f"wrote {settings.cpi_seed}: May CPI-U {values[0].release_year}-{values[-1].release_year} ({values[0].series_id})"
        )


#: Commands that only read: they log nothing to logs/pipeline.log.
_READ_ONLY_COMMANDS = ("sql", "export", "compare")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logged = args.command not in _READ_ONLY_COMMANDS
    try:
        settings = Settings.from_env()
        if logged:
            _configure_logging(settings, args.verbose)
            logger.info("wage %s", " ".join(sys.argv[1:] if argv is None else argv))
        _dispatch(args, settings)
    except WageError as exc:
        # The log file gets the failure at ERROR; stderr gets the one `error:` line below (not this record).
        if logged:
            logger.error("failed: %s", exc, extra=_PRINTED)
        first, *context = exc.problem.splitlines() or [""]
        print(printable(f"error: {exc.path}: {first}"), file=sys.stderr)
        for line in context:  # DuckDB's `LINE 1: ...` and its caret
            print(printable(line), file=sys.stderr)
        return 2
    except Exception:
        if logged:
            logger.exception(
                "failed: unexpected error (a bug: please report it with logs/pipeline.log)",
                extra=_PRINTED,
            )
        raise
    return 0


#: `extra` of a log record the CLI prints itself: kept off stderr by `_NotPrinted`.
_PRINTED = {"printed_by_cli": True}


class _NotPrinted(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "printed_by_cli", False)


def console_main() -> None:
    """The `wage` command: `main`, then the process ends without tearing the interpreter down.

    After a run that loaded the analysis stack (pandas, scipy, statsmodels, matplotlib, dbt's
    results), Python's own teardown is slow and does nothing useful: every file and connection is
    closed by the time `main` returns. The logs and the output are flushed first, as the exit handlers
    `os._exit` skips would have (output that cannot be written is an `error:` line and exit 2);
    an exception still ends the normal way, with its traceback.
    """
    # One BLAS thread, set where the program starts and before numpy loads OpenBLAS (a value the
    # user set wins): the analyses' matrices are tall and thin, where OpenBLAS's threads only wait
    # on each other, and one thread makes results.json the same to the last bit on every machine,
    # whatever its core count.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        code = _with_output_flushed(main())
    except (
        BrokenPipeError
    ):  # the reader closed the pipe early (`wage sql ... | head`): it wanted no more
        code = 1  # as Python itself ends on EPIPE, without a traceback
    logging.shutdown()
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def _with_output_flushed(code: int) -> int:
    """`code` once standard output is flushed; 2 (with an `error:` line) when it cannot be written."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # a full disk or a failing device
        print(
            f"error: standard output: {exc.strerror or exc}: the output is incomplete",
            file=sys.stderr,
        )
        return 2
    return code


if __name__ == "__main__":
    console_main()
