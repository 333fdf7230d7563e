"""The states chart: every state's all-occupations mean annual wage with its CI, look-alike neighbours shaded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis_py.outputs.charts.style import BLUE, DOLLARS, GREY, axes_or_new, literal_text
from analysis_py.outputs.numbers import ALPHA, INDISTINGUISHABLE
from analysis_py.study.state_ranking import StateRanking, neighbour_comparisons

__all__ = ["state_ranking_chart"]


def _runs(indistinguishable: Sequence[bool]) -> list[tuple[int, int]]:
    """(first, last) positions of each run of two or more states linked by indistinguishable neighbours."""
    runs, start = [], 0
    for position in range(len(indistinguishable) + 1):
        if position == len(indistinguishable) or not indistinguishable[position]:
            if position > start:
                runs.append((start, position))
            start = position + 1
    return runs


@literal_text
def state_ranking_chart(ranking: StateRanking, ax: Axes | None = None) -> Figure:
    """Every state by all-occupations mean annual wage with its 95% CI (a dot plot), runs of neighbours that
    the survey cannot tell apart (|z| < 1.96 between each and the next) shaded and bracketed."""
    rows = list(ranking.rows)
    ax = axes_or_new(ax, (8, max(4.0, 0.2 * len(rows) + 1.5)))
    positions = np.arange(len(rows))[::-1].astype(float)
    means = np.array([row.a_mean for row in rows])
    half = np.array([row.ci_high - row.a_mean for row in rows])
    close = [comparison.p_value >= ALPHA for comparison in neighbour_comparisons(ranking)]
    for index, (first, last) in enumerate(_runs(close)):
        ax.axhspan(
            positions[last] - 0.45,
            positions[first] + 0.45,
            color=GREY,
            alpha=0.12 if index % 2 else 0.22,
            linewidth=0,
        )
    ax.errorbar(
        means,
        positions,
        xerr=half,
        fmt="o",
        color=BLUE,
        ecolor="black",
        elinewidth=1,
        capsize=2,
        markersize=4,
        label="mean, 95% CI (MEAN_PRSE)",
    )
    ax.set_yticks(positions, [f"{row.rank}. {row.area_title}" for row in rows], fontsize=8)
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.xaxis.set_major_formatter(DOLLARS)
    ax.set_xlabel("mean annual wage, all occupations")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(
        f"States and DC by mean annual wage, May {ranking.release_year}\n"
        f"grey band: each state in it cannot be told from the next one ({INDISTINGUISHABLE})\n"
        f"{sum(close)} of {len(close)} neighbouring pairs cannot be told apart",
        fontsize=10,
    )
    return ax.figure
