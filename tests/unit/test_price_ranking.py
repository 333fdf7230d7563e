"""What a wage buys: states ranked nominal and in U.S.-average prices (`study.price_ranking`), and the
report's section rendered from a small results dict (`outputs.prices_section`)."""

from __future__ import annotations

import math

import pandas as pd

from analysis_py.outputs.prices_section import prices_section
from analysis_py.study.price_ranking import priced_ranking

#: BEA's all-items RPPs of 2024 (data/bea/SARPP_STATE_2008_2024.csv) and made-up means
STATES = [
    ("6", "California", 80_000.0, 110.720),
    ("28", "Mississippi", 50_000.0, 86.953),
    ("48", "Texas", 66_000.0, 97.057),
    ("15", "Hawaii", 70_000.0, 109.951),
    ("66", "Guam", 55_000.0, None),  # no RPP: left out of both rankings
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area": area,
                "area_title": title,
                "prim_state": None,
                "a_mean": a_mean,
                "a_mean_se": a_mean / 100,
                "rpp": rpp,
                "rpp_year": 2024,
                "a_mean_rpp_adjusted": None if rpp is None else a_mean * 100 / rpp,
                "a_mean_se_rpp_adjusted": None if rpp is None else a_mean / rpp,
            }
            for area, title, a_mean, rpp in STATES
        ]
    )


def test_priced_ranking_ranks_both_ways_in_adjusted_order() -> None:
    # adjusted by hand: CA 72,254; HI 63,665; TX 68,001; MS 57,502
    ranked = priced_ranking(_frame())
    assert [(r.area_title, r.nominal_rank, r.adjusted_rank, r.ranks_moved) for r in ranked] == [
        ("California", 1, 1, 0),
        ("Texas", 3, 2, 1),
        ("Hawaii", 2, 3, -1),
        ("Mississippi", 4, 4, 0),
    ]


def test_priced_ranking_leaves_out_an_area_without_an_rpp_from_both_rankings() -> None:
    assert "Guam" not in {row.area_title for row in priced_ranking(_frame())}


def test_tied_adjusted_means_share_the_better_rank() -> None:
    frame = _frame().iloc[:2].assign(a_mean_rpp_adjusted=60_000.0)
    assert [row.adjusted_rank for row in priced_ranking(frame)] == [1, 1]


def _results(rpp_year: int = 2024) -> dict:
    ranking = [row.to_dict() for row in priced_ranking(_frame().assign(rpp_year=rpp_year))]
    return {
        "what_a_wage_buys": {
            "release_year": 2025,
            "rpp_years": [rpp_year],
            "ranking": ranking,
            "occupations": [],
            "without_rpp": ["Guam"],
        }
    }


def test_section_says_the_rpp_is_of_an_earlier_year_than_the_release() -> None:
    text = "\n".join(prices_section(_results()))
    assert "BEA's RPPs of 2024, the latest BEA has published" in text
    assert "the May 2025 release has none of its own" in text


def test_section_of_an_rpp_of_the_releases_own_year_does_not_flag_it() -> None:
    text = "\n".join(prices_section(_results(rpp_year=2025)))
    assert "This section uses BEA's RPPs of 2025." in text and "latest" not in text


def test_section_says_rpps_carry_no_standard_errors_with_the_ci_widths() -> None:
    text = "\n".join(prices_section(_results()))
    # 95% CI half-widths: 1.96 x a_mean / rpp, smallest Mississippi's, largest California's
    low, high = 1.959964 * 50_000 / 86.953, 1.959964 * 80_000 / 110.720
    assert f"95% CIs of ±${low:,.0f} to ±${high:,.0f} here" in text
    assert "BEA publishes no standard errors for RPPs" in text
    assert math.isclose(low, 1127, abs_tol=1)


def test_section_table_row_shows_both_means_ranks_and_the_move() -> None:
    lines = prices_section(_results())
    assert "| Texas | $66,000 | 3 | 97.057 | $68,001 | 2 | +1 |" in lines
    assert "| California | $80,000 | 1 | 110.720 | $72,254 | 1 | 0 |" in lines


def test_section_lists_the_states_left_out() -> None:
    assert "Left out (no published mean or no RPP): Guam." in prices_section(_results())


def test_no_prices_in_the_results_means_no_section() -> None:
    assert prices_section({"what_a_wage_buys": None}) == []
