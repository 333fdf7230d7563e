"""The raw landing file, `wage_raw.duckdb`: its tables, and a connection set up to land in one transaction.

* `oews_estimates`: one row per data row, BLS columns as text (lower-case names), plus provenance;
* `oews_files`: one row per landed workbook (the latest for each release and kind).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis_py.bls import BLS_COLUMNS

__all__ = ["ensure_raw_tables", "opened_landing", "remove_created"]

#: DuckDB's memory for landing (the cells it inserts are Arrow, outside this limit).
_LANDING_MEMORY = "256MB"
#: The raw landing's storage format: DuckDB 1.5's (pyproject pins duckdb 1.5 for every client).
_STORAGE_VERSION = "v1.5.0"
#: Rows per row group of the raw landing (DuckDB's default is 122,880, more than a state workbook
#: holds): each is compressed and written as it fills, while the reader reads on, so little is
#: left to write when the last piece is read.
_ROW_GROUP_ROWS = 8_192

_PROVENANCE_DDL = """
    source_file varchar not null,
    source_sha256 varchar not null,
    sheet_name varchar not null,
    sheet_row integer not null,
    release_year integer not null,
    file_kind varchar not null,
    loaded_at timestamp not null
"""


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
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


def opened_landing(raw_db: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB with the raw landing attached as `raw` and set up to land, in a new transaction holding its tables."""
    con = duckdb.connect(config={"temp_directory": f"{raw_db}.tmp"})
    try:
        # row groups of _ROW_GROUP_ROWS, each written to the file (compressed) as it fills,
        # while the reader reads on: the commit has little left to write;
        # the 1.5 storage format (an older raw file is upgraded: every client here is DuckDB 1.5)
        # has DICT_FSST, text as a dictionary of FSST-compressed strings: a third less CPU than
        # the older format's plain dictionaries, and a smaller file
        quoted = str(raw_db).replace("'", "''")
        con.execute(
            f"attach '{quoted}' as raw (row_group_size {_ROW_GROUP_ROWS}, storage_version '{_STORAGE_VERSION}')"
        )
        con.execute("use raw")
        con.execute("set write_buffer_row_group_count = 1")
        con.execute("set force_compression = 'dict_fsst'")
        con.execute(f"set memory_limit = '{_LANDING_MEMORY}'")
        con.execute("set threads = 1")  # the reader has the other core
        con.execute(
            "set checkpoint_threshold = '0b'"
        )  # the commit writes the file itself, not a log first
        con.execute(
            "begin transaction"
        )  # the tables too are created in it: a killed first ingest leaves none
        ensure_raw_tables(con)
    except BaseException:
        con.close()
        raise
    return con


def remove_created(raw_db: Path, created: bool) -> None:
    """A raw landing this ingest created and then refused to fill is removed (nothing was landed)."""
    if created:
        for path in (raw_db, raw_db.with_name(raw_db.name + ".wal")):
            path.unlink(missing_ok=True)
