"""Charts that compare groups of occupations: box plots of management vs production, tech vs the rest,
and every SOC major group's spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis_py.bls import TOP_CODED
from analysis_py.outputs.charts.style import (
    BLUE,
    DOLLARS,
    DOLLARS_MINOR,
    GREY,
    ORANGE,
    axes_or_new,
    literal_text,
    p_value_text,
    top_code_bound,
)
from analysis_py.outputs.numbers import soc_text
from analysis_py.study.groups import MANAGEMENT, PRODUCTION, TECH
from analysis_py.study.questions import HypothesisTest

__all__ = [
    "MAX_POINTS",
    "management_vs_production_chart",
    "spread_by_major_group_chart",
    "tech_vs_nontech_chart",
]


@literal_text
def spread_by_major_group_chart(
    sample: pd.DataFrame, levene_test: HypothesisTest, ax: Axes | None = None
) -> Figure:
    """a_mean of every SOC major group as horizontal box plots on a log axis, ordered by SD, each group's SD
    in its label; Levene's W across the groups in the title."""
    groups = sorted(levene_test.groups.items(), key=lambda item: item[1].sd)
    ax = axes_or_new(ax, (10, max(4.0, 0.38 * len(groups) + 1.5)))
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
        patch.set_facecolor(BLUE)
        patch.set_alpha(0.45)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(DOLLARS)
    ax.xaxis.set_minor_formatter(DOLLARS_MINOR)
    ax.grid(axis="x", which="both", alpha=0.25)
    ax.set_xlabel(
        "mean annual wage of the occupation in the state (log scale)\nbox: quartiles and median; whiskers: 5th-95th percentile; diamond: mean"
    )
    ax.set_title(
        f"Spread of mean annual wages by SOC major group, smallest SD at the bottom\n"
        f"Levene (median-centred) W = {levene_test.statistic:.1f}, {p_value_text(levene_test.p_value)}; "
        f"largest / smallest SD = {levene_test.effect_size.value:.1f}",
        fontsize=10,
    )
    return ax.figure


#: At most this many points per group are drawn over a box (a random sample, the same every run).
MAX_POINTS = 1_000


def _group_box(
    ax: Axes, groups: list[np.ndarray], names: list[str], colors: list[str], ylabel: str
) -> None:
    """Box plots (quartiles, median, mean; whiskers 5th-95th percentile) of the groups on a log axis,
    over at most MAX_POINTS jittered points per group, with a key."""
    labels = [f"{name}\nn = {len(values):,}" for name, values in zip(names, groups, strict=True)]
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
    for patch, color in zip(boxes["boxes"], colors, strict=True):
        patch.set_facecolor(color)
        patch.set_alpha(0.45)
    rng = np.random.default_rng(0)  # fixed sample and jitter: the same picture every run
    for position, values, color in zip(range(1, len(groups) + 1), groups, colors, strict=True):
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
    ax.yaxis.set_major_formatter(DOLLARS)
    ax.yaxis.set_minor_formatter(DOLLARS_MINOR)
    ax.grid(axis="y", which="both", alpha=0.25)
    ax.set_ylabel(f"{ylabel} (log scale)")
    sampled = any(len(values) > MAX_POINTS for values in groups)
    ax.set_xlabel(
        "box: quartiles and median; whiskers: 5th-95th percentile; diamond: mean\ndots: state x occupation"
        + (f" (a random {MAX_POINTS:,} where n is larger)" if sampled else ""),
        fontsize=8,
        color="#444444",
    )


@literal_text
def management_vs_production_chart(
    sample: pd.DataFrame, welch: HypothesisTest, ax: Axes | None = None
) -> Figure:
    """a_mean of management (SOC 11) vs production (SOC 51): box, mean, points; Welch's t in the title."""
    ax = axes_or_new(ax, (7, 6))
    groups = [
        sample.loc[sample["soc_major_group_code"] == code, "a_mean"].dropna().to_numpy(dtype=float)
        for code in (MANAGEMENT, PRODUCTION)
    ]
    _group_box(
        ax,
        groups,
        [f"management ({soc_text(MANAGEMENT)})", f"production ({soc_text(PRODUCTION)})"],
        [BLUE, ORANGE],
        "mean annual wage of the occupation in the state",
    )
    ax.set_title(
        f"Management vs production: difference ${welch.details['mean_difference']:,.0f} "
        f"(95% CI ${welch.ci.low:,.0f} to ${welch.ci.high:,.0f})\n"
        f"Welch t = {welch.statistic:.1f}, df = {welch.df:,.0f}, {p_value_text(welch.p_value)}, Hedges' g = {welch.effect_size.value:.2f}",
        fontsize=10,
    )
    return ax.figure


@literal_text
def tech_vs_nontech_chart(
    sample: pd.DataFrame, ztest: HypothesisTest, ax: Axes | None = None
) -> Figure:
    """a_median of tech (SOC 15) vs every other major group: box, mean, points on a log axis; the z test in the title."""
    ax = axes_or_new(ax, (7, 6.5))
    is_tech = sample["soc_major_group_code"] == TECH
    groups = [
        sample.loc[is_tech, "a_median"].dropna().to_numpy(dtype=float),
        sample.loc[~is_tech, "a_median"].dropna().to_numpy(dtype=float),
    ]
    _group_box(
        ax,
        groups,
        [f"tech ({soc_text(TECH)})", "non-tech (other SOC groups)"],
        [BLUE, GREY],
        "median annual wage of the occupation in the state",
    )
    bound = top_code_bound(sample)
    ax.axhline(bound, color=ORANGE, linestyle=":", linewidth=1.5)
    ax.text(
        2.45,
        bound,
        f"top-code bound ${bound:,.0f}\n({TOP_CODED} = at least this;\nmedians above it\nare published too)",
        color=ORANGE,
        fontsize=8,
        va="center",
        ha="left",
    )
    ax.set_xlim(0.5, 3.3)
    differences = [run["mean_difference"] for run in ztest.details["top_code_scenarios"]]
    ax.set_title(
        f"Tech vs non-tech: difference of means ${ztest.details['mean_difference']:,.0f} "
        f"(95% CI ${ztest.ci.low:,.0f} to ${ztest.ci.high:,.0f})\n"
        f"z = {ztest.statistic:.1f}, {p_value_text(ztest.p_value)}; {ztest.n_top_coded} top-coded medians excluded;\n"
        f"set to the bound or to the largest published median: ${min(differences):,.0f} to ${max(differences):,.0f}",
        fontsize=10,
    )
    return ax.figure
