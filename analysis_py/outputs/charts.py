"""Results and samples -> matplotlib Figures (the caller saves them).

Each function draws on `ax` when given, else on a new Figure, and returns the Figure.
Figures are built with `matplotlib.figure.Figure`, not pyplot: no global state and no
GUI backend; `Figure.savefig` renders with Agg.
"""
from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis_py.formatting import money as _money
from analysis_py.study.changes import ReleaseChanges
from analysis_py.study.groups import MANAGEMENT, PRODUCTION, TECH
from analysis_py.study.questions import HypothesisTest, StateRanking
from analysis_py.study.regressions import RegressionResult

__all__ = [
    "state_ranking_chart",
    "wage_distribution_chart",
    "management_vs_production_chart",
    "employment_vs_wage_chart",
    "tech_vs_nontech_chart",
    "real_wage_by_release_chart",
]

_DOLLARS = FuncFormatter(lambda value, _: f"{'-' if value < 0 else ''}${abs(value) / 1000:,.0f}k")
_COUNT = FuncFormatter(lambda value, _: f"{value:,.0f}")
_BLUE, _ORANGE, _GREY = "#1f77b4", "#d95f02", "#7f7f7f"


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    figure = Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def _literal(text: str) -> str:
    """Text from a workbook drawn as is: every `$` escaped, so no title is read as mathtext
    (`District of $\\notacommand$ Columbia` would make matplotlib raise at draw time)."""
    return text.replace("$", r"\$")


def _p_text(p: float) -> str:
    return "p < 1e-300" if p == 0 else f"p = {p:.2g}"


