"""The releases chart: each SOC major group's real mean annual wage in every loaded release."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis_py.outputs.charts.style import DOLLARS, GREY, literal_text
from analysis_py.study.changes import ReleaseChanges

__all__ = ["real_wage_by_release_chart"]


@literal_text
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
    shades = dict(
        zip(years, np.linspace(0.35, 0.95, len(years)), strict=True)
    )  # the newest release darkest
    colors = {year: matplotlib.colormaps["Blues"](shade) for year, shade in shades.items()}
    for code, values in wide.iterrows():  # a thin line from the lowest to the highest release
        ax.plot([values.min(), values.max()], [position[code]] * 2, color=GREY, lw=1, zorder=1)
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
    ax.xaxis.set_major_formatter(DOLLARS)
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
