"""What the raw landing already holds, by release and kind, and what an ingest did with a workbook.

Reads only: the landed workbooks' SHA-256s and row counts (`oews_files`), whether a file
is the very bytes landed for its release and kind (then it is not read again), and the
release years the dbt seed knows a top-code bound for.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from analysis_py.bls import file_kind_from_name, release_year_from_name
from analysis_py.files import file_sha256
from analysis_py.landing.workbook_checks import WorkbookLimits

__all__ = [
    "LandResult",
    "already_landed",
    "landed_workbooks",
    "releases_with_top_code_bound",
    "too_large_to_land",
]


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


def releases_with_top_code_bound(seed: Path) -> frozenset[int]:
    """The release years of the dbt seed top_code_bounds.csv (the bound behind BLS's `#`)."""
    with seed.open(newline="", encoding="utf-8") as handle:
        return frozenset(int(row["release_year"]) for row in csv.DictReader(handle))


def landed_workbooks(raw_db: Path) -> dict[tuple[int, str], tuple[str, int]]:
    """(release, kind) -> (SHA-256, rows) of the workbooks in the raw landing (empty if none)."""
    if not raw_db.exists():
        return {}
    with duckdb.connect(str(raw_db), read_only=True) as con:
        if not con.execute(
            "select count(*) from duckdb_tables() where table_name = 'oews_files'"
        ).fetchone()[0]:
            return {}
        rows = con.execute(
            "select release_year, file_kind, source_sha256, n_rows from oews_files"
        ).fetchall()
    return {(release, kind): (sha256, n_rows) for release, kind, sha256, n_rows in rows}


def already_landed(
    path: Path,
    year: int | None,
    landed: dict[tuple[int, str], tuple[str, int]],
    kind: str | None = None,
) -> LandResult | None:
    """An 'unchanged' result when the raw landing (`landed`: landed_workbooks) holds these exact bytes
    for the file's release and kind, else None.

    A file larger than any workbook may be was never landed: it is not hashed, so that ingest
    says what is wrong with it without reading all of it first.
    """
    release = year or release_year_from_name(path.name)
    key = (release, kind or file_kind_from_name(path.name))
    if (
        release is None
        or key[1] is None
        or key not in landed
        or not path.is_file()
        or too_large_to_land(path)
    ):
        return None
    sha256 = file_sha256(path)
    if landed[key][0] != sha256:
        return None
    return LandResult(path.name, sha256, key[0], key[1], landed[key][1], action="unchanged")


def too_large_to_land(path: Path) -> bool:
    """Larger than any workbook may be (check_workbook_file refuses it): never landed, not worth hashing."""
    return path.stat().st_size > WorkbookLimits().max_file_bytes
