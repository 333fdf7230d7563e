"""Take one release (or one file kind of it) out of a raw landing file.

Used on the staged copy of the raw landing (`pipeline.remove_release`): the delete, the
rebuild and the analyses all happen on side files, published together only when every
step passed, as in `wage run`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from analysis_py.errors import InputError
from analysis_py.landing.raw_provenance import LandResult, landed_workbooks

__all__ = ["remove_landed_release"]

logger = logging.getLogger(__name__)


def _landed_text(landed: dict[tuple[int, str], tuple[str, int]]) -> str:
    return ", ".join(f"{year} {kind}" for year, kind in sorted(landed)) or "nothing"


def remove_landed_release(
    raw_db: Path, release_year: int, file_kind: str | None = None
) -> list[LandResult]:
    """Delete the rows and file records of `release_year` (only `file_kind`, when given) from `raw_db`.

    Returns what was removed (action "removed"). InputError when the raw landing holds no
    such release, or when removing it would leave the raw landing empty (a warehouse of
    nothing cannot be built: delete the raw landing file instead).
    """
    landed = landed_workbooks(raw_db)
    removed = {
        key: value
        for key, value in landed.items()
        if key[0] == release_year and file_kind in (None, key[1])
    }
    what = f"release {release_year}" + (f" ({file_kind})" if file_kind else "")
    if not removed:
        raise InputError(str(raw_db), f"holds no {what}: it holds {_landed_text(landed)}")
    if len(removed) == len(landed):
        raise InputError(
            str(raw_db),
            f"holds only {what}: removing it would leave nothing to build; delete the raw landing and the warehouse instead",
        )
    results = []
    with duckdb.connect(str(raw_db)) as con:
        con.execute("begin transaction")
        try:
            for year, kind in sorted(removed):
                [(source_file,)] = con.execute(
                    "select source_file from oews_files where release_year = ? and file_kind = ?",
                    [year, kind],
                ).fetchall()
                sha256, n_rows = removed[(year, kind)]
                results.append(
                    LandResult(source_file, sha256, year, kind, n_rows, action="removed")
                )
                con.execute(
                    "delete from oews_estimates where release_year = ? and file_kind = ?",
                    [year, kind],
                )
                con.execute(
                    "delete from oews_files where release_year = ? and file_kind = ?", [year, kind]
                )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    for result in results:
        logger.info(
            "removed %s: release %d, kind %s, %d rows (sha256 %s) from the staged raw landing",
            result.source_file,
            result.release_year,
            result.file_kind,
            result.n_rows,
            result.source_sha256,
        )
    return results
