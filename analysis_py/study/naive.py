"""The naive-vs-sound comparison: a notebook's answers (title words, every level mixed) next to the study's.

`naive_comparison` puts, on the same file, the groups a quick notebook picks by title
words with every area type and hierarchy level mixed, against the SOC-coded detailed
sample; each row's `note` says what the words catch and miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from analysis_py.study.groups import MANAGEMENT, PRODUCTION, TECH
from analysis_py.study.questions import PEARSON, WELCH_T, Z_TEST, HypothesisTest
from analysis_py.study.sample import wage_rows

__all__ = ["NaiveComparison", "naive_comparison"]

# What a notebook does: pick groups by words in the title, on every row of the file.
_NAIVE_MANAGEMENT = "Manager"
_NAIVE_PRODUCTION = "Production|Assembler"
_NAIVE_TECH = "Computer|Software|Data"
#: The fact columns the notebook's answers read (all 96 take four times as long to fetch).
_NAIVE_COLUMNS = (
    "occ_title",
    "o_group",
    "area_type",
    "soc_major_group_code",
    "tot_emp",
    "a_mean",
    "a_median",
)


@dataclass(frozen=True)
class NaiveComparison:
    """One question answered the notebook's way and the sound way, on the same file."""

    question: str
    naive_value: float
    sound_value: float
    naive_n: int
    sound_n: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _mean_where(frame: pd.DataFrame, mask: pd.Series, column: str) -> tuple[float, int]:
    values = frame.loc[mask, column].dropna()
    return float(values.mean()), len(values)


def naive_comparison(
    con: duckdb.DuckDBPyConnection, results: dict[str, HypothesisTest], release_year: int
) -> tuple[NaiveComparison, ...]:
    """The notebook's answers (title words, every area type and hierarchy level mixed) next to the sound ones."""
    every_row = wage_rows(con, release_year, area_type=None, o_group=None, columns=_NAIVE_COLUMNS)
    title = every_row["occ_title"].fillna("")
    mixed = f"all {len(every_row):,} rows of the file: {', '.join(sorted(every_row['o_group'].unique()))} levels and area types {sorted(every_row['area_type'].unique().tolist())} mixed"
    welch, pearson, ztest = (results[name] for name in (WELCH_T, PEARSON, Z_TEST))
    comparisons = []

    for label, pattern, code, key in (
        ("management", _NAIVE_MANAGEMENT, MANAGEMENT, "management"),
        ("production", _NAIVE_PRODUCTION, PRODUCTION, "production"),
    ):
        picked = title.str.contains(pattern, regex=True)
        naive_mean, naive_n = _mean_where(every_row, picked, "a_mean")
        other_groups = int((picked & (every_row["soc_major_group_code"] != code)).sum())
        missed = int(
            (
                (every_row["soc_major_group_code"] == code)
                & (every_row["o_group"] == "detailed")
                & ~picked
            ).sum()
        )
        group = welch.groups[key]
        comparisons.append(
            NaiveComparison(
                question=f"Mean annual wage of {label} occupations",
                naive_value=naive_mean,
                sound_value=group.mean,
                naive_n=naive_n,
                sound_n=group.n,
                note=(
                    f"naive: titles matching '{pattern}' in {mixed}; {other_groups} matched rows are outside SOC {code} and "
                    f"{missed} detailed SOC {code} rows are missed. Sound: SOC {code}, detailed rows of states and DC."
                ),
            )
        )
    naive_management, naive_production = comparisons
    comparisons.append(
        NaiveComparison(
            question="Management minus production mean annual wage",
            naive_value=naive_management.naive_value - naive_production.naive_value,
            sound_value=welch.details["mean_difference"],
            naive_n=naive_management.naive_n + naive_production.naive_n,
            sound_n=welch.n,
            note=f"sound: Welch's t, 95% CI {welch.ci.low:,.0f} to {welch.ci.high:,.0f}",
        )
    )

    both = every_row[["tot_emp", "a_mean"]].dropna()
    comparisons.append(
        NaiveComparison(
            question="Pearson r of tot_emp and a_mean",
            naive_value=float(both["tot_emp"].corr(both["a_mean"])),
            sound_value=pearson.statistic,
            naive_n=len(both),
            sound_n=pearson.n,
            note=(
                f"naive: {mixed}, so all-occupation totals and major-group sums (huge tot_emp) sit beside "
                "the occupations they add up. Sound: detailed rows of states and DC only."
            ),
        )
    )

    picked = title.str.contains(_NAIVE_TECH, regex=True)
    tech_mean, tech_n = _mean_where(every_row, picked, "a_median")
    rest_mean, rest_n = _mean_where(every_row, ~picked, "a_median")
    comparisons.append(
        NaiveComparison(
            question="Tech minus non-tech mean of a_median",
            naive_value=tech_mean - rest_mean,
            sound_value=ztest.details["mean_difference"],
            naive_n=tech_n + rest_n,
            sound_n=ztest.n,
            note=(
                f"naive: titles matching '{_NAIVE_TECH}' vs the rest, in {mixed}. "
                f"Sound: SOC {TECH} vs every other major group, detailed rows of states and DC."
            ),
        )
    )
    return tuple(comparisons)
