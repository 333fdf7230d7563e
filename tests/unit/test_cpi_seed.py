"""seeds/cpi_u_may.csv is what the pinned `cpi` package holds, read offline and without its stale-data warning."""

from __future__ import annotations

import csv
import warnings
from datetime import date

import pytest

from analysis_py.landing.cpi_seed import SERIES_ID, cpi_seed_text, cpi_u_may
from tests.conftest import REPO

SEED = REPO / "seeds" / "cpi_u_may.csv"


def test_seed_is_what_write_cpi_seed_writes_from_the_package() -> None:
    assert SEED.read_text(encoding="utf-8") == cpi_seed_text(cpi_u_may())


def test_seed_matches_the_package_read_directly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpi

    series = cpi.series.get_by_id("CUUR0000SA0")
    with SEED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "empty seed"
    for row in rows:
        index = series.get_index_by_date(
            date(int(row["release_year"]), 5, 1), period_type="monthly"
        )
        assert float(row["cpi_u"]) == pytest.approx(index.value, abs=5e-4)
        assert row["series_id"] == SERIES_ID == series.id


def test_seed_covers_every_release_with_a_top_code_bound() -> None:
    with (REPO / "seeds" / "top_code_bounds.csv").open(encoding="utf-8") as handle:
        releases = {int(row["release_year"]) for row in csv.DictReader(handle)}
    assert releases <= {value.release_year for value in cpi_u_may()}
