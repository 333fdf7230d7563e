"""Results and samples -> matplotlib Figures (the caller saves them).

Each function draws on `ax` when given, else on a new Figure, and returns the Figure.
Figures are built with `matplotlib.figure.Figure`, not pyplot: no global state and no
GUI backend; `Figure.savefig` renders with Agg.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, NullFormatter

from analysis_py.formatting import money as _money
from analysis_py.study.changes import ReleaseChanges
from analysis_py.study.groups import MANAGEMENT, PRODUCTION, TECH
from analysis_py.study.questions import HypothesisTest
from analysis_py.study.regressions import RegressionResult
from analysis_py.study.state_ranking import StateRanking, neighbour_comparisons

__all__ = [
    "state_ranking_chart",
    "wage_distribution_chart",
    "management_vs_production_chart",
    "employment_vs_wage_chart",
    "tech_vs_nontech_chart",
    "spread_by_major_group_chart",
    "real_wage_by_release_chart",
]

_DOLLARS = FuncFormatter(lambda value, _: f"{'-' if value < 0 else ''}${abs(value) / 1000:,.0f}k")
#: Minor ticks of a log axis: labelled at 2x and 5x the decade only.
_DOLLARS_MINOR = FuncFormatter(
    lambda value, _: f"${value / 1000:,.0f}k" if f"{value:.0e}"[0] in "25" else ""
)
_COUNT = FuncFormatter(lambda value, _: f"{value:,.0f}")
_JOBS = FuncFormatter(
    lambda value, _: (
        f"{value / 1e6:g}M"
        if value >= 1e6
        else f"{value / 1e3:g}k"
        if value >= 1e3
        else f"{value:g}"
    )
)
_BLUE, _ORANGE, _GREY = "#1f77b4", "#d95f02", "#7f7f7f"
P = ParamSpec("P")


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    figure = Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def _literal_text(chart: Callable[P, Figure]) -> Callable[P, Figure]:
    """Every text of the chart drawn as is, never as mathtext: `District of $\\notacommand$ Columbia` or
    "$29,786 to $33,000" would otherwise be parsed (and the first make matplotlib raise at draw time)."""

    @functools.wraps(chart)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with matplotlib.rc_context({"text.parse_math": False}):
            figure = chart(*args, **kwargs)
        for text in figure.findobj(Text):  # texts of axes made before, outside this context
            text.set_parse_math(False)
        return figure

    return drawn


def _p_text(p: float) -> str:
    return "p < 1e-300" if p == 0 else f"p = {p:.2g}"


def _runs(indistinguishable: Sequence[bool]) -> list[tuple[int, int]]:
    """(first, last) positions of each run of two or more states linked by indistinguishable neighbours."""
    runs, start = [], 0
    for position in range(len(indistinguishable) + 1):
        if position == len(indistinguishable) or not indistinguishable[position]:
            if position > start:
                runs.append((start, position))
            start = position + 1
    return runs


@_literal_text
def state_ranking_chart(ranking: StateRanking, ax: Axes | None = None) -> Figure:
    """Every state by all-occupations mean annual wage with its 95% CI (a dot plot), runs of neighbours that
    the survey cannot tell apart (|z| < 1.96 between each and the next) shaded and bracketed."""
    rows = list(ranking.rows)
    ax = _axes(ax, (8, max(4.0, 0.2 * len(rows) + 1.5)))
    positions = np.arange(len(rows))[::-1].astype(float)
    means = np.array([row.a_mean for row in rows])
    half = np.array([row.ci_high - row.a_mean for row in rows])
    close = [comparison.p_value >= 0.05 for comparison in neighbour_comparisons(ranking)]
    for index, (first, last) in enumerate(_runs(close)):
        ax.axhspan(
            positions[last] - 0.45,
            positions[first] + 0.45,
            color=_GREY,
            alpha=0.12 if index % 2 else 0.22,
            linewidth=0,
        )
    ax.errorbar(
        means,
        positions,
        xerr=half,
        fmt="o",
        color=_BLUE,
        ecolor="black",
        elinewidth=1,
        capsize=2,
        markersize=4,
        label="mean, 95% CI (MEAN_PRSE)",
    )
    ax.set_yticks(positions, [f"{row.rank}. {row.area_title}" for row in rows], fontsize=8)
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.set_xlabel("mean annual wage, all occupations")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(
        f"States and DC by mean annual wage, May {ranking.release_year}\n"
        f"grey band: each state in it cannot be told from the next one (|z| < 1.96)\n"
        f"{sum(close)} of {len(close)} neighbouring pairs cannot be told apart",
        fontsize=10,
    )
    return ax.figure


@_literal_text
def wage_distribution_chart(sample: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Histogram of a_mean over the sample's rows (state x detailed occupation) on a log axis, mean and median marked."""
    ax = _axes(ax, (9, 5))
    values = sample["a_mean"].dropna().to_numpy(dtype=float)
    top_coded = int(sample["is_a_mean_top_coded"].sum())
    bound = float(sample["top_code_annual_bound"].max())
    bins = np.geomspace(values.min(), values.max(), 60) if values.max() > values.min() else 1
    ax.hist(values, bins=bins, color=_BLUE, alpha=0.8, edgecolor="white")
    ax.set_xscale("log")
    for value, label, style in (
        (np.mean(values), "mean", "-"),
        (np.median(values), "median", "--"),
    ):
        ax.axvline(
            value, color="black", linestyle=style, linewidth=1.5, label=f"{label} ${value:,.0f}"
        )
    ax.axvline(
        bound,
        color=_ORANGE,
        linestyle=":",
        linewidth=1.5,
        label=f"top-code bound ${bound:,.0f}: {int((values > bound).sum()):,} published above it",
    )
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.xaxis.set_minor_formatter(_DOLLARS_MINOR)
    ax.yaxis.set_major_formatter(_COUNT)
    ax.set_xlabel(
        "mean annual wage of the occupation in the state (log scale, 60 equal-ratio bins)"
    )
    ax.set_ylabel("state x occupation rows")
    ax.legend(fontsize=9)
    ax.set_title(
        f"Mean annual wage of detailed occupations, {sample['area'].nunique()} areas (states and DC), n = {len(values):,}\n"
        f"{top_coded} top-coded (# : at least ${bound:,.0f}) and "
        f"{int(sample['a_mean'].isna().sum()) - top_coded} suppressed rows not shown",
        fontsize=11,
    )
    return ax.figure


