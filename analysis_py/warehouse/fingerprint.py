"""Is the published warehouse already what `wage run` would build? (so a second run skips)

A build's fingerprint is the SHA-256 of (a) every (release, kind, workbook SHA-256) in the
raw landing it was built from and (b) the bytes of everything that turns raw rows into the
warehouse and its artifacts: dbt project, models, macros, seeds, analysis_py code and the
lock file. It is stored inside the warehouse (table `meta.build_fingerprint`), so it is
published by the same atomic rename as the data it describes. The artifacts folder holds
the same fingerprint and the SHA-256 of every file the run wrote (`fingerprint.json`):
a run is "nothing to do" only when the warehouse and every one of those files match.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import duckdb

from analysis_py.files import file_sha256, write_text_atomic
from analysis_py.landing.raw_provenance import landed_workbooks

__all__ = [
    "ARTIFACTS_STAMP",
    "CODE_PATHS",
    "artifacts_match",
    "build_fingerprint",
    "code_fingerprint",
    "record_artifacts",
    "record_fingerprint",
    "recorded_fingerprint",
]

logger = logging.getLogger(__name__)

#: What turns raw rows into the warehouse and its artifacts (relative to the project root).
CODE_PATHS = (
    "dbt_project.yml",
    "profiles.yml",
    "requirements.lock",
    "models",
    "macros",
    "seeds",
    "analysis_py",
)
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


#: In the artifacts folder: the build fingerprint its files were made from, and their SHA-256s.
ARTIFACTS_STAMP = "fingerprint.json"


def record_artifacts(artifacts_dir: Path, fingerprint: str | None, files: list[str]) -> None:
    """Write `fingerprint.json`: the build the artifacts describe and each file's SHA-256 (names relative)."""
    stamp = {
        "build_fingerprint": fingerprint,
        "files": {name: file_sha256(artifacts_dir / name) for name in sorted(files)},
    }
    write_text_atomic(
        artifacts_dir / ARTIFACTS_STAMP, json.dumps(stamp, indent=2, sort_keys=True) + "\n"
    )


def artifacts_match(artifacts_dir: Path, fingerprint: str) -> bool:
    """True when the artifacts were made from the build `fingerprint` and none is missing or changed."""
    try:
        stamp = json.loads((artifacts_dir / ARTIFACTS_STAMP).read_text(encoding="utf-8"))
        if stamp["build_fingerprint"] != fingerprint:
            return False
        return all(
            file_sha256(artifacts_dir / name) == sha256 for name, sha256 in stamp["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
