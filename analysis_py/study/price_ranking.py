"""What a wage buys: the states ranked by mean annual wage nominal and in U.S.-average prices.

A wage in U.S.-average prices (`*_rpp_adjusted`) is what it would buy at the national
average price level: the wage / the area's all-items RPP (BEA) x 100. The side-by-side
ranking of the all-occupations means says how many places each state moves once its price
level is taken out; for a few widely held occupations, the states that lead after the
adjustment. Ranks are descriptive (point estimates): the adjusted means carry OEWS's
sampling error only, since BEA publishes no standard error for an RPP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import Record
from analysis_py.study.sample import wage_rows

__all__ = [
    "LEADER_OCCUPATIONS",
    "OccupationLeaders",
    "PricedRank",
    "WhatAWageBuys",
    "priced_ranking",
    "what_a_wage_buys",
]

#: Three widely held occupations: registered nurses, software developers, heavy truck drivers.
LEADER_OCCUPATIONS = ("29-1141", "15-1252", "53-3032")
#: How many leading states the report lists per occupation.
N_LEADERS = 5

_COLUMNS = (
    "release_year",
    "area",
    "area_title",
    "prim_state",
    "occ_code",
    "occ_title",
    "a_mean",
    "a_mean_se",
    "rpp",
    "rpp_year",
    "a_mean_rpp_adjusted",
    "a_mean_se_rpp_adjusted",
)


@dataclass(frozen=True)
class PricedRank(Record):
    """One state's mean annual wage, nominal and in U.S.-average prices, and its rank by each."""

    area: str
    area_title: str
    prim_state: str | None
    a_mean: float
    a_mean_se: float | None
    rpp: float
    rpp_year: int
    a_mean_rpp_adjusted: float
    a_mean_se_rpp_adjusted: float | None  # OEWS's sampling error only: RPPs have no published SE
    nominal_rank: int
    adjusted_rank: int

    @property
    def ranks_moved(self) -> int:
        """Places gained once prices are taken out (positive: up the ranking)."""
        return self.nominal_rank - self.adjusted_rank

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "ranks_moved": self.ranks_moved}


@dataclass(frozen=True)
class OccupationLeaders:
    """An occupation's states with the highest mean annual wage in U.S.-average prices."""

    occ_code: str
    occ_title: str
    n_states: int
    leaders: tuple[PricedRank, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "occ_code": self.occ_code,
            "occ_title": self.occ_title,
            "n_states": self.n_states,
            "leaders": [row.to_dict() for row in self.leaders],
        }


@dataclass(frozen=True)
class WhatAWageBuys:
    """The all-occupations ranking nominal vs adjusted, and the leaders of a few occupations."""

    release_year: int
    rpp_years: tuple[int, ...]
    ranking: tuple[PricedRank, ...]  # in adjusted order
    occupations: tuple[OccupationLeaders, ...]
    without_rpp: tuple[str, ...]  # states left out: no published mean or no RPP

    def to_dict(self) -> dict[str, Any]:
        return {
            "release_year": self.release_year,
            "rpp_years": list(self.rpp_years),
            "ranking": [row.to_dict() for row in self.ranking],
            "occupations": [occupation.to_dict() for occupation in self.occupations],
            "without_rpp": list(self.without_rpp),
        }


def _ranks(values: pd.Series) -> pd.Series:
    """1 = highest; ties share the better rank."""
    return values.rank(method="min", ascending=False).astype(int)


def priced_ranking(rows: pd.DataFrame) -> tuple[PricedRank, ...]:
    """States ranked by a_mean and by a_mean_rpp_adjusted, in adjusted order (ties by title).

    Rows without a published mean or an RPP are left out of both rankings, so both rank
    the same states.
    """
    rows = rows.dropna(subset=["a_mean", "rpp", "a_mean_rpp_adjusted"])
    rows = rows.assign(
        nominal_rank=_ranks(rows["a_mean"]), adjusted_rank=_ranks(rows["a_mean_rpp_adjusted"])
    ).sort_values(["adjusted_rank", "area_title"])
    return tuple(
        PricedRank(
            area=str(row.area),
            area_title=str(row.area_title),
            prim_state=None if pd.isna(row.prim_state) else str(row.prim_state),
            a_mean=float(row.a_mean),
            a_mean_se=None if pd.isna(row.a_mean_se) else float(row.a_mean_se),
            rpp=float(row.rpp),
            rpp_year=int(row.rpp_year),
            a_mean_rpp_adjusted=float(row.a_mean_rpp_adjusted),
            a_mean_se_rpp_adjusted=None
            if pd.isna(row.a_mean_se_rpp_adjusted)
            else float(row.a_mean_se_rpp_adjusted),
            nominal_rank=int(row.nominal_rank),
            adjusted_rank=int(row.adjusted_rank),
        )
        for row in rows.itertuples(index=False)
    )


def _left_out(rows: pd.DataFrame) -> tuple[str, ...]:
    missing = rows.loc[rows["a_mean"].isna() | rows["rpp"].isna(), "area_title"]
    return tuple(sorted(str(title) for title in missing))


def what_a_wage_buys(
    con: duckdb.DuckDBPyConnection, release_year: int | None = None
) -> WhatAWageBuys:
    """The states' all-occupations means ranked nominal and adjusted, and LEADER_OCCUPATIONS' leaders."""
    totals = wage_rows(con, release_year, area_type=2, o_group="total", columns=_COLUMNS)
    totals = totals.loc[totals["occ_code"] == "00-0000"]
    ranking = priced_ranking(totals)
    if not ranking:
        raise AnalysisError(
            "fct_occupation_wages", "no state has both an all-occupations a_mean and an RPP"
        )
    year = int(totals["release_year"].iloc[0])
    detailed = wage_rows(con, year, area_type=2, o_group="detailed", columns=_COLUMNS)
    occupations = []
    for code in LEADER_OCCUPATIONS:
        rows = detailed.loc[detailed["occ_code"] == code]
        ranked = priced_ranking(rows)
        if ranked:
            title = str(rows["occ_title"].iloc[0])
            occupations.append(OccupationLeaders(code, title, len(ranked), ranked[:N_LEADERS]))
    return WhatAWageBuys(
        release_year=year,
        rpp_years=tuple(sorted({row.rpp_year for row in ranking})),
        ranking=ranking,
        occupations=tuple(occupations),
        without_rpp=_left_out(totals),
    )
