"""What every chart shares: axes, tick formats, colours, literal text, p-values in titles, the top-code bound.

Figures are built with `matplotlib.figure.Figure`, not pyplot: no global state and no
GUI backend; `Figure.savefig` renders with Agg.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from analysis_py.outputs.numbers import p_exact_text, p_phrase

__all__ = [
    "BLUE",
    "COUNT",
    "DOLLARS",
    "DOLLARS_MINOR",
    "GREY",
    "JOBS",
    "ORANGE",
    "axes_or_new",
    "literal_text",
    "p_value_text",
    "top_code_bound",
]

DOLLARS = FuncFormatter(lambda value, _: f"{'-' if value < 0 else ''}${abs(value) / 1000:,.0f}k")
#: Minor ticks of a log axis: labelled at 2x and 5x the decade only.
DOLLARS_MINOR = FuncFormatter(
    lambda value, _: f"${value / 1000:,.0f}k" if f"{value:.0e}"[0] in "25" else ""
)
COUNT = FuncFormatter(lambda value, _: f"{value:,.0f}")
JOBS = FuncFormatter(
    lambda value, _: (
        f"{value / 1e6:g}M"
        if value >= 1e6
        else f"{value / 1e3:g}k"
        if value >= 1e3
        else f"{value:g}"
    )
)
BLUE, ORANGE, GREY = "#1f77b4", "#d95f02", "#7f7f7f"
P = ParamSpec("P")


def axes_or_new(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """`ax`, else the axes of a new Figure of `size` inches."""
    if ax is not None:
        return ax
    figure = Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def literal_text(chart: Callable[P, Figure]) -> Callable[P, Figure]:
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


def p_value_text(p: float) -> str:
    """'p = 2.2e-09' in a chart title; 'p < 1e-300' below what a double holds."""
    return p_phrase(p_exact_text(p, 2))


def top_code_bound(sample: pd.DataFrame) -> float:
    """The annual top-code bound of the sample's release (fct_occupation_wages.top_code_annual_bound)."""
    return float(sample["top_code_annual_bound"].max())
