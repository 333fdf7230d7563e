"""Charts: each function draws what its name says on the given axes (synthetic sample, no build)."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_py.outputs import charts
from analysis_py.study.questions import state_wage_ranking, welch_t_management_vs_production, ztest_tech_vs_nontech_a_median
from analysis_py.study.regressions import ols_a_mean_on_tot_emp
from analysis_py.study.sample import state_totals


def test_state_ranking_chart_shows_top_and_bottom_ten_with_error_bars(marts: duckdb.DuckDBPyConnection) -> None:
    ranking = state_wage_ranking(state_totals(marts))
    figure = Figure()
    ax = figure.add_subplot()
    assert charts.state_ranking_chart(ranking, ax=ax) is figure
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert len(labels) == 20
    assert labels[0] == f"1. {ranking.rows[0].area_title}" and labels[-1] == f"51. {ranking.rows[-1].area_title}"
    assert len(ax.containers) == 2  # one errorbar container per group


def test_wage_distribution_chart_counts_every_published_a_mean(sample: pd.DataFrame) -> None:
    figure = charts.wage_distribution_chart(sample)
    [ax] = figure.axes
    assert sum(patch.get_height() for patch in ax.patches) == sample["a_mean"].notna().sum()


def test_management_vs_production_chart_plots_both_groups(sample: pd.DataFrame) -> None:
    figure = charts.management_vs_production_chart(sample, welch_t_management_vs_production(sample))
    [ax] = figure.axes
    published = [sample.loc[sample["soc_major_group_code"] == code, "a_mean"].notna().sum() for code in ("11-0000", "51-0000")]
    assert [len(collection.get_offsets()) for collection in ax.collections] == published
    assert "Welch t" in ax.get_title()


def test_employment_vs_wage_chart_draws_the_fitted_line(sample: pd.DataFrame) -> None:
    model = ols_a_mean_on_tot_emp(sample)
    [ax] = charts.employment_vs_wage_chart(sample, model).axes
    [line] = ax.get_lines()
    x, y = line.get_data()
    np.testing.assert_allclose(y, model.fitted.predict(pd.DataFrame({"tot_emp": x})), rtol=1e-9)
    assert ax.get_xscale() == "log"


def test_tech_vs_nontech_chart_reports_the_sensitivity_run(sample: pd.DataFrame) -> None:
    test = ztest_tech_vs_nontech_a_median(sample)
    [ax] = charts.tech_vs_nontech_chart(sample, test).axes
    assert test.n_top_coded > 0
    assert f"{test.n_top_coded} top-coded medians excluded" in ax.get_title()
