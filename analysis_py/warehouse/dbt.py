"""The one way this project starts dbt: a child process on this project, its profile and log folder.

dbt runs in a child process, never in-process: dbt-duckdb caches its DuckDB connection at
module level, which would block re-opening the side file. The child dies with the process
that started it (Linux PR_SET_PDEATHSIG), so a killed build leaves no dbt writing on behind
it. `wage build` and `wage docs` both call `run_dbt`; `wage run` starts the child early
(`start_dbt`) so that it imports dbt and parses the project (seconds) while the workbooks
are ingested, and lets it go (`StartedDbt.run`) when the raw landing is ready.

dbt's fixed costs are paid once. dbt re-parses the whole project when the profile's
connection details change, and the side file, the staged raw landing and every test's
warehouse have paths of their own. So dbt always sees the same two relative paths,
`wage.duckdb` and `wage_raw.duckdb`, from its working folder, this warehouse's target
folder, where they are symbolic links to the files of this build. Its partial-parse state
(`partial_parse.msgpack`) then fits every build; a new target folder starts from the last
one the checkout saved (dbt parses in full by itself whenever that does not fit). The child
parses as soon as dbt is imported, before it is let go: a long ingest hides the parse too.
Of the nodes ready to run, it takes the one with the longest chain of nodes after it first
(dbt's own order is shallowest first), so the models the marts wait for go before the seeds' tests.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from analysis_py.config import Settings

__all__ = ["DbtRun", "StartedDbt", "failing_rows", "run_dbt", "start_dbt", "target_dir"]

logger = logging.getLogger(__name__)

#: What dbt's profile (profiles.yml) opens, relative to dbt's working folder: the same for every build.
_WAREHOUSE_LINK, _RAW_LINK = "wage.duckdb", "wage_raw.duckdb"
#: The names dbt's compiled SQL gives them: DuckDB's for the file, the profile's `alias` for the raw landing.
_WAREHOUSE_CATALOG, _RAW_CATALOG = "wage", "raw"
#: The line the child prints once let go: its output from there on is that of `dbt ARGS`.
_LET_GO = "wage: dbt let go"
#: The node results the child writes (dbt's own run_results.json is not written: `--no-write-json`).
_RESULTS = "wage_results.json"
_PARTIAL_PARSE = "partial_parse.msgpack"

#: dbt in a process the kernel kills when the build that started it dies (Linux
#: PR_SET_PDEATHSIG): it imports dbt and parses the project, waits for "go" on stdin (end of
#: input: nothing to do), runs `dbt ARGS` and writes each node's result to RESULTS (a failed
#: data test with its compiled query, which finds its failing rows again: `failing_rows`).
_DBT_LAUNCHER = """\
import ctypes, json, logging, os, signal, sys
parent, results, let_go = int(sys.argv[1]), sys.argv[2], sys.argv[3]
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: dbt ends at its next line of output instead (broken pipe)
if os.getppid() != parent:
    sys.exit("wage: the build that started dbt is gone")
from dbt.cli.main import dbtRunner
from dbt.graph.queue import GraphQueue
import networkx
def longest_chain_first(queue, graph):
    # dbt takes ready nodes shallowest first: the seeds' tests would all run before the first model
    # of the chain through the marts, which is what the build waits for; this takes the ready node
    # with the longest chain of nodes after it first (the order only; dependencies are kept)
    after = {}
    for node in reversed(list(networkx.topological_sort(graph))):
        after[node] = 1 + max((after[child] for child in graph.successors(node)), default=-1)
    return {node: -length for node, length in after.items()}
GraphQueue._get_scores = longest_chain_first
n_project = int(sys.argv[4])
project, args = sys.argv[5 : 5 + n_project], sys.argv[5 + n_project :]
# The project is parsed before "go", while the workbooks are ingested: dbt ARGS then starts
# from that manifest (a parse that fails is left to dbt ARGS, which parses again and says why).
parsed = dbtRunner().invoke(["parse", "--no-write-json", *project])
if sys.stdin.readline().strip() != "go":
    sys.exit(0)
print(let_go, flush=True)
done = dbtRunner(manifest=parsed.result if parsed.success else None).invoke([*args, *project])
if done.exception is not None:
    print(f"Encountered an error:\\n{done.exception}", flush=True)
