"""The releases chart: each SOC major group's real mean annual wage over every loaded release, one small
panel per group, with the SOC vintage breaks marked."""

from __future__ import annotations

import itertools
import math
import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter

from analysis_py.outputs.charts.style import BLUE, DOLLARS, GREY, literal_text
from analysis_py.study.changes import ReleaseChanges, SocBreak

__all__ = ["real_wage_by_release_chart"]

#: Panels per row: 22 major groups make a 6 x 4 grid that stays readable on a page.
_COLUMNS = 4
#: Up to this many releases, each gets its own tick (no tick for a year without a release).
_LABELLED_RELEASES = 8


def _break_positions(breaks: tuple[SocBreak, ...]) -> list[float]:
    """Where a break is drawn: halfway between the last release of one vintage and the first of the next."""
    return [(row.before_year + row.after_year) / 2 for row in breaks]


#: Tick marks of the shared log-scale dollar axis (those within the data's range are used).
_DOLLAR_TICKS = (10_000, 20_000, 30_000, 40_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000)


def _draw_group(
    ax: Axes, series: pd.Series, years: list[int], breaks: tuple[SocBreak, ...]
) -> None:
    """One group's releases: solid within a SOC vintage, dotted across a break, no line over a
    release whose mean is missing; the breaks dashed."""
    edges = _break_positions(breaks)
    for position in edges:
        ax.axvline(position, color=GREY, lw=0.9, ls="--", zorder=1)
    for year, next_year in itertools.pairwise(years):
        value, next_value = series.get(year), series.get(next_year)
        if value is None or next_value is None or pd.isna(value) or pd.isna(next_value):
            continue
        crosses = any(year < position < next_year for position in edges)
        ax.plot(
            [year, next_year],
            [value, next_value],
            color=GREY if crosses else BLUE,
            ls=":" if crosses else "-",
            lw=1.6,
            zorder=2,
        )
    points = series.dropna()
    ax.scatter(list(points.index), points.values, s=14, color=BLUE, zorder=3)
    missing = [year for year in years if pd.isna(series.get(year))]
    if missing:  # a release whose mean is suppressed or top-coded: a grey x on the axis
        ax.scatter(
            missing,
            [0.04] * len(missing),
            marker="x",
            s=22,
            color=GREY,
            transform=ax.get_xaxis_transform(),
            zorder=3,
            clip_on=False,
        )
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    if change := _change_words(series, edges):
        ax.text(
            0.98,
            0.06,
            change,
            transform=ax.transAxes,
            ha="right",
            fontsize=8,
            color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
            zorder=4,
        )


def _place_change_words(ax: Axes) -> None:
    """Move each panel's change text above the line where the line runs in the lower half (once the
    shared axis is set), so the text never sits on the line."""
    low, high = (math.log(limit) for limit in ax.get_ylim())
    values = [
        value
        for line in ax.get_lines()
        if line.get_linestyle() != "--"  # the breaks span the axis
        for value in line.get_ydata()
    ]
    if values and all((math.log(v) - low) / (high - low) < 0.5 for v in values):
        for text in ax.texts:
            text.set_y(0.88)


def _change_words(series: pd.Series, edges: list[float]) -> str:
    """'+4.2% since May 2021': the real change over the last run of one SOC vintage (a change across
    a break would mix reclassification into it); empty with fewer than two means in that run."""
    after = max(edges, default=float("-inf"))
    run = series[[year > after for year in series.index]].dropna()
    if len(run) < 2:
        return ""
    percent = round(100 * (run.iloc[-1] / run.iloc[0] - 1), 1) + 0.0  # never "-0.0%"
    return f"{percent:+.1f}% since May {run.index[0]}"


def _dollar_axis(ax: Axes, values: pd.Series) -> None:
    """One log-scale dollar axis for every panel (shared): levels compare across groups, and equal
    percentage changes look equal."""
    low, high = float(values.min()), float(values.max())
    ax.set_yscale("log")
    ax.set_ylim(low / 1.12, high * 1.12)
    ax.set_yticks([tick for tick in _DOLLAR_TICKS if low / 1.12 <= tick <= high * 1.12])
    ax.yaxis.set_major_formatter(DOLLARS)
    ax.yaxis.set_minor_formatter(NullFormatter())


