"""Workbook -> raw landing: every cell as the text BLS printed, plus provenance.

The file is checked first (workbook_checks: an .xlsx, safe to parse). Its data sheet,
the first sheet with the BLS header on row 1 (the sheet's name varies by year), is read
with fastexcel (Rust, calamine) straight into Arrow, its cells checked in DuckDB
(cell_checks), and inserted into DuckDB by one INSERT ... SELECT; no Python loop
touches a cell. The raw file (`wage_raw.duckdb`) holds:

* `oews_estimates`: one row per data row, BLS columns as text (lower-case names);
* `oews_files`: one row per landed workbook (the latest for each release and kind).
"""
from __future__ import annotations

import csv
import hashlib
import logging
import re
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

import duckdb
import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis_py.cell_checks import checked_cells
from analysis_py.errors import InputError
from analysis_py.workbook_checks import check_workbook_file

__all__ = [
    "BLS_COLUMNS",
    "REQUIRED_COLUMNS",
    "LandResult",
    "Workbook",
    "file_sha256",
    "release_year_from_name",
    "file_kind_from_name",
    "read_workbook",
    "releases_with_top_code_bound",
    "land_workbook",
    "ingest_workbooks",
    "landed_workbooks",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: A header row further down than this is not looked for (BLS puts it on row 1).
_HEADER_SEARCH_ROWS = 20

#: Every column of a BLS OEWS data sheet since 2019, in BLS's order (lower case).
BLS_COLUMNS: tuple[str, ...] = (
    "area", "area_title", "area_type", "prim_state", "naics", "naics_title", "i_group",
    "own_code", "occ_code", "occ_title", "o_group", "tot_emp", "emp_prse", "jobs_1000",
    "loc_quotient", "pct_total", "pct_rpt", "h_mean", "a_mean", "mean_prse", "h_pct10",
    "h_pct25", "h_median", "h_pct75", "h_pct90", "a_pct10", "a_pct25", "a_median",
    "a_pct75", "a_pct90", "annual", "hourly",
)  # fmt: skip

#: Without these a workbook cannot be placed in the warehouse at all.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "area", "area_title", "area_type", "occ_code", "occ_title", "o_group", "tot_emp", "a_mean",
)  # fmt: skip

_PROVENANCE_DDL = """
    source_file varchar not null,
    source_sha256 varchar not null,
    sheet_name varchar not null,
    sheet_row integer not null,
    release_year integer not null,
    file_kind varchar not null,
    loaded_at timestamp not null
"""

#: BLS file-name prefix -> file kind. A release and kind is one workbook (a new one
#: replaces it), so each national industry file (sector, 3-, 4-, 5/6-digit NAICS) and
#: the balance-of-state file of older releases is a kind of its own.
_KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("state_", "state"),
    ("national_", "national"),
    ("msa_", "msa"),
    ("bos_", "bos"),
    ("all_data", "all"),
    ("natsector_", "natsector"),
    ("nat3d_", "nat3d"),
    ("nat4d_", "nat4d"),
    ("nat5d_", "nat5d"),
)


@dataclass(frozen=True)
class Workbook:
    """One workbook's data sheet, read and ready to land."""

    path: Path
    sha256: str
    sheet_name: str
    release_year: int
    file_kind: str
    cells: pa.Table  # BLS_COLUMNS as strings + sheet_row

    @property
    def n_rows(self) -> int:
        return self.cells.num_rows


@dataclass(frozen=True)
class LandResult:
    """What landing one workbook did."""

    source_file: str
    source_sha256: str
    release_year: int
    file_kind: str
    n_rows: int
    action: str  # "landed", "replaced" or "unchanged"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_year_from_name(name: str) -> int | None:
    """2025 from `state_M2025_dl.xlsx` or `all_data_M_2025.xlsx`; None when the name has no year."""
    match = re.search(r"(?:^|[_\W])M_?((?:19|20)\d\d)(?:[_\W]|$)", name, flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


def file_kind_from_name(name: str) -> str:
    """state, national, msa, bos, all, natsector, nat3d, nat4d or nat5d, from BLS's file-name prefixes (state when unknown)."""
    lowered = name.lower()
    for prefix, kind in _KIND_PREFIXES:
        if lowered.startswith(prefix):
            return kind
    return "state"


def releases_with_top_code_bound(seed: Path) -> frozenset[int]:
    """The release years of the dbt seed top_code_bounds.csv (the bound behind BLS's `#`)."""
    with seed.open(newline="", encoding="utf-8") as handle:
        return frozenset(int(row["release_year"]) for row in csv.DictReader(handle))


def _normalized_header(value: object) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower())


