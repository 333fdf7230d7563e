"""The report's "What a wage buys" section: the states' mean wages nominal and in U.S.-average prices.

Rendered from results.json's `what_a_wage_buys` (`study.price_ranking`); workbook text goes
through `markdown_literal`. The ranks are descriptive; the section says what the adjusted
figures' uncertainty leaves out (BEA publishes no standard errors for RPPs).
"""

from __future__ import annotations

from typing import Any

from analysis_py.formatting import markdown_literal, money
from analysis_py.outputs.prose import Results
from analysis_py.stats.results import z_critical

#: the 95% normal critical value (1.96), for the CI half-widths quoted
Z_95 = z_critical(0.95)

__all__ = ["prices_section"]


def _years(years: list[int]) -> str:
    return " and ".join(str(year) for year in years)


def _moves(ranking: list[dict[str, Any]]) -> str:
    """The three largest moves up and down, in words."""

    def said(row: dict[str, Any]) -> str:
        return (
            f"{markdown_literal(row['area_title'])} {abs(row['ranks_moved'])} "
            f"({row['nominal_rank']} → {row['adjusted_rank']})"
        )

    up = sorted((r for r in ranking if r["ranks_moved"] > 0), key=lambda r: -r["ranks_moved"])
    down = sorted((r for r in ranking if r["ranks_moved"] < 0), key=lambda r: r["ranks_moved"])
    moved = sum(1 for row in ranking if row["ranks_moved"] != 0)
    words = f"{moved} of the {len(ranking)} change rank once prices are taken out."
    if up:
        words += " Furthest up: " + ", ".join(said(row) for row in up[:3]) + "."
    if down:
        words += " Furthest down: " + ", ".join(said(row) for row in down[:3]) + "."
    return words


def _moved(row: dict[str, Any]) -> str:
    return f"{row['ranks_moved']:+d}" if row["ranks_moved"] else "0"


def _ranking_table(ranking: list[dict[str, Any]], years: list[int]) -> list[str]:
    # one RPP year for every state (the usual case): said once, in the header
    one_year = len(years) == 1
    header = f"RPP {years[0]}" if one_year else "RPP (year)"
    return [
        f"| state | mean annual wage | rank | {header} | in U.S.-average prices | rank | ranks moved |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {markdown_literal(row['area_title'])} | {money(row['a_mean'])} | {row['nominal_rank']} | "
            f"{row['rpp']:.3f}{'' if one_year else ' (' + str(row['rpp_year']) + ')'} | "
            f"{money(row['a_mean_rpp_adjusted'])} | {row['adjusted_rank']} | {_moved(row)} |"
            for row in ranking
        ],
        "",
    ]


def _leaders_table(occupations: list[dict[str, Any]]) -> list[str]:
    rows = []
    for occupation in occupations:
        for index, row in enumerate(occupation["leaders"]):
            # the occupation named on its first row only: the rows under it are its leaders
            named = (
                f"{markdown_literal(occupation['occ_title'])} ({occupation['occ_code']}, "
                f"{occupation['n_states']} states)"
                if index == 0
                else ""
            )
            rows.append(
                f"| {named} | {row['adjusted_rank']} | {markdown_literal(row['area_title'])} | "
                f"{money(row['a_mean_rpp_adjusted'])} | {money(row['a_mean'])} | {row['nominal_rank']} |"
            )
    return [
        "| occupation | rank in U.S.-average prices | state | in U.S.-average prices | mean annual wage | nominal rank |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def _ci_widths(ranking: list[dict[str, Any]]) -> str:
    """The range of the adjusted means' 95% CI half-widths (OEWS's sampling error only)."""
    widths = [
        Z_95 * row["a_mean_se_rpp_adjusted"]
        for row in ranking
        if row.get("a_mean_se_rpp_adjusted") is not None
    ]
    if not widths:
        return ""
    return f"±{money(min(widths))} to ±{money(max(widths))}"


def prices_section(results: Results) -> list[str]:
    """ "What a wage buys": nominal vs adjusted ranking of the states, and three occupations' leaders."""
    prices = results.get("what_a_wage_buys")
    if not prices or not prices.get("ranking"):
        return []
    release = prices["release_year"]
    years = prices["rpp_years"]
    own_year = years == [release]
    when = (
        f"BEA's RPPs of {release}"
        if own_year
        else f"BEA's RPPs of {_years(years)}, the latest BEA has published (BEA publishes them about "
        f"18 months after their year, so the May {release} release has none of its own): they assume "
        f"relative prices did not shift between {_years(years)} and May {release}"
    )
    left_out = prices.get("without_rpp") or []
    lines = [
        "## What a wage buys",
        "",
        "A dollar does not buy the same in every state. BEA's Regional Price Parities (RPP) give each "
        "state's price level relative to the U.S. = 100 (all items: goods, rents and other services); a "
        "wage divided by its state's RPP / 100 is in **U.S.-average prices**: what the wage would buy at "
        f"the national average price level. This section uses {when}.",
        "",
        f"**The states' all-occupations mean annual wage, nominal and in U.S.-average prices.** "
        f"{_moves(prices['ranking'])} In order of the adjusted mean:",
        "",
        *_ranking_table(prices["ranking"], years),
        "The ranks are descriptive, each a point estimate. BEA publishes no standard errors for RPPs, so "
        "an adjusted mean's standard error is the nominal one scaled by 100 / RPP "
        f"(`a_mean_se_rpp_adjusted`; 95% CIs of {_ci_widths(prices['ranking'])} here): it carries OEWS's "
        "sampling error only, and the true uncertainty of an adjusted comparison is larger than its CI "
        "says. A move of a place or two between states whose adjusted means lie that close is not a "
        "finding. Rank changes mix prices with each state's occupation mix, which the all-occupations "
        "mean carries too. An RPP prices the average consumer's basket across the whole state, not a "
        "given worker's, and leaves out taxes: where an occupation gathers in a state's dearest "
        "metropolitan areas, the state's RPP understates the prices its workers pay.",
        "",
    ]
    if left_out:
        lines += [
            f"Left out (no published mean or no RPP): {', '.join(markdown_literal(t) for t in left_out)}.",
            "",
        ]
    if prices.get("occupations"):
        lines += [
            "**Three widely held occupations: the states that lead once prices are taken out** (the "
            f"{len(prices['occupations'][0]['leaders'])} highest means in U.S.-average prices of each, "
            "with the nominal mean and rank beside; `wage compare --prices national` tests a pair):",
            "",
            *_leaders_table(prices["occupations"]),
        ]
    return lines
