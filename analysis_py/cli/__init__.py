"""`wage`: the command line. Thin: parse, set up logging, call one library function, report.

Only this package prints (`printing` says what), and only this module turns a WageError into `error: <file>: <problem>`
on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys

from analysis_py.cli.parser import command_parser
from analysis_py.cli.printing import print_comparison, print_export, print_sql
from analysis_py.config import Settings
from analysis_py.errors import WageError
from analysis_py.formatting import printable
from analysis_py.server.options import ServerOptions

# The library is imported in `_dispatch`, per command: `wage sql` starts in a fraction of a
# second without pandas, dbt, scipy, matplotlib or FastAPI (bench/run_bench.py measures it).

__all__ = ["console_main", "main"]

logger = logging.getLogger("analysis_py.cli")


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


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "sql":
        print_sql(settings, args)
        return
    if args.command == "export":
        print_export(settings, args)
        return
    if args.command == "compare":
        from analysis_py.study.compare_request import comparison
        from analysis_py.warehouse.build import connect_read_only

        with connect_read_only(settings) as con:
            result = comparison(con, args.occ, args.area, args.release, prices=args.prices)
        print_comparison(result.to_dict(), args.format)
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
    elif args.command == "rpp-seed":
        values = pipeline.rpp_seed(settings)
        areas = len({(value.source_file, value.geo_fips) for value in values})
        print(
            f"wrote {settings.seeds_dir / 'regional_price_parities.csv'}: {len(values)} RPPs of "
            f"{areas} areas, {min(v.rpp_year for v in values)}-{max(v.rpp_year for v in values)} "
            f"(BEA, released {values[0].release_date})"
        )
    elif args.command == "soc-seed":
        for seed in pipeline.soc_seed(settings):
            print(
                f"wrote {seed.path}: {seed.n_rows} rows ({seed.n_from_codes} -> {seed.n_to_codes} codes) from {seed.source_file}"
            )


#: Commands that only read: they log nothing to logs/pipeline.log.
_READ_ONLY_COMMANDS = ("sql", "export", "compare")


def main(argv: list[str] | None = None) -> int:
    args = command_parser().parse_args(argv)
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
