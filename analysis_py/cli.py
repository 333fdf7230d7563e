"""`wage`: the command line. Thin: parse, set up logging, call one library function, report.

Only this module prints, and only it turns a WageError into `error: <file>: <problem>`
on stderr with exit code 2.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import duckdb

from analysis_py import pipeline
from analysis_py.bls import DEFAULT_BASE_URL, KIND_PREFIXES, ZIP_KINDS
from analysis_py.config import Settings
from analysis_py.errors import WageError
from analysis_py.formatting import money, printable, spreadsheet_safe
from analysis_py.landing.fetch import fetch_release
from analysis_py.server.app import ServerOptions
from analysis_py.server.serve import serve
from analysis_py.study.lookup import comparison
from analysis_py.warehouse import docs_site
from analysis_py.warehouse.build import connect_read_only

__all__ = ["main"]

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wage",
        description="BLS OEWS wage warehouse: workbooks -> DuckDB (dbt) -> statistics.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also show debug lines (each dbt node) on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="ingest workbooks (default: every data/raw/*.xlsx), then build and analyze")
    run.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="BLS .xlsx workbooks")
    run.add_argument("--year", type=int, help="release year, when the file name does not give it")
    run.add_argument("--kind", choices=_KINDS, help="file kind, when the file name does not start with BLS's prefix (state_, national_, ...)")

    ingest = commands.add_parser("ingest", help="land workbooks in the raw file, every cell as BLS printed it")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="BLS .xlsx workbooks")
    ingest.add_argument("--year", type=int, help="release year, when the file name does not give it")
    ingest.add_argument("--kind", choices=_KINDS, help="file kind, when the file name does not start with BLS's prefix (state_, national_, ...)")

    commands.add_parser("build", help="dbt build (models + tests) into a side file, then publish wage.duckdb")
    commands.add_parser("analyze", help="statistics of wage.duckdb: schema analysis (on a copy, published atomically) and artifacts/")

    remove = commands.add_parser("remove", help="take a release out of the raw landing, then rebuild and analyze (all or nothing)")
    remove.add_argument("--release", type=int, required=True, metavar="YEAR", help="release year to remove, e.g. 2024")
    remove.add_argument("--kind", choices=tuple(kind for _, kind in KIND_PREFIXES), help="only this file kind (default: every kind of the release)")

    commands.add_parser("cpi-seed", help="rewrite seeds/cpi_u_may.csv (May CPI-U) from the installed cpi package, offline")

    docs = commands.add_parser("docs", help="dbt docs lineage site in artifacts/docs/ (works offline); --serve serves it")
    docs.add_argument("--serve", action="store_true", help="then serve it on 127.0.0.1 until interrupted (Ctrl+C)")
    docs.add_argument("--port", type=int, default=docs_site.DEFAULT_PORT, help="port for --serve (default: %(default)s; 0 picks a free one)")

    sql = commands.add_parser("sql", help="run one query against wage.duckdb, opened read-only")
    sql.add_argument("query", help="SQL text, e.g. \"select count(*) from fct_occupation_wages\"")
    sql.add_argument("--format", choices=("table", "csv"), default="table", help="output format (default: table)")

    get = commands.add_parser("fetch", help="download a BLS release zip and keep its workbook in data/raw/")
    get.add_argument("--year", type=int, required=True, help="release year, e.g. 2025 (May 2025 estimates)")
    get.add_argument("--kind", choices=tuple(ZIP_KINDS), required=True, help="which workbook: state, national, msa or all (all data)")
    get.add_argument("--contact", help="your e-mail, sent to BLS in the User-Agent (default: $WAGE_CONTACT_EMAIL)")
    get.add_argument("--base-url", help=f"where the zips are (default: $WAGE_BLS_BASE_URL or {DEFAULT_BASE_URL})")

    serve_ = commands.add_parser("serve", help="HTTP API and explorer over wage.duckdb (read-only) on 127.0.0.1")
    serve_.add_argument("--port", type=int, default=ServerOptions.port, help="port (default: %(default)s; 0 picks a free one)")
    serve_.add_argument("--host", default=ServerOptions.host, help="address to bind and Host header to answer (default: %(default)s)")
    serve_.add_argument("--cors", action="store_true", help="let pages of other origins call the API (Access-Control-Allow-Origin: *)")
    serve_.add_argument(
        "--cache", type=int, default=ServerOptions.cache_entries, metavar="N",
        help="answers kept in memory per warehouse file (default: %(default)s; 0 queries the warehouse on every request)",
    )  # fmt: skip

    versus = commands.add_parser("compare", help="two areas, two occupations or two releases: difference, 95%% CI, z, p")
    versus.add_argument("--occ", action="append", default=[], metavar="SOC", help="SOC code, e.g. 29-1141 (twice: two occupations)")
    versus.add_argument("--area", action="append", default=[], metavar="AREA", help="area code or state abbreviation (twice: two areas)")
    versus.add_argument("--release", action="append", default=[], type=int, metavar="YEAR", help="release year (twice: two releases)")
    versus.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    return parser


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
    root.addHandler(to_file)
    root.addHandler(to_stderr)


def _print_query(settings: Settings, query: str, output_format: str) -> None:
    with connect_read_only(settings) as con:
        relation = con.sql(query) if query.strip() else None
        frame = relation.df() if relation is not None else None
    if frame is None:
        if query.strip():
            print("ok: the statement ran; it returns no rows")
        return
    # Text comes from workbooks: control characters shown escaped, formula-like cells neutralised in CSV.
    safe = (lambda text: spreadsheet_safe(printable(text))) if output_format == "csv" else printable
    for name in frame.select_dtypes(include=["object", "string"]).columns:
        frame[name] = frame[name].map(lambda value: safe(value) if isinstance(value, str) else value)
    frame.columns = [safe(str(name)) for name in frame.columns]
    if output_format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        shown = frame.astype(object).where(frame.notna(), "NULL")  # SQL's NULL, not pandas' NaN/<NA>
        print(shown.to_string(index=False, max_rows=200) if len(frame) else "  ".join(frame.columns) + "\n(0 rows)")


def _print_comparison(result: dict, output_format: str) -> None:
    if output_format == "json":
        print(json.dumps(result, indent=2))
        return
    print(result["sentence"])
    for side, label in (("first", result["label_1"]), ("second", result["label_2"])):
        estimate = result[side]
        print(f"  {label}: mean {money(estimate['a_mean'])} (se {money(estimate['a_mean_se'])}, MEAN_PRSE {estimate['mean_prse']}%)")
    print(f"  difference {money(result['difference'])}, {result['level']:.0%} CI {money(result['ci_low'])} to {money(result['ci_high'])}, "
          f"z = {result['z']:.2f}, p " + (f"= {result['p_value']:.3g}" if result["p_value"] > 0 else "< 1e-300"))
    print(f"  {result['caution']}")


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "run":
        summary = pipeline.run(settings, args.paths or None, args.year, args.kind)
        total = sum(summary.step_seconds.values())
        logger.info("run: done in %.1f s; warehouse %s", total, settings.warehouse)
    elif args.command == "ingest":
        for result in pipeline.ingest(settings, args.paths, args.year, args.kind):
            print(f"{result.action}: {result.source_file} (release {result.release_year}, {result.file_kind}, {result.n_rows} rows)")
    elif args.command == "build":
        summary = pipeline.build(settings)
        print(f"built {settings.warehouse}: " + ", ".join(f"{n} {kind}s" for kind, n in sorted(summary.passed.items())))
    elif args.command == "analyze":
        summary = pipeline.analyze(settings)
        logger.info("analyze: done in %.1f s; results %s", sum(summary.step_seconds.values()), settings.artifacts_dir / "results.json")
    elif args.command == "remove":
        summary = pipeline.remove_release(settings, args.release, args.kind)
        for result in summary.landed:
            print(f"removed: {result.source_file} (release {result.release_year}, {result.file_kind}, {result.n_rows} rows)")
        logger.info("remove: done in %.1f s; warehouse %s", sum(summary.step_seconds.values()), settings.warehouse)
    elif args.command == "cpi-seed":
        values = pipeline.cpi_seed(settings)
        print(f"wrote {settings.cpi_seed}: May CPI-U {values[0].release_year}-{values[-1].release_year} ({values[0].series_id})")
    elif args.command == "docs":
        site = docs_site.publish_docs(settings, args.port if args.serve else None)
        print(f"docs site: {site.index} ({site.n_exposures} exposures; {site.static_index.name} opens from disk)")
    elif args.command == "sql":
        _print_query(settings, args.query, args.format)
    elif args.command == "serve":
        serve(settings, ServerOptions(host=args.host, port=args.port, cors=args.cors, cache_entries=max(args.cache, 0)))
    elif args.command == "compare":
        with connect_read_only(settings) as con:
            result = comparison(con, args.occ, args.area, args.release)
        _print_comparison(result.to_dict(), args.format)
    elif args.command == "fetch":
        result = fetch_release(settings.raw_dir, args.year, args.kind, args.contact, args.base_url)
        for workbook in result.workbooks:
            print(f"{workbook.action}: {workbook.path} (sha256 {workbook.sha256}, from {result.url})")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command not in ("sql", "compare"):
            _configure_logging(settings, args.verbose)
            logger.info("wage %s", " ".join(sys.argv[1:] if argv is None else argv))
        _dispatch(args, settings)
    except WageError as exc:
        logger.debug("failed: %s", exc)
        print(printable(f"error: {exc.path}: {exc.problem}"), file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        if args.command != "sql":
            raise
        print(printable(f"error: {settings.warehouse}: {exc}"), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
