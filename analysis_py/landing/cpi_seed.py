"""CPI-U for May of each release, from the PyPI package `cpi`, as the dbt seed seeds/cpi_u_may.csv.

`cpi` ships BLS's CPI database inside the package. It is only read here: never updated
(no network at run time). Importing it warns that its data is stale (it wants a
download for "today's dollars"); OEWS needs only past Mays, so that warning is
silenced here and never reaches users. The seed is what dbt reads; `wage cpi-seed`
rewrites it from the installed package, and a test checks that the two agree.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import logging
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis_py.errors import ConfigError
from analysis_py.files import write_text_atomic

__all__ = ["FIRST_RELEASE", "SERIES_ID", "CpiValue", "cpi_seed_text", "cpi_u_may", "write_cpi_seed"]

logger = logging.getLogger(__name__)

#: CPI for All Urban Consumers, U.S. city average, all items, not seasonally adjusted (1982-84 = 100).
SERIES_ID = "CUUR0000SA0"
#: The first OEWS release (1997): every release the warehouse may read has its May CPI-U.
FIRST_RELEASE = 1997


@dataclass(frozen=True)
class CpiValue:
    """The CPI-U of May of one release year."""

    release_year: int
    series_id: str
    period: str  # "May"
    cpi_u: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _cpi_series():
    """The CPI-U series from the package's own database, without its stale-data warning and never downloading."""
    spec = importlib.util.find_spec("cpi")
    if spec is None or spec.origin is None:
        raise ConfigError("cpi", "the package `cpi` is not installed: run `make .venv/.installed`")
    if not (Path(spec.origin).parent / "cpi.db").is_file():
        # importing cpi without its database downloads it: never at run time
        raise ConfigError(
            str(Path(spec.origin).parent / "cpi.db"), "missing: reinstall the pinned `cpi` package"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # StaleDataWarning: about today's dollars, not past Mays
        import cpi

        return cpi.series.get_by_id(SERIES_ID)


def cpi_u_may(first_year: int = FIRST_RELEASE) -> list[CpiValue]:
    """CPI-U of every May from `first_year` to the newest May the package holds."""
    series = _cpi_series()
    values = {
        index.year: index.value
        for index in series.indexes
        if index.period.type == "monthly" and index.period.month == 5 and index.year >= first_year
    }
    if not values:
        raise ConfigError(
            "cpi", f"the package holds no May CPI-U ({SERIES_ID}) from {first_year} on"
        )
    return [CpiValue(year, SERIES_ID, "May", float(values[year])) for year in sorted(values)]


def cpi_seed_text(values: list[CpiValue]) -> str:
    """The CSV text of seeds/cpi_u_may.csv."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["release_year", "series_id", "period", "cpi_u"])
    for value in values:
        writer.writerow([value.release_year, value.series_id, value.period, f"{value.cpi_u:.3f}"])
    return out.getvalue()


def write_cpi_seed(seed: Path, first_year: int = FIRST_RELEASE) -> list[CpiValue]:
    """Rewrite the seed from the installed `cpi` package; the values written."""
    values = cpi_u_may(first_year)
    write_text_atomic(seed, cpi_seed_text(values))
    logger.info(
        "cpi seed: %s: May CPI-U %d-%d (%s) from the cpi package's database",
        seed,
        values[0].release_year,
        values[-1].release_year,
        SERIES_ID,
    )
    return values