def _release_year(path: Path, year: int | None, releases: Collection[int] | None) -> int:
    release_year = year or release_year_from_name(path.name)
    if release_year is None:
        raise InputError(str(path), "the file name gives no release year (e.g. state_M2025_dl.xlsx); pass --year")
    if releases is not None and release_year not in releases:
        known = f"{min(releases)}-{max(releases)}" if releases else "none"
        raise InputError(
            str(path),
            f"release {release_year} has no top-code bound in seeds/top_code_bounds.csv (it lists {known}): "
            "add the bound from the workbook's Field Descriptions sheet, or pass the right --year",
        )
    return release_year


def _fastexcel(path: Path, action: Callable[[], T]) -> T:
    """Run a fastexcel call; every failure (calamine panics are BaseException) becomes InputError."""
    try:
        return action()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException derives from BaseException
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(str(path), f"cannot be read as an .xlsx workbook ({detail})") from exc


@dataclass(frozen=True)
class _Sheet:
    """One sheet read whole: every cell as text, row i of `rows` is sheet row i + 1."""

    name: str
    rows: pa.Table
    letters: tuple[str, ...]  # the Excel column letter of each column of `rows`


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _load_sheet(path: Path, reader: fastexcel.ExcelReader, index: int) -> _Sheet:
    # header_row=None + skip_rows=0: keep leading empty rows, so row i is sheet row i+1.
    sheet = _fastexcel(path, lambda: reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string"))
    batch = _fastexcel(path, sheet.to_arrow)
    rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    letters = tuple(_column_letter(column.absolute_index) for column in sheet.available_columns())
    return _Sheet(name=reader.sheet_names[index], rows=rows, letters=letters)


def _header_candidate(sheet: _Sheet) -> tuple[int, list[str]] | None:
    """(0-based row, names) of the row among the first rows that names most BLS columns (3 at least)."""
    best: tuple[int, list[str]] | None = None
    best_score = 2
    for number, values in enumerate(sheet.rows.slice(0, _HEADER_SEARCH_ROWS).to_pylist()):
        names = [_normalized_header(value) for value in values.values()]
        score = len(set(names) & set(BLS_COLUMNS))
        if score > best_score:
            best, best_score = (number, names), score
    return best


def _data_sheet(path: Path) -> tuple[_Sheet, list[str]]:
    """The first sheet with a BLS header row, and that header (normalized names), or InputError."""
    reader = _fastexcel(path, lambda: fastexcel.read_excel(path))
    names = _fastexcel(path, lambda: list(reader.sheet_names))
    first_nonempty: _Sheet | None = None
    for index in range(len(names)):
        sheet = _load_sheet(path, reader, index)
        if sheet.rows.num_rows == 0:
            continue
        first_nonempty = first_nonempty or sheet
        candidate = _header_candidate(sheet)
        if candidate is None:
            continue
        row, header = candidate
        if row > 0:
            raise InputError(
                str(path),
                f"the header row (AREA, OCC_CODE, ...) is on row {row + 1} of sheet {sheet.name!r}, not on row 1 "
                f"as in BLS workbooks: delete the {row} row(s) above it and save again",
            )
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise InputError(
                str(path), f"sheet {sheet.name!r} row 1 lacks required column(s) {', '.join(c.upper() for c in missing)}"
            )
        duplicated = sorted({name for name in header if name in BLS_COLUMNS and header.count(name) > 1})
        if duplicated:
            raise InputError(str(path), f"sheet {sheet.name!r} has the column(s) {', '.join(duplicated)} twice")
        return sheet, header
    if first_nonempty is None:
        where = f"its only sheet {names[0]!r} is empty" if len(names) == 1 else "every sheet is empty"
        raise InputError(str(path), f"the workbook has no data: {where}")
    shown = ", ".join(repr(value) for value in first_nonempty.rows.slice(0, 1).to_pylist()[0].values() if value)[:120]
    raise InputError(
        str(path),
        f"no sheet has the BLS header row (AREA, OCC_CODE, O_GROUP, TOT_EMP, A_MEAN, ... on row 1); "
        f"sheet {first_nonempty.name!r} row 1 holds {shown or 'nothing'}",
    )


def read_workbook(path: Path, year: int | None = None, releases: Collection[int] | None = None) -> Workbook:
    """Read the data sheet of a BLS workbook, every cell as text, after checking the file and its cells.

    `releases`: the release years the warehouse knows a top-code bound for (others are refused).
    """
    path = Path(path)
    check_workbook_file(path)
    release_year = _release_year(path, year, releases)
    sha256 = file_sha256(path)
    sheet, header = _data_sheet(path)
    data = sheet.rows.slice(1)
    by_name = {name: data.column(index) for index, name in enumerate(header) if name in BLS_COLUMNS}
    n_data = data.num_rows
    columns = {
        name: by_name[name] if name in by_name else pa.nulls(n_data, pa.string())
        for name in BLS_COLUMNS
    }
    columns["sheet_row"] = pa.array(np.arange(2, n_data + 2, dtype=np.int32))
    cells = pa.table(columns)
    # Drop rows that are empty in every BLS column (Excel's formatted-but-empty tail).
    keep = None
    for name in BLS_COLUMNS:
        present = pc.is_valid(cells.column(name))
        keep = present if keep is None else pc.or_(keep, present)
    cells = cells.filter(keep)
    if cells.num_rows == 0:
        raise InputError(str(path), f"sheet {sheet.name!r} has a header but no data rows")
    ignored = [name for name in header if name and name not in BLS_COLUMNS]
    if ignored:
        logger.info("%s: ignoring non-BLS column(s) %s", path.name, ", ".join(ignored))
    letters = {name: sheet.letters[index] for index, name in enumerate(header) if name in BLS_COLUMNS}
    cells = checked_cells(path, sheet.name, cells, letters)
    return Workbook(
        path=path,
        sha256=sha256,
        sheet_name=sheet.name,
        release_year=release_year,
        file_kind=file_kind_from_name(path.name),
        cells=cells,
    )


def _ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    bls = ",\n".join(f"    {name} varchar" for name in BLS_COLUMNS)
    con.execute(f"create table if not exists oews_estimates (\n{bls},\n{_PROVENANCE_DDL})")
    con.execute(
        """
        create table if not exists oews_files (
            source_sha256 varchar not null,
            source_file varchar not null,
            source_path varchar not null,
            sheet_name varchar not null,
            release_year integer not null,
            file_kind varchar not null,
            n_rows bigint not null,
            loaded_at timestamp not null,
            primary key (release_year, file_kind)
        )
        """
    )


def land_workbook(con: duckdb.DuckDBPyConnection, workbook: Workbook) -> LandResult:
    """Land a read workbook in the raw file, replacing its release and kind in one transaction."""
    _ensure_raw_tables(con)
    key = (workbook.release_year, workbook.file_kind)
    landed = con.execute(
        "select source_sha256 from oews_files where release_year = ? and file_kind = ?", key
    ).fetchall()
    result = dict(
        source_file=workbook.path.name,
        source_sha256=workbook.sha256,
        release_year=workbook.release_year,
        file_kind=workbook.file_kind,
        n_rows=workbook.n_rows,
    )
    if [row[0] for row in landed] == [workbook.sha256]:
        return LandResult(**result, action="unchanged")
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        con.execute("delete from oews_estimates where release_year = ? and file_kind = ?", key)
        con.execute("delete from oews_files where release_year = ? and file_kind = ?", key)
        con.register("incoming_cells", workbook.cells)
        con.execute(
            """
            insert into oews_estimates by name
            select
                incoming_cells.*,
                $source_file as source_file,
                $sha256 as source_sha256,
                $sheet_name as sheet_name,
                $release_year as release_year,
                $file_kind as file_kind,
                $loaded_at as loaded_at,
            from incoming_cells
            """,
            dict(
                source_file=workbook.path.name,
                sha256=workbook.sha256,
                sheet_name=workbook.sheet_name,
                release_year=workbook.release_year,
                file_kind=workbook.file_kind,
                loaded_at=loaded_at,
            ),
        )
        con.unregister("incoming_cells")
        con.execute(
            "insert into oews_files values (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                workbook.sha256, workbook.path.name, str(workbook.path.resolve()), workbook.sheet_name,
                workbook.release_year, workbook.file_kind, workbook.n_rows, loaded_at,
            ),
        )  # fmt: skip
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LandResult(**result, action="replaced" if landed else "landed")