#: At most this many points per group are drawn over a box (a random sample, the same every run).
MAX_POINTS = 1_000


def _group_box(
    ax: Axes, groups: list[np.ndarray], names: list[str], colors: list[str], ylabel: str
) -> None:
    """Box plots (quartiles, median, mean; whiskers 5th-95th percentile) of the groups on a log axis,
    over at most MAX_POINTS jittered points per group, with a key."""
    labels = [f"{name}\nn = {len(values):,}" for name, values in zip(names, groups)]
    boxes = ax.boxplot(
        groups,
        tick_labels=labels,
        showmeans=True,
        showfliers=False,
        patch_artist=True,
        widths=0.5,
        whis=(5, 95),
        medianprops={"color": "black", "linewidth": 2},
        zorder=3,
        meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"},
    )
    for patch, color in zip(boxes["boxes"], colors):
        patch.set_facecolor(color)
        patch.set_alpha(0.45)
    rng = np.random.default_rng(0)  # fixed sample and jitter: the same picture every run
    for position, values, color in zip(range(1, len(groups) + 1), groups, colors):
        shown = (
            values if len(values) <= MAX_POINTS else rng.choice(values, MAX_POINTS, replace=False)
        )
        ax.scatter(
            position + rng.uniform(-0.2, 0.2, len(shown)),
            shown,
            s=5,
            alpha=0.3,
            color=color,
            linewidths=0,
            zorder=2,
        )
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_DOLLARS)
    ax.yaxis.set_minor_formatter(_DOLLARS_MINOR)
    ax.grid(axis="y", which="both", alpha=0.25)
    ax.set_ylabel(f"{ylabel} (log scale)")
    sampled = any(len(values) > MAX_POINTS for values in groups)
    ax.set_xlabel(
        "box: quartiles and median; whiskers: 5th-95th percentile; diamond: mean\ndots: state x occupation"
        + (f" (a random {MAX_POINTS:,} where n is larger)" if sampled else ""),
        fontsize=8,
        color="#444444",
    )


