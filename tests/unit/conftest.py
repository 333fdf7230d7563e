"""Unit tier: small frames and DuckDB tables built here, shaped like the marts; no dbt, no real workbook."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis_py.bls import TopCodeBound, top_code_bounds
from tests.conftest import REPO

matplotlib.use("Agg")

#: SOC major groups of the synthetic marts: code -> (title, words put in occupation titles)
MAJOR_GROUPS = {
    "11-0000": ("Management Occupations", "Manager"),
    "13-0000": ("Business and Financial Operations Occupations", "Analyst"),
    "15-0000": ("Computer and Mathematical Occupations", "Computer Programmer"),
    "29-0000": ("Healthcare Practitioners and Technical Occupations", "Nurse"),
    "51-0000": ("Production Occupations", "Production Worker"),
}
N_STATES = 51
N_PER_GROUP = 4
TOP_CODE = 239_200.0


def synthetic_fact(seed: int = 11) -> pd.DataFrame:
    """Rows shaped like fct_occupation_wages for release 2025: per state one total row, one major row per
    group and detailed rows; some a_mean suppressed (NULL) and some top-coded (NULL + flag)."""
    rng = np.random.default_rng(seed)
    rows = []
    for state in range(1, N_STATES + 1):
        area, title = f"{state:02d}", f"State {state:02d}"
        base = dict(
            release_year=2025, area=area, area_title=title, area_type=2, prim_state=f"S{state:02d}"
        )
        total_mean = float(rng.normal(60_000, 6_000))
        rows.append(
            {
                **base,
                "occ_code": "00-0000",
                "occ_title": "All Occupations",
                "o_group": "total",
                "soc_major_group_code": "00-0000",
                "a_mean": total_mean,
                "mean_prse": float(rng.uniform(0.3, 1.5)),
                "tot_emp": float(rng.integers(200_000, 5_000_000)),
            }
        )
        for major, (group_title, words) in MAJOR_GROUPS.items():
            level = {"11": 1.9, "13": 1.3, "15": 1.6, "29": 1.5, "51": 0.8}[major[:2]]
            rows.append(
                {
                    **base,
                    "occ_code": major,
                    "occ_title": group_title,
                    "o_group": "major",
                    "soc_major_group_code": major,
                    "a_mean": 60_000 * level,
                    "mean_prse": 1.0,
                    "tot_emp": float(rng.integers(20_000, 300_000)),
                }
            )
            for k in range(1, N_PER_GROUP + 1):
                mean = float(rng.lognormal(np.log(60_000 * level), 0.25))
                rows.append(
                    {
                        **base,
                        "occ_code": f"{major[:2]}-10{k:02d}",
                        "occ_title": f"{words} {k}",
                        "o_group": "detailed",
                        "soc_major_group_code": major,
                        "a_mean": mean,
                        "mean_prse": float(rng.uniform(1, 8)),
                        "tot_emp": float(rng.integers(30, 60_000)),
                    }
                )
    fact = pd.DataFrame(rows)
    n = len(fact)
    detailed = fact["o_group"] == "detailed"
    fact["a_median"] = fact["a_mean"] * rng.uniform(0.85, 0.98, n)
    for column, ratio in (("a_pct10", 0.55), ("a_pct25", 0.7), ("a_pct75", 1.2), ("a_pct90", 1.45)):
        fact[column] = fact["a_mean"] * ratio
    fact["h_mean"] = fact["a_mean"] / 2080
    fact["jobs_1000"] = fact["tot_emp"] / 2_000
    fact["loc_quotient"] = rng.uniform(0.2, 3, n)
    fact["is_a_mean_top_coded"] = False
    fact["is_a_median_top_coded"] = False
    # BLS's symbols: every 17th detailed a_mean suppressed ('*'), the best-paid managers top-coded ('#')
    suppressed = detailed & (np.arange(n) % 17 == 0)
    fact.loc[suppressed, "a_mean"] = np.nan
    top_coded = detailed & (fact["soc_major_group_code"] == "11-0000") & (fact["a_mean"] > 140_000)
    fact.loc[top_coded, ["a_mean", "a_median"]] = np.nan
    fact.loc[top_coded, ["is_a_mean_top_coded", "is_a_median_top_coded"]] = True
    fact.loc[suppressed | top_coded, ["h_mean", "a_pct10", "a_pct25", "a_pct75", "a_pct90"]] = (
        np.nan
    )
    fact["a_mean_se"] = fact["a_mean"] * fact["mean_prse"] / 100
    fact["top_code_annual_bound"] = TOP_CODE
    fact["is_cross_industry_all_ownerships"] = True
    fact["loaded_at"] = pd.Timestamp("2026-01-01")
    fact["file_kind"] = "state"
    fact["source_file"] = "state_M2025_dl.xlsx"
    fact["source_sha256"] = "0" * 64
    # BEA-like price levels (U.S. = 100), 90 to 114, not drawn from rng: the columns above keep their draws
    fact["rpp"] = 90.0 + (pd.factorize(fact["area"])[0] * 7 % 25)
    fact["rpp_year"] = 2024
    fact["a_mean_rpp_adjusted"] = fact["a_mean"] * 100 / fact["rpp"]
    fact["a_mean_se_rpp_adjusted"] = fact["a_mean_se"] * 100 / fact["rpp"]
    return fact


def synthetic_dim_occupation(fact: pd.DataFrame) -> pd.DataFrame:
    titles = {code: title for code, (title, _) in MAJOR_GROUPS.items()}
    occupations = fact.drop_duplicates("occ_code")[
        ["occ_code", "occ_title", "o_group", "soc_major_group_code"]
    ].copy()
    occupations["soc_major_group_title"] = occupations["soc_major_group_code"].map(titles)
    return occupations.reset_index(drop=True)


@pytest.fixture(scope="session")
def seed_top_code_bounds() -> tuple[TopCodeBound, ...]:
    """Each release's top-code bound as the dbt seed states it (seeds/top_code_bounds.csv)."""
    return top_code_bounds(REPO / "seeds" / "top_code_bounds.csv")


