"""Is the published warehouse already what `wage run` would build? (so a second run skips)

A build's fingerprint is the SHA-256 of (a) every (release, kind, workbook SHA-256) in the
raw landing it was built from and (b) the bytes of everything that turns raw rows into the
warehouse and its artifacts: dbt project, models, macros, seeds, analysis_py code and the
lock file. It is stored inside the warehouse (table `meta.build_fingerprint`), so it is
published by the same atomic rename as the data it describes.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import duckdb

from analysis_py.landing.raw_store import landed_workbooks

__all__ = [
    "CODE_PATHS",
    "code_fingerprint",
    "build_fingerprint",
    "record_fingerprint",
    "recorded_fingerprint",
]

logger = logging.getLogger(__name__)

#: What turns raw rows into the warehouse and its artifacts (relative to the project root).
CODE_PATHS = ("dbt_project.yml", "profiles.yml", "requirements.lock", "models", "macros", "seeds", "analysis_py")
_CODE_SUFFIXES = {".yml", ".yaml", ".sql", ".csv", ".md", ".py", ".lock"}


def code_fingerprint(root: Path) -> str:
    """SHA-256 over the names and bytes of the project files that shape a build."""
    digest = hashlib.sha256()
    for top in CODE_PATHS:
        path = root / top
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix not in _CODE_SUFFIXES or "__pycache__" in file.parts:
                continue
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def build_fingerprint(raw_db: Path, code: str) -> str:
    """The fingerprint of a warehouse built from `raw_db` by the code whose fingerprint is `code`."""
    digest = hashlib.sha256(code.encode())
    for (release_year, file_kind), (sha256, _) in sorted(landed_workbooks(raw_db).items()):
        digest.update(f"{release_year}|{file_kind}|{sha256}\n".encode())
    return digest.hexdigest()


def record_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Store the fingerprint in the warehouse being built (before it is published)."""
    con.execute("create schema if not exists meta")
    con.execute("create or replace table meta.build_fingerprint (fingerprint varchar not null)")
    con.execute("insert into meta.build_fingerprint values (?)", [fingerprint])
    con.execute(
        "comment on table meta.build_fingerprint is "
        "'SHA-256 of the raw workbooks and the code this warehouse was built from: wage run skips a build when it matches'"
    )


def recorded_fingerprint(warehouse: Path) -> str | None:
    """The fingerprint stored in the published warehouse, or None (no warehouse, or built by `wage build`)."""
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute("select fingerprint from meta.build_fingerprint").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None