def landed_workbooks(raw_db: Path) -> dict[tuple[int, str], tuple[str, int]]:
    """(release, kind) -> (SHA-256, rows) of the workbooks in the raw landing (empty if none)."""
    if not raw_db.exists():
        return {}
    with duckdb.connect(str(raw_db), read_only=True) as con:
        if not con.execute("select count(*) from duckdb_tables() where table_name = 'oews_files'").fetchone()[0]:
            return {}
        rows = con.execute("select release_year, file_kind, source_sha256, n_rows from oews_files").fetchall()
    return {(release, kind): (sha256, n_rows) for release, kind, sha256, n_rows in rows}


def _already_landed(path: Path, year: int | None, landed: dict[tuple[int, str], tuple[str, int]]) -> LandResult | None:
    """An 'unchanged' result when the raw landing holds these exact bytes for the file's release and kind."""
    release = year or release_year_from_name(path.name)
    key = (release, file_kind_from_name(path.name))
    if release is None or key not in landed or not path.is_file():
        return None
    sha256 = file_sha256(path)
    if landed[key][0] != sha256:
        return None
    return LandResult(path.name, sha256, key[0], key[1], landed[key][1], action="unchanged")


def ingest_workbooks(
    raw_db: Path, paths: list[Path], year: int | None = None, top_code_seed: Path | None = None
) -> list[LandResult]:
    """Read every workbook first (so one bad file lands nothing), then land each.

    `top_code_seed`: the dbt seed of top-code bounds; a release it lacks is refused (None: any year).
    """
    releases = releases_with_top_code_bound(top_code_seed) if top_code_seed is not None else None
    landed = landed_workbooks(raw_db)
    workbooks: dict[tuple[int, str], Workbook] = {}
    unchanged: list[LandResult] = []
    for path in paths:
        if (same := _already_landed(path, year, landed)) is not None:
            unchanged.append(same)  # same bytes as landed: not even read again
            continue
        workbook = read_workbook(path, year, releases)
        logger.info("read %s: sheet %r, %d rows, sha256 %s", path.name, workbook.sheet_name, workbook.n_rows, workbook.sha256)
        key = (workbook.release_year, workbook.file_kind)
        other = workbooks.get(key)
        if other is not None and other.sha256 != workbook.sha256:
            raise InputError(
                str(path),
                f"is a second {workbook.file_kind} workbook for release {workbook.release_year} in this run "
                f"(the first is {other.path}); pass one of them",
            )
        workbooks[key] = workbook
    for result in unchanged:
        logger.info("unchanged %s: release %d, kind %s, already landed (sha256 %s)", result.source_file, result.release_year, result.file_kind, result.source_sha256)
    if not workbooks:
        return unchanged
    raw_db.parent.mkdir(parents=True, exist_ok=True)
    results = unchanged
    with duckdb.connect(str(raw_db)) as con:
        for workbook in workbooks.values():
            result = land_workbook(con, workbook)
            logger.info(
                "%s %s: release %d, kind %s, %d rows, sha256 %s",
                result.action, result.source_file, result.release_year, result.file_kind, result.n_rows, result.source_sha256,
            )  # fmt: skip
            results.append(result)
    return results
