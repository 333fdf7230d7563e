"""Groups of the analysis sample by SOC major group code (never by title words), with their exclusions.

A NULL value (BLS printed `*` or `**`) is excluded and counted as suppressed; a top-coded
one (`#`, also NULL, with `is_<column>_top_coded`) is excluded and counted apart, because
it is not missing at random: it is at least the release's bound.

The last functions pick the groups each of the study's tests compares (`study.questions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import Record

__all__ = [
    "MANAGEMENT",
    "PRODUCTION",
    "TECH",
    "GroupSummary",
    "Groups",
    "describe_sample",
    "employment_and_wage",
    "every_major_group",
    "group_summary",
    "group_values",
    "major_groups",
    "management_and_production",
    "one_level",
    "published_rows",
    "tech_and_the_rest",
    "top_code_flag",
]

MANAGEMENT = "11-0000"  #: SOC major group: Management Occupations
PRODUCTION = "51-0000"  #: SOC major group: Production Occupations
TECH = "15-0000"  #: SOC major group: Computer and Mathematical Occupations


@dataclass(frozen=True)
class GroupSummary(Record):
    """One group's published values: how many were used, suppressed, top-coded; mean, SD, median."""

    label: str
    definition: str
    n: int
    mean: float
    sd: float
    median: float
    n_excluded_suppressed: int
    n_top_coded: int


def one_level(sample: pd.DataFrame) -> None:
    """Refuse a frame that mixes hierarchy levels, releases or area types."""
    for column in ("o_group", "release_year", "area_type"):
        values = sample[column].dropna().unique()
        if len(values) > 1:
            raise AnalysisError(
                "analysis sample",
                f"mixes {column} values {sorted(map(str, values))}: select one first",
            )


def describe_sample(sample: pd.DataFrame) -> str:
    """Release, area type, level and size of a sample, in words."""
    one_level(sample)
    first = sample.iloc[0]
    return (
        f"fct_occupation_wages, release {int(first['release_year'])}, area_type {int(first['area_type'])}, "
        f"o_group '{first['o_group']}', cross-industry, all ownerships: {len(sample)} rows, "
        f"{sample['area'].nunique()} areas"
    )


def top_code_flag(column: str) -> str:
    """The fact's flag of `column` published as `#` (at or above the top-code bound)."""
    return f"is_{column}_top_coded"


def published_rows(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int, int]:
    """Rows where every column is published, and the counts excluded as suppressed and as top-coded."""
    present = rows[list(columns)].notna().all(axis=1)
    top_coded = pd.Series(False, index=rows.index)
    for column in columns:
        flag = top_code_flag(column)
        if flag in rows:
            top_coded |= rows[flag].fillna(False).astype(bool)
    return rows.loc[present], int((~present & ~top_coded).sum()), int((~present & top_coded).sum())


def group_values(
    sample: pd.DataFrame, label: str, codes: set[str], column: str, definition: str | None = None
) -> tuple[np.ndarray, GroupSummary]:
    """Published values of `column` in the SOC major groups `codes` (at least 2), with their summary."""
    flag = top_code_flag(column)
    needed = (
        [column, flag] if flag in sample else [column]
    )  # only these: the sample has ~100 columns
    rows = sample.loc[sample["soc_major_group_code"].isin(codes), needed]
    kept, suppressed, top_coded = published_rows(rows, [column])
    values = kept[column].to_numpy(dtype=float)
    if len(values) < 2:
        raise AnalysisError(
            "analysis sample",
            f"{label} has {len(values)} published {column} value(s); at least 2 are needed",
        )
    definition = definition or "SOC major group " + ", ".join(sorted(codes))
    return values, group_summary(label, definition, values, suppressed, top_coded)


def group_summary(
    label: str, definition: str, values: np.ndarray, suppressed: int, top_coded: int
) -> GroupSummary:
    """The summary of a group's published `values` and of the counts excluded from it."""
    return GroupSummary(
        label=label,
        definition=definition,
        n=len(values),
        mean=float(np.mean(values)),
        sd=float(np.std(values, ddof=1)),
        median=float(np.median(values)),
        n_excluded_suppressed=suppressed,
        n_top_coded=top_coded,
    )


def major_groups(sample: pd.DataFrame) -> list[str]:
    """The SOC major group codes present in the sample, sorted."""
    return sorted(sample["soc_major_group_code"].dropna().unique())


# ---------------------------------------------------------------- the groups each test compares

#: The values a test compares (one array per group) and each group's summary, keyed as results.json has them.
Groups = tuple[list[np.ndarray], dict[str, GroupSummary]]


def management_and_production(sample: pd.DataFrame) -> Groups:
    """a_mean of management (SOC 11) and of production (SOC 51)."""
    x, management = group_values(sample, "management", {MANAGEMENT}, "a_mean")
    y, production = group_values(sample, "production", {PRODUCTION}, "a_mean")
    return [x, y], {"management": management, "production": production}


def employment_and_wage(sample: pd.DataFrame) -> Groups:
    """tot_emp and a_mean of the rows that publish both (at least 4), one group summarised by a_mean."""
    kept, suppressed, top_coded = published_rows(sample, ["tot_emp", "a_mean"])
    if len(kept) < 4:
        raise AnalysisError(
            "analysis sample",
            f"{len(kept)} rows have both tot_emp and a_mean; at least 4 are needed",
        )
    x, y = kept["tot_emp"].to_numpy(dtype=float), kept["a_mean"].to_numpy(dtype=float)
    every = group_summary(
        "all detailed occupations", "every SOC major group", y, suppressed, top_coded
    )
    return [x, y], {"all": every}


def tech_and_the_rest(sample: pd.DataFrame) -> Groups:
    """a_median of tech (SOC 15) and of every other major group."""
    others = set(major_groups(sample)) - {TECH}
    x, tech = group_values(sample, "tech", {TECH}, "a_median")
    y, nontech = group_values(
        sample, "non-tech", others, "a_median", definition=f"every SOC major group but {TECH}"
    )
    return [x, y], {"tech": tech, "nontech": nontech}


def every_major_group(sample: pd.DataFrame) -> Groups:
    """a_mean of each SOC major group (at least 2), labelled by its title (its code where it has none)."""
    codes = major_groups(sample)
    if len(codes) < 2:
        raise AnalysisError(
            "analysis sample", f"{len(codes)} SOC major group(s); Levene needs at least 2"
        )
    titles = sample.drop_duplicates("soc_major_group_code").set_index("soc_major_group_code")[
        "soc_major_group_title"
    ]
    arrays, groups = [], {}
    for code in codes:
        title = titles.get(code)
        values, summary = group_values(
            sample, code if pd.isna(title) else str(title), {code}, "a_mean"
        )
        arrays.append(values)
        groups[code] = summary
    return arrays, groups