def state_ranking_chart(ranking: StateRanking, n: int = 10, ax: Axes | None = None) -> Figure:
    """Top and bottom `n` states by all-occupations mean annual wage, with 95% CIs as error bars."""
    ax = _axes(ax, (8, 8))
    rows = list(ranking.rows[:n]) + list(ranking.rows[-n:]) if len(ranking.rows) > 2 * n else list(ranking.rows)
    positions = np.arange(len(rows))[::-1].astype(float)
    if len(rows) == 2 * n:
        positions[n:] -= 1  # a gap between the top and the bottom group
    for group, color, label in ((rows[:n], _BLUE, f"top {n}"), (rows[n:], _ORANGE, f"bottom {n}")):
        if not group:
            continue
        where = positions[: len(group)] if color == _BLUE else positions[n:]
        means = np.array([row.a_mean for row in group])
        half = np.array([row.ci_high - row.a_mean for row in group])
        ax.errorbar(means, where, xerr=half, fmt="o", color=color, ecolor="black", elinewidth=1.5, capsize=4, markersize=6, label=label)
    ax.set_yticks(positions, [f"{row.rank}. {_literal(row.area_title)}" for row in rows])
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.set_xlabel("mean annual wage, all occupations (95% CI from MEAN_PRSE)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(f"States by mean annual wage, May {ranking.release_year}: top and bottom {n}")
    return ax.figure


def wage_distribution_chart(sample: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Histogram of a_mean over the sample's rows (state x detailed occupation), mean and median marked."""
    ax = _axes(ax, (9, 5))
    values = sample["a_mean"].dropna().to_numpy(dtype=float)
    top_coded = int(sample["is_a_mean_top_coded"].sum())
    ax.hist(values, bins=np.arange(0, values.max() + 10_000, 10_000), color=_BLUE, alpha=0.8, edgecolor="white")
    for value, label, style in ((np.mean(values), "mean", "-"), (np.median(values), "median", "--")):
        ax.axvline(value, color="black", linestyle=style, linewidth=1.5, label=f"{label} ${value:,.0f}")
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.yaxis.set_major_formatter(_COUNT)
    ax.set_xlabel("mean annual wage of the occupation in the state ($10k bins)")
    ax.set_ylabel("state x occupation rows")
    ax.legend()
    ax.set_title(
        f"Mean annual wage of detailed occupations, {sample['area'].nunique()} areas (states and DC), n = {len(values):,}\n"
        f"{top_coded} top-coded (at least ${sample['top_code_annual_bound'].max():,.0f}) and "
        f"{int(sample['a_mean'].isna().sum()) - top_coded} suppressed rows not shown",
        fontsize=11,
    )
    return ax.figure


def _group_box(ax: Axes, groups: list[np.ndarray], names: list[str], colors: list[str], ylabel: str, key_at_left: bool) -> None:
    """Box plots (quartiles, median, mean) of the groups over their jittered points, with a key."""
    labels = [f"{name}\nn = {len(values):,}" for name, values in zip(names, groups)]
    boxes = ax.boxplot(groups, tick_labels=labels, showmeans=True, showfliers=False, patch_artist=True, widths=0.5,
                       medianprops={"color": "black", "linewidth": 2},
                       meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"})  # fmt: skip
    for patch, color in zip(boxes["boxes"], colors):
        patch.set_facecolor(color)
        patch.set_alpha(0.5)
    rng = np.random.default_rng(0)  # fixed jitter: the same picture every run
    for position, values, color in zip(range(1, len(groups) + 1), groups, colors):
        ax.scatter(position + rng.uniform(-0.18, 0.18, len(values)), values, s=4, alpha=0.15, color=color, linewidths=0)
    ax.yaxis.set_major_formatter(_DOLLARS)
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylabel(ylabel)
    ax.text(0.01 if key_at_left else 0.99, 0.99, "box: quartiles and median\ndiamond: mean\ndots: state x occupation",
            transform=ax.transAxes, ha="left" if key_at_left else "right", va="top", fontsize=9, color=_GREY)  # fmt: skip


def management_vs_production_chart(sample: pd.DataFrame, welch: HypothesisTest, ax: Axes | None = None) -> Figure:
    """a_mean of management (SOC 11) vs production (SOC 51): box, mean, points; Welch's t in the title."""
    ax = _axes(ax, (7, 6))
    groups = [sample.loc[sample["soc_major_group_code"] == code, "a_mean"].dropna().to_numpy(dtype=float) for code in (MANAGEMENT, PRODUCTION)]
    _group_box(ax, groups, ["management (SOC 11)", "production (SOC 51)"], [_BLUE, _ORANGE],
               "mean annual wage of the occupation in the state", key_at_left=False)  # fmt: skip
    ax.set_title(
        f"Management vs production: difference ${welch.details['mean_difference']:,.0f} "
        f"(95% CI ${welch.ci.low:,.0f} to ${welch.ci.high:,.0f})\n"
        f"Welch t = {welch.statistic:.1f}, df = {welch.df:,.0f}, {_p_text(welch.p_value)}, Hedges' g = {welch.effect_size.value:.2f}",
        fontsize=10,
    )
    return ax.figure


def employment_vs_wage_chart(sample: pd.DataFrame, ols: RegressionResult, ax: Axes | None = None) -> Figure:
    """tot_emp vs a_mean (log-scaled employment axis), with the fitted line of OLS a_mean ~ tot_emp."""
    ax = _axes(ax, (9, 6))
    rows = sample.dropna(subset=["tot_emp", "a_mean"])
    ax.scatter(rows["tot_emp"], rows["a_mean"], s=4, alpha=0.15, color=_BLUE, linewidths=0, label="state x detailed occupation")
    # The fit is drawn over the bottom 99% of employment: past that the straight line (a curve on
    # this log axis) runs on towards negative wages, a defect of the notebook's model, not of the data.
    grid = np.geomspace(rows["tot_emp"].min(), rows["tot_emp"].quantile(0.99), 200)
    intercept, slope = ols.coefficient("Intercept").estimate, ols.coefficient("tot_emp").estimate
    ax.plot(grid, intercept + slope * grid, color=_ORANGE, linewidth=2.5,
            label=f"OLS a_mean ~ tot_emp: {_money(slope * 1000)} per 1,000 jobs, R² = {ols.r_squared:.4f}\n"
                  "(drawn over the 99% smallest occupations)")  # fmt: skip
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(_COUNT)
    ax.yaxis.set_major_formatter(_DOLLARS)
    ax.set_xlabel("employment of the occupation in the state (tot_emp, log scale)")
    ax.set_ylabel("mean annual wage")
    ax.grid(alpha=0.3)
    legend = ax.legend(loc="upper right")
    legend.legend_handles[0].set(alpha=1, sizes=[20])
    ax.set_title(f"Employment vs wage (n = {ols.n:,}): bigger occupations barely pay less", fontsize=11)
    return ax.figure


def tech_vs_nontech_chart(sample: pd.DataFrame, ztest: HypothesisTest, ax: Axes | None = None) -> Figure:
    """a_median of tech (SOC 15) vs every other major group: box, mean, points; the z test in the title."""
    ax = _axes(ax, (7, 6))
    is_tech = sample["soc_major_group_code"] == TECH
    groups = [sample.loc[is_tech, "a_median"].dropna().to_numpy(dtype=float), sample.loc[~is_tech, "a_median"].dropna().to_numpy(dtype=float)]
    _group_box(ax, groups, ["tech (SOC 15)", "non-tech (other SOC groups)"], [_BLUE, _GREY],
               "median annual wage of the occupation in the state", key_at_left=True)  # fmt: skip
    ax.set_title(
        f"Tech vs non-tech: difference of means ${ztest.details['mean_difference']:,.0f} "
        f"(95% CI ${ztest.ci.low:,.0f} to ${ztest.ci.high:,.0f})\n"
        f"z = {ztest.statistic:.1f}, {_p_text(ztest.p_value)}; {ztest.n_top_coded} top-coded medians excluded "
        f"(set to the bound: z = {ztest.details['sensitivity']['statistic']:.1f})",
        fontsize=10,
    )
    return ax.figure


def real_wage_by_release_chart(changes: ReleaseChanges, ax: Axes | None = None) -> Figure:
    """Each SOC major group's real mean annual wage (base-release dollars) in every release, one row per group;
    without `ax`, a second panel gives each later release's real percent change since the oldest."""
    if ax is None:
        figure = Figure(figsize=(12, 9), layout="constrained")
        ax, change_ax = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    else:
        change_ax = None
    frame = pd.DataFrame([row.to_dict() for row in changes.major_groups]).dropna(subset=["a_mean_real"])
    years = sorted(frame["release_year"].unique())
    wide = frame.pivot(index="soc_major_group_code", columns="release_year", values="a_mean_real")
    wide = wide.sort_values(years[-1], na_position="first")
    position = {code: index for index, code in enumerate(wide.index)}
    titles = frame.drop_duplicates("soc_major_group_code").set_index("soc_major_group_code")["soc_major_group_title"]
    shades = dict(zip(years, np.linspace(0.35, 0.95, len(years))))  # the newest release darkest
    colors = {year: matplotlib.colormaps["Blues"](shade) for year, shade in shades.items()}
    for code, values in wide.iterrows():  # a thin line from the lowest to the highest release
        ax.plot([values.min(), values.max()], [position[code]] * 2, color=_GREY, lw=1, zorder=1)
    for year in years:
        ax.scatter(wide[year], range(len(wide)), s=40, zorder=2, color=colors[year], edgecolors="black",
                   linewidths=0.4, label=f"May {year}")  # fmt: skip
    ax.set_yticks(range(len(wide)), [str(titles[code]).removesuffix(" Occupations") for code in wide.index])
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.set_xlabel(f"mean annual wage, May {changes.real_dollars_base_year} dollars (CPI-U)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", title=f"{changes.file_kind} release")
    title = f"Real mean annual wage by SOC major group, {changes.file_kind} releases, May {years[0]}-{years[-1]}"
    ax.set_title("level" if change_ax is not None else title, fontsize=11)
    if change_ax is not None and len(years) > 1:
        later = years[1:]
        height = 0.8 / len(later)
        for index, year in enumerate(later):
            change = 100 * (wide[year] / wide[years[0]] - 1)
            offsets = np.arange(len(wide)) + (index - (len(later) - 1) / 2) * height
            change_ax.barh(offsets, change, height=height, color=colors[year], edgecolor="black", linewidth=0.4,
                           label=f"May {year}")  # fmt: skip
        change_ax.axvline(0, color="black", lw=0.8)
        change_ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+.0f}%"))
        change_ax.set_xlabel(f"real change since May {years[0]} (percent)")
        change_ax.grid(axis="x", alpha=0.3)
        change_ax.legend(loc="upper left")
        change_ax.set_title(f"change since May {years[0]}", fontsize=11)
        ax.figure.suptitle(
            f"{title}\nOEWS is not a time series: nearby releases share survey panels; major-group means also move "
            "with the mix of occupations",
            fontsize=12,
        )
    return ax.figure