@_literal_text
def management_vs_production_chart(
    sample: pd.DataFrame, welch: HypothesisTest, ax: Axes | None = None
) -> Figure:
    """a_mean of management (SOC 11) vs production (SOC 51): box, mean, points; Welch's t in the title."""
    ax = _axes(ax, (7, 6))
    groups = [
        sample.loc[sample["soc_major_group_code"] == code, "a_mean"].dropna().to_numpy(dtype=float)
        for code in (MANAGEMENT, PRODUCTION)
    ]
    _group_box(
        ax,
        groups,
        ["management (SOC 11)", "production (SOC 51)"],
        [_BLUE, _ORANGE],
        "mean annual wage of the occupation in the state",
    )
    ax.set_title(
        f"Management vs production: difference ${welch.details['mean_difference']:,.0f} "
        f"(95% CI ${welch.ci.low:,.0f} to ${welch.ci.high:,.0f})\n"
        f"Welch t = {welch.statistic:.1f}, df = {welch.df:,.0f}, {_p_text(welch.p_value)}, Hedges' g = {welch.effect_size.value:.2f}",
        fontsize=10,
    )
    return ax.figure


def _hexbin(ax: Axes, x: np.ndarray, y: np.ndarray, log: bool) -> Any:
    """Rows per hexagon (log colour scale), so 35,000 points are no blob."""
    scale = "log" if log else "linear"
    return ax.hexbin(
        x,
        y,
        gridsize=45,
        bins="log",
        mincnt=1,
        cmap="Blues",
        xscale=scale,
        yscale=scale,
        linewidths=0.1,
    )


def _colorbar(figure: Figure, cells: Any, ax: Axes) -> None:
    bar = figure.colorbar(cells, ax=ax, label="rows per hexagon (log scale)", fraction=0.05)
    bar.ax.yaxis.set_major_formatter(_COUNT)
    bar.ax.yaxis.set_minor_formatter(NullFormatter())