def _title(code: str, title: str) -> str:
    """'11 Management' on at most two lines."""
    short = title.removesuffix(" Occupations")
    return "\n".join(textwrap.wrap(f"{code[:2]} {short}", 32)[:2])


def _note(changes: ReleaseChanges, years: list[int]) -> str:
    """The footnote: what the breaks are, and BLS's caution."""
    breaks = changes.breaks
    if breaks:
        listed = "; ".join(
            f"May {row.before_year} {row.before_vintage} -> May {row.after_year} {row.after_vintage}"
            for row in breaks
        )
        text = (
            f"Dashed lines: SOC vintage breaks ({listed}). Major-group contents change at a break, so a step "
            "across one (dotted) is partly reclassification, not pay."
        )
    else:
        text = "No SOC vintage break between the releases loaded."
    unknown = [year for year, vintage in changes.soc_vintages if not vintage and year in years]
    if unknown:
        text += f" No SOC vintage recorded for May {', '.join(map(str, unknown))}."
    return "\n".join(
        textwrap.wrap(
            f"{text} The percentage in each panel is the real change over the releases since the last break. A grey x on the axis: the group's mean is suppressed or top-coded in that release. One log dollar scale for all panels: "
            "equal slopes are equal percentage changes. OEWS is not a time series: nearby releases share "
            "survey panels.",
            160,
        )
    )


@literal_text
def real_wage_by_release_chart(changes: ReleaseChanges, figure: Figure | None = None) -> Figure:
    """Each SOC major group's real mean annual wage (base-release dollars) in every release, a panel per
    group in SOC code order, drawn on `figure` (else a new one)."""
    frame = pd.DataFrame([row.to_dict() for row in changes.major_groups])
    wide = frame.pivot(index="release_year", columns="soc_major_group_code", values="a_mean_real")
    titles = frame.drop_duplicates("soc_major_group_code").set_index("soc_major_group_code")[
        "soc_major_group_title"
    ]
    codes = sorted(wide.columns)
    rows = max(math.ceil(len(codes) / _COLUMNS), 1)
    if figure is None:
        figure = Figure(figsize=(14, 2.0 * rows + 1.6), layout="constrained")
    axes = figure.subplots(rows, _COLUMNS, sharex=True, sharey=True, squeeze=False).ravel()
    years = sorted(changes.release_years)
    values = wide.stack().dropna().astype(float)
    if len(values):
        _dollar_axis(axes[0], values)
    # once, not per panel: the panels share their x axis (and its ticks), and setting them makes
    # every panel's ticks anew
    if len(years) <= _LABELLED_RELEASES:
        # two digits: releases a year apart (2024, 2025) would run their four-digit labels together
        axes[0].set_xticks(years, [f"\u2019{year % 100:02d}" for year in years])
    else:
        axes[0].xaxis.set_major_locator(MaxNLocator(5, integer=True))
    for ax, code in zip(axes, codes, strict=False):
        _draw_group(ax, wide[code].astype(float), years, changes.breaks)
        ax.set_title(_title(code, str(titles[code])), fontsize=9, loc="left")
        ax.set_xlim(years[0] - 0.7, years[-1] + 0.7)
    for ax in axes[: len(codes)]:
        _place_change_words(ax)
    for ax in axes[len(codes) :]:
        ax.set_axis_off()
    for ax in axes[: len(codes)][-_COLUMNS:]:
        ax.tick_params(labelbottom=True)
    for ax in axes[: len(codes)][::_COLUMNS]:
        ax.tick_params(labelleft=True)
    figure.suptitle(
        f"Real mean annual wage by SOC major group, {changes.file_kind} workbooks, May {years[0]}-{years[-1]} "
        f"(May {changes.real_dollars_base_year} dollars, CPI-U)",
        fontsize=12,
    )
    figure.supxlabel(_note(changes, years), fontsize=9, color="#333333")
    return figure
