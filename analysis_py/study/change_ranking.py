"""The largest real changes of a pair of releases, ranked so that the ranking holds up.

The family is every detailed occupation of the pair that is comparable across the two releases'
SOC vintages, with both means published and a standard error (`fct_wage_changes`). Each change's
two-sided p comes from its z (independent releases: conservative), adjusted across the whole
family by Holm (family-wise error) and Benjamini-Hochberg (false discovery rate), so a row of the
table is judged against all the changes that could have made the table, not against itself.
Rows are ranked by real percent change: the size of a change relative to its level, which neither
favours well-paid occupations (as dollars do) nor large, precisely measured ones (as z does); its
standard error is the delta method's, 100 x ratio x sqrt(prse_earlier^2 + prse_later^2) / 100.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import duckdb

from analysis_py.stats.multicomp import ZFamily, z_family
from analysis_py.stats.results import LEVEL

__all__ = ["ChangeFamily", "OccupationChange", "ranked_changes"]


@dataclass(frozen=True)
class OccupationChange:
    """One occupation's change of mean annual wage between two releases, in one area, with its tests."""

    area_title: str
    occ_code: str
    occ_title: str
    a_mean_earlier: float
    a_mean_later: float
    a_mean_change: float
    a_mean_real_change: float
    a_mean_real_pct_change: float
    a_mean_real_change_z: float | None
    is_a_median_top_coded_either: bool = False
    a_mean_real_pct_change_se: float | None = None
    a_mean_real_change_z_shared_panels: float | None = None
    #: the mean of either release is at or above that release's top-code bound: above it BLS's
    #: wage intervals are open-ended, so the mean leans on the value assumed for wages there
    is_a_mean_at_top_code_bound_either: bool = False
    p_value: float | None = None
    p_holm: float | None = None
    p_bh: float | None = None

    @property
    def is_within_survey_error(self) -> bool:
        """|z| at most 1.96 (two-sided p of 5% or more), or no standard error to tell."""
        return self.p_value is None or self.p_value >= 1 - LEVEL

    @property
    def is_not_kept_by_holm(self) -> bool:
        """|z| above 1.96 alone, but not once every change of the family is tested with it."""
        return (
            not self.is_within_survey_error and self.p_holm is not None and self.p_holm >= 1 - LEVEL
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "is_within_survey_error": self.is_within_survey_error,
            "is_not_kept_by_holm": self.is_not_kept_by_holm,
        }


@dataclass(frozen=True)
class ChangeFamily:
    """The changes tested at once: how many, how many pass at 5% alone, after Holm and after BH,
    and how many compared changes have no standard error (so are neither tested nor ranked)."""

    tests: ZFamily
    n_without_se: int

    def to_dict(self) -> dict[str, Any]:
        per_row = ("p_values", "p_holm", "p_bh")  # in the ranked rows, not 800 times here
        return {
            **{key: value for key, value in self.tests.to_dict().items() if key not in per_row},
            "n_without_se": self.n_without_se,
        }


def _family_rows(con: duckdb.DuckDBPyConnection, where: dict[str, Any]) -> list[OccupationChange]:
    """Every compared detailed occupation of the pair, largest real percent rise first."""
    rows = con.execute(
        """
        select
            changes.area_title, changes.occ_code, changes.occ_title, changes.a_mean_earlier,
            changes.a_mean_later, changes.a_mean_change, changes.a_mean_real_change,
            changes.a_mean_real_pct_change, changes.a_mean_real_change_z,
            changes.is_a_median_top_coded_either,
            -- delta method for the ratio of two independent estimates (the CPI ratios cancel)
            (100 + changes.a_mean_real_pct_change) * sqrt(
                (changes.a_mean_se_earlier / changes.a_mean_earlier) ^ 2
                + (changes.a_mean_se_later / changes.a_mean_later) ^ 2
            ),
            changes.a_mean_real_change_z_shared_panels,
            coalesce(
                changes.a_mean_earlier >= earlier.top_code_annual_bound
                or changes.a_mean_later >= later.top_code_annual_bound,
                false
            ),
        from fct_wage_changes as changes
        left join dim_release as earlier on changes.earlier_release_year = earlier.release_year
        left join dim_release as later on changes.later_release_year = later.release_year
        where changes.file_kind = $kind and changes.earlier_release_year = $earlier
            and changes.later_release_year = $later and changes.o_group = 'detailed'
            and changes.is_soc_comparable and changes.a_mean_real_change is not null
        order by changes.a_mean_real_pct_change desc, changes.occ_code, changes.area
        """,
        where,
    ).fetchall()
    return [OccupationChange(*row) for row in rows]


def ranked_changes(
    con: duckdb.DuckDBPyConnection, where: dict[str, Any], n: int
) -> tuple[ChangeFamily, tuple[OccupationChange, ...], tuple[OccupationChange, ...]]:
    """The family of the pair `where` (kind, earlier, later) and its `n` largest real percent rises
    and falls, each with its p adjusted across the whole family."""
    rows = _family_rows(con, where)
    tested = [row for row in rows if row.a_mean_real_change_z is not None]
    family = z_family([row.a_mean_real_change_z for row in tested])  # type: ignore[misc]
    tested = [
        replace(row, p_value=p, p_holm=p_holm, p_bh=p_bh)
        for row, p, p_holm, p_bh in zip(
            tested, family.p_values, family.p_holm, family.p_bh, strict=True
        )
    ]
    gains = tuple(row for row in tested if row.a_mean_real_pct_change > 0)[:n]
    falls = [row for row in tested if row.a_mean_real_pct_change < 0]
    losses = tuple(sorted(falls, key=lambda row: (row.a_mean_real_pct_change, row.occ_code)))[:n]
    return ChangeFamily(family, len(rows) - len(tested)), gains, losses