@_literal_text
def employment_vs_wage_chart(
    sample: pd.DataFrame, linear: RegressionResult, log_model: RegressionResult
) -> Figure:
    """tot_emp vs a_mean twice, each model's fit drawn straight on its own axes:
    left, linear axes (clipped at the 99th percentiles) with OLS a_mean ~ tot_emp;
    right, log-log axes with the log model's within-group elasticity drawn through the sample's mean logs."""
    figure = Figure(figsize=(13, 5.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    rows = sample.dropna(subset=["tot_emp", "a_mean"])
    rows = rows.loc[(rows["tot_emp"] > 0) & (rows["a_mean"] > 0)]
    x, y = rows["tot_emp"].to_numpy(dtype=float), rows["a_mean"].to_numpy(dtype=float)

    x_clip, y_clip = np.quantile(x, 0.99), np.quantile(y, 0.99)
    inside = (x <= x_clip) & (y <= y_clip)
    _colorbar(figure, _hexbin(left, x[inside], y[inside], log=False), left)
    intercept, slope = (
        linear.coefficient("Intercept").estimate,
        linear.coefficient(linear.focus_term).estimate,
    )
    grid = np.array([0.0, x_clip])
    left.plot(
        grid,
        intercept + slope * grid,
        color=_ORANGE,
        linewidth=2.5,
        label=f"OLS a_mean ~ tot_emp: {_money(slope * 1000)} per 1,000 jobs, R² = {linear.r_squared:.4f}",
    )
    left.xaxis.set_major_formatter(_COUNT)
    left.yaxis.set_major_formatter(_DOLLARS)
    left.set_xlabel(
        f"employment (tot_emp); {int((~inside).sum()):,} rows above the 99th percentile of either axis not shown"
    )
    left.set_ylabel("mean annual wage")
    left.legend(loc="upper right", fontsize=9)
    left.set_title("the notebook's model, linear axes", fontsize=11)

    cells = _hexbin(right, x, y, log=True)
    elasticity = log_model.coefficient(log_model.focus_term)
    log_x, log_y = np.log(x), np.log(y)
    grid = np.geomspace(x.min(), x.max(), 50)
    right.plot(
        grid,
        np.exp(log_y.mean() + elasticity.estimate * (np.log(grid) - log_x.mean())),
        color=_ORANGE,
        linewidth=2.5,
        label=f"elasticity within major groups {elasticity.estimate:.4f}\n(95% CI {elasticity.ci_low:.4f} to "
        f"{elasticity.ci_high:.4f}), drawn through the mean logs",
    )
    right.set_xscale("log")
    right.set_yscale("log")
    right.xaxis.set_major_formatter(_JOBS)
    right.yaxis.set_major_formatter(_DOLLARS)
    right.yaxis.set_minor_formatter(_DOLLARS_MINOR)
    right.set_xlabel("employment (tot_emp, log scale)")
    right.set_ylabel("mean annual wage (log scale)")
    right.legend(loc="upper right", fontsize=9)
    right.set_title("log(a_mean) ~ log(tot_emp) + major group, log-log axes", fontsize=11)
    _colorbar(figure, cells, right)
    figure.suptitle(
        f"Employment vs mean annual wage, detailed occupations in the states and DC (n = {len(x):,}): "
        "bigger occupations barely pay less",
        fontsize=12,
    )
    return figure


@_literal_text
def tech_vs_nontech_chart(
    sample: pd.DataFrame, ztest: HypothesisTest, ax: Axes | None = None
) -> Figure:
    """a_median of tech (SOC 15) vs every other major group: box, mean, points on a log axis; the z test in the title."""
    ax = _axes(ax, (7, 6.5))
    is_tech = sample["soc_major_group_code"] == TECH
    groups = [
        sample.loc[is_tech, "a_median"].dropna().to_numpy(dtype=float),
        sample.loc[~is_tech, "a_median"].dropna().to_numpy(dtype=float),
    ]
    _group_box(
        ax,
        groups,
        ["tech (SOC 15)", "non-tech (other SOC groups)"],
        [_BLUE, _GREY],
        "median annual wage of the occupation in the state",
    )
    bound = float(sample["top_code_annual_bound"].max())
    ax.axhline(bound, color=_ORANGE, linestyle=":", linewidth=1.5)
    ax.text(
        2.45,
        bound,
        f"top-code bound ${bound:,.0f}\n(# = at least this;\nmedians above it\nare published too)",
        color=_ORANGE,
        fontsize=8,
        va="center",
        ha="left",
    )
    ax.set_xlim(0.5, 3.3)
    differences = [run["mean_difference"] for run in ztest.details["top_code_scenarios"]]
    ax.set_title(
        f"Tech vs non-tech: difference of means ${ztest.details['mean_difference']:,.0f} "
        f"(95% CI ${ztest.ci.low:,.0f} to ${ztest.ci.high:,.0f})\n"
        f"z = {ztest.statistic:.1f}, {_p_text(ztest.p_value)}; {ztest.n_top_coded} top-coded medians excluded;\n"
        f"set to the bound or to the largest published median: ${min(differences):,.0f} to ${max(differences):,.0f}",
        fontsize=10,
    )
    return ax.figure


@_literal_text
def spread_by_major_group_chart(
    sample: pd.DataFrame, levene_test: HypothesisTest, ax: Axes | None = None
) -> Figure:
    """a_mean of every SOC major group as horizontal box plots on a log axis, ordered by SD, each group's SD
    in its label; Levene's W across the groups in the title."""
    groups = sorted(levene_test.groups.items(), key=lambda item: item[1].sd)
    ax = _axes(ax, (10, max(4.0, 0.38 * len(groups) + 1.5)))
    values = [
        sample.loc[sample["soc_major_group_code"] == code, "a_mean"].dropna().to_numpy(dtype=float)
        for code, _ in groups
    ]
    labels = [
        f"{summary.label.removesuffix(' Occupations')}  (SD ${summary.sd / 1000:,.0f}k, n = {summary.n:,})"
        for _, summary in groups
    ]
    boxes = ax.boxplot(
        values,
        orientation="horizontal",
        tick_labels=labels,
        whis=(5, 95),
        showfliers=False,
        showmeans=True,
        patch_artist=True,
        widths=0.6,
        medianprops={"color": "black"},
        meanprops={
            "marker": "D",
            "markersize": 4,
            "markerfacecolor": "white",
            "markeredgecolor": "black",
        },
    )
    for patch in boxes["boxes"]:
        patch.set_facecolor(_BLUE)
        patch.set_alpha(0.45)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(_DOLLARS)
    ax.xaxis.set_minor_formatter(_DOLLARS_MINOR)
    ax.grid(axis="x", which="both", alpha=0.25)
    ax.set_xlabel(
        "mean annual wage of the occupation in the state (log scale)\nbox: quartiles and median; whiskers: 5th-95th percentile; diamond: mean"
    )
    ax.set_title(
        f"Spread of mean annual wages by SOC major group, smallest SD at the bottom\n"
        f"Levene (median-centred) W = {levene_test.statistic:.1f}, {_p_text(levene_test.p_value)}; "
        f"largest / smallest SD = {levene_test.effect_size.value:.1f}",
        fontsize=10,
    )
    return ax.figure


@_literal_text
def real_wage_by_release_chart(changes: ReleaseChanges, ax: Axes | None = None) -> Figure:
    """Each SOC major group's real mean annual wage (base-release dollars) in every release, one row per group;
    without `ax`, a second panel gives each later release's real percent change since the oldest."""
    if ax is None:
        figure = Figure(figsize=(12, 9), layout="constrained")
        ax, change_ax = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    else:
        change_ax = None
    frame = pd.DataFrame([row.to_dict() for row in changes.major_groups]).dropna(
        subset=["a_mean_real"]
    )
    years = sorted(frame["release_year"].unique())
    wide = frame.pivot(index="soc_major_group_code", columns="release_year", values="a_mean_real")
    wide = wide.sort_values(years[-1], na_position="first")
    position = {code: index for index, code in enumerate(wide.index)}
    titles = frame.drop_duplicates("soc_major_group_code").set_index("soc_major_group_code")[
        "soc_major_group_title"
    ]
    shades = dict(zip(years, np.linspace(0.35, 0.95, len(years))))  # the newest release darkest
    colors = {year: matplotlib.colormaps["Blues"](shade) for year, shade in shades.items()}
    for code, values in wide.iterrows():  # a thin line from the lowest to the highest release
        ax.plot([values.min(), values.max()], [position[code]] * 2, color=_GREY, lw=1, zorder=1)
    for year in years:
        ax.scatter(
            wide[year],
            range(len(wide)),
            s=40,
            zorder=2,
            color=colors[year],
            edgecolors="black",
            linewidths=0.4,
            label=f"May {year}",
        )
    ax.set_yticks(
        range(len(wide)), [str(titles[code]).removesuffix(" Occupations") for code in wide.index]
    )
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
            change_ax.barh(
                offsets,
                change,
                height=height,
                color=colors[year],
                edgecolor="black",
                linewidth=0.4,
                label=f"May {year}",
            )
        change_ax.axvline(0, color="black", lw=0.8)
        change_ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+.0f}%"))
        change_ax.set_xlabel(f"real change since May {years[0]} (percent)")
        change_ax.grid(axis="x", alpha=0.3)
        change_ax.legend(
            loc="upper left", reverse=True
        )  # top to bottom, as each group's bars stack
        change_ax.set_title(f"change since May {years[0]}", fontsize=11)
        ax.figure.suptitle(
            f"{title}\nOEWS is not a time series: nearby releases share survey panels; major-group means also move "
            "with the mix of occupations",
            fontsize=12,
        )
    return ax.figure