nodes = getattr(done.result, "results", None) or []
def result(r):
    node = {"unique_id": r.node.unique_id, "status": str(r.status), "message": r.message}
    if node["status"] == "fail":
        node["compiled_code"] = getattr(r.node, "compiled_code", None)
    return node
with open(results, "w", encoding="utf-8") as out:
    json.dump([result(r) for r in nodes], out)
# Exit without tearing down dbt's heap (about half a second of garbage collection): close DuckDB
# (a checkpoint) and flush the logs first, as the atexit handlers os._exit skips would have.
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
DuckDBConnectionManager.close_all_connections()
logging.shutdown()
sys.stdout.flush()
os._exit(0 if done.success else 2 if done.exception is not None else 1)
"""


@dataclass(frozen=True)
class DbtRun:
    """What one dbt command did: exit code, its output lines, node results, duration."""

    returncode: int
    output: tuple[str, ...]
    results: tuple[dict[str, Any], ...]
    seconds: float

    def error_text(self) -> str:
        """The lines dbt printed after 'Encountered an error:' (else its last lines), folded into one."""
        marker = next(
            (i for i, line in enumerate(self.output) if "Encountered an error" in line), None
        )
        lines = self.output[marker + 1 : marker + 8] if marker is not None else self.output[-8:]
        return " ".join(line.strip() for line in lines if line.strip())[:500] or "see logs/dbt.log"


def target_dir(settings: Settings) -> Path:
    """dbt's target folder for this warehouse: `target/` for the project's own `wage.duckdb`, else
    `<warehouse>.dbt-target/` beside the warehouse file.

    Each warehouse has its own, so two builds of different warehouses from one checkout
    (each under its own build lock) never read each other's run_results.json or
    partial-parse state; builds of one warehouse share it (one at a time, under its lock).
    """
    real = Path(os.path.realpath(settings.warehouse))
    if real == settings.root / "wage.duckdb":
        return settings.root / "target"
    return real.with_name(real.name + ".dbt-target")


class StartedDbt:
    """A dbt child process that imports dbt and parses the project, then waits to be let go (`run`) or ended (`close`)."""

    def __init__(self, settings: Settings, args: list[str], target: Path) -> None:
        self.target = target
        target.mkdir(parents=True, exist_ok=True)
        project = [
            "--project-dir",
            str(settings.root),
            "--profiles-dir",
            str(settings.root),
            "--log-path",
            str(settings.logs_dir),
            "--target-path",
            str(target),
        ]
        # what dbt parses with (anything that changes the parse, such as --vars, belongs here), then ARGS
        command = [
            sys.executable,
            "-c",
            _DBT_LAUNCHER,
            str(os.getpid()),
            str(target / _RESULTS),
            _LET_GO,
            str(len(project)),
            *project,
            *args,
        ]
        env = {
            **os.environ,
            "WAGE_DB": _WAREHOUSE_LINK,
            "WAGE_RAW_DB": _RAW_LINK,
            "DBT_USE_COLORS": "false",
        }
        self._seed = settings.root / "target" / _PARTIAL_PARSE
        self._start_from_saved_parse_state()  # before the child parses
        self._child = subprocess.Popen(
            command,
            cwd=target,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def run(self, database: Path, raw_db: Path) -> DbtRun:
        """Let dbt go on `database` (built or read) with the raw landing `raw_db` attached; never raises on dbt's failure."""
        started = time.perf_counter()
        self._link(database, raw_db)
        child = self._child
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write("go\n")
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child is gone already: its output and exit code say why
        output: list[str] = []
        for line in child.stdout:
            logger.debug("dbt: %s", line.rstrip())
            if line.rstrip() == _LET_GO:
                output.clear()  # what the parse said before: a parse that failed is said again by dbt ARGS
            else:
                output.append(line.rstrip())
        child.wait()
        self._unlink(database)
        self._save_parse_state()
        return DbtRun(
            returncode=child.returncode,
            output=tuple(output),
            results=tuple(_run_results(self.target / _RESULTS)),
            seconds=time.perf_counter() - started,
        )

    def close(self) -> None:
        """End the child unless it ran. Before "go" it has only imported dbt and parsed the project: killing it
        loses nothing but, at worst, the partial-parse state it was writing (dbt then parses in full next time)."""
        child = self._child
        if child.poll() is None:
            child.kill()
        for stream in (child.stdin, child.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        child.wait()

    def __enter__(self) -> StartedDbt:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _start_from_saved_parse_state(self) -> None:
        """A new target folder starts from the partial-parse state the checkout saved last."""
        state = self.target / _PARTIAL_PARSE
        if not state.exists() and self._seed.exists() and self._seed != state:
            try:
                shutil.copy2(
                    self._seed, state
                )  # with its time: `_save_parse_state` copies back only newer ones
            except OSError as exc:
                logger.debug("dbt: no partial-parse state copied from %s: %s", self._seed, exc)

    def _link(self, database: Path, raw_db: Path) -> None:
        """dbt's two constant paths, pointing at this build's files."""
        for name in (_WAREHOUSE_LINK, _RAW_LINK):
            for stale in (
                self.target / name,
                self.target / f"{name}.wal",
            ):  # a WAL a killed dbt left here
                stale.unlink(missing_ok=True)
        (self.target / _WAREHOUSE_LINK).symlink_to(os.path.abspath(database))
        (self.target / _RAW_LINK).symlink_to(os.path.abspath(raw_db))
        (self.target / _RESULTS).unlink(missing_ok=True)  # a stale file would report an older run

    def _unlink(self, database: Path) -> None:
        """Remove the links; a write-ahead log DuckDB left beside the link goes beside its database."""
        wal = self.target / f"{_WAREHOUSE_LINK}.wal"
        if wal.exists():
            os.replace(wal, database.with_name(database.name + ".wal"))
        for name in (_WAREHOUSE_LINK, _RAW_LINK):
            (self.target / name).unlink(missing_ok=True)

    def _save_parse_state(self) -> None:
        """Keep this target folder's newer partial-parse state as the one new target folders start from."""
        state = self.target / _PARTIAL_PARSE
        try:
            if state == self._seed or not state.exists():
                return
            if self._seed.exists() and self._seed.stat().st_mtime >= state.stat().st_mtime:
                return
            self._seed.parent.mkdir(exist_ok=True)
            partial = self._seed.with_name(f"{_PARTIAL_PARSE}.{os.getpid()}.partial")
            shutil.copyfile(state, partial)
            os.replace(partial, self._seed)
        except OSError as exc:
            logger.debug("dbt: partial-parse state not saved to %s: %s", self._seed, exc)


def start_dbt(settings: Settings, args: list[str], target: Path | None = None) -> StartedDbt:
    """A dbt child process for `dbt ARGS`, importing dbt and parsing the project now; let it go with `run`
    (use it as a context manager).

    `target`: dbt's target folder and working folder (default: this warehouse's own, `target_dir`).
    """
    return StartedDbt(settings, args, target or target_dir(settings))


def run_dbt(
    settings: Settings, args: list[str], database: Path, raw_db: Path, target: Path | None = None
) -> DbtRun:
    """`dbt ARGS` on `database` (built or read) with the raw landing `raw_db` attached; never raises on dbt's failure.

    `target`: dbt's target folder (default: this warehouse's own, `target_dir`).
    """
    with start_dbt(settings, args, target) as dbt:
        return dbt.run(database, raw_db)


def failing_rows(
    database: Path, raw_db: Path, compiled_code: str, columns: list[str], limit: int
) -> tuple[int, list[tuple[Any, ...]]]:
    """The distinct `columns` of the rows a failed data test's query (`compiled_code`, from its
    node result) finds in `database` with the raw landing `raw_db`: how many, and the first `limit`.

    The query names the files as dbt's profile attaches them: both are attached under those
    names, read-only. duckdb.Error when the query has no such columns.
    """
    with duckdb.connect() as con:
        for path, catalog in ((database, _WAREHOUSE_CATALOG), (raw_db, _RAW_CATALOG)):
            quoted = str(path).replace("'", "''")
            con.execute(f"attach '{quoted}' as {catalog} (read_only)")
        selected = ", ".join(f'"{column}"' for column in columns)
        rows = con.execute(
            f"""
            with failing as (
                {compiled_code}
            ),

            failing_rows as (
                select distinct {selected} from failing
            )

            select *, count(*) over () as n_rows
            from failing_rows
            order by all
            limit {int(limit)}
            """
        ).fetchall()
    return (rows[0][-1] if rows else 0), [row[:-1] for row in rows]


def _run_results(path: Path) -> list[dict[str, Any]]:
    """The node results of the dbt run that just ended (none if dbt failed before running)."""
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []
