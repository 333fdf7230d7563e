"""Groups of the analysis sample by SOC major group code (never by title words), with their exclusions.

A NULL value (BLS printed `*` or `**`) is excluded and counted as suppressed; a top-coded
one (`#`, also NULL, with `is_<column>_top_coded`) is excluded and counted apart, because
it is not missing at random: it is at least the release's bound.
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
    "top_code_flag",
    "published_rows",
    "group_values",
    "major_groups",
    "one_level",
    "describe_sample",
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
    return values, GroupSummary(
        label=label,
        definition=definition or "SOC major group " + ", ".join(sorted(codes)),
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
