"""The workbooks a plain `wage run` ingests: every BLS workbook in data/raw/."""

from __future__ import annotations

import logging
from pathlib import Path

from analysis_py.errors import InputError

__all__ = ["default_workbooks"]

logger = logging.getLogger(__name__)

#: .xlsx, and .xls as BLS shipped its workbooks until May 2013.
_WORKBOOK_SUFFIXES = (".xlsx", ".xls")


def default_workbooks(raw_dir: Path) -> list[Path]:
    """Every workbook in `raw_dir`, in name order, skipping the `~$` lock files Excel leaves
    beside open ones; InputError when there is none."""
    found = []
    listed = raw_dir.iterdir() if raw_dir.is_dir() else ()
    for path in sorted(path for path in listed if path.suffix.lower() in _WORKBOOK_SUFFIXES):
        if path.name.startswith("~$"):
            logger.warning("skipping %s: an Excel lock file, not a workbook", path.name)
            continue
        found.append(path)
    if not found:
        raise InputError(
            str(raw_dir), "no .xlsx or .xls workbook here; pass workbook paths to `wage run`"
        )
    return found
