"""Where everything lives: one frozen Settings built from the project root and env."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis_py.errors import ConfigError

__all__ = ["DOCS_PORT", "Settings", "find_project_root", "folder_environment"]

#: Port of `wage docs --serve` (here, not in warehouse/docs_site.py, so `wage --help` imports no HTTP server).
DOCS_PORT = 8080


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding dbt_project.yml: $WAGE_HOME, else cwd or a parent, else the package's parent."""
    if home := os.environ.get("WAGE_HOME"):
        return Path(home).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    package_parent = Path(__file__).resolve().parents[1]
    if (package_parent / "dbt_project.yml").is_file():
        return package_parent
    raise ConfigError(
        str(here), "no dbt_project.yml here or above (set WAGE_HOME to the project folder)"
    )


def folder_environment(folder: Path, root: Path) -> dict[str, str]:
    """Environment variables that keep every file of one warehouse in `folder` (project `root`)."""
    return {
        "WAGE_HOME": str(root),
        "WAGE_DB": str(folder / "wage.duckdb"),
        "WAGE_RAW_DB": str(folder / "wage_raw.duckdb"),
        "WAGE_LOG_DIR": str(folder / "logs"),
        "WAGE_ARTIFACTS_DIR": str(folder / "artifacts"),
    }


def _path_from_env(name: str, root: Path, default: Path) -> Path:
    """$name as a path (relative to the project root), else `default`."""
    value = os.environ.get(name)
    if not value:
        return default
    path = Path(value)
    return path if path.is_absolute() else root / path


@dataclass(frozen=True)
class Settings:
    """Paths of one project checkout. `warehouse` is what users query; `raw_db` is the landing.

    Environment overrides: WAGE_DB, WAGE_RAW_DB, WAGE_LOG_DIR, WAGE_ARTIFACTS_DIR, WAGE_HOME,
    WAGE_RAW_DIR (the workbook folder, default data/raw).
    """

    root: Path
    warehouse: Path
    raw_db: Path
    logs_dir: Path
    artifacts_dir: Path

    @classmethod
    def from_env(cls, root: Path | None = None) -> Settings:
        root = (root or find_project_root()).resolve()
        warehouse = _path_from_env("WAGE_DB", root, root / "wage.duckdb")
        raw_db = _path_from_env("WAGE_RAW_DB", root, warehouse.with_name("wage_raw.duckdb"))
        return cls(
            root=root,
            warehouse=warehouse,
            raw_db=raw_db,
            logs_dir=_path_from_env("WAGE_LOG_DIR", root, root / "logs"),
            artifacts_dir=_path_from_env("WAGE_ARTIFACTS_DIR", root, root / "artifacts"),
        )

    @property
    def raw_dir(self) -> Path:
        return _path_from_env("WAGE_RAW_DIR", self.root, self.root / "data" / "raw")

    @property
    def top_code_seed(self) -> Path:
        """The dbt seed of top-code bounds by release: a release not in it cannot be built."""
        return self.root / "seeds" / "top_code_bounds.csv"

    @property
    def cpi_seed(self) -> Path:
        """The dbt seed of May CPI-U by release (written by `wage cpi-seed` from the `cpi` package)."""
        return self.root / "seeds" / "cpi_u_may.csv"

    @property
    def soc_source_dir(self) -> Path:
        """BLS's SOC crosswalks and the OES 2019 hybrid structure, as BLS ships them (read-only)."""
        return self.root / "data" / "soc"

    @property
    def bea_source_dir(self) -> Path:
        """BEA's Regional Price Parity tables, as BEA ships them (read-only)."""
        return self.root / "data" / "bea"

    @property
    def seeds_dir(self) -> Path:
        """The dbt project's seeds (lookup tables)."""
        return self.root / "seeds"

    @property
    def build_copy(self) -> Path:
        """Side file dbt builds into; renamed over `warehouse` only after every test passed.

        Beside the file itself: a `warehouse` that is a symbolic link is published through
        the link (its target replaced in its own folder), so the side file sits there.
        """
        real = Path(os.path.realpath(self.warehouse))
        return real.with_name(real.name + ".building")

    @property
    def raw_build_copy(self) -> Path:
        real = Path(os.path.realpath(self.raw_db))
        return real.with_name(real.name + ".building")

    @property
    def lock_file(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock.flock")
