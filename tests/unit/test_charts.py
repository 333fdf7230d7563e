"""Charts: each function draws what its name says on the given axes (synthetic sample, no build)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from scipy import stats

from analysis_py.outputs import artifacts, charts
from analysis_py.outputs.charts import groups, states
from analysis_py.study.changes import MajorGroupWage, ReleaseChanges
from analysis_py.study.questions import LEVENE_MAJOR_GROUPS, WELCH_T, Z_TEST, hypothesis_test
from analysis_py.study.regressions import ols_a_mean_on_tot_emp, ols_log_wage_on_log_emp_major_group
from analysis_py.study.sample import state_totals
from analysis_py.study.state_ranking import state_wage_ranking


def test_state_ranking_chart_shows_every_state_with_its_ci(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    ranking = state_wage_ranking(state_totals(marts))
    figure = Figure()
    ax = figure.add_subplot()
    assert charts.state_ranking_chart(ranking, ax=ax) is figure
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert len(labels) == len(ranking.rows) == 51
    assert (
        labels[0] == f"1. {ranking.rows[0].area_title}"
        and labels[-1] == f"51. {ranking.rows[-1].area_title}"
    )
    [errorbar] = ax.containers
    half_widths = [segment[1][0] - segment[0][0] for segment in errorbar.lines[2][0].get_segments()]
    np.testing.assert_allclose(
        half_widths, [2 * (row.ci_high - row.a_mean) for row in ranking.rows]
    )


def test_state_ranking_chart_shades_runs_of_indistinguishable_neighbours() -> None:
    # p of each neighbour pair: True where the two cannot be told apart
    assert states._runs([True, True, False, False, True]) == [(0, 2), (4, 5)]
    assert states._runs([False, False]) == []


def test_wage_distribution_chart_counts_every_published_a_mean_on_a_log_axis(
    sample: pd.DataFrame,
) -> None:
    figure = charts.wage_distribution_chart(sample)
    [ax] = figure.axes
    assert sum(patch.get_height() for patch in ax.patches) == sample["a_mean"].notna().sum()
    assert ax.get_xscale() == "log"


def test_management_vs_production_chart_plots_both_groups(sample: pd.DataFrame) -> None:
    figure = charts.management_vs_production_chart(sample, hypothesis_test(WELCH_T, sample))
    [ax] = figure.axes
    published = [
        sample.loc[sample["soc_major_group_code"] == code, "a_mean"].notna().sum()
        for code in ("11-0000", "51-0000")
    ]
    assert [len(collection.get_offsets()) for collection in ax.collections] == [
        min(n, groups.MAX_POINTS) for n in published
    ]
    assert "Welch t" in ax.get_title() and ax.get_yscale() == "log"


def test_group_box_draws_at_most_max_points_per_group() -> None:
    figure = Figure()
    ax = figure.add_subplot()
    big = np.random.default_rng(1).lognormal(11, 0.4, groups.MAX_POINTS * 3)
    groups._group_box(ax, [big, big[:10]], ["big", "small"], ["C0", "C1"], "wage")
    assert [len(collection.get_offsets()) for collection in ax.collections] == [
        groups.MAX_POINTS,
        10,
    ]


def test_employment_vs_wage_chart_draws_each_fit_straight_on_its_own_axes(
    sample: pd.DataFrame,
) -> None:
    linear, log_model = ols_a_mean_on_tot_emp(sample), ols_log_wage_on_log_emp_major_group(sample)
    left, right = charts.employment_vs_wage_chart(sample, linear, log_model).axes[:2]
    [line] = left.get_lines()
    x, y = line.get_data()
    np.testing.assert_allclose(y, linear.fitted.predict(pd.DataFrame({"tot_emp": x})), rtol=1e-9)
    assert left.get_xscale() == left.get_yscale() == "linear"
    [line] = right.get_lines()
    x, y = line.get_data()
    assert right.get_xscale() == right.get_yscale() == "log"
    slope = stats.linregress(
        np.log(x), np.log(y)
    ).slope  # a straight line on log-log axes, of the elasticity's slope
    np.testing.assert_allclose(slope, log_model.coefficient("np.log(tot_emp)").estimate, rtol=1e-9)


def test_tech_vs_nontech_chart_states_the_top_code_runs(sample: pd.DataFrame) -> None:
    test = hypothesis_test(Z_TEST, sample)
    [ax] = charts.tech_vs_nontech_chart(sample, test).axes
    assert test.n_top_coded > 0
    assert f"{test.n_top_coded} top-coded medians excluded" in ax.get_title()
    low = min(run["mean_difference"] for run in test.details["top_code_scenarios"])
    assert f"${low:,.0f}" in ax.get_title()


def test_spread_chart_has_a_box_per_major_group_ordered_by_sd(sample: pd.DataFrame) -> None:
    test = hypothesis_test(LEVENE_MAJOR_GROUPS, sample)
    [ax] = charts.spread_by_major_group_chart(sample, test).axes
    labels = [label.get_text() for label in ax.get_yticklabels()]
    by_sd = sorted(test.groups.values(), key=lambda group: group.sd)
    assert len(labels) == len(test.groups) and [label.split("  (")[0] for label in labels] == [
        group.label.removesuffix(" Occupations") for group in by_sd
    ]


def test_chart_text_with_dollar_signs_is_drawn_literally(sample: pd.DataFrame) -> None:
    test = hypothesis_test(Z_TEST, sample)  # its title holds several $ amounts
    figure = charts.tech_vs_nontech_chart(sample, test)
    figure.savefig(io.BytesIO(), format="png")
    texts = figure.findobj(Text)
    assert [
        text.get_text() for text in texts if "$" in text.get_text() and text.get_parse_math()
    ] == []


def _bar_chart(value: float) -> Figure:
    figure = Figure(figsize=(3, 2))
    figure.add_subplot().bar(["a", "b"], [1.0, value])
    return figure


def test_charts_drawn_beside_are_the_bytes_drawn_here(tmp_path: Path) -> None:
    drawings = {
        "state_ranking": lambda: _bar_chart(2.0),
        "employment_vs_wage": lambda: _bar_chart(3.0),
        "wage_distribution": lambda: _bar_chart(4.0),
    }
    forked = {name: tmp_path / "forked" / f"{name}.png" for name in drawings}
    here = {name: tmp_path / "here" / f"{name}.png" for name in drawings}
    for path in [*forked.values(), *here.values()]:
        path.parent.mkdir(exist_ok=True)
    artifacts._save_charts(drawings, forked)
    artifacts._save_figures(drawings, here)
    assert {name: path.read_bytes() for name, path in forked.items()} == {
        name: path.read_bytes() for name, path in here.items()
    }


def test_an_error_while_drawing_beside_is_raised_here(tmp_path: Path) -> None:
    def broken() -> Figure:
        raise ValueError("no such state")

    drawings = {"state_ranking": broken, "wage_distribution": lambda: _bar_chart(4.0)}
    paths = {name: tmp_path / f"{name}.png" for name in drawings}
    with pytest.raises(RuntimeError, match=r"^ValueError: no such state$"):
        artifacts._save_charts(drawings, paths)
    assert paths["wage_distribution"].exists() and not paths["state_ranking"].exists()
    assert _zombie_children() == []  # the child was waited for


def _zombie_children() -> list[int]:
    """Children of this process that ended and were never waited for (state Z in /proc)."""
    zombies = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(ppid) == os.getpid() and state == "Z":
            zombies.append(int(stat.parent.name))
    return zombies


def _release_changes(vintages: dict[int, str | None]) -> ReleaseChanges:
    """Two major groups over `vintages`' releases; Production's May 2021 mean missing."""
    years = tuple(sorted(vintages))
    groups = tuple(
        MajorGroupWage(
            code,
            title,
            year,
            wage * (1 + 0.01 * (year - 2012)),
            None if (code, year) == ("51-0000", 2021) else wage * (1 + 0.01 * (year - 2012)),
        )
        for code, title, wage in (
            ("11-0000", "Management Occupations", 120_000.0),
            ("51-0000", "Production Occupations", 45_000.0),
        )
        for year in years
    )
    return ReleaseChanges(
        "national",
        years,
        None,
        years[-1],
        years[-1],
        0,
        0,
        0,
        0,
        0,
        (),
        (),
        groups,
        tuple(vintages.items()),
    )


def test_real_wage_by_release_draws_a_panel_per_group_and_a_dashed_line_per_soc_break() -> None:
    changes = _release_changes(
        {2012: "SOC 2010", 2018: "SOC 2010", 2019: "mixed", 2021: "SOC 2018", 2025: "SOC 2018"}
    )
    figure = charts.real_wage_by_release_chart(changes)
    panels = [ax for ax in figure.axes if ax.axison]
    assert [ax.get_title(loc="left") for ax in panels] == ["11 Management", "51 Production"]
    dashed = [line.get_xdata()[0] for line in panels[0].get_lines() if line.get_linestyle() == "--"]
    assert dashed == [2018.5, 2020.0]
    since_break = 100 * ((1 + 0.01 * 13) / (1 + 0.01 * 9) - 1)  # May 2021 to May 2025, by hand
    assert [text.get_text() for text in panels[0].texts] == [f"{since_break:+.1f}% since May 2021"]


def test_real_wage_by_release_draws_no_line_over_a_missing_mean_and_marks_it() -> None:
    changes = _release_changes({2019: "SOC 2018", 2021: "SOC 2018", 2022: "SOC 2018"})
    production = [ax for ax in charts.real_wage_by_release_chart(changes).axes if ax.axison][1]
    segments = [tuple(line.get_xdata()) for line in production.get_lines()]
    assert segments == []  # 2019-2021 and 2021-2022 both touch the missing 2021
    [marks] = [c for c in production.collections if c.get_offsets().shape[0] == 1]
    assert marks.get_offsets()[0][0] == 2021


def test_a_release_without_a_soc_vintage_makes_no_break() -> None:
    changes = _release_changes({2015: None, 2021: "SOC 2018", 2025: "SOC 2018"})
    first = charts.real_wage_by_release_chart(changes).axes[0]
    assert [line for line in first.get_lines() if line.get_linestyle() == "--"] == []
