"""Charts of wages across occupations: their distribution, and how they go with employment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from analysis_py.bls import TOP_CODED
from analysis_py.formatting import money
from analysis_py.outputs.charts.style import (
    BLUE,
    COUNT,
    DOLLARS,
    DOLLARS_MINOR,
    JOBS,
    ORANGE,
    axes_or_new,
    literal_text,
    top_code_bound,
)
from analysis_py.study.regressions import RegressionResult

__all__ = ["employment_vs_wage_chart", "wage_distribution_chart"]


@literal_text
def wage_distribution_chart(sample: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Histogram of a_mean over the sample's rows (state x detailed occupation) on a log axis, mean and median marked."""
    ax = axes_or_new(ax, (9, 5))
    values = sample["a_mean"].dropna().to_numpy(dtype=float)
    top_coded = int(sample["is_a_mean_top_coded"].sum())
    bound = top_code_bound(sample)
    bins = np.geomspace(values.min(), values.max(), 60) if values.max() > values.min() else 1
    ax.hist(values, bins=bins, color=BLUE, alpha=0.8, edgecolor="white")
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
        color=ORANGE,
        linestyle=":",
        linewidth=1.5,
        label=f"top-code bound ${bound:,.0f}: {int((values > bound).sum()):,} published above it",
    )
    ax.xaxis.set_major_formatter(DOLLARS)
    ax.xaxis.set_minor_formatter(DOLLARS_MINOR)
    ax.yaxis.set_major_formatter(COUNT)
    ax.set_xlabel(
        "mean annual wage of the occupation in the state (log scale, 60 equal-ratio bins)"
    )
    ax.set_ylabel("state x occupation rows")
    ax.legend(fontsize=9)
    ax.set_title(
        f"Mean annual wage of detailed occupations, {sample['area'].nunique()} areas (states and DC), n = {len(values):,}\n"
        f"{top_coded} top-coded ({TOP_CODED} : at least ${bound:,.0f}) and "
        f"{int(sample['a_mean'].isna().sum()) - top_coded} suppressed rows not shown",
        fontsize=11,
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
    bar.ax.yaxis.set_major_formatter(COUNT)
    bar.ax.yaxis.set_minor_formatter(NullFormatter())


@literal_text
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
        color=ORANGE,
        linewidth=2.5,
        label=f"OLS a_mean ~ tot_emp: {money(slope * 1000)} per 1,000 jobs, R² = {linear.r_squared:.4f}",
    )
    left.xaxis.set_major_formatter(COUNT)
    left.yaxis.set_major_formatter(DOLLARS)
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
        color=ORANGE,
        linewidth=2.5,
        label=f"elasticity within major groups {elasticity.estimate:.4f}\n(95% CI {elasticity.ci_low:.4f} to "
        f"{elasticity.ci_high:.4f}), drawn through the mean logs",
    )
    right.set_xscale("log")
    right.set_yscale("log")
    right.xaxis.set_major_formatter(JOBS)
    right.yaxis.set_major_formatter(DOLLARS)
    right.yaxis.set_minor_formatter(DOLLARS_MINOR)
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