@pytest.fixture(scope="session")
def fact() -> pd.DataFrame:
    """The synthetic fct_occupation_wages rows (read only: copy before changing)."""
    return synthetic_fact()


def marts_connection(fact: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding fct_occupation_wages (`fact`) and dim_occupation derived from it."""
    con = duckdb.connect()
    for name, frame in (
        ("fct_occupation_wages", fact),
        ("dim_occupation", synthetic_dim_occupation(fact)),
    ):
        con.register("frame", frame)
        con.execute(f"create table {name} as select * from frame")
        con.unregister("frame")
    return con


@pytest.fixture
def marts(fact: pd.DataFrame) -> Iterator[duckdb.DuckDBPyConnection]:
    """The synthetic marts in an in-memory DuckDB."""
    con = marts_connection(fact)
    yield con
    con.close()


@pytest.fixture(scope="session")
def sample(fact: pd.DataFrame) -> pd.DataFrame:
    """The analysis sample of the synthetic marts: detailed rows of states, with soc_major_group_title."""
    from analysis_py.study.sample import analysis_sample

    with marts_connection(fact) as con:
        return analysis_sample(con)


#: The occupations of the `nurses` marts: (occ_code, occ_title, o_group).
OCCUPATIONS = [
    ("29-1141", "Registered Nurses", "detailed"),
    ("29-1171", "Nurse Practitioners", "detailed"),
    ("29-2061", "Licensed Practical and Licensed Vocational Nurses", "detailed"),
    ("29-0000", "Healthcare Practitioners and Technical Occupations", "major"),
]


@pytest.fixture
def nurses() -> Iterator[duckdb.DuckDBPyConnection]:
    """fct_occupation_wages and dim_occupation with the columns the look-ups read: four occupations
    (one a major group) in California and Texas, Texas's nurse practitioners top-coded."""
    con = duckdb.connect(":memory:")
    con.execute(
        "create table dim_occupation (occ_code varchar, occ_title varchar, o_group varchar, soc_major_group_code varchar, soc_major_group_title varchar)"
    )
    con.executemany(
        "insert into dim_occupation values (?, ?, ?, '29-0000', 'Healthcare')", OCCUPATIONS
    )
    con.execute(
        """
        create table fct_occupation_wages as
        select 2025 as release_year, 'state' as file_kind, area, area_title, 2 as area_type, prim_state,
            occ_code, occ_title, o_group, 1000.0::double as tot_emp, 1.0::double as emp_prse, 1.0::double as jobs_1000, 1.0::double as loc_quotient,
            a_mean / 2080 as h_mean, a_mean, 0.5::double as mean_prse, a_mean * 0.005::double as a_mean_se, a_mean / 2080 * 0.005::double as h_mean_se,
            a_mean / 2080 as h_median, a_mean as a_pct10, a_mean as a_pct25, a_mean as a_median, a_mean as a_pct75,
            a_mean as a_pct90, 239200.0::double as top_code_annual_bound, a_mean is null as is_a_mean_top_coded,
            false as hourly, true as is_cross_industry_all_ownerships,
            rpp::double as rpp, 2024 as rpp_year, null::varchar as rpp_missing_reason,
            a_mean * 100 / rpp as a_mean_rpp_adjusted, a_mean / 2080 * 100 / rpp as h_mean_rpp_adjusted,
            a_mean * 100 / rpp as a_median_rpp_adjusted
        -- BEA's all-items RPPs of 2024 (data/bea/SARPP_STATE_2008_2024.csv)
        from (values ('6', 'California', 'CA', 110.720), ('48', 'Texas', 'TX', 97.057)) as areas(area, area_title, prim_state, rpp)
        cross join (select occ_code, occ_title, o_group from dim_occupation) as occupations
        cross join (select 100000.0::double as a_mean) as wages
        """
    )
    con.execute(
        "update fct_occupation_wages set a_mean = null, a_mean_se = null, a_mean_rpp_adjusted = null, is_a_mean_top_coded = true where occ_code = '29-1171' and area = '48'"
    )
    yield con
    con.close()
