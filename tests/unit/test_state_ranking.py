"""Question 1: states ranked by mean annual wage with a CI from MEAN_PRSE, and neighbours compared."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from analysis_py.errors import AnalysisError
from analysis_py.study.state_ranking import (
    compare_states,
    neighbour_comparisons,
    state_wage_ranking,
)


def totals(rows: list[tuple[str, float | None, float | None]]) -> pd.DataFrame:
    """state_totals-shaped rows: (area_title, a_mean, mean_prse)."""
    frame = pd.DataFrame(rows, columns=["area_title", "a_mean", "mean_prse"])
    frame["area"] = [f"{i:02d}" for i in range(1, len(rows) + 1)]
    frame["prim_state"] = [title[:2].upper() for title in frame["area_title"]]
    frame["release_year"] = 2025
    frame["tot_emp"] = 1_000_000.0
    frame["a_mean_se"] = frame["a_mean"] * frame["mean_prse"] / 100
    return frame


# ---------------------------------------------------------------- state_wage_ranking


def test_state_ranking_orders_by_mean_wage_with_a_normal_ci_from_the_prse() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    assert [(row.rank, row.area_title) for row in ranking.rows] == [
        (1, "Beta"),
        (2, "Gamma"),
        (3, "Alpha"),
    ]
    beta = ranking.rows[0]
    assert beta.a_mean_se == pytest.approx(1_400.0)
    assert (beta.ci_low, beta.ci_high) == pytest.approx(
        stats.norm.interval(0.95, 70_000.0, 1_400.0), rel=1e-12
    )
    assert ranking.release_year == 2025


def test_state_ranking_ties_share_the_better_rank_in_title_order() -> None:
    ranking = state_wage_ranking(
        totals(
            [
                ("Delta", 60_000.0, 1.0),
                ("Bravo", 60_000.0, 1.0),
                ("Alpha", 70_000.0, 1.0),
                ("Echo", 50_000.0, 1.0),
            ]
        )
    )
    assert [(row.rank, row.area_title) for row in ranking.rows] == [
        (1, "Alpha"),
        (2, "Bravo"),
        (2, "Delta"),
        (4, "Echo"),
    ]


def test_state_ranking_leaves_out_states_without_a_published_mean() -> None:
    ranking = state_wage_ranking(totals([("Alpha", 50_000.0, 1.0), ("Beta", None, None)]))
    assert [row.area_title for row in ranking.rows] == ["Alpha"]


def test_state_ranking_of_no_published_mean_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="no state has a published all-occupations a_mean"):
        state_wage_ranking(totals([("Alpha", None, None)]))


def test_state_ranking_with_another_level_widens_the_interval() -> None:
    rows = totals([("Alpha", 50_000.0, 2.0), ("Beta", 40_000.0, 1.0)])
    wide = state_wage_ranking(rows, level=0.99).rows[0]
    assert (wide.ci_low, wide.ci_high) == pytest.approx(
        stats.norm.interval(0.99, 50_000.0, 1_000.0), rel=1e-12
    )


# ---------------------------------------------------------------- compare_states


def test_compare_states_is_the_z_of_two_ranked_states() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    comparison = compare_states(ranking, 1, 2)
    z = (70_000 - 60_000) / math.sqrt(1_400.0**2 + 300.0**2)
    assert comparison.z == pytest.approx(z, rel=1e-12)
    assert comparison.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    assert comparison.difference == pytest.approx(10_000.0)


def test_compare_states_counts_negative_ranks_from_the_bottom() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    comparison = compare_states(ranking, -2, -1)
    assert comparison.z == pytest.approx(
        (60_000 - 50_000) / math.sqrt(300.0**2 + 500.0**2), rel=1e-12
    )
    assert (comparison.label_1, comparison.label_2) == ("Gamma (rank 2)", "Alpha (rank 3)")


def test_neighbour_comparisons_compare_each_state_with_the_next_one_down() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    pairs = neighbour_comparisons(ranking)
    assert [(pair.label_1, pair.label_2) for pair in pairs] == [
        ("Beta (rank 1)", "Gamma (rank 2)"),
        ("Gamma (rank 2)", "Alpha (rank 3)"),
    ]
    assert pairs[1].z == pytest.approx(
        (60_000 - 50_000) / math.sqrt(300.0**2 + 500.0**2), rel=1e-12
    )
