"""Question 1, how do states differ: states ranked by mean annual wage, and neighbours compared.

The ranking is of `study.sample.state_totals` (each state's all-occupations row): a_mean
with its SE from MEAN_PRSE and a 95% CI. A rank is a point estimate, so each state is
also compared with the next one down by the z of `stats.survey`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL, Record, z_critical
from analysis_py.stats.survey import EstimateComparison, estimate_difference_z

__all__ = [
    "StateRank",
    "StateRanking",
    "compare_states",
    "neighbour_comparisons",
    "state_wage_ranking",
]


@dataclass(frozen=True)
class StateRank(Record):
    rank: int
    area: str
    area_title: str
    prim_state: str | None
    a_mean: float
    a_mean_se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class StateRanking:
    """States (and DC) ranked by all-occupations mean annual wage, SE from MEAN_PRSE, 95% CI."""

    release_year: int
    rows: tuple[StateRank, ...]
    level: float = LEVEL

    def to_dict(self) -> list[dict[str, Any]]:
        return [row.to_dict() for row in self.rows]

    def by_rank(self, rank: int) -> StateRank:
        """The row at 1-based position `rank` in the ordering (negative counts from the bottom)."""
        return self.rows[rank - 1 if rank > 0 else rank]


def state_wage_ranking(totals: pd.DataFrame, level: float = LEVEL) -> StateRanking:
    """Rank states by all-occupations a_mean (1 = highest); CI = a_mean +- z x a_mean_se.

    `totals` is `study.sample.state_totals`. Ties share the better rank; order is then by title.
    """
    rows = totals.dropna(subset=["a_mean", "a_mean_se"])
    if rows.empty:
        raise AnalysisError(
            "fct_occupation_wages", "no state has a published all-occupations a_mean"
        )
    rows = rows.sort_values(["a_mean", "area_title"], ascending=[False, True])
    ranks = rows["a_mean"].rank(method="min", ascending=False).astype(int)
    z = z_critical(level)
    ranked = tuple(
        StateRank(
            rank=int(rank),
            area=str(row.area),
            area_title=str(row.area_title),
            prim_state=None if pd.isna(row.prim_state) else str(row.prim_state),
            a_mean=float(row.a_mean),
            a_mean_se=float(row.a_mean_se),
            ci_low=float(row.a_mean - z * row.a_mean_se),
            ci_high=float(row.a_mean + z * row.a_mean_se),
        )
        for rank, row in zip(ranks, rows.itertuples(index=False), strict=True)
    )
    return StateRanking(release_year=int(rows["release_year"].iloc[0]), rows=ranked, level=level)


def compare_states(ranking: StateRanking, rank_1: int, rank_2: int) -> EstimateComparison:
    """The z test of two ranked states' mean wages (ranks as in `StateRanking.by_rank`)."""
    first, second = ranking.by_rank(rank_1), ranking.by_rank(rank_2)
    return estimate_difference_z(
        first.a_mean,
        first.a_mean_se,
        second.a_mean,
        second.a_mean_se,
        f"{first.area_title} (rank {first.rank})",
        f"{second.area_title} (rank {second.rank})",
        ranking.level,
    )


def neighbour_comparisons(ranking: StateRanking) -> tuple[EstimateComparison, ...]:
    """Each state against the next one down the ranking (rank 1 vs 2, 2 vs 3, ...): are neighbours distinguishable?"""
    return tuple(compare_states(ranking, rank, rank + 1) for rank in range(1, len(ranking.rows)))
